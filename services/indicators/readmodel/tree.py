"""The transparency log's tree as the read model holds it (table tlog_node): its frontier, to grow it, and its
roots and proofs for any size it has reached (services/indicators/tlog/nodes.py plans which nodes to read)."""

from collections.abc import Iterable, Mapping

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.indicators.readmodel import tables
from services.indicators.tlog import nodes
from services.indicators.tlog.frontier import Frontier
from services.indicators.tlog.nodes import NodeId


async def read_nodes(connection: AsyncConnection, ids: Iterable[NodeId]) -> Mapping[NodeId, bytes]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    node = tables.tlog_node.c
    query = select(node.level, node.idx, node.hash).where(or_(*(and_(node.level == level, node.idx == index) for level, index in wanted)))
    return {(level, index): bytes(hash_) for level, index, hash_ in await connection.execute(query)}


async def frontier(connection: AsyncConnection, size: int) -> Frontier:
    """The tree of `size` leaves, ready to grow."""
    return Frontier.from_nodes(size, await read_nodes(connection, Frontier.nodes_for(size)))


async def root(connection: AsyncConnection, size: int) -> bytes:
    plan = nodes.root_plan(size)
    return plan.hashes(await read_nodes(connection, plan.nodes))[0]


async def inclusion_proof(connection: AsyncConnection, index: int, size: int) -> list[bytes]:
    plan = nodes.inclusion_plan(index, size)
    return plan.hashes(await read_nodes(connection, plan.nodes))


async def consistency_proof(connection: AsyncConnection, old_size: int, new_size: int) -> list[bytes]:
    plan = nodes.consistency_plan(old_size, new_size)
    return plan.hashes(await read_nodes(connection, plan.nodes))


async def leaves(connection: AsyncConnection, first: int, last: int) -> dict[int, bytes]:
    """The leaf hashes from index `first` to `last` (both included) that the tree holds."""
    node = tables.tlog_node.c
    query = select(node.idx, node.hash).where(node.level == 0, node.idx >= first, node.idx <= last)
    return {index: bytes(hash_) for index, hash_ in await connection.execute(query)}
