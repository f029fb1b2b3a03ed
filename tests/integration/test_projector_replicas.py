"""Two projectors (replicas of the indicators service) on one database, fed the same events at the same
time: the read model is exactly a single rebuild, and the indicators bucket agrees with it."""

import asyncio
import json
import logging

import nats
from sqlalchemy import inspect

from services.indicators.projector.loop import Projector
from services.indicators.projector.rebuild import snapshot
from services.indicators.projector.receiver import ReceiverProcess
from services.indicators.readmodel import tables
from services.indicators.readmodel.db import create_engine, migrate
from shared import subjects
from tests.scenario import append_all, project, region_histories
from tests.support import eventually


async def test_two_projectors_on_one_database_count_every_event_once(nc, nats_server, database_url, tmp_path, figures, caplog):
    caplog.set_level(logging.INFO, logger="ogi.projector")
    engine = create_engine(database_url)
    await migrate(engine)
    connections = [await nats.connect(nats_server.url) for _ in range(2)]
    # Small batches, so the two commit often and often find the checkpoint moved by the other.
    replicas = [Projector(connection, engine, batch_size=7) for connection in connections]
    try:
        await asyncio.gather(*(replica.start() for replica in replicas))
        last = await append_all(nc, region_histories(seed=5, rounds=2))
        await eventually(lambda: all(replica.position >= last for replica in replicas), timeout=120)
        live = await snapshot(engine)
        bucket = await nc.jetstream().key_value(subjects.INDICATORS_BUCKET)
        values = {key: json.loads((await bucket.get(key)).value) for key in await bucket_keys(nc)}
        published = {key: value["count"] for key, value in values.items()}
        published |= {f"{key}.verified": value["verified"] for key, value in values.items() if value["verified"] is not None}
    finally:
        await asyncio.gather(*(replica.stop() for replica in replicas))
        for connection in connections:
            await connection.close()
        await engine.dispose()

    stored = {f"{scope}.{indicator}": count for scope, indicator, count in live["indicator_count"]}
    assert published == stored  # the bucket never went back to an older count
    # Losing a race is routine, not a database failure retried with backoff.
    assert not [record.message for record in caplog.records if record.levelno >= logging.WARNING]
    assert [row[0] for row in live["event_log"]] == list(range(1, last + 1))  # nothing lost, nothing twice
    rebuilt = await project(nc, f"sqlite:///{tmp_path / 'rebuilt.db'}", last)
    assert live == rebuilt

    applied = [replica.metrics.registry.get_sample_value("ogi_projector_events_applied_total", {"event_type": "RegionEnrolled"}) or 0 for replica in replicas]
    figures.append(f"two projectors on {database_url.split(':')[0]}: {last} events; RegionEnrolled applied {applied[0]:.0f} + {applied[1]:.0f}")


async def test_replicas_starting_together_on_an_empty_database_share_one_bulk_load(nc, nats_server, database_url, tmp_path):
    """Both drop event_log's indexes and both build them: neither may fail on the other having done it.
    Each catches up with a receiving process until it loses a race by far."""
    last = await append_all(nc, region_histories(seed=9, rounds=2))
    engine = create_engine(database_url)
    await migrate(engine)
    connections = [await nats.connect(nats_server.url) for _ in range(4)]
    replicas = [
        Projector(connection, engine, batch_size=200, bulk_load_min=1, receiver=ReceiverProcess(nats_server.url), catch_up_min=1) for connection in connections
    ]
    try:
        results = await asyncio.gather(*(replica.start() for replica in replicas), return_exceptions=True)
        assert [result for result in results if isinstance(result, BaseException)] == []
        await eventually(lambda: all(replica.position >= last for replica in replicas), timeout=120)
        assert all(replica.running for replica in replicas)
        await eventually(lambda: all(replica.receiver_pid is None for replica in replicas))  # none left running
        async with engine.connect() as database:
            indexes = await database.run_sync(lambda sync: {index["name"] for index in inspect(sync).get_indexes("event_log")})
        live = await snapshot(engine)
    finally:
        await asyncio.gather(*(replica.stop() for replica in replicas))
        for connection in connections:
            await connection.close()
        await engine.dispose()
    assert {index.name for index in tables.event_log.indexes} <= indexes
    assert live == await project(nc, f"sqlite:///{tmp_path / 'rebuilt.db'}", last)


async def bucket_keys(nc) -> list[str]:
    """The indicator bucket's keys as the server lists its stream's subjects (nats-py's `keys()` has been
    seen to find none in a bucket holding nine, on a loaded machine)."""
    prefix = f"$KV.{subjects.INDICATORS_BUCKET}."
    info = await nc.jetstream().stream_info(f"KV_{subjects.INDICATORS_BUCKET}", subjects_filter=f"{prefix}>")
    return [subject.removeprefix(prefix) for subject in info.state.subjects or {}]
