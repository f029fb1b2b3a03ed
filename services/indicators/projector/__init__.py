"""The projector: reads OGI_EVENTS in stream order and applies each event once to the read model."""
