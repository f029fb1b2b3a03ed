"""The verification service: the secretariat verifies or returns claims, the responsible ministry amends a
returned one, registered observers dispute (contract 1.1)."""
