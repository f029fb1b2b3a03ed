"""The payloads the benchmarks send: submissions as ministries write them, and events as the services
append them, spread over all 514 regions in an order the rules accept."""

import datetime as dt
import json
from collections.abc import Callable, Iterator
from itertools import count
from typing import Any

from shared.contracts import events as ev
from shared.contracts.submissions import Sector
from shared.decisions import EventModel
from shared.ministries import Ministry
from shared.regions import Region, all_regions

MINISTRIES = ("kemendagri", "kominfo")


def responsible(index: int, round_: int = 0) -> str:
    return MINISTRIES[(index + round_) % 2]


def submission(kind: str, submission_id: str, region: str, **fields) -> dict:
    return {"submission_id": submission_id, "region_code": region, "occurred_on": "2019-03-01", **fields}


def enrolments(prefix: str, round_: int = 0) -> list[tuple[str, str, dict]]:
    """(ministry, kind, body): every region enrolled."""
    return [
        (responsible(i, round_), "region.enroll", submission("region.enroll", f"{prefix}-e{round_}-{i}", region.code, ppid_established=True))
        for i, region in enumerate(all_regions())
    ]


def withdrawals(prefix: str, round_: int = 0) -> list[tuple[str, str, dict]]:
    return [
        (responsible(i, round_), "region.withdraw", submission("region.withdraw", f"{prefix}-w{round_}-{i}", region.code, reason="bench"))
        for i, region in enumerate(all_regions())
    ]


def mixed(prefix: str, total: int) -> list[tuple[str, str, dict]]:
    """Trainings and plans (two of each three are trainings) across every region, all enrolled already."""
    regions = all_regions()
    found = []
    for n in range(total):
        index = n % len(regions)
        ministry, code = responsible(index), regions[index].code
        if n % 3 == 2:
            body = submission("plan.submit", f"{prefix}-p{n}", code, plan_id=f"plan-{n}", title="Rencana aksi keterbukaan", sectors=["kesehatan"])
            found.append((ministry, "plan.submit", body))
        else:
            body = submission("training.complete", f"{prefix}-t{n}", code, session_id=f"s-{n}", participants=25)
            found.append((ministry, "training.complete", body))
    return found


def encoded(body: dict) -> bytes:
    return json.dumps(body).encode()


def events(total: int) -> Iterator[ev.AnyEvent]:
    """`total` events in rounds: every region enrolled, trained, given a plan, then withdrawn (and enrolled by
    the other ministry in the next round) — the counts move with every stage."""
    regions = all_regions()
    recorded = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    made = count()
    for round_ in count():
        day = dt.date(2018, 1, 1) + dt.timedelta(days=round_ % 900)
        stages: tuple[tuple[EventModel[Any], Callable[[Region, int], ev.EventData]], ...] = (
            (ev.RegionEnrolled, lambda r, round_: ev.RegionEnrolledData(ppid_established=True)),
            (ev.TrainingCompleted, lambda r, round_: ev.TrainingCompletedData(session_id=f"s{round_}", participants=20)),
            (ev.PlanSubmitted, lambda r, round_: ev.PlanSubmittedData(plan_id=f"plan-{round_}", title="Rencana aksi", sectors=[Sector.KESEHATAN])),
            (ev.RegionWithdrawn, lambda r, round_: ev.RegionWithdrawnData(reason="moved")),
        )
        for cls, data in stages:
            for index, region in enumerate(regions):
                n = next(made)
                if n >= total:
                    return
                ministry = Ministry(responsible(index, round_))
                submission_id = f"b{n}"
                yield cls(
                    event_id=ev.event_id_for(ministry, submission_id),
                    region_code=region.code,
                    ministry=ministry,
                    reported_by=ministry,
                    occurred_on=day,
                    recorded_at=recorded,
                    submission_id=submission_id,
                    data=data(region, round_),
                )
