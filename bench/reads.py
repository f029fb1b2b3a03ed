"""Reads: every read of the indicators service's API (counts live and as of a day, the regions behind each
count, the monthly history, the regions and a region's events, the open-data files), timed over HTTP on
loopback against a read model the projector rebuilt, served by the service's own app under uvicorn as the
service serves it. Beside them the least any read there costs, measured the same way: a one-row lookup
through the same engine, alone (`floor.sql`) and behind the same app (`floor.http`)."""

import asyncio
import datetime as dt
import gc
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, contextmanager
from itertools import count

import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.latency import percentile
from ogi.embedded_nats import free_port
from services.indicators.app import IndicatorsService
from shared.contracts.indicators import KEYS
from shared.regions import all_regions
from shared.runtime import collect_garbage_less
from shared.settings import Settings

REQUESTS = 40
WARM_UPS = 2
TIMEOUT_SECONDS = 120.0
# Reads that replay the log take seconds at a million events: so that a run ends, a read stops being timed
# once its timed requests have taken BUDGET_SECONDS in all, and has been timed at least AT_LEAST times (40
# requests of 250 ms fit). One warm-up is enough for a read slower than SLOW_SECONDS.
BUDGET_SECONDS = 10.0
AT_LEAST = 3
SLOW_SECONDS = 5.0
FIRST_DAY, LAST_DAY = dt.date(2018, 1, 1), dt.date(2020, 12, 31)
FLOOR_PATH = "/bench/floor"
FLOOR_SQL = "SELECT last_seq FROM projection_checkpoint"

# {day}: a day drawn from FIRST_DAY..LAST_DAY; {region}: a region's code drawn from all regions; {key}: the
# nine scope/indicator pairs in turn.
ENDPOINTS = {
    "indicators": "/api/v1/indicators",
    "indicators_as_of": "/api/v1/indicators?as_of={day}",
    "lineage": "/api/v1/indicators/{key}/regions",
    "lineage_as_of": "/api/v1/indicators/{key}/regions?as_of={day}",
    "history": "/api/v1/indicators/history",
    "history_as_of": "/api/v1/indicators/history?as_of={day}",
    "history_csv": "/api/v1/indicators/history?format=csv",
    "regions": "/api/v1/regions",
    "regions_as_of": "/api/v1/regions?as_of={day}",
    "overview": "/api/v1/overview",
    "overview_as_of": "/api/v1/overview?as_of={day}",
    "region": "/api/v1/regions/{region}",
    "region_events": "/api/v1/regions/{region}/events",
    "indicators_csv": "/api/v1/open-data/indicators.csv",
    "indicators_csv_as_of": "/api/v1/open-data/indicators.csv?as_of={day}",
    "regions_csv": "/api/v1/open-data/regions.csv",
    "regions_csv_as_of": "/api/v1/open-data/regions.csv?as_of={day}",
}


async def measure(databases: dict[str, str], requests: int = REQUESTS) -> dict:
    """`databases`: name -> URL of a read model the projector has rebuilt. `p95_ms` is the worst endpoint's
    p95 over all of them, `slowest` names it."""
    with collecting_garbage_as_the_service_does():
        found = {name: await on_database(url, requests) for name, url in databases.items()}
    p95, slowest = max((on["p95_ms"], f"{name} {on['slowest']}") for name, on in found.items())
    return {"requests": requests, **found, "p95_ms": p95, "slowest": slowest}


async def on_database(url: str, requests: int) -> dict:
    service = IndicatorsService(Settings(database_url=url))
    add_floor_route(service.http, service.engine)
    try:
        async with served(service.http) as base, httpx.AsyncClient(base_url=base, timeout=TIMEOUT_SECONDS) as client:
            floor = {"sql": await sql_floor(service.engine, requests), "http": await endpoint(client, "floor", FLOOR_PATH, requests)}
            endpoints = {name: await endpoint(client, name, template, requests) for name, template in ENDPOINTS.items()}
    finally:
        await service.engine.dispose()
    p95, slowest = max((found["p95"], name) for name, found in endpoints.items())
    return {"floor": floor, "endpoints": endpoints, "p95_ms": p95, "slowest": slowest}


async def endpoint(client: httpx.AsyncClient, name: str, template: str, requests: int) -> dict:
    """`first_ms` is the first warm-up: what the first reader after a start waits."""
    draws = random.Random(f"ogi-bench-reads:{name}")  # the same paths on every database and in every run
    paths = (path(template, draws, n) for n in count())
    first = await timed_get(client, next(paths))
    for _ in range(WARM_UPS - 1 if first <= SLOW_SECONDS else 0):
        await timed_get(client, next(paths))
    times: list[float] = []
    while len(times) < requests and not (len(times) >= AT_LEAST and sum(times) > BUDGET_SECONDS):
        times.append(await timed_get(client, next(paths)))
    return {"path": template, "requests": len(times), "first_ms": milliseconds(first), **summary(times)}


def path(template: str, draws: random.Random, n: int) -> str:
    day = FIRST_DAY + dt.timedelta(days=draws.randrange((LAST_DAY - FIRST_DAY).days + 1))
    return template.format(day=day.isoformat(), region=draws.choice(all_regions()).code, key="/".join(KEYS[n % len(KEYS)]))


async def timed_get(client: httpx.AsyncClient, url: str) -> float:
    """Seconds from sending the request to the last byte of a 200 answer; any other answer stops the run."""
    started = time.perf_counter()
    response = await client.get(url)
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}: {response.text[:300]}")
    return seconds


async def sql_floor(engine: AsyncEngine, requests: int) -> dict:
    async def lookup() -> None:
        async with engine.connect() as connection:
            (await connection.exec_driver_sql(FLOOR_SQL)).scalar_one()

    for _ in range(WARM_UPS):
        await lookup()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        await lookup()
        times.append(time.perf_counter() - started)
    return {"requests": requests, **summary(times)}


def add_floor_route(app: FastAPI, engine: AsyncEngine) -> None:
    """The least a read of the API can do: the checkpoint's one row, through the app's middleware."""

    @app.get(FLOOR_PATH, include_in_schema=False)
    async def floor() -> dict:
        async with engine.connect() as connection:
            return {"last_seq": (await connection.exec_driver_sql(FLOOR_SQL)).scalar_one()}


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """The app under uvicorn on a free loopback port, on this event loop, as the service runs it."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            serving.result()
            raise RuntimeError("uvicorn stopped before it served")
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving


@contextmanager
def collecting_garbage_as_the_service_does():
    """The service's process collects garbage less often than Python's default (shared.runtime); so does
    this one while it reads, and then goes back."""
    saved = gc.get_threshold()
    collect_garbage_less()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*saved)


def summary(seconds: list[float]) -> dict:
    return {"p50": milliseconds(percentile(seconds, 0.50)), "p95": milliseconds(percentile(seconds, 0.95)), "max": milliseconds(max(seconds))}


def milliseconds(seconds: float) -> float:
    return round(1000 * seconds, 2)
