"""Every region's state on any day, replayed from `event_log` by the counting rules (services.indicators.rules):
only events with `occurred_on` on or before the day count, applied in stream order. The dashboard and the
open data read past days through this, and the monthly history (history.py) each region's part of it.
"""

import asyncio
import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.indicators import rules
from services.indicators.readmodel import tables

FIRST_MONTH = dt.date(2018, 1, 1)
READ_AT_ONCE = 1000  # event_log rows fetched per round trip while replaying


EVENT_COLUMNS = [tables.event_log.c[name] for name in ("seq", "event_id", "event_type", "region_code", "ministry", "reported_by", "occurred_on", "data")]


async def event_rows(connection: AsyncConnection, region_code: str) -> Sequence:
    """One region's events in stream order."""
    log = tables.event_log.c
    return (await connection.execute(select(*EVENT_COLUMNS).where(log.region_code == region_code).order_by(log.seq))).all()


async def histories(connection: AsyncConnection, regions: list[str] | None = None, through_seq: int | None = None) -> AsyncIterator[list]:
    """Each region's events in stream order, one region at a time (of `regions` only, and up to
    `through_seq`, if given), so that only one region's events are held at once (all of them at once took
    1.4 GB at 1,000,000 events)."""
    history: list = []
    async for row in _streamed(connection, by_region=True, regions=regions, through_seq=through_seq):
        if history and row.region_code != history[0].region_code:
            yield history
            history = []
            await asyncio.sleep(0)  # the caller's work on a region done, the event loop's other tasks go on
        history.append(row)
    if history:
        yield history


async def regions_as_of(connection: AsyncConnection, day: dt.date) -> dict[str, rules.RegionState]:
    """Each region with at least one event on or before `day`, its events applied in stream order as they are
    read."""
    states: dict[str, rules.RegionState] = defaultdict(rules.RegionState)
    async for row in _streamed(connection):
        if row.occurred_on <= day:
            apply(states[row.region_code], row)
    return dict(states)


async def _streamed(connection: AsyncConnection, by_region: bool = False, regions: list[str] | None = None, through_seq: int | None = None) -> AsyncIterator:
    """event_log's rows in stream order (by region first if `by_region`), fetched a part at a time."""
    if regions == []:
        return
    log = tables.event_log.c
    query = select(*EVENT_COLUMNS).order_by(*([log.region_code] if by_region else []), log.seq)
    if regions is not None:
        query = query.where(log.region_code.in_(regions))
    if through_seq is not None:
        query = query.where(log.seq <= through_seq)
    async with connection.stream(query.execution_options(yield_per=READ_AT_ONCE)) as result:
        async for rows in result.partitions():
            for row in rows:
                yield row


def month_ends(last_day: dt.date) -> list[dt.date]:
    """The last day of every month from January 2018 to `last_day`'s month, which ends on `last_day`."""
    days, month = [], FIRST_MONTH
    while month <= last_day:
        following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        days.append(min(following - dt.timedelta(days=1), last_day))
        month = following
    return days


Spans = list[tuple[rules.Key, int, int]]


def region_counts(history: list, days: list[dt.date]) -> Spans:
    """What one region adds to the counts on `days`: each (scope, indicator) with the index range of days
    over which it adds one. A region's state only changes on the dates of its own events, so it is taken
    once per distinct date rather than once per day asked; and from one such day to the next by applying
    only the events that occurred in between, unless one of them comes earlier in the stream than an event
    already applied (it was back-dated): then the region is replayed from its first event up to that day."""
    by_date = sorted(history, key=lambda row: row.occurred_on)  # stable: in stream order within a date
    spans: Spans = []
    state, taken, applied_through = rules.RegionState(), 0, 0
    for start, end in _spans(sorted({row.occurred_on for row in history}), days):
        day, first_new = days[start], taken
        while taken < len(by_date) and by_date[taken].occurred_on <= day:
            taken += 1
        arrived = sorted(by_date[first_new:taken], key=lambda row: row.seq)
        if arrived and arrived[0].seq < applied_through:
            state = rules.RegionState()
            for row in history:
                if row.occurred_on <= day:
                    apply(state, row)
        else:
            for row in arrived:
                apply(state, row)
        applied_through = max([applied_through, *(row.seq for row in arrived)])
        spans += [(key, start, end) for key in state.counted_in()]
    return spans


def apply(state: rules.RegionState, row) -> None:
    """One event_log row applied to a region's state."""
    state.apply(row.event_type, row.ministry, row.occurred_on, row.data)


def add(series: dict[rules.Key, list[int]], spans: Spans, step: int = 1) -> None:
    for key, start, end in spans:
        counts = series.get(key)
        if counts is None:  # not one of the contract's scopes
            continue
        for index in range(start, end):
            counts[index] += step


def _spans(changes: list[dt.date], days: list[dt.date]) -> list[tuple[int, int]]:
    """Index ranges of `days` over which a region's state is constant and may count: from the first day
    on or after one of its event dates up to the next such day."""
    starts = sorted({bisect_left(days, change) for change in changes} - {len(days)})
    return list(zip(starts, starts[1:] + [len(days)], strict=True)) if starts else []
