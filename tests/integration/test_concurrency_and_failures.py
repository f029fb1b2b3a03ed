"""Two writers on one region, failures that pass, failures that never do, and crashes between steps."""

import asyncio
import datetime as dt

import nats
import pytest

from services.registry.app import SPEC as REGISTRY
from services.registry.domain import DECIDERS
from shared import service as service_module
from shared import subjects
from shared.contracts.events import (
    RegionEnrolled,
    RegionEnrolledData,
    TrainingCompleted,
    TrainingCompletedData,
    encode_event,
    event_id_for,
)
from shared.eventstore import ConcurrencyConflict, EventStore, History
from shared.intake import Inbound, Intake, Transient
from shared.ledger import Ledger
from shared.regions import all_regions
from shared.streams import declare
from shared.submitting import publish_submission
from tests.support import new_id, replace_registry


def enrolled(region_code: str, ministry: str, submission_id: str) -> RegionEnrolled:
    return RegionEnrolled(**_envelope(region_code, ministry, submission_id), data=RegionEnrolledData())


def trained(region_code: str, ministry: str, submission_id: str) -> TrainingCompleted:
    data = TrainingCompletedData(session_id=submission_id, participants=20)
    return TrainingCompleted(**_envelope(region_code, ministry, submission_id), data=data)


def _envelope(region_code: str, ministry: str, submission_id: str) -> dict:
    return dict(
        event_id=event_id_for(ministry, submission_id),
        region_code=region_code,
        ministry=ministry,
        reported_by=ministry,
        occurred_on=dt.date(2019, 1, 1),
        recorded_at=dt.datetime.now(dt.UTC),
        submission_id=submission_id,
    )


async def test_two_ministries_enrolling_one_region_at_once_exactly_one_wins(sqlite_system):
    await sqlite_system.start_deciding(["registry"])  # a second registry replica shares the inbox
    kemendagri, kominfo = sqlite_system.ministry("kemendagri"), sqlite_system.ministry("kominfo")
    regions = [region.code for region in all_regions()[:60]]
    pairs = await asyncio.gather(*(asyncio.gather(kemendagri.enroll(code), kominfo.enroll(code)) for code in regions))
    for first, second in pairs:
        assert sorted([first.status, second.status]) == ["accepted", "rejected"]
        assert "already_enrolled" in {first.code, second.code}
    info = await sqlite_system.nc.jetstream().stream_info(subjects.EVENTS_STREAM)
    assert info.state.messages == len(regions)


async def test_an_append_against_a_stale_read_is_refused(nats_server):
    nc = await nats.connect(nats_server.url)
    await declare(nc)
    store = EventStore(nc)
    guard = subjects.aggregate("registry", "73.71")
    results = await asyncio.gather(
        store.append(enrolled("73.71", "kemendagri", "a"), 0, guard),
        store.append(enrolled("73.71", "kominfo", "b"), 0, guard),
        return_exceptions=True,
    )
    assert sorted(type(result).__name__ for result in results) == ["ConcurrencyConflict", "int"]
    history = await store.read(guard)
    assert len(history.events) == 1
    assert (await store.last(guard)) == history.events[-1]
    with pytest.raises(ConcurrencyConflict):  # the whole region guards a training or a plan
        await store.append(enrolled("73.71", "kominfo", "c"), 0, subjects.region_history("73.71"))
    await nc.close()


async def test_what_is_new_under_a_guard_is_every_event_after_the_sequence_given(nats_server):
    nc = await nats.connect(nats_server.url)
    await declare(nc)
    store = EventStore(nc)
    region = subjects.region_history("73.71")
    first = await store.append(enrolled("73.71", "kemendagri", "n1"), 0, region)
    assert await store.news(region, first) == History((), first)
    # One event appended under the same guard after `first`: told by the last event alone.
    second = await store.append(enrolled("73.71", "kemendagri", "n2"), first, region)
    assert [stored.seq for stored in (await store.news(region, first)).events] == [second]
    # One appended under another guard (the registry's own), and then two: read in full, none missed.
    third = await store.append(enrolled("73.71", "kemendagri", "n3"), second, subjects.aggregate("registry", "73.71"))
    assert [stored.seq for stored in (await store.news(region, second)).events] == [third]
    assert [stored.seq for stored in (await store.news(region, first)).events] == [second, third]
    news = await store.news(region, 0)
    assert ([stored.seq for stored in news.events], news.last_seq) == ([first, second, third], third)
    await nc.close()


