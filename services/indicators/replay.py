"""Every region's state on any day, replayed from `event_log` by CONTRACT.md's counting rules.

The same rules as `views.counts_as_of`: only events with `occurred_on` on or before the day count, applied
in stream order. The dashboard and the open data read past days through this, and the history as it stands
(history.py) each region's part of it.
"""

import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.indicators import tables
from shared.contracts.indicators import KEYS, Indicator, Scope

FIRST_MONTH = dt.date(2018, 1, 1)


@dataclass
class Plan:
    ministry: str
    sectors: list[str]
    submitted_on: dt.date
    withdrawn: bool = False


@dataclass
class RegionState:
    enrolled: bool = False
    ministry: str | None = None  # the ministry that enrolled it last
    enrolled_on: dt.date | None = None
    commitment_letter_on: dt.date | None = None
    ppid_established: bool | None = None
    trained_by: set[str] = field(default_factory=set)
    plans: dict[str, Plan] = field(default_factory=dict)

    @property
    def active_plans(self) -> list[Plan]:
        return [plan for plan in self.plans.values() if not plan.withdrawn]

    def counts_for(self) -> set[tuple[Scope, Indicator]]:
        """The (scope, indicator) pairs this region adds one to: national ones, and its ministries'."""
        ministries = {
            Indicator.ENROLLED: {self.ministry} if self.enrolled else set(),
            Indicator.TRAINED: self.trained_by,
            Indicator.PLANS: {plan.ministry for plan in self.active_plans},
        }
        return {
            (scope, indicator)
            for scope, indicator in KEYS
            if ministries[indicator] and (scope == Scope.NATIONAL or str(scope) in ministries[indicator])
        }

    def apply(self, row) -> None:
        data = row.data
        match row.event_type:
            case "RegionEnrolled":
                self.enrolled, self.ministry, self.enrolled_on = True, row.ministry, row.occurred_on
                self.commitment_letter_on = dt.date.fromisoformat(data["commitment_letter_on"]) if data.get("commitment_letter_on") else None
                self.ppid_established = data.get("ppid_established")
            case "RegionWithdrawn":
                self.enrolled = False
            case "TrainingCompleted":
                self.trained_by.add(row.ministry)
            case "PlanSubmitted":
                self.plans.setdefault(row.plan_id, Plan(row.ministry, list(data["sectors"]), row.occurred_on))
            case "PlanWithdrawn":
                if row.plan_id in self.plans:
                    self.plans[row.plan_id].withdrawn = True


async def event_rows(connection: AsyncConnection, region_codes: Iterable[str] | None = None, through_seq: int | None = None) -> Sequence:
    """event_log's rows in stream order: of the given regions only, and up to `through_seq`, if given."""
    log = tables.event_log.c
    query = select(log.seq, log.event_type, log.region_code, log.ministry, log.reported_by, log.occurred_on, log.plan_id, log.data).order_by(log.seq)
    if region_codes is not None:
        query = query.where(log.region_code.in_(list(region_codes)))
    if through_seq is not None:
        query = query.where(log.seq <= through_seq)
    return (await connection.execute(query)).all()


def regions_on(rows: Iterable, day: dt.date | None = None) -> dict[str, RegionState]:
    """Each region with at least one event on or before `day` (all events when `day` is None)."""
    states: dict[str, RegionState] = defaultdict(RegionState)
    for row in rows:
        if day is None or row.occurred_on <= day:
            states[row.region_code].apply(row)
    return dict(states)


def month_ends(last_day: dt.date) -> list[dt.date]:
    """The last day of every month from January 2018 to `last_day`'s month, which ends on `last_day`."""
    days, month = [], FIRST_MONTH
    while month <= last_day:
        following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        days.append(min(following - dt.timedelta(days=1), last_day))
        month = following
    return days


def monthly_counts(rows: Iterable, days: list[dt.date]) -> dict[tuple[Scope, Indicator], list[int]]:
    """The nine counts on each of `days` (ascending)."""
    series = {key: [0] * len(days) for key in KEYS}
    for history in by_region(rows).values():
        add(series, region_counts(history, days))
    return series


def by_region(rows: Iterable) -> dict[str, list]:
    histories: dict[str, list] = defaultdict(list)
    for row in rows:
        histories[row.region_code].append(row)
    return histories


Spans = list[tuple[tuple[Scope, Indicator], int, int]]


def region_counts(history: list, days: list[dt.date]) -> Spans:
    """What one region adds to the counts on `days`: each (scope, indicator) with the index range of days
    over which it adds one. A region's state only changes on the dates of its own events, so it is replayed
    once per distinct date rather than once per day asked."""
    changes = sorted({row.occurred_on for row in history})
    return [
        (key, start, end)
        for start, end in _spans(changes, days)
        for key in regions_on(history, days[start])[history[0].region_code].counts_for()
    ]


def add(series: dict[tuple[Scope, Indicator], list[int]], spans: Spans, step: int = 1) -> None:
    for key, start, end in spans:
        counts = series[key]
        for index in range(start, end):
            counts[index] += step


def _spans(changes: list[dt.date], days: list[dt.date]) -> list[tuple[int, int]]:
    """Index ranges of `days` over which a region's state is constant and may count: from the first day
    on or after one of its event dates up to the next such day."""
    starts = sorted({bisect_left(days, change) for change in changes} - {len(days)})
    return list(zip(starts, starts[1:] + [len(days)]))
