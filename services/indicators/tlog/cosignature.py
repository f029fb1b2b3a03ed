"""Witness cosignatures on checkpoints, c2sp.org/tlog-cosignature cosignature/v1: an Ed25519 note signature of
type 0x04 whose bytes are a big-endian 64-bit POSIX timestamp and an Ed25519 signature over
"cosignature/v1\\ntime <timestamp>\\n" followed by the checkpoint's note text. The time is given by the caller,
so nothing here reads a clock."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from services.indicators.tlog.checkpoint import Checkpoint
from services.indicators.tlog.keys import Ed25519Signer, MalformedKey, VerifierKey, key_id, verify_ed25519
from services.indicators.tlog.note import Signature, UnverifiedNote, add_signatures, open_note, parse_note

COSIGNATURE_V1 = 0x04
MAX_TIMESTAMP = 2**63 - 1
COSIGNATURE_SIZE = 8 + 64


def signed_message(checkpoint_text: bytes, timestamp: int) -> bytes:
    """tlog-cosignature §Ed25519 signed message."""
    return b"cosignature/v1\ntime %d\n" % timestamp + checkpoint_text


def timestamp_of(signature: Signature) -> int:
    """The POSIX time a cosignature says it was made at (tlog-cosignature §Format, timestamped_signature)."""
    if len(signature.signature) != COSIGNATURE_SIZE:
        raise ValueError(f"{signature.name}'s signature is not a cosignature/v1 timestamped signature")
    return int.from_bytes(signature.signature[:8], "big")


@dataclass(frozen=True)
class CosignatureVerifier:
    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, COSIGNATURE_V1, self.public_key)

    def vkey(self) -> str:
        return str(VerifierKey(self.name, COSIGNATURE_V1, self.public_key))

    @classmethod
    def from_vkey(cls, vkey: str) -> "CosignatureVerifier":
        key = VerifierKey.parse(vkey)
        if key.signature_type != COSIGNATURE_V1 or len(key.public_key) != 32:
            raise MalformedKey(f"{key.name}'s key is not an Ed25519 cosignature/v1 key")
        return cls(key.name, key.public_key)

    def verify(self, text: bytes, signature: bytes) -> bool:
        if len(signature) != COSIGNATURE_SIZE:
            return False
        timestamp = int.from_bytes(signature[:8], "big")
        message = signed_message(text, timestamp)
        return timestamp <= MAX_TIMESTAMP and verify_ed25519(self.public_key, message, signature[8:])


@dataclass(frozen=True)
class Cosigner:
    """A witness's key: an Ed25519 seed used only for cosignatures (tlog-cosignature asks for one key per
    cosigner). Stored with the same PRIVATE+KEY encoding as a note signer (keys.Ed25519Signer)."""

    name: str
    seed: bytes = field(repr=False)

    @classmethod
    def generate(cls, name: str) -> "Cosigner":
        return cls.from_signer(Ed25519Signer.generate(name))

    @classmethod
    def from_signer(cls, signer: Ed25519Signer) -> "Cosigner":
        return cls(signer.name, signer.seed)

    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier(self.name, Ed25519Signer(self.name, self.seed).public_key)

    def cosignature(self, checkpoint_text: str, timestamp: int) -> Signature:
        Checkpoint.from_text(checkpoint_text)
        if not 0 <= timestamp <= MAX_TIMESTAMP:
            raise ValueError(f"timestamp {timestamp} is not a POSIX time of at most 2^63 - 1")
        signed = Ed25519Signer(self.name, self.seed).sign(signed_message(checkpoint_text.encode(), timestamp))
        return Signature(self.name, self.verifier().key_id, timestamp.to_bytes(8, "big") + signed)


def cosign(signed_checkpoint: str, cosigner: Cosigner, timestamp: int) -> str:
    """The signed checkpoint with the cosigner's line added (replacing an earlier one of the same key). Whether
    the checkpoint is consistent with what the witness saw before is the witness's own check, done first."""
    note = parse_note(signed_checkpoint)
    return str(add_signatures(note, cosigner.cosignature(note.text, timestamp)))


def cosigned_by(signed_checkpoint: str, witnesses: Iterable[CosignatureVerifier]) -> dict[str, int]:
    """The witnesses whose cosignature on the checkpoint verifies, with the time each gave. A cosignature of a
    known witness that does not verify refuses the whole note (BadSignature); other lines are ignored."""
    try:
        verified = open_note(signed_checkpoint, witnesses).verified
    except UnverifiedNote:
        return {}
    return {signature.name: timestamp_of(signature) for signature in verified}
