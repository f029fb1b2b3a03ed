"""Wire models of the public contract (CONTRACT.md): submissions, events, outcomes, indicator values."""
