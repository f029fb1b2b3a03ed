"""Rebuilding the read model from sequence 1 beside the live one, comparing the two at the same stream
position, and (offline, SQLite) switching to the rebuilt one only when they are equal."""

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nats.aio.client import Client
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from services.indicators.projector.loop import Projector
from services.indicators.projector.receiver import ReceiverProcess
from services.indicators.readmodel import checkpoint, tables
from services.indicators.readmodel.db import async_url, create_engine, migrate
from shared import subjects

# Columns that say when rather than what: wall-clock times, and the batch after which a count last
# changed (batch boundaries differ between a live projection and a rebuild).
NOT_COMPARED = {"recorded_at", "updated_at", "as_of_seq", "quarantined_at"}


@dataclass
class Comparison:
    position: int
    differing_tables: list[str]

    @property
    def equal(self) -> bool:
        return not self.differing_tables


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple]]:
    """Every read-model table as sorted rows of plain values, without the columns in NOT_COMPARED."""
    result = {}
    async with engine.connect() as connection:
        for table in tables.metadata.sorted_tables:
            columns = [column for column in table.columns if column.name not in NOT_COMPARED]
            rows = (await connection.execute(select(*columns))).all()
            result[table.name] = sorted(tuple(_plain(value) for value in row) for row in rows)
    return result


async def steady_snapshot(engine: AsyncEngine) -> tuple[int, dict]:
    """A snapshot of a read model that may be moving: taken again until no batch committed meanwhile."""
    while True:
        before = await _position(engine)
        taken = await snapshot(engine)
        if await _position(engine) == before:
            return before, taken


def rebuild_url_beside(live_url: str) -> str:
    url = make_url(async_url(live_url))
    if not url.drivername.startswith("sqlite"):
        raise ValueError("beside a PostgreSQL read model, name an empty database to rebuild into (--into)")
    path = _sqlite_path(live_url)
    return str(url.set(database=str(path.with_name(f"{path.stem}.rebuild{path.suffix}"))))


async def rebuild(
    nc: Client,
    live_url: str,
    target_url: str,
    on_progress: Callable[[int, int], None] = lambda done, total: None,
    up_to_live: bool = False,
    timeout: float = 120.0,
    receiver: ReceiverProcess | None = None,
) -> Comparison:
    """Project OGI_EVENTS from sequence 1 into `target_url` (emptied first) and compare it with the live
    read model at the same position. `up_to_live` stops the rebuild exactly where a stopped live one is.
    `receiver`: how to start a receiving process for the projector (see Projector)."""
    live, target = create_engine(live_url), create_engine(target_url)
    try:
        await _empty(target)
        await migrate(target)
        projector = Projector(nc, target, publish=False, receiver=receiver)
        live_position = await _position(live) if up_to_live else None
        if live_position is not None:
            projector.limit = live_position
        await projector.start()
        try:
            goal = live_position if live_position is not None else (await nc.jetstream().stream_info(subjects.EVENTS_STREAM)).state.last_seq
            while projector.position < goal:
                on_progress(projector.position, goal)
                await asyncio.sleep(0.1)
            on_progress(goal, goal)
            return await _compare_when_level(live, target, projector, time.monotonic() + timeout)
        finally:
            await projector.stop()
    finally:
        await live.dispose()
        await target.dispose()


async def _compare_when_level(live: AsyncEngine, target: AsyncEngine, projector: Projector, deadline: float) -> Comparison:
    """Hold the rebuild at the live position (the live one moves on meanwhile) and compare there."""
    while time.monotonic() < deadline:
        position, live_rows = await steady_snapshot(live)
        if position >= projector.position:
            projector.limit = position
            while projector.position < position and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            if projector.position == position:
                rebuilt = await snapshot(target)
                return Comparison(position, [name for name in live_rows if live_rows[name] != rebuilt[name]])
        await asyncio.sleep(0.1)
    raise TimeoutError(f"the live and rebuilt read models were never at the same position (live #{position}, rebuilt #{projector.position})")


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL, or None for another database."""
    parsed = make_url(async_url(url))
    return Path(parsed.database) if parsed.drivername.startswith("sqlite") and parsed.database else None


def _sqlite_path(url: str) -> Path:
    path = sqlite_file(url)
    if path is None:
        raise ValueError(f"{url} names no SQLite file")
    return path


def remove_sqlite(url: str) -> None:
    """A SQLite database's file with its write-ahead log and shared memory, if there."""
    path = sqlite_file(url)
    if path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def switch_sqlite(live_url: str, target_url: str) -> Path:
    """Put the rebuilt SQLite file in the live one's place; the old one is kept beside it. Offline only."""
    live = _sqlite_path(live_url)
    rebuilt = _sqlite_path(target_url)
    kept = live.with_name(f"{live.stem}.replaced-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}{live.suffix}")
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{live}{suffix}").exists():
            Path(f"{live}{suffix}").rename(f"{kept}{suffix}")
    rebuilt.rename(live)
    return kept


async def _position(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return await checkpoint.position(connection)


async def _empty(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(tables.metadata.drop_all)
        await connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
