"""The transparency log over OGI_EVENTS: an RFC 6962 Merkle tree of the stored event bodies, its node table,
and the signed checkpoints (C2SP signed-note, tlog-checkpoint, tlog-cosignature) that publish its root.
Pure modules: the projector and the HTTP API do the reading and writing."""
