"""The monthly history: the nine counts (with their verified counts) at the end of every month since January 2018, as they stand or on a
past day, from the regions' timelines (region_span): each span adds one to its count on the month-ends it
covers."""

import datetime as dt
from bisect import bisect_left
from itertools import accumulate

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.indicators import rules
from services.indicators.readmodel import checkpoint, tables
from shared.contracts.indicators import KEYS, TARGETS

FIRST_MONTH = dt.date(2018, 1, 1)


async def history(connection: AsyncConnection, as_of: dt.date | None = None) -> dict:
    """Up to `as_of`; as it stands when none is given: up to today, or to the last day on which a count
    changes if that is later (an event dated ahead)."""
    as_of_seq = await checkpoint.position(connection)
    span = tables.region_span.c
    if as_of is None:
        latest = (await connection.execute(select(func.max(span.from_day), func.max(span.to_day)))).one()
        as_of = max([dt.date.today(), *(day for day in latest if day is not None)])
    days = month_ends(as_of)
    changes = {key: [0] * (len(days) + 1) for key in rules.zero()}  # +1 where a span starts counting, -1 where it stops
    spans = select(span.scope, span.indicator, span.from_day, span.to_day).where(span.from_day <= as_of)
    for scope, indicator, from_day, to_day in await connection.execute(spans):
        change = changes.get((scope, indicator))
        if change is not None:
            change[bisect_left(days, from_day)] += 1
            change[len(days) if to_day is None else bisect_left(days, to_day)] -= 1
    counts = {key: list(accumulate(change))[: len(days)] for key, change in changes.items()}
    return body(as_of_seq, days, counts)


def month_ends(last_day: dt.date) -> list[dt.date]:
    """The last day of every month from January 2018 to `last_day`'s month, which ends on `last_day`."""
    days, month = [], FIRST_MONTH
    while month <= last_day:
        following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        days.append(min(following - dt.timedelta(days=1), last_day))
        month = following
    return days


def _verified_series(counts: dict, key: tuple[str, str], months: int) -> list[int | None]:
    """A verified count's points (`trained` and `plans`), or nulls (`enrolled`)."""
    scope, indicator = key
    verified = rules.VERIFIED.get(indicator)
    return [None] * months if verified is None else counts[scope, verified]


def body(as_of_seq: int, days: list[dt.date], counts: dict) -> dict:
    return {
        "as_of_seq": as_of_seq,
        "series": [
            {
                "scope": scope,
                "indicator": indicator,
                "target": TARGETS[indicator],
                "points": [
                    {"month": day.strftime("%Y-%m"), "as_of": day.isoformat(), "count": count, "verified": verified}
                    for day, count, verified in zip(days, counts[scope, indicator], _verified_series(counts, (scope, indicator), len(days)), strict=True)
                ],
            }
            for scope, indicator in KEYS
        ],
    }
