"""The events the projector quarantined (services/indicators/projector/poison.py), as operators are told of them."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.indicators.readmodel import tables

LISTED = 10  # quarantined events named in a report


async def report(connection: AsyncConnection) -> dict | None:
    """How many events are quarantined and the first of them, or None when there are none."""
    quarantined = tables.quarantined_event.c
    count = (await connection.execute(select(func.count()).select_from(tables.quarantined_event))).scalar_one()
    if not count:
        return None
    first = await connection.execute(select(quarantined.seq, quarantined.event_type, quarantined.reason).order_by(quarantined.seq).limit(LISTED))
    return {"count": count, "first": [{"seq": seq, "event_type": event_type, "reason": reason} for seq, event_type, reason in first]}


async def after(connection: AsyncConnection, seq: int, limit: int) -> list[dict]:
    """The quarantined events after sequence `seq`, the first `limit`, in stream order."""
    quarantined = tables.quarantined_event.c
    query = select(quarantined.seq, quarantined.event_id, quarantined.reason).where(quarantined.seq > seq).order_by(quarantined.seq).limit(limit)
    return [{"seq": found, "event_id": event_id, "reason": reason} for found, event_id, reason in await connection.execute(query)]
