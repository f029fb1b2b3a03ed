"""Two projectors (replicas of the indicators service) on one database, fed the same events at the same
time: the read model is exactly a single rebuild, and the indicators bucket agrees with it."""

import asyncio
import json
import logging

import nats

from services.indicators.db import create_engine, migrate
from services.indicators.projector import Projector
from services.indicators.rebuild import snapshot
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
        published = {key: json.loads((await bucket.get(key)).value)["count"] for key in await bucket.keys()}
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
