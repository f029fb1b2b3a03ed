"""Ed25519 keys for signed notes (c2sp.org/signed-note v1.0.0, signature type 0x01): key IDs, verifier keys
(vkeys), and the signer key encoding of Go's golang.org/x/mod/sumdb/note, which the spec leaves undefined."""

import base64
import binascii
import hashlib
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = 0x01
SIGNER_KEY_PREFIX = "PRIVATE+KEY+"


class MalformedKey(ValueError):
    pass


def key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    """SHA-256(key name || 0x0A || signature type || public key)[:4] (signed-note §Signatures)."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([signature_type]) + public_key).digest()[:4]


def is_key_name(name: str) -> bool:
    """Non-empty, without Unicode spaces, plus signs or control characters (signed-note §Format)."""
    return bool(name) and not any(c.isspace() or c == "+" or c < " " for c in name)


def decode_base64(text: str) -> bytes:
    """Standard base64 (RFC 4648 §4), refusing any other spelling of the same bytes."""
    try:
        decoded = base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise ValueError(f"not base64: {text!r}") from error
    if base64.b64encode(decoded).decode() != text:
        raise ValueError(f"not canonical base64: {text!r}")
    return decoded


def encode_base64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def split_key(text: str) -> tuple[str, str, int, bytes]:
    """<name>+<hex key ID>+base64(type || key material): the parts, not yet checked against each other."""
    parts = text.split("+", 2)
    if len(parts) != 3 or not is_key_name(parts[0]):
        raise MalformedKey("a key is <name>+<key id>+<key>")
    try:
        material = decode_base64(parts[2])
    except ValueError as error:
        raise MalformedKey(str(error)) from None
    if len(material) < 2:
        raise MalformedKey("a key holds a signature type and key material")
    return parts[0], parts[1], material[0], material[1:]


@dataclass(frozen=True)
class VerifierKey:
    """A vkey, <name>+hex(key ID)+base64(signature type || public key) (signed-note §Verifier keys), the key ID
    being the fixed-length lowercase hex the spec names."""

    name: str
    signature_type: int
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.signature_type, self.public_key)

    def __str__(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{encode_base64(bytes([self.signature_type]) + self.public_key)}"

    @classmethod
    def parse(cls, vkey: str) -> "VerifierKey":
        name, hex_id, signature_type, public_key = split_key(vkey)
        key = cls(name, signature_type, public_key)
        if hex_id != key.key_id.hex():
            raise MalformedKey(f"key ID {hex_id} is not the one of {name}'s key")
        return key


@dataclass(frozen=True)
class Ed25519Verifier:
    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, ED25519, self.public_key)

    def vkey(self) -> str:
        return str(VerifierKey(self.name, ED25519, self.public_key))

    @classmethod
    def from_vkey(cls, vkey: str) -> "Ed25519Verifier":
        key = VerifierKey.parse(vkey)
        if key.signature_type != ED25519 or len(key.public_key) != 32:
            raise MalformedKey(f"{key.name}'s key is not an Ed25519 note key")
        return cls(key.name, key.public_key)

    def verify(self, text: bytes, signature: bytes) -> bool:
        return verify_ed25519(self.public_key, text, signature)


@dataclass(frozen=True)
class Ed25519Signer:
    """The private half; its seed never shows in a repr, so never in a log line by accident."""

    name: str
    seed: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not is_key_name(self.name) or len(self.seed) != 32:
            raise MalformedKey("a signer is a key name and a 32-byte Ed25519 seed")

    @classmethod
    def generate(cls, name: str) -> "Ed25519Signer":
        return cls(name, Ed25519PrivateKey.generate().private_bytes_raw())

    @property
    def public_key(self) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).public_key().public_bytes_raw()

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, ED25519, self.public_key)

    def verifier(self) -> Ed25519Verifier:
        return Ed25519Verifier(self.name, self.public_key)

    def sign(self, text: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(text)

    def private_key(self) -> str:
        """PRIVATE+KEY+<name>+hex(key ID)+base64(0x01 || seed), as Go's note.NewSigner reads it. A secret."""
        return f"{SIGNER_KEY_PREFIX}{self.name}+{self.key_id.hex()}+{encode_base64(bytes([ED25519]) + self.seed)}"

    @classmethod
    def from_private_key(cls, text: str) -> "Ed25519Signer":
        if not text.startswith(SIGNER_KEY_PREFIX):
            raise MalformedKey("a signer key starts with PRIVATE+KEY+")
        try:
            name, hex_id, signature_type, seed = split_key(text.removeprefix(SIGNER_KEY_PREFIX))
            signer = cls(name, seed)
        except MalformedKey:
            raise MalformedKey("a signer key is PRIVATE+KEY+<name>+<key id>+<key>") from None
        if signature_type != ED25519 or hex_id != signer.key_id.hex():
            raise MalformedKey(f"{name}'s signer key is not an Ed25519 key with its own key ID")
        return signer


def verify_ed25519(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
