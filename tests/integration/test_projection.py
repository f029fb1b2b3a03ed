"""The read model is exact: the same on SQLite and PostgreSQL, after a crash equal to a rebuild, and the
same when an empty one is filled as a bulk load."""

import datetime as dt
import logging
import os
import signal
import subprocess
import sys

import httpx
from sqlalchemy import func, inspect, select

from ogi.embedded_nats import free_port
from services.indicators.projector.loop import Projector
from services.indicators.readmodel import counting, tables
from services.indicators.readmodel.db import create_engine, migrate
from shared import subjects
from tests.scenario import append_all, project, region_histories, snapshot
from tests.support import eventually


async def test_the_same_events_give_the_same_read_model_on_sqlite_and_postgresql(nc, sqlite_url, postgresql_url):
    last = await append_all(nc, region_histories(seed=11, rounds=2))
    on_sqlite = await project(nc, sqlite_url, last)
    on_postgresql = await project(nc, postgresql_url, last)
    assert on_sqlite["event_log"] and len(on_sqlite["event_log"]) == last
    assert on_sqlite == on_postgresql
    for day in (dt.date(2018, 6, 30), dt.date(2019, 6, 30), dt.date(2020, 12, 31), dt.date(2030, 1, 1)):
        counts = []
        for url in (sqlite_url, postgresql_url):
            engine = create_engine(url)
            async with engine.connect() as connection:
                counts.append(await counting.counts_as_of(connection, day))
            await engine.dispose()
        assert counts[0] == counts[1], day


def start_indicators(nats_url: str, database_url: str, http_port: int) -> subprocess.Popen:
    env = {**os.environ, "OGI_NATS_URL": nats_url, "OGI_DATABASE_URL": database_url, "OGI_HTTP_PORT": str(http_port), "OGI_LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-P", "-m", "services.indicators"], env=env)


async def test_a_projector_killed_mid_stream_resumes_to_exactly_a_rebuild(nc, tmp_path, figures):
    last = await append_all(nc, region_histories(seed=3, rounds=4))
    live_url = f"sqlite:///{tmp_path / 'live.db'}"
    port = free_port()
    position = f"http://127.0.0.1:{port}/api/v1/indicators"

    kills: list[int] = []
    for _ in range(3):
        process = start_indicators(nc.connected_url.geturl(), live_url, port)
        before = kills[-1] if kills else 0

        def applied_past(before: int = before) -> int:
            now = applied(position)
            return now if now > before else 0

        reached = await eventually(applied_past, timeout=60, interval=0.005)
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills.append(reached)
    assert kills[0] < kills[1] < kills[2] < last, f"not killed mid-stream: {kills} of {last}"

    process = start_indicators(nc.connected_url.geturl(), live_url, port)
    try:
        await eventually(lambda: applied(position) == last, timeout=120)
        live_counts = httpx.get(position).json()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0

    engine = create_engine(live_url)
    live = await snapshot(engine)
    await engine.dispose()
    rebuilt = await project(nc, f"sqlite:///{tmp_path / 'rebuilt.db'}", last)
    assert [row[0] for row in live["event_log"]] == list(range(1, last + 1))  # nothing lost, nothing twice
    assert live == rebuilt
    rebuilt_counts = {(scope, indicator): count for scope, indicator, count in rebuilt["indicator_count"]}
    for row in live_counts["indicators"]:
        assert rebuilt_counts[(row["scope"], row["indicator"])] == row["count"]
    figures.append(f"projector crash: {last} events; projector SIGKILLed after applying {kills}; live equals rebuild")


def applied(url: str) -> int:
    """The last event sequence the projector behind `url` has applied (0 while it is not up)."""
    try:
        return httpx.get(url, timeout=1).json()["as_of_seq"]
    except (httpx.HTTPError, ValueError):
        return 0


LOG_INDEXES = {index.name for index in tables.event_log.indexes}


async def log_indexes(engine) -> set[str]:
    async with engine.connect() as connection:
        found = await connection.run_sync(lambda sync: inspect(sync).get_indexes("event_log"))
    return {index["name"] for index in found} & LOG_INDEXES


