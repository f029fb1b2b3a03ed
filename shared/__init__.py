"""What the OGI Tracker services share: contracts, subjects, the event store client, settings, reference data."""
