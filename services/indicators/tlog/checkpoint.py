"""Checkpoints, c2sp.org/tlog-checkpoint v1.0.0: a signed note whose text is the log's origin, its tree size in
decimal and the base64 RFC 6962 root hash, then optional extension lines. Parsing is strict: one spelling of a
checkpoint reads, every other is refused."""

import re
from dataclasses import dataclass

from services.indicators.tlog.keys import decode_base64, encode_base64
from services.indicators.tlog.merkle import HASH_SIZE
from services.indicators.tlog.note import NoteSigner, NoteVerifier, open_note, sign_note

MAX_TREE_SIZE = 2**64 - 1
DECIMAL = re.compile(r"0|[1-9][0-9]*")


class MalformedCheckpoint(ValueError):
    pass


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _is_line(self.origin):
            raise MalformedCheckpoint("the origin is one non-empty line")
        if isinstance(self.size, bool) or not isinstance(self.size, int) or not 0 <= self.size <= MAX_TREE_SIZE:
            raise MalformedCheckpoint(f"tree size {self.size!r} is not a 64-bit count of leaves")
        if len(self.root_hash) != HASH_SIZE:
            raise MalformedCheckpoint(f"the root hash is {HASH_SIZE} bytes, not {len(self.root_hash)}")
        if not all(_is_line(extension) for extension in self.extensions):
            raise MalformedCheckpoint("each extension is one non-empty line")

    def text(self) -> str:
        """The note text (tlog-checkpoint §Note text), each line ending in a newline."""
        lines = (self.origin, str(self.size), encode_base64(self.root_hash), *self.extensions)
        return "".join(line + "\n" for line in lines)

    @classmethod
    def from_text(cls, text: str) -> "Checkpoint":
        if not text.endswith("\n"):
            raise MalformedCheckpoint("a checkpoint text ends in a newline")
        lines = text.removesuffix("\n").split("\n")
        if len(lines) < 3:
            raise MalformedCheckpoint("a checkpoint has an origin, a tree size and a root hash")
        origin, size, root_hash, *extensions = lines
        if not DECIMAL.fullmatch(size):
            raise MalformedCheckpoint(f"tree size {size!r} is not a decimal without leading zeroes")
        try:
            root = decode_base64(root_hash)
        except ValueError:
            raise MalformedCheckpoint(f"root hash {root_hash!r} is not base64") from None
        return cls(origin, int(size), root, tuple(extensions))


def _is_line(text: str) -> bool:
    return bool(text) and not any(c < " " for c in text)


def sign_checkpoint(checkpoint: Checkpoint, signer: NoteSigner) -> str:
    """The checkpoint as a signed note, by the log's key, whose name is the origin (tlog-checkpoint §Signatures:
    SHOULD; this log always does)."""
    if signer.name != checkpoint.origin:
        raise MalformedCheckpoint(f"the log's key {signer.name!r} is not named for its origin {checkpoint.origin!r}")
    return sign_note(checkpoint.text(), signer)


def open_checkpoint(message: str | bytes, log: NoteVerifier) -> Checkpoint:
    """The checkpoint a note holds, once the log's own signature on it verifies (other signatures, witnesses'
    among them, are ignored here) and its origin is the log's key name. Raises a NoteError or
    MalformedCheckpoint otherwise."""
    checkpoint = Checkpoint.from_text(open_note(message, [log]).text)
    if checkpoint.origin != log.name:
        raise MalformedCheckpoint(f"checkpoint of {checkpoint.origin!r}, not of {log.name!r}")
    return checkpoint


def is_fork(one: Checkpoint, other: Checkpoint) -> bool:
    """Two checkpoints of one log, one size and two roots: proof that the log showed two histories (only one
    can be the prefix of what comes later). Checkpoints of different sizes are compared with a consistency
    proof instead (merkle.verify_consistency)."""
    return one.origin == other.origin and one.size == other.size and one.root_hash != other.root_hash