async def test_a_bulk_load_ends_with_the_read_model_and_indexes_of_a_projection_row_by_row(nc, tmp_path, database_url, caplog):
    last = await append_all(nc, region_histories(seed=5, rounds=2))
    row_by_row = await project(nc, f"sqlite:///{tmp_path / 'row-by-row.db'}", last)
    engine = create_engine(database_url)
    await migrate(engine)
    projector = Projector(nc, engine, batch_size=500, bulk_load_min=1)
    caplog.set_level(logging.INFO, logger="ogi.projector")
    try:
        await projector.start()
        await eventually(lambda: projector.position >= last, timeout=120)
        assert "bulk load done" in caplog.text
        assert await log_indexes(engine) == LOG_INDEXES
        assert await snapshot(engine) == row_by_row
    finally:
        await projector.stop()
        await engine.dispose()


async def test_an_interrupted_bulk_load_has_its_indexes_built_at_the_next_start(nc, tmp_path, database_url):
    last = await append_all(nc, region_histories(seed=5, rounds=2))
    engine = create_engine(database_url)
    await migrate(engine)
    try:
        interrupted = Projector(nc, engine, batch_size=100, bulk_load_min=1)
        await interrupted.start()
        await eventually(lambda: interrupted.position > 0, timeout=60, interval=0.001)
        await interrupted.stop()
        assert 0 < interrupted.position < last
        assert await log_indexes(engine) == set()

        resumed = Projector(nc, engine)
        await resumed.start()
        try:
            assert await log_indexes(engine) == LOG_INDEXES
            await eventually(lambda: resumed.position >= last, timeout=120)
        finally:
            await resumed.stop()
        rebuilt = await project(nc, f"sqlite:///{tmp_path / 'rebuilt.db'}", last)
        assert await snapshot(engine) == rebuilt
    finally:
        await engine.dispose()


async def test_an_event_the_projector_cannot_read_is_quarantined_after_every_event_before_it(nc, sqlite_url, caplog):
    last = await append_all(nc, region_histories(seed=5, rounds=1))
    broken = b'{"schema_version": 1, "event_type": "RegionEnrolled", "region_code": "73.71", "occurred_on": "soon"}'
    js = nc.jetstream()
    await js.publish(subjects.event("registry", "73.71", "RegionEnrolled"), broken, stream=subjects.EVENTS_STREAM)
    after = await js.get_msg(subjects.EVENTS_STREAM, 1)
    await js.publish(after.subject, after.data.replace(b'"event_id":"', b'"event_id":"again-'), stream=subjects.EVENTS_STREAM)
    engine = create_engine(sqlite_url)
    await migrate(engine)
    projector = Projector(nc, engine)
    try:
        await projector.start()
        await eventually(lambda: projector.position == last + 2, timeout=60)
        assert projector.running
        assert f"event {last + 1} quarantined" in caplog.text
        async with engine.connect() as connection:
            quarantined = (await connection.execute(select(tables.quarantined_event.c.seq))).scalars().all()
            logged = (await connection.execute(select(func.count()).select_from(tables.event_log))).scalar_one()
        assert quarantined == [last + 1] and logged == last + 1
    finally:
        await projector.stop()
        await engine.dispose()


async def test_a_bulk_load_of_a_stream_holding_one_event_id_twice_stops_and_says_why(nc, sqlite_url, caplog):
    last = await append_all(nc, region_histories(seed=5, rounds=1))
    js = nc.jetstream()
    first = await js.get_msg(subjects.EVENTS_STREAM, 1)
    await js.publish(first.subject, first.data, stream=subjects.EVENTS_STREAM, headers={"Nats-Msg-Id": "a copy"})
    engine = create_engine(sqlite_url)
    await migrate(engine)
    projector = Projector(nc, engine, bulk_load_min=1)
    try:
        await projector.start()
        await eventually(lambda: not projector.running, timeout=60)
        assert "event_log's unique index cannot be built" in caplog.text
        assert projector.position <= last
    finally:
        await projector.stop()
        await engine.dispose()


async def test_a_projector_behind_the_stream_measures_its_lag_in_events_and_seconds(nc, sqlite_url):
    last = await append_all(nc, region_histories(seed=5, rounds=1))
    engine = create_engine(sqlite_url)
    await migrate(engine)
    projector = Projector(nc, engine)
    projector.limit = 1
    try:
        await projector.start()
        await eventually(lambda: projector.position == 1)
        await projector.measure_lag()
        registry = projector.metrics.registry
        assert registry.get_sample_value("ogi_projector_lag_events") == last - 1
        lag_seconds = registry.get_sample_value("ogi_projector_lag_seconds")
        assert lag_seconds is not None and lag_seconds > 0
    finally:
        await projector.stop()
        await engine.dispose()
