"""The indicators service: projects the event store into SQL read models and serves the live counts."""
