"""The tree grown one leaf at a time from O(log n) hashes: the roots of the complete subtrees that make up the
leaves so far (a compact range), largest first. Appending a leaf gives the nodes it completes, which is what the
node table (nodes.py) stores; the frontier itself can be read back from that table after a restart."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from services.indicators.tlog.merkle import node_hash
from services.indicators.tlog.nodes import MissingNode, Node, NodeId, NodeStore, covering_nodes, subtree_hash


@dataclass
class Frontier:
    size: int = 0
    hashes: list[bytes] = field(default_factory=list)

    def append(self, leaf: bytes) -> list[Node]:
        """Adds a leaf hash; returns the nodes now complete, the leaf itself first and then one per level for
        each complete subtree the leaf closes (1 + the trailing one bits of its index)."""
        index, level, current = self.size, 0, leaf
        completed = [Node(0, index, leaf)]
        while index >> level & 1:
            current = node_hash(self.hashes.pop(), current)
            level += 1
            completed.append(Node(level, index >> level, current))
        self.hashes.append(current)
        self.size += 1
        return completed

    def root(self) -> bytes:
        """MTH of the leaves so far (RFC 6962 §2.1)."""
        return subtree_hash(self.hashes)

    @staticmethod
    def nodes_for(size: int) -> list[NodeId]:
        """The stored nodes a frontier of this size is made of."""
        return covering_nodes(0, size)

    @classmethod
    def from_nodes(cls, size: int, found: Mapping[NodeId, bytes]) -> "Frontier":
        missing = [node for node in cls.nodes_for(size) if node not in found]
        if missing:
            raise MissingNode(f"nodes {missing} are not stored")
        return cls(size, [found[node] for node in cls.nodes_for(size)])

    @classmethod
    def from_store(cls, store: NodeStore, size: int) -> "Frontier":
        return cls.from_nodes(size, store.get_many(cls.nodes_for(size)))
