"""The HTTP side: the JSON API, the dashboard, open data and live updates (server-sent events)."""