# Each region's events in order: (what, how it is appended): under the whole region's guard (the chain
# `news` follows back), under the registry's (its chain skips the trainings), or by a raw publish (no chain).
HISTORY = (
    ("enrolled", "region"),
    ("trained", "region"),
    ("enrolled", "registry"),
    ("trained", "region"),
    ("enrolled", "region"),
    ("enrolled", "raw"),
    ("trained", "region"),
    ("enrolled", "registry"),
    ("enrolled", "region"),
    ("trained", "region"),
    ("trained", "region"),
    ("enrolled", "region"),
)


async def test_what_is_new_is_the_same_whichever_way_it_is_found(nats_server):
    """Three regions' histories interleaved: from every point of each, `news` gives exactly what a full
    read of the region gives after it."""
    nc = await nats.connect(nats_server.url)
    await declare(nc)
    store = EventStore(nc)
    codes = ("73.71", "31.71", "11.01")
    for step, (what, how) in enumerate(HISTORY):
        for code in codes:
            event = (trained if what == "trained" else enrolled)(code, "kemendagri", f"{code}-{step}")
            if how == "raw":
                await nc.jetstream().publish(subjects.event("registry", code, "RegionEnrolled"), encode_event(event))
                continue
            guard = subjects.region_history(code) if how == "region" else subjects.aggregate("registry", code)
            await store.append(event, (await store.read(guard)).last_seq, guard)
    for code in codes:
        region = subjects.region_history(code)
        history = await store.read(region)
        assert len(history.events) == len(HISTORY)
        for point in (0, *(stored.seq for stored in history.events)):
            news = await store.news(region, point)
            assert [stored.seq for stored in news.events] == [stored.seq for stored in history.events if stored.seq > point], (code, point)
            assert news.last_seq == history.last_seq
    await nc.close()


async def test_a_submission_that_always_fails_is_answered_and_blocks_nothing(sqlite_system, quick_redelivery):
    def explode(submission, reporter, region, state):
        if region.code == "73.71":
            raise RuntimeError("a bug in the rules")
        return DECIDERS["region.enroll"](submission, reporter, region, state)

    await replace_registry(sqlite_system, explode)

    kemendagri = sqlite_system.ministry("kemendagri")
    poison_seq = await kemendagri.send("region.enroll", {"submission_id": new_id(), "region_code": "73.71", "occurred_on": "2019-01-01"})
    good = await kemendagri.enroll("32.73")
    assert good.status == "accepted"
    poisoned = await kemendagri.outcomes.wait(poison_seq, timeout=30)
    assert (poisoned.status, poisoned.code) == ("rejected", "unprocessable")


async def test_transient_failures_are_redelivered_for_as_long_as_they_last(sqlite_system, quick_redelivery):
    failures = {"left": service_module.ATTEMPTS_BEFORE_GIVING_UP + 3}

    def flaky(submission, reporter, region, state):
        if failures["left"] > 0:
            failures["left"] -= 1
            raise Transient("the event store did not answer")
        return DECIDERS["region.enroll"](submission, reporter, region, state)

    await replace_registry(sqlite_system, flaky)
    outcome = await sqlite_system.ministry("kemendagri").enroll("73.71")
    assert outcome.status == "accepted" and failures["left"] == 0


async def test_a_crash_after_the_append_and_before_the_outcome_loses_nothing(nats_server):
    nc = await nats.connect(nats_server.url)
    await declare(nc)
    intake = Intake(REGISTRY, nc)
    body = b'{"submission_id": "row-1", "region_code": "73.71", "occurred_on": "2019-01-01"}'
    inbox_seq = await publish_submission(nc, "kemendagri", "region.enroll", body)
    inbound = Inbound("kemendagri", "region.enroll", seq=inbox_seq, body=body, headers={})
    # The first delivery claimed the id and appended its event, then the process died.
    await Ledger(nc).claim("kemendagri", "row-1", inbox_seq)
    seq = await intake.store.append(enrolled("73.71", "kemendagri", "row-1"), 0, subjects.aggregate("registry", "73.71"))

    redelivered = await intake.handle(inbound)
    assert redelivered is not None
    assert (redelivered.status, redelivered.event_seq) == ("accepted", seq)  # not "already_enrolled"
    # And once the outcome is out, a further redelivery publishes nothing more.
    assert await intake.handle(inbound) is None
    outcomes = await nc.jetstream().stream_info(subjects.OUTCOMES_STREAM)
    assert outcomes.state.messages == 1
    await intake.order.stop()
    await nc.close()
