"""The ministry officer's workspace: a month's work recorded in a spreadsheet, checked before it is sent."""
