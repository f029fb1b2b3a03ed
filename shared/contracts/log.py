"""The transparency log's messages on NATS (stream OGI_LOG, and the operator's request for a checkpoint), as
docs/asyncapi.yaml describes them. Each is UTF-8 text in a C2SP format, not JSON: a signed note
(c2sp.org/signed-note) or a verifier key. The patterns are the shapes the code writes
(services/indicators/tlog), for a reader to check against; the signatures are checked only with the keys."""

from typing import Annotated

from pydantic import Field

COSIGNED_NOTE_BYTES = 16 * 1024  # the largest cosigned checkpoint POST /api/v1/log/cosignatures takes

# A key name, which for the log's own key is its origin: no white space, no plus sign, no control character.
_NAME = r"[^\s+\x00-\x1f]+"
_CHECKPOINT_TEXT = _NAME + r"\n(0|[1-9][0-9]*)\n[A-Za-z0-9+/]{43}=\n"  # origin, tree size, base64 SHA-256 root
_LOG_SIGNATURE = "\u2014 " + _NAME + r" [A-Za-z0-9+/]{91}=\n"  # base64(4-byte key id ‖ 64-byte Ed25519 signature)
_ANY_SIGNATURE = "\u2014 " + _NAME + r" [A-Za-z0-9+/]+={0,2}\n"

SignedCheckpoint = Annotated[
    str,
    Field(
        title="SignedCheckpoint",
        description=(
            "A checkpoint of the log, signed by its key: a C2SP tlog-checkpoint signed note, UTF-8 text (not JSON). "
            "Three lines — the origin, the tree size in decimal, the base64 RFC 6962 root hash — then a blank line and "
            "one signature line, `— <origin> <base64 of the 4-byte key id and the Ed25519 signature>`. No extension lines."
        ),
        pattern="^" + _CHECKPOINT_TEXT + r"\n" + _LOG_SIGNATURE + "$",
    ),
]

CosignedCheckpoint = Annotated[
    str,
    Field(
        title="CosignedCheckpoint",
        description=(
            "A checkpoint the log signed with one or more witnesses' cosignature lines added (C2SP tlog-cosignature, "
            "`cosignature/v1`), stored as the witness posted it: the log's signature and at least one registered "
            "witness's verify. UTF-8 text, at most 16 KiB."
        ),
        pattern="^" + _CHECKPOINT_TEXT + r"\n(" + _ANY_SIGNATURE + "){2,}$",
        max_length=COSIGNED_NOTE_BYTES,
    ),
]

LogVerifierKey = Annotated[
    str,
    Field(
        title="LogVerifierKey",
        description=(
            "The log's verifier key, the signed-note `vkey` form of its Ed25519 key (signature type 0x01): "
            "`<origin>+<key id, 8 hex digits>+<base64 of 0x01 and the 32-byte public key>`, UTF-8 text."
        ),
        pattern="^" + _NAME + r"\+[0-9a-f]{8}\+A[Q-Za-f][A-Za-z0-9+/]{42}$",
    ),
]

WitnessVerifierKey = Annotated[
    str,
    Field(
        title="WitnessVerifierKey",
        description=(
            "A witness's verifier key, of C2SP tlog-cosignature's `cosignature/v1` type (0x04): "
            "`<witness name>+<key id, 8 hex digits>+<base64 of 0x04 and the 32-byte public key>`, UTF-8 text, "
            "as `ogi log witness` prints it."
        ),
        pattern="^" + _NAME + r"\+[0-9a-f]{8}\+B[A-P][A-Za-z0-9+/]{42}$",
    ),
]

CheckpointRequest = Annotated[
    str,
    Field(
        title="CheckpointRequest",
        description="Any body, not read: `ogi log checkpoint` sends an empty one.",
    ),
]

CheckpointRequestFailed = Annotated[
    str,
    Field(
        title="CheckpointRequestFailed",
        description="No checkpoint could be read or made (NATS or the read model away): `error: ` and what went wrong.",
        pattern="^error: ",
    ),
]
