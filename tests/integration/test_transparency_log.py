"""The transparency log is a read model too: the projector grows an RFC 6962 tree whose leaves are the stored
event payloads in stream order, in the same transaction as everything else, so its root at any size is what
anyone computes from the stream itself, a rebuild gives the same tree, and a quarantined event is a leaf
like any other."""

from services.indicators.readmodel import tree
from services.indicators.readmodel.db import create_engine
from services.indicators.tlog import merkle
from shared import subjects
from tests.scenario import append_all, project, region_histories


async def stored_payloads(nc, last: int) -> list[bytes]:
    js = nc.jetstream()
    return [(await js.get_msg(subjects.EVENTS_STREAM, seq, direct=True)).data for seq in range(1, last + 1)]


async def test_the_tree_is_the_rfc_6962_tree_of_the_stored_payloads_at_every_size(nc, database_url):
    last = await append_all(nc, region_histories(seed=3)[:60])
    await project(nc, database_url, last)
    leaves = [merkle.leaf_hash(payload) for payload in await stored_payloads(nc, last)]
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            for size in (1, 2, 3, 7, 64, last // 2, last):
                expected = merkle.root(leaves[:size])
                assert await tree.root(connection, size) == expected, size
                for index in {0, size // 3, size - 1}:
                    proof = await tree.inclusion_proof(connection, index, size)
                    merkle.verify_inclusion(leaves[index], index, size, proof, expected)
            for old in (1, 5, last // 3):
                merkle.verify_consistency(old, last, await tree.consistency_proof(connection, old, last), merkle.root(leaves[:old]), merkle.root(leaves))
            frontier = await tree.frontier(connection, last)
            assert frontier.size == last and frontier.root() == merkle.root(leaves)
    finally:
        await engine.dispose()
