"""The dashboard at `/`: static pages (no CDN, no external fonts), the JSON they read, live updates and the
open data. Mounted on the indicators service's HTTP app by `dashboard_routes`."""

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import anyio
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import FileResponse
from nats.aio.client import Client
from sqlalchemy.ext.asyncio import AsyncEngine
from sse_starlette import EventSourceResponse

from services.indicators import rules
from services.indicators.readmodel import checkpoint, monthly, region_rows
from services.indicators.readmodel.lineage import regions_counted as counted_regions
from services.indicators.web.evidence import publishable
from services.indicators.web.live import LiveUpdates
from services.indicators.web.log_api import log_routes
from services.indicators.web.opendata import COLUMNS, csv_response, open_data_routes
from services.indicators.web.params import PROVINCE, REGION_CODE, as_of_day, invalid
from shared.contracts.indicators import Indicator, Scope
from shared.regions import find_region

STATIC = Path(__file__).parent / "static"
STATIC_FILES = {path.name for path in STATIC.iterdir() if path.is_file()}
LINEAGE_COLUMNS = ["region_code", "name", "province", "event_ids"]
BOUNDARIES = Query("2018", pattern="^(2018|current)$", description="provinces as in 2018 (34) or as today (38)")


def dashboard_routes(engine: AsyncEngine, nats: Callable[[], Client | None]) -> APIRouter:
    router = APIRouter()
    live = LiveUpdates(engine, nats)
    router.include_router(_pages())
    router.include_router(open_data_routes(engine))
    router.include_router(log_routes(engine, nats))

    @router.get("/api/v1/indicators/stream", tags=["dashboard"], responses={503: {"description": "too many streams open: try again later"}})
    async def stream() -> EventSourceResponse:
        """Server-sent events: `hello` on (re)connection, `indicator` on each change, `position` as events
        are projected."""
        if live.full:
            raise HTTPException(503, "as many live streams as this server keeps are open already: try again shortly", headers={"Retry-After": "10"})
        stopping = anyio.Event()  # set by sse-starlette when uvicorn begins to shut down
        return EventSourceResponse(live.stream(stopping), ping=15, shutdown_event=stopping, shutdown_grace_period=2)

    @router.get("/api/v1/indicators/history", tags=["dashboard"])
    async def history(
        request: Request,
        scope: Scope | None = None,
        indicator: Indicator | None = None,
        as_of: dt.date | None = Depends(as_of_day),
        format: str | None = Query(None, pattern="^(json|csv)$"),
    ):
        """The counts at the end of each month since January 2018 (the last month: up to `as_of` or today)."""
        async with engine.connect() as connection:
            body = await monthly.history(connection, as_of)
        body["series"] = [s for s in body["series"] if scope in (None, s["scope"]) and indicator in (None, s["indicator"])]
        if format == "csv" or (format is None and "text/csv" in request.headers.get("accept", "")):
            rows = [{**point, "scope": s["scope"], "indicator": s["indicator"], "target": s["target"]} for s in body["series"] for point in s["points"]]
            return csv_response(rows, COLUMNS["history"], "history.csv")
        return body

    @router.get("/api/v1/indicators/{scope}/{indicator}/regions", tags=["lineage"])
    async def lineage(
        request: Request,
        scope: Scope,
        indicator: Indicator,
        as_of: dt.date | None = Depends(as_of_day),
        verified: bool = Query(False, description="the regions behind the verified count (`trained` and `plans`): each names its claim and the ClaimVerified"),
        format: str | None = Query(None, pattern="^(json|csv)$"),
    ):
        """The regions behind a count, each with the events that make it count (`len(regions) == count`); with
        `verified=true` the regions behind the verified count."""
        counted = str(indicator)
        if verified:
            if counted not in rules.VERIFIED:
                invalid("verified", "only `trained` and `plans` have a verified count", verified)
            counted = rules.VERIFIED[counted]
        async with engine.connect() as connection:
            as_of_seq = await checkpoint.position(connection)
            regions = await counted_regions(connection, (str(scope), counted), as_of)
        if format == "csv" or (format is None and "text/csv" in request.headers.get("accept", "")):
            return csv_response(regions, LINEAGE_COLUMNS, f"{scope}-{indicator}-regions.csv")
        body = {"scope": scope, "indicator": indicator, "verified": verified, "count": len(regions), "as_of_seq": as_of_seq, "regions": regions}
        return body | ({"as_of": as_of.isoformat()} if as_of else {})

    @router.get("/api/v1/overview", tags=["dashboard"])
    async def overview(as_of: dt.date | None = Depends(as_of_day), boundaries: str = BOUNDARIES) -> dict:
        """Per province, per sector, and PPID and commitment letters among the enrolled regions."""
        async with engine.connect() as connection:
            as_of_seq = await checkpoint.position(connection)
            rows = await region_rows.all_rows(connection, as_of)
        return {"as_of": as_of, "as_of_seq": as_of_seq, **region_rows.summary(rows, boundaries)}

    @router.get("/api/v1/regions", tags=["dashboard"])
    async def regions(as_of: dt.date | None = Depends(as_of_day), province: str | None = PROVINCE, boundaries: str = BOUNDARIES) -> dict:
        """Every kabupaten/kota's status, or those of one province."""
        async with engine.connect() as connection:
            as_of_seq = await checkpoint.position(connection)
            rows = await region_rows.all_rows(connection, as_of)
        if province is not None:
            key = "province_code" if boundaries == "current" else "province_code_2018"
            rows = [row for row in rows if row[key] == province]
        return {"as_of": as_of, "as_of_seq": as_of_seq, "regions": rows}

    @router.get("/api/v1/regions/{code}/events", tags=["dashboard"])
    async def region_events(code: str = REGION_CODE, as_of: dt.date | None = Depends(as_of_day)) -> dict:
        """A region's history: its events in stream order."""
        found = find_region(code)
        if found is None:
            raise HTTPException(404, f"{code!r} is not a known kabupaten/kota code")
        async with engine.connect() as connection:
            events = await region_rows.events_of(connection, found.code, as_of)
        return {"code": found.code, "events": [{**event, "data": publishable(event["data"])} for event in events]}

    return router


def _pages() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @router.get("/open-data")
    async def open_data() -> FileResponse:
        return FileResponse(STATIC / "open-data.html")

    @router.get("/static/{name}")
    async def static(name: str) -> Response:
        if name not in STATIC_FILES:
            raise HTTPException(404)
        return FileResponse(STATIC / name)

    return router
