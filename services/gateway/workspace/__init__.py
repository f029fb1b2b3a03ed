"""The ministry officer's workspace on the gateway: people sign in and record what happened, by form or spreadsheet."""
