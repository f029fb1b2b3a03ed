"""The `ogi` command: run the whole system, submit as a ministry, read the indicators."""
