"""The monthly history as it stands, kept between requests. A region's part of the history changes only with
its own events, so after new events only the regions they name are replayed again; every region is replayed
only on the first request and when the last month-end moves (a new day). A live dashboard asks for the
history each time the projector moves, and replaying every event cost seconds at a few hundred thousand
events, on the event loop the projector shares."""

import asyncio
import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.indicators import projection, replay, tables
from shared.contracts.indicators import KEYS


class LiveHistory:
    def __init__(self) -> None:
        self._lock = asyncio.Lock()  # one request brings it up to date; the others wait and read it
        self._forget()

    def _forget(self) -> None:
        self._position = 0
        self._days: list[dt.date] = []
        self._latest: dict[str, dt.date] = {}  # each region's latest occurred_on
        self._spans: dict[str, replay.Spans] = {}  # each region's part of the series
        self._series: dict = {}

    async def counts(self, connection: AsyncConnection) -> tuple[int, list[dt.date], dict]:
        """(as_of_seq, the month-ends, the nine counts on each) with every event up to as_of_seq."""
        async with self._lock:
            position = await projection.position(connection)
            if position < self._position:  # the read model was rebuilt
                self._forget()
            # Everything is read and replayed before anything kept changes, so a failed read or a request
            # given up half way (cancelled) leaves it as it was.
            histories = await self._histories_to_replay(connection, position)
            latest = self._latest | _latest_of(histories)
            days = replay.month_ends(max([dt.date.today(), *latest.values()]))
            if self._days and days != self._days:  # a new day: every region's part is of other days
                histories = await _histories(connection, None, position)
                latest = _latest_of(histories)
            # Replayed in a thread: the first time it takes seconds on a long log, and the event loop it would
            # hold is the projector's too.
            replayed = await asyncio.to_thread(_replayed, histories, days) if histories else {}
            if days != self._days:
                self._days, self._spans = days, {}
                self._series = {key: [0] * len(days) for key in KEYS}
            for code, spans in replayed.items():
                replay.add(self._series, self._spans.get(code, []), -1)
                self._spans[code] = spans
                replay.add(self._series, spans)
            self._position, self._latest = position, latest
            return position, days, {key: list(counts) for key, counts in self._series.items()}

    async def _histories_to_replay(self, connection: AsyncConnection, position: int) -> dict[str, list]:
        if not self._days:
            return await _histories(connection, None, position)
        if position == self._position:
            return {}
        named = await _regions_named(connection, self._position, position)
        # Most regions named: reading all of event_log in order is quicker than region by region.
        return await _histories(connection, named if len(named) <= len(self._spans) // 2 else None, position)


def _replayed(histories: dict[str, list], days: list[dt.date]) -> dict[str, replay.Spans]:
    return {code: replay.region_counts(history, days) for code, history in histories.items()}


def _latest_of(histories: dict[str, list]) -> dict[str, dt.date]:
    return {code: max(row.occurred_on for row in history) for code, history in histories.items()}


async def _histories(connection: AsyncConnection, regions: list[str] | None, through_seq: int) -> dict[str, list]:
    if regions == []:
        return {}
    return replay.by_region(await replay.event_rows(connection, regions, through_seq))


async def _regions_named(connection: AsyncConnection, after_seq: int, through_seq: int) -> list[str]:
    log = tables.event_log.c
    query = select(log.region_code).distinct().where(log.seq > after_seq, log.seq <= through_seq)
    return list((await connection.execute(query)).scalars())
