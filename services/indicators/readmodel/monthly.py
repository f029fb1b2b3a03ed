"""The monthly history: the nine counts at the end of every month since January 2018, on a past day
(`on_day`) or as it stands (`LiveHistory`), replayed region by region (replay.py).

The history as it stands is kept between requests. A region's part of the history changes only with
its own events, so after new events only the regions they name are replayed again; every region is replayed
only on the first request and when the last month-end moves (a new day). A live dashboard asks for the
history each time the projector moves, and replaying every event cost seconds at a few hundred thousand
events, on the event loop the projector shares."""

import asyncio
import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.indicators import rules
from services.indicators.readmodel import checkpoint, replay, tables
from shared.contracts.indicators import KEYS, TARGETS


class LiveHistory:
    def __init__(self) -> None:
        self._lock = asyncio.Lock()  # one request brings it up to date; the others wait and read it
        self._forget()

    def _forget(self) -> None:
        self._position = 0
        self._days: list[dt.date] = []
        self._latest = dt.date.min  # the latest occurred_on replayed
        self._spans: dict[str, replay.Spans] = {}  # each region's part of the series
        self._series: dict = {}

    async def counts(self, connection: AsyncConnection) -> tuple[int, list[dt.date], dict]:
        """(as_of_seq, the month-ends, the nine counts on each) with every event up to as_of_seq."""
        async with self._lock:
            position = await checkpoint.position(connection)
            if position < self._position:  # the read model was rebuilt
                self._forget()
            # Everything is read and replayed before anything kept changes, so a failed read or a request
            # given up half way (cancelled) leaves it as it was.
            days = replay.month_ends(max(dt.date.today(), self._latest))
            regions = None if days != self._days else await self._regions_named(connection, position)
            replayed, latest = await _replay(connection, regions, position, days)
            if latest > days[-1]:  # an event dated after the last month-end (tomorrow): every region again
                days = replay.month_ends(latest)
                replayed, latest = await _replay(connection, None, position, days)
            if days != self._days:
                self._days, self._spans = days, {}
                self._series = {key: [0] * len(days) for key in KEYS}
            for code, spans in replayed.items():
                replay.add(self._series, self._spans.get(code, []), -1)
                self._spans[code] = spans
                replay.add(self._series, spans)
            self._position, self._latest = position, max(self._latest, latest)
            return position, days, {key: list(counts) for key, counts in self._series.items()}

    async def _regions_named(self, connection: AsyncConnection, position: int) -> list[str] | None:
        """The regions of the events after those replayed (None: so many that all are read, in one pass)."""
        if position == self._position:
            return []
        log = tables.event_log.c
        query = select(log.region_code).distinct().where(log.seq > self._position, log.seq <= position)
        named = list((await connection.execute(query)).scalars())
        return named if len(named) <= len(self._spans) // 2 else None


async def _replay(connection: AsyncConnection, regions: list[str] | None, through_seq: int, days: list[dt.date]) -> tuple[dict[str, replay.Spans], dt.date]:
    """Each region's part of the series on `days` (all regions when `regions` is None), from its events up to
    `through_seq`; and the latest occurred_on among them."""
    replayed: dict[str, replay.Spans] = {}
    latest = dt.date.min
    async for history in replay.histories(connection, regions, through_seq):
        replayed[history[0].region_code] = replay.region_counts(history, days)
        latest = max(latest, *(row.occurred_on for row in history))
    return replayed, latest


async def on_day(connection: AsyncConnection, as_of: dt.date) -> dict:
    """The nine counts at the end of every month from January 2018 up to `as_of` (`LiveHistory` keeps the
    history as it stands)."""
    as_of_seq = await checkpoint.position(connection)
    days = replay.month_ends(as_of)
    counts: dict[rules.Key, list[int]] = {key: [0] * len(days) for key in KEYS}
    async for region_history in replay.histories(connection, through_seq=as_of_seq):
        replay.add(counts, replay.region_counts(region_history, days))
    return body(as_of_seq, days, counts)


def body(as_of_seq: int, days: list[dt.date], counts: dict) -> dict:
    return {
        "as_of_seq": as_of_seq,
        "series": [
            {
                "scope": scope,
                "indicator": indicator,
                "target": TARGETS[indicator],
                "points": [
                    {"month": day.strftime("%Y-%m"), "as_of": day.isoformat(), "count": count}
                    for day, count in zip(days, counts[scope, indicator], strict=True)
                ],
            }
            for scope, indicator in KEYS
        ],
    }
