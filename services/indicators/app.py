"""Wiring of the indicators service: migrations, the projector, and the HTTP API on one event loop."""

import asyncio
import logging

import uvicorn
from nats.aio.client import Client

from services.indicators.db import create_engine, migrate
from services.indicators.http import create_http_app
from services.indicators.projector import Projector
from shared import streams, subjects
from shared.natsconn import connect
from shared.settings import Settings

log = logging.getLogger("ogi.indicators")

DECIDING_SERVICES = tuple(subjects.SERVICE_KINDS)


async def service_answers(nc: Client, service: str) -> str:
    try:
        await nc.request(subjects.health(service), b"", timeout=1.0)
        return "ok"
    except Exception as error:
        return f"not answering ({type(error).__name__})"


async def serve(settings: Settings) -> None:
    engine = create_engine(settings.resolved_database_url)
    await migrate(engine)
    nc = await connect(settings.resolved_nats_url, name="ogi-indicators")
    await streams.declare(nc.jetstream(), settings.replicas, settings.duplicate_window)
    projector = Projector(nc, engine)
    await projector.start()

    async def readiness() -> dict[str, str]:
        checks = {"nats": "ok" if nc.is_connected else "disconnected", "projector": "ok" if projector.running else "stopped"}
        answers = await asyncio.gather(*(service_answers(nc, service) for service in DECIDING_SERVICES))
        return checks | dict(zip(DECIDING_SERVICES, answers))

    config = uvicorn.Config(
        create_http_app(engine, readiness),
        host=settings.http_host,
        port=settings.http_port,
        log_level="warning",
        lifespan="off",
    )
    try:
        await uvicorn.Server(config).serve()
    finally:
        await projector.stop()
        await nc.drain()
        await engine.dispose()
