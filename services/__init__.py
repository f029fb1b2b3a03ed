"""The OGI Tracker services. Each owns its subjects and events and imports nothing from the others."""
