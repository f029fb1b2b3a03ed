"""Why a count is what it is (CONTRACT.md 1.1, "Lineage"): the regions behind it, each with the event that
makes it count (services.indicators.rules, "Lineage"), read from the regions' timelines (region_span), so
that the list always has as many regions as the count."""

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.indicators import rules
from services.indicators.readmodel import tables
from services.indicators.readmodel.counting import covering
from shared.regions import find_region


async def regions_counted(connection: AsyncConnection, key: rules.Key, as_of: dt.date | None = None) -> list[dict]:
    """The regions that `key` (scope, indicator) counts as it stands (or, if given, with the events that
    occurred on or before `as_of`), in code order."""
    span = tables.region_span.c
    scope, indicator = key
    query = (
        select(span.region_code, span.seq, span.event_id).where(span.scope == scope, span.indicator == indicator, covering(as_of)).order_by(span.region_code)
    )
    counted = []
    for region_code, seq, event_id in await connection.execute(query):
        region = find_region(region_code)
        counted.append(
            {
                "region_code": region_code,
                "name": region.name if region else None,
                "province": region.province_name if region else None,
                "event_ids": [event_id],
                "events": [{"event_id": event_id, "seq": seq}],
            }
        )
    return counted
