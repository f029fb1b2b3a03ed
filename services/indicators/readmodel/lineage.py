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

CHUNK = 500  # event ids per statement


async def regions_counted(connection: AsyncConnection, key: rules.Key, as_of: dt.date | None = None) -> list[dict]:
    """The regions that `key` (scope, indicator, or a verified count: rules.VERIFIED) counts as it stands (or,
    if given, with the events that occurred on or before `as_of`), in code order. For a verified count each
    names its claim, then the ClaimVerified that made it verified."""
    span = tables.region_span.c
    scope, indicator = key
    query = (
        select(span.region_code, span.seq, span.event_id).where(span.scope == scope, span.indicator == indicator, covering(as_of)).order_by(span.region_code)
    )
    found = (await connection.execute(query)).all()
    claims = await _claims_verified(connection, [event_id for _, _, event_id in found]) if indicator in rules.VERIFIED_INDICATORS else {}
    counted = []
    for region_code, seq, event_id in found:
        region = find_region(region_code)
        events = [{"event_id": event_id, "seq": seq}]
        if event_id in claims:
            events.insert(0, claims[event_id])
        counted.append(
            {
                "region_code": region_code,
                "name": region.name if region else None,
                "province": region.province_name if region else None,
                "event_ids": [event["event_id"] for event in events],
                "events": events,
            }
        )
    return counted


async def _claims_verified(connection: AsyncConnection, verifications: list[str]) -> dict[str, dict]:
    """The claim each of these ClaimVerified events names, as {"event_id", "seq"}."""
    log = tables.event_log.c
    named: dict[str, str] = {}
    for start in range(0, len(verifications), CHUNK):
        query = select(log.event_id, log.data).where(log.event_id.in_(verifications[start : start + CHUNK]))
        named |= {event_id: data["claim_event_id"] for event_id, data in await connection.execute(query)}
    claims: dict[str, int] = {}
    for start in range(0, len(named), CHUNK):
        query = select(log.event_id, log.seq).where(log.event_id.in_(list(named.values())[start : start + CHUNK]))
        claims |= {event_id: seq for event_id, seq in await connection.execute(query)}
    return {verification: {"event_id": claim, "seq": claims[claim]} for verification, claim in named.items() if claim in claims}
