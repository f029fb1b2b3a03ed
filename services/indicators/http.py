"""The HTTP API of CONTRACT.md: health, the nine indicators (live or as of a date), one region."""

import datetime as dt
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.indicators import projection, tables, views
from shared.contracts.indicators import KEYS, TARGETS
from shared.regions import find_region

ReadinessCheck = Callable[[], Awaitable[dict[str, str]]]


def create_http_app(engine: AsyncEngine, readiness: ReadinessCheck) -> FastAPI:
    api = FastAPI(title="OGI Tracker indicators", version="1")

    @api.get("/healthz")
    async def healthz() -> JSONResponse:
        checks = await readiness()
        ready = all(state == "ok" for state in checks.values())
        return JSONResponse({"status": "ok" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503)

    @api.get("/api/v1/indicators")
    async def indicators(as_of: dt.date | None = Query(None, description="count only events that occurred on or before this day")) -> dict:
        async with engine.connect() as connection:
            if as_of is None:
                counts, as_of_seq = await _live(connection)
            else:
                as_of_seq = await projection.position(connection)
                counts = await views.counts_as_of(connection, as_of)
        body = {
            "as_of_seq": as_of_seq,
            "indicators": [
                {"scope": scope, "indicator": indicator, "count": counts.get((scope, indicator), 0), "target": TARGETS[indicator]}
                for scope, indicator in KEYS
            ],
        }
        if as_of is not None:
            body["as_of"] = as_of.isoformat()
        return body

    @api.get("/api/v1/regions/{code}")
    async def region(code: str) -> dict:
        found = find_region(code)
        if found is None:
            raise HTTPException(404, f"{code!r} is not a known kabupaten/kota code")
        async with engine.connect() as connection:
            as_of_seq = await projection.position(connection)
            status = await views.region_status(connection, found.code)
        return {
            "code": found.code,
            "name": found.name,
            "kind": found.kind,
            "province_code": found.province_code,
            "province_name": found.province_name,
            "code_2018": found.code_2018,
            "province_code_2018": found.province_code_2018,
            "province_name_2018": found.province_name_2018,
            "as_of_seq": as_of_seq,
            **status,
        }

    return api


async def _live(connection) -> tuple[dict, int]:
    """Counts and checkpoint in one statement, so the two always belong together."""
    position = (
        select(tables.checkpoint.c.last_seq).where(tables.checkpoint.c.projection == projection.PROJECTION).scalar_subquery()
    )
    rows = (await connection.execute(select(tables.indicator_count.c.scope, tables.indicator_count.c.indicator, tables.indicator_count.c.count, position.label("position")))).all()
    if not rows:
        return {}, await projection.position(connection)
    return {(row.scope, row.indicator): row.count for row in rows}, rows[0].position
