"""Wiring of the indicators service: migrations, the projector, and the HTTP API on one event loop."""

import asyncio
import signal

import uvicorn
from fastapi import FastAPI
from nats.aio.client import Client

from services.indicators.db import create_engine, migrate
from services.indicators.http import create_http_app
from services.indicators.projector import Projector
from shared import streams, subjects
from shared.natsconn import connect
from shared.settings import Settings

DECIDING_SERVICES = tuple(subjects.SERVICE_KINDS)


class IndicatorsService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = create_engine(settings.resolved_database_url)
        self.nc: Client | None = None
        self.projector: Projector | None = None
        self.http: FastAPI = create_http_app(self.engine, self.readiness)

    async def start(self) -> None:
        await migrate(self.engine)
        self.nc = await connect(self.settings.resolved_nats_url, name="ogi-indicators")
        await streams.declare(self.nc.jetstream(), self.settings.replicas, self.settings.duplicate_window)
        self.projector = Projector(self.nc, self.engine)
        await self.projector.start()

    async def stop(self) -> None:
        if self.projector is not None:
            await self.projector.stop()
        if self.nc is not None:
            await self.nc.drain()
        await self.engine.dispose()

    async def readiness(self) -> dict[str, str]:
        checks = {
            "nats": "ok" if self.nc is not None and self.nc.is_connected else "disconnected",
            "projector": "ok" if self.projector is not None and self.projector.running else "stopped",
        }
        answers = await asyncio.gather(*(self._service_answers(service) for service in DECIDING_SERVICES))
        return checks | dict(zip(DECIDING_SERVICES, answers))

    async def _service_answers(self, service: str) -> str:
        try:
            await self.nc.request(subjects.health(service), b"", timeout=1.0)
            return "ok"
        except Exception as error:
            return f"not answering ({type(error).__name__})"


async def serve(settings: Settings) -> None:
    service = IndicatorsService(settings)
    await service.start()
    config = uvicorn.Config(
        service.http, host=settings.http_host, port=settings.http_port, log_level="warning", lifespan="off"
    )
    # uvicorn re-raises the signal that stopped it once the HTTP side is down; with a handler of our own in
    # place the projector and the connections are then closed too, and the process exits with status 0.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: None)
    try:
        await uvicorn.Server(config).serve()
    finally:
        await service.stop()
