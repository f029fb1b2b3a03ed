"""The tree kept as a table of its complete subtrees, and the roots and proofs read from it.

Node (level, index) is the root of the complete subtree over leaves [index·2^level, (index+1)·2^level): level 0
holds the leaf hashes. A tree of size n has every node whose last leaf is below n, about 2n of them, and they
never change once written, so the table grows by appending. Any subtree RFC 6962 §2.1 names while splitting a
tree of size n is either one such node or a right edge [start, n) made of at most log2(n) of them, so a root,
an inclusion proof or a consistency proof needs O(log n) node reads, all known before reading: a plan lists
them, one batched read fetches them, and the plan assembles the answer. Callers holding an async database read
plan.nodes themselves; the store functions below do it for a synchronous NodeStore."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from services.indicators.tlog.merkle import EMPTY_ROOT, node_hash, split_point

NodeId = tuple[int, int]


class Node(NamedTuple):
    level: int
    index: int  # type: ignore[assignment]  # the RFC's name for it; it hides tuple.index, which no one calls on a Node
    hash: bytes


class MissingNode(LookupError):
    """A node the answer needs is not stored: the tree is smaller than the size asked for."""


class NodeStore(Protocol):
    def get(self, level: int, index: int) -> bytes: ...

    def get_many(self, ids: Iterable[NodeId]) -> Mapping[NodeId, bytes]: ...


class MemoryNodeStore:
    """A NodeStore in a dict, for tests and for building a tree in memory."""

    def __init__(self) -> None:
        self.nodes: dict[NodeId, bytes] = {}

    def put(self, nodes: Iterable[Node]) -> None:
        for node in nodes:
            self.nodes[(node.level, node.index)] = node.hash

    def get(self, level: int, index: int) -> bytes:
        if (level, index) not in self.nodes:
            raise MissingNode(f"node {(level, index)} is not stored")
        return self.nodes[(level, index)]

    def get_many(self, ids: Iterable[NodeId]) -> Mapping[NodeId, bytes]:
        return {node_id: self.nodes[node_id] for node_id in ids if node_id in self.nodes}


def covering_nodes(start: int, end: int) -> list[NodeId]:
    """The complete subtrees that make up leaves [start, end), largest first. Exact for the ranges RFC 6962 §2.1
    splits a tree into, whose start is a multiple of the largest power of two not above their length."""
    ids, position, length = [], start, end - start
    for level in reversed(range(length.bit_length())):
        if length >> level & 1:
            ids.append((level, position >> level))
            position += 1 << level
    return ids


def subtree_hash(hashes: list[bytes]) -> bytes:
    """MTH of a range from its covering nodes: RFC 6962 §2.1 puts the largest complete subtree on the left and
    the rest of the range on the right, so the nodes fold from the right. No nodes: the empty tree's hash."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


@dataclass(frozen=True)
class Plan:
    """Subtree hashes to compute, as leaf ranges, in the order the answer lists them."""

    ranges: tuple[tuple[int, int], ...]

    @property
    def nodes(self) -> list[NodeId]:
        return list(dict.fromkeys(node for start, end in self.ranges for node in covering_nodes(start, end)))

    def hashes(self, found: Mapping[NodeId, bytes]) -> list[bytes]:
        missing = [node for node in self.nodes if node not in found]
        if missing:
            raise MissingNode(f"nodes {missing} are not stored")
        return [subtree_hash([found[node] for node in covering_nodes(start, end)]) for start, end in self.ranges]


def root_plan(size: int) -> Plan:
    """The root of the tree of this size (RFC 6962 §2.1), the empty tree's included."""
    if size < 0:
        raise ValueError(f"a tree has no size {size}")
    return Plan(((0, size),))


def inclusion_plan(index: int, size: int) -> Plan:
    """The audit path PATH(index, D[size]) of RFC 6962 §2.1.1, leaf side first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    return Plan(tuple(_path(index, 0, size)))


def consistency_plan(old_size: int, new_size: int) -> Plan:
    """The consistency proof PROOF(old_size, D[new_size]) of RFC 6962 §2.1.2. The empty tree has none (RFC 9162
    §2.1.4 defines the proof for 0 < old_size); equal sizes have an empty one."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    return Plan(tuple(_subproof(old_size, 0, new_size, True)))


def _path(index: int, start: int, end: int) -> list[tuple[int, int]]:
    if end - start == 1:
        return []
    middle = start + split_point(end - start)
    if index < middle:
        return _path(index, start, middle) + [(middle, end)]
    return _path(index, middle, end) + [(start, middle)]


def _subproof(old_size: int, start: int, end: int, whole: bool) -> list[tuple[int, int]]:
    if old_size == end:
        return [] if whole else [(start, end)]
    middle = start + split_point(end - start)
    if old_size <= middle:
        return _subproof(old_size, start, middle, whole) + [(middle, end)]
    return _subproof(old_size, middle, end, False) + [(start, middle)]


def root_at(store: NodeStore, size: int) -> bytes:
    plan = root_plan(size)
    return plan.hashes(store.get_many(plan.nodes))[0]


def inclusion_proof(store: NodeStore, index: int, size: int) -> list[bytes]:
    plan = inclusion_plan(index, size)
    return plan.hashes(store.get_many(plan.nodes))


def consistency_proof(store: NodeStore, old_size: int, new_size: int) -> list[bytes]:
    plan = consistency_plan(old_size, new_size)
    return plan.hashes(store.get_many(plan.nodes))
