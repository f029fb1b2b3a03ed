"""Where the read model stands in OGI_EVENTS: the last event sequence applied, which the projector writes in
the same transaction as the rows that event changed."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.indicators.readmodel import tables

PROJECTION = "indicators"


def position_query():
    """The last sequence applied, as a scalar subquery (none yet: no row)."""
    checkpoint = tables.checkpoint.c
    return select(checkpoint.last_seq).where(checkpoint.projection == PROJECTION).scalar_subquery()


async def position(connection: AsyncConnection) -> int:
    return (await connection.execute(select(position_query()))).scalar_one_or_none() or 0
