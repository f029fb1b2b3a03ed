"""RFC 6962 Merkle tree hashes (RFC 6962 §2.1) and the checks of inclusion and consistency proofs as RFC 9162
gives them (§2.1.3.2, §2.1.4.2). Everything a verifier needs, without the tree itself."""

import hashlib
from collections.abc import Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class InvalidProof(ValueError):
    """The proof does not show what it was checked for; the message says which step failed."""


def leaf_hash(entry: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d) (RFC 6962 §2.1)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right) (RFC 6962 §2.1)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(size: int) -> int:
    """k, the largest power of two smaller than size (size > 1), where RFC 6962 §2.1 splits a tree."""
    return 1 << ((size - 1).bit_length() - 1)


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of RFC 6962 §2.1 from the leaf hashes: pairing level by level, a last node without a partner
    going up unchanged, builds the same tree as splitting at the largest power of two."""
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        level = paired + level[len(level) - len(level) % 2 :]
    return level[0]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes) -> None:
    """RFC 9162 §2.1.3.2: the leaf hash is at index in the tree of this size whose root is expected_root.
    Raises InvalidProof otherwise."""
    if not 0 <= index < size:
        raise InvalidProof(f"leaf index {index} is not in a tree of size {size}")
    if len(leaf) != HASH_SIZE or any(len(p) != HASH_SIZE for p in proof):
        raise InvalidProof(f"the leaf hash and every hash of the proof are {HASH_SIZE} bytes long")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise InvalidProof("the proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise InvalidProof("the proof is shorter than the path to the root")
    if r != expected_root:
        raise InvalidProof("the proof leads to another root")


def verify_consistency(old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes) -> None:
    """RFC 9162 §2.1.4.2: the tree of old_size with old_root is a prefix of the tree of new_size with new_root.
    A proof from the empty tree shows nothing and is refused; equal sizes need equal roots and no proof.
    Raises InvalidProof otherwise."""
    if not 0 <= old_size <= new_size:
        raise InvalidProof(f"sizes {old_size} and {new_size} are not an older and a newer tree")
    if old_size == 0:
        raise InvalidProof("a consistency proof from the empty tree shows nothing")
    if old_size == new_size:
        if proof:
            raise InvalidProof("trees of equal size need no proof")
        if old_root != new_root:
            raise InvalidProof("two trees of the same size have different roots")
        return
    if not proof:
        raise InvalidProof("the proof is empty")
    if any(len(p) != HASH_SIZE for p in proof):
        raise InvalidProof(f"every hash of the proof is {HASH_SIZE} bytes long")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise InvalidProof("the proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise InvalidProof("the proof is shorter than the path to the root")
    if fr != old_root:
        raise InvalidProof("the proof does not lead to the older root")
    if sr != new_root:
        raise InvalidProof("the proof does not lead to the newer root")
