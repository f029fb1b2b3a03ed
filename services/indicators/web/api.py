"""The HTTP API of CONTRACT.md: health, the nine indicators (live or as of a date), one region."""

import datetime as dt

from fastapi import APIRouter, Depends, FastAPI, HTTPException
from sqlalchemy.ext.asyncio import AsyncEngine

from services.indicators.readmodel import checkpoint, counting, region_rows
from services.indicators.web.claims_api import claims_routes
from services.indicators.web.events_api import events_routes
from services.indicators.web.params import REGION_CODE, as_of_day
from shared.http_middleware import HardenedHttp
from shared.regions import find_region


def create_http_app(engine: AsyncEngine, probes: APIRouter) -> FastAPI:
    api = FastAPI(title="OGI Tracker indicators", version="1")
    api.add_middleware(HardenedHttp)
    api.include_router(probes)
    api.include_router(events_routes(engine))
    api.include_router(claims_routes(engine))

    @api.get("/api/v1/indicators")
    async def indicators(as_of: dt.date | None = Depends(as_of_day)) -> dict:
        async with engine.connect() as connection:
            return await counting.indicators_body(connection, as_of)

    @api.get("/api/v1/regions/{code}")
    async def region(code: str = REGION_CODE) -> dict:
        found = find_region(code)
        if found is None:
            raise HTTPException(404, f"{code!r} is not a known kabupaten/kota code")
        async with engine.connect() as connection:
            as_of_seq = await checkpoint.position(connection)
            status = await region_rows.status_of(connection, found.code)
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
