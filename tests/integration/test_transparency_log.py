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


async def test_the_api_serves_proofs_that_verify_against_a_signed_checkpoint(sqlite_system):
    import base64

    from services.indicators.tlog.checkpoint import open_checkpoint
    from services.indicators.tlog.keys import Ed25519Verifier

    last = await append_all(sqlite_system.nc, region_histories(seed=4)[:20])
    await sqlite_system.projected(last)
    note = await sqlite_system.indicators.log_keeper.checkpoint_now()
    key = (await sqlite_system.http.get("/api/v1/log/key")).text
    signed = open_checkpoint((await sqlite_system.http.get("/api/v1/log/checkpoint")).text, Ed25519Verifier.from_vkey(key))
    assert signed.size == last and (await sqlite_system.http.get("/api/v1/log/checkpoint")).text == note

    payloads = await stored_payloads(sqlite_system.nc, last)
    for seq in (1, last // 2, last):
        proof = (await sqlite_system.http.get("/api/v1/log/proof/inclusion", params={"seq": seq, "size": last})).json()
        merkle.verify_inclusion(merkle.leaf_hash(payloads[seq - 1]), seq - 1, last, [base64.b64decode(h) for h in proof["hashes"]], signed.root_hash)
    entries = (await sqlite_system.http.get("/api/v1/log/entries", params={"start": 1, "end": 3})).json()["entries"]
    assert [base64.b64decode(entry["body"]) for entry in entries] == payloads[:3]
    assert (await sqlite_system.http.get("/api/v1/log/proof/inclusion", params={"seq": 1, "size": last + 1})).status_code == 422
    assert (await sqlite_system.http.get("/api/v1/log/checkpoints")).json()["checkpoints"][-1]["note"] == note
