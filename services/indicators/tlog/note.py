"""Signed notes, c2sp.org/signed-note v1.0.0: the format (a text, a blank line, signature lines), signing a text,
and opening a note against the keys one trusts. The keys are in keys.py (Ed25519) and cosignature.py (witness
cosignatures); any object with a name, a key ID and sign or verify fits."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from services.indicators.tlog.keys import decode_base64, encode_base64, is_key_name

EM_DASH = "\u2014"
MAX_SIGNATURES = 100


class NoteError(ValueError):
    pass


class MalformedNote(NoteError):
    pass


class UnverifiedNote(NoteError):
    """No signature of the note is from a trusted key (signed-note §Signatures: the note MUST be rejected)."""


class BadSignature(NoteError):
    """A trusted key's signature does not verify; the whole note is refused (signed-note §Signatures)."""


class AmbiguousKey(NoteError):
    """Two trusted keys share a name and key ID, so a signature cannot say which one made it."""


class NoteVerifier(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> bytes: ...

    def verify(self, text: bytes, signature: bytes) -> bool: ...


class NoteSigner(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> bytes: ...

    def sign(self, text: bytes) -> bytes: ...


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        """— <key name> base64(key ID || signature), newline (signed-note §Signatures)."""
        return f"{EM_DASH} {self.name} {encode_base64(self.key_id + self.signature)}\n"


@dataclass(frozen=True)
class Note:
    text: str
    signatures: tuple[Signature, ...]

    def __str__(self) -> str:
        return self.text + "\n" + "".join(signature.line() for signature in self.signatures)


@dataclass(frozen=True)
class VerifiedNote:
    text: str
    verified: tuple[Signature, ...]
    unverified: tuple[Signature, ...]


def check_text(text: str) -> None:
    """A note text ends in a newline and holds no control character but newlines (signed-note §Format)."""
    if not text.endswith("\n") or any(c < " " and c != "\n" for c in text):
        raise MalformedNote("a note text ends in a newline and holds no other control character")


def parse_note(message: str | bytes) -> Note:
    """Text, a blank line, then one or more signature lines (signed-note §Format); the last blank line
    separates them. Anything else is a MalformedNote; nothing is verified here."""
    try:
        message = message.decode() if isinstance(message, bytes) else message.encode().decode()
    except UnicodeError:
        raise MalformedNote("a note is UTF-8") from None
    check_text(message)
    separator = message.rfind("\n\n")
    if separator < 0:
        raise MalformedNote("a note has a blank line before its signatures")
    lines = message[separator + 2 :].removesuffix("\n").split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNote(f"more than {MAX_SIGNATURES} signatures")
    return Note(message[: separator + 1], tuple(parse_signature_line(line) for line in lines))


def parse_signature_line(line: str) -> Signature:
    parts = line.removeprefix(EM_DASH + " ").split(" ")
    if not line.startswith(EM_DASH + " ") or len(parts) != 2 or not is_key_name(parts[0]):
        raise MalformedNote(f"not a signature line: {line!r}")
    try:
        signature = decode_base64(parts[1])
    except ValueError:
        raise MalformedNote(f"signature of {parts[0]} is not base64") from None
    if len(signature) < 5:
        raise MalformedNote(f"signature of {parts[0]} is shorter than a key ID and a signature")
    return Signature(parts[0], signature[:4], signature[4:])


def add_signatures(note: Note, *signatures: Signature) -> Note:
    """The note with these signatures last, replacing any earlier one by the same name and key ID."""
    replaced = {(signature.name, signature.key_id) for signature in signatures}
    kept = tuple(s for s in note.signatures if (s.name, s.key_id) not in replaced)
    if len(kept) + len(signatures) > MAX_SIGNATURES:
        raise MalformedNote(f"more than {MAX_SIGNATURES} signatures")
    return Note(note.text, kept + signatures)


def sign_note(text: str, *signers: NoteSigner) -> str:
    """The text signed by each signer, as a note (signed-note §Format)."""
    check_text(text)
    if not signers:
        raise MalformedNote("a note has at least one signature")
    signed = Note(text, tuple(Signature(s.name, s.key_id, s.sign(text.encode())) for s in signers))
    if parse_note(str(signed)) != signed:
        raise MalformedNote("the signed note would not read back as signed")
    return str(signed)


def open_note(message: str | bytes, verifiers: Iterable[NoteVerifier]) -> VerifiedNote:
    """Verifies a note against trusted keys (signed-note §Signatures): a signature whose name and key ID match no
    trusted key is set aside unverified; one that matches is verified, and if it fails the note is refused
    (BadSignature); a note without a verified signature is refused (UnverifiedNote)."""
    note = parse_note(message)
    trusted: dict[tuple[str, bytes], list[NoteVerifier]] = {}
    for verifier in verifiers:
        trusted.setdefault((verifier.name, verifier.key_id), []).append(verifier)
    verified: list[Signature] = []
    unverified: list[Signature] = []
    text = note.text.encode()
    for signature in dict.fromkeys(note.signatures):
        matching = trusted.get((signature.name, signature.key_id), [])
        if len(matching) > 1:
            raise AmbiguousKey(f"ambiguous key {signature.name}+{signature.key_id.hex()}")
        if not matching:
            unverified.append(signature)
        elif matching[0].verify(text, signature.signature):
            verified.append(signature)
        else:
            raise BadSignature(f"invalid signature for key {signature.name}+{signature.key_id.hex()}")
    if not verified:
        raise UnverifiedNote("the note has no signature from a trusted key")
    return VerifiedNote(note.text, tuple(verified), tuple(unverified))
