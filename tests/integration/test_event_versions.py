"""A store written by an older release stays readable: events it stored at schema version 1, beside those a
newer release stores at version 2, project and rebuild as if all were current, and the deciding services
decide on them as before. An event of a version this release does not know stops what reads it, saying so."""

import json
import logging

import nats
import pytest
from sqlalchemy import bindparam, select, text, update

from ogi.embedded_nats import EmbeddedNats, free_port
from services.indicators.projector.loop import Projector
from services.indicators.projector.rebuild import rebuild
from services.indicators.projector.receiver import ReceiverProcess
from services.indicators.readmodel import tables
from services.indicators.readmodel.db import create_engine, migrate
from shared import subjects
from shared.contracts import events as ev
from shared.contracts.versions import UnknownEventVersion
from shared.eventstore import EventStore
from shared.streams import declare
from tests.golden_events import as_version_1, event_type, future, stored
from tests.scenario import project, region_histories, snapshot
from tests.support import eventually

GOLDEN_REGIONS = {"73.71", "93.01"}
# The golden version-1 events in an order the rules allow (73.71: enrolled, trained, a plan submitted and
# withdrawn, withdrawn; 93.01: enrolled, trained, a plan), then the golden version-2 ones.
STORY_V1 = [
    "RegionEnrolled",
    "RegionEnrolled.minimal",
    "TrainingCompleted",
    "TrainingCompleted.minimal",
    "PlanSubmitted",
    "PlanSubmitted.minimal",
    "PlanWithdrawn",
    "RegionWithdrawn",
]


async def publish(nc, bodies: list[bytes]) -> int:
    """Append stored bodies as they are, as the release that wrote them did. Returns the last sequence."""
    js, last = nc.jetstream(), 0
    for body in bodies:
        event = json.loads(body)
        subject = subjects.event(subjects.EVENT_SERVICE[event["event_type"]], event["region_code"], event["event_type"])
        last = (await js.publish(subject, body, stream=subjects.EVENTS_STREAM)).seq
    return last


def without_log(snapshot: dict) -> dict:
    return {table: rows for table, rows in snapshot.items() if table != "tlog_node"}


