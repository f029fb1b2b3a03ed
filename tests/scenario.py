"""A deterministic history of events across all 514 regions, appended straight to the event store, and
a way to read a projection back as plain rows for comparison."""

import asyncio
import datetime as dt
import random

from services.indicators.projector.loop import Projector
from services.indicators.projector.rebuild import snapshot
from services.indicators.readmodel.db import create_engine, migrate
from shared import subjects
from shared.contracts import events as ev
from shared.contracts.submissions import Sector
from shared.eventstore import EventStore
from shared.regions import all_regions
from tests.support import eventually

MINISTRIES = ("kemendagri", "kominfo")


def region_histories(seed: int = 7, rounds: int = 1) -> list[list[ev.AnyEvent]]:
    """Per region, events in the order its rules allow: enrol, train, plan, withdraw, re-enrol elsewhere."""
    rng = random.Random(seed)
    histories = []
    for index, region in enumerate(all_regions()):
        ministry = MINISTRIES[index % 2]
        day = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(0, 900))
        history: list[ev.AnyEvent] = []

        def event(cls, data, responsible, region=region, history=history):
            nonlocal day
            day += dt.timedelta(days=rng.randrange(1, 40))
            submission_id = f"{region.token}-{len(history)}"
            history.append(
                cls(
                    event_id=ev.event_id_for(responsible, submission_id),
                    region_code=region.code,
                    ministry=responsible,
                    reported_by=responsible,
                    occurred_on=day,
                    recorded_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
                    submission_id=submission_id,
                    data=data,
                )
            )

        for round_ in range(rounds):
            event(ev.RegionEnrolled, ev.RegionEnrolledData(ppid_established=rng.random() < 0.5), ministry)
            for session in range(rng.randrange(0, 4)):
                event(ev.TrainingCompleted, ev.TrainingCompletedData(session_id=f"s{session}", participants=20), ministry)
            if rng.random() < 0.4:
                plan_id = f"plan-{round_}"
                event(ev.PlanSubmitted, ev.PlanSubmittedData(plan_id=plan_id, title="Rencana aksi", sectors=[Sector.KESEHATAN]), ministry)
                if rng.random() < 0.3:
                    event(ev.PlanWithdrawn, ev.PlanWithdrawnData(plan_id=plan_id, reason="revised"), ministry)
            if rng.random() < 0.3 or round_ < rounds - 1:
                event(ev.RegionWithdrawn, ev.RegionWithdrawnData(reason="moved"), ministry)
                ministry = MINISTRIES[(MINISTRIES.index(ministry) + 1) % 2]
        histories.append(history)
    return histories


async def append_all(nc, histories: list[list[ev.AnyEvent]], concurrency: int = 64) -> int:
    """Append every region's events in order, many regions at once. Returns the last stream sequence."""
    store = EventStore(nc)
    queue = list(reversed(histories))
    last = 0

    async def worker():
        nonlocal last
        while queue:
            history = queue.pop()
            expected = 0
            for event in history:
                expected = await store.append(event, expected, subjects.region_history(event.region_code))
                last = max(last, expected)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return last


async def project(nc, database_url: str, until_seq: int) -> dict:
    """Project the whole stream from sequence 1 into a fresh database and return its snapshot."""
    engine = create_engine(database_url)
    await migrate(engine)
    projector = Projector(nc, engine)
    await projector.start()
    try:
        await eventually(lambda: projector.position >= until_seq, timeout=120)
        return await snapshot(engine)
    finally:
        await projector.stop()
        await engine.dispose()
