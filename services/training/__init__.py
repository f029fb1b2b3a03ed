"""The training service: OGI capacity-building sessions completed by enrolled regions."""