def stores_of_two_releases() -> tuple[list[bytes], list[bytes], list[bytes]]:
    """One history as a store holds it when an older release wrote its first part (at version 1) and a newer
    one the rest: the older release's part, the newer one's, and the whole as a store holding every event
    at its current version."""
    v1, v2 = stored(1), stored(2)
    histories = [history for history in region_histories(seed=9, rounds=1) if history[0].region_code not in GOLDEN_REGIONS]
    earlier = [event for history in histories for event in history[: len(history) // 2]]
    later = [event for history in histories for event in history[len(history) // 2 :]]
    older_release = [v1[name] for name in STORY_V1] + [as_version_1(event) for event in earlier]
    newer_release = list(v2.values()) + [ev.encode_event(event) for event in later]
    all_current = [ev.encode_event(ev.decode_event(body)) for body in older_release + newer_release]
    return older_release, newer_release, all_current


async def test_a_store_holding_version_1_and_version_2_events_projects_and_rebuilds_as_if_all_were_current(nc, database_url, tmp_path):
    older_release, newer_release, current = stores_of_two_releases()
    assert sum(b'"TrainingCompleted"' in body or b'"PlanSubmitted"' in body for body in older_release) > 100
    last = await publish(nc, older_release + newer_release)
    live_url = database_url
    live = await project(nc, live_url, last)

    other = EmbeddedNats(tmp_path / "nats-current", free_port())
    other.start()
    try:
        all_current = await nats.connect(other.url)
        try:
            await declare(all_current)
            assert await publish(all_current, current) == last
            rewritten = await project(all_current, f"sqlite:///{tmp_path / 'all-current.db'}", last)
            # The transparency log commits to the bytes as stored, which differ here by design.
            assert without_log(live) == without_log(rewritten)
        finally:
            await all_current.close()
    finally:
        other.kill()

    engine = create_engine(live_url)
    try:
        async with engine.connect() as connection:
            log = tables.event_log.c
            rows = (await connection.execute(select(log.event_type, log.data).where(log.region_code.in_(GOLDEN_REGIONS)).order_by(log.seq))).all()
    finally:
        await engine.dispose()
    assert [kind for kind, _ in rows] == [event_type(name) for name in STORY_V1 + list(stored(2))]
    trainings_and_plans = [data for kind, data in rows if kind in {"TrainingCompleted", "PlanSubmitted"}]
    assert [len(data["evidence"]) for data in trainings_and_plans] == [0, 0, 0, 0, 1, 0, 2, 0]
    assert all("evidence" not in data for kind, data in rows if kind not in {"TrainingCompleted", "PlanSubmitted"})

    comparison = await rebuild(nc, live_url, f"sqlite:///{tmp_path / 'rebuilt.db'}", up_to_live=True)
    assert comparison.equal and comparison.position == last


async def test_a_projector_catching_up_in_a_receiving_process_reads_version_1_events_alike(nc, nats_server, tmp_path, caplog):
    older_release, newer_release, _ = stores_of_two_releases()
    last = await publish(nc, older_release + newer_release)
    engine = create_engine(f"sqlite:///{tmp_path / 'received-apart.db'}")
    await migrate(engine)
    projector = Projector(nc, engine, batch_size=100, receiver=ReceiverProcess(nats_server.url), catch_up_min=1)
    caplog.set_level(logging.INFO, logger="ogi.projector")
    try:
        await projector.start()
        await eventually(lambda: projector.position >= last, timeout=60)
        assert f"caught up to {last}" in caplog.text
        received_apart = await snapshot(engine)
    finally:
        await projector.stop()
        await engine.dispose()
    assert received_apart == await project(nc, f"sqlite:///{tmp_path / 'one-process.db'}", last)


async def test_a_read_model_projected_before_version_2_goes_on_after_the_upgrade_equal_to_a_rebuild(nc, database_url, tmp_path):
    older_release, newer_release, _ = stores_of_two_releases()
    upgraded_at = await publish(nc, older_release)
    engine = create_engine(database_url)
    try:
        await project_into(nc, engine, upgraded_at)
        # As the version-1 release left it: each event's data as recorded, its schema at migration 0002.
        async with engine.begin() as connection:
            log = tables.event_log.c
            rows = [{"at": seq, "recorded": json.loads(body)["data"]} for seq, body in enumerate(older_release, start=1)]
            await connection.execute(update(tables.event_log).where(log.seq == bindparam("at")).values(data=bindparam("recorded")), rows)
            await connection.execute(text("UPDATE alembic_version SET version_num = '0002'"))
            for later in ("quarantined_event", "tlog_node", "region_day", "region_span", "region_timeline_stale", "claim"):  # made by later migrations
                await connection.execute(text(f"DROP TABLE {later}"))
            for later in ("seq", "event_id"):
                await connection.execute(text(f"ALTER TABLE region_plan DROP COLUMN {later}"))
        await migrate(engine)
        last = await publish(nc, newer_release)
        await project_into(nc, engine, last)
        assert await snapshot(engine) == await project(nc, f"sqlite:///{tmp_path / 'rebuilt.db'}", last)
    finally:
        await engine.dispose()


async def project_into(nc, engine, until_seq: int) -> None:
    await migrate(engine)
    projector = Projector(nc, engine)
    await projector.start()
    try:
        await eventually(lambda: projector.position >= until_seq, timeout=60)
    finally:
        await projector.stop()


@pytest.mark.parametrize("receiving", ["in its own process", "with a receiving process"])
async def test_a_projector_stops_before_an_event_of_a_newer_version_and_says_which(nc, nats_server, sqlite_url, caplog, receiving):
    v1, v2 = stored(1), stored(2)
    before = await publish(nc, [v1["RegionEnrolled"], v2["TrainingCompleted"]])
    await publish(nc, [future(v2["TrainingCompleted"], 3), v2["PlanSubmitted"]])
    engine = create_engine(sqlite_url)
    await migrate(engine)
    receiver = ReceiverProcess(nats_server.url) if receiving == "with a receiving process" else None
    projector = Projector(nc, engine, receiver=receiver, catch_up_min=1)
    try:
        await projector.start()
        await eventually(lambda: not projector.running, timeout=60)
        assert projector.position == before
        assert f"event {before + 1} cannot be read, projection stops before it" in caplog.text
        assert "TrainingCompleted schema_version 3 is newer than this release reads (highest known: 2)" in caplog.text
    finally:
        await projector.stop()
        await engine.dispose()


async def test_the_deciding_services_decide_on_a_history_stored_by_version_1(sqlite_system):
    v1 = stored(1)
    await publish(sqlite_system.nc, [v1["RegionEnrolled"], v1["TrainingCompleted"], v1["PlanSubmitted"]])
    kemendagri = sqlite_system.ministry("kemendagri")

    assert (await kemendagri.enroll("73.71")).code == "already_enrolled"
    assert (await kemendagri.submit_plan("73.71", "RA-2019-01")).code == "plan_exists"
    trained = await kemendagri.train("73.71")
    assert trained.status == "accepted"
    assert (await kemendagri.withdraw_plan("73.71", "RA-2019-01")).status == "accepted"

    written = json.loads((await sqlite_system.nc.jetstream().get_msg(subjects.EVENTS_STREAM, trained.event_seq)).data)
    assert (written["schema_version"], written["data"]["evidence"]) == (2, [])


async def test_a_region_history_holding_an_event_of_a_newer_version_is_not_read_as_another(nc):
    v1, v2 = stored(1), stored(2)
    await publish(nc, [v1["RegionEnrolled"], future(v2["PlanSubmitted"], 3)])
    store = EventStore(nc)
    with pytest.raises(UnknownEventVersion, match=r"PlanSubmitted schema_version 3 is newer than this release reads \(highest known: 2\)"):
        await store.read(subjects.region_history("73.71"))
    assert [stored_event.event.event_type for stored_event in (await store.read(subjects.aggregate("registry", "73.71"))).events] == ["RegionEnrolled"]
