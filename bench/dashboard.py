"""Dashboard reads: what a page asks for as it opens and as it follows live, timed against the read model the
projection benchmark rebuilt on SQLite (all its events). Every region's row as it stands, read from the
projector's region tables, beside the same rows replayed from event_log (what a past day costs, and what
every request cost before); the monthly history as it stands, the first time (every region replayed) and
again with nothing new since."""

import datetime as dt
import time

from services.indicators.readmodel import monthly, region_rows
from services.indicators.readmodel.db import create_engine


async def measure(database_url: str) -> dict:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return {
                "regions": await _milliseconds(region_rows.all_rows(connection)),
                "regions_replayed": await _milliseconds(region_rows.all_rows(connection, dt.date.today())),
                "history_first": await _milliseconds(monthly.history(connection)),
                "history_again": await _milliseconds(monthly.history(connection)),
            }
    finally:
        await engine.dispose()


async def _milliseconds(reading) -> float:
    started = time.perf_counter()
    await reading
    return round(1000 * (time.perf_counter() - started), 1)
