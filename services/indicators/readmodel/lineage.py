"""Why a count is what it is (CONTRACT.md 1.1, "Lineage"): the regions behind it, each with the events that
make it count, by the counting rules (services.indicators.rules.lineage) over each region's events in
event_log, so that the list always has as many regions as the count."""

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncConnection

from services.indicators import rules
from services.indicators.readmodel import replay
from shared.regions import find_region


async def regions_counted(connection: AsyncConnection, key: rules.Key, through_seq: int, as_of: dt.date | None = None) -> list[dict]:
    """The regions that `key` (scope, indicator) counts with every event up to `through_seq` (and, if given,
    only those that occurred on or before `as_of`), in code order."""
    counted = []
    async for history in replay.histories(connection, through_seq=through_seq):
        applied = [row for row in history if as_of is None or row.occurred_on <= as_of]
        made = rules.lineage((row.event_id, row.event_type, row.ministry, row.occurred_on, row.data) for row in applied).get(key)
        if made is not None:
            region = find_region(history[0].region_code)
            seq_of = {row.event_id: row.seq for row in applied}
            counted.append(
                {
                    "region_code": history[0].region_code,
                    "name": region.name if region else None,
                    "province": region.province_name if region else None,
                    "event_ids": made,
                    "events": [{"event_id": event_id, "seq": seq_of[event_id]} for event_id in made],
                }
            )
    return sorted(counted, key=lambda row: row["region_code"])
