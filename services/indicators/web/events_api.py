"""`GET /api/v1/events/{event_id}`: one recorded event as the read model holds it, for operators (a private
evidence file's name left out: the API is public)."""

from fastapi import APIRouter, HTTPException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.indicators.readmodel import tables
from services.indicators.web.evidence import publishable
from services.indicators.web.params import EVENT_ID


def events_routes(engine: AsyncEngine) -> APIRouter:
    router = APIRouter()

    @router.get("/api/v1/events/{event_id}")
    async def event(event_id: str = EVENT_ID) -> dict:
        async with engine.connect() as connection:
            row = (await connection.execute(select(tables.event_log).where(tables.event_log.c.event_id == event_id))).mappings().one_or_none()
        if row is None:
            raise HTTPException(404, f"no event {event_id} in the read model")
        return {**row, "data": publishable(row["data"])}

    return router
