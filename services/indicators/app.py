"""Wiring of the indicators service: migrations, the projector, and the HTTP API on one event loop."""

import asyncio

from fastapi import FastAPI
from nats.aio.client import Client

from services.indicators.log_keeper import LogKeeper, signing_key
from services.indicators.projector.loop import Projector
from services.indicators.projector.metrics import ProjectorMetrics
from services.indicators.projector.receiver import ReceiverProcess
from services.indicators.readmodel import quarantined as quarantined_events
from services.indicators.readmodel.db import create_engine, migrate
from services.indicators.web.api import create_http_app
from services.indicators.web.dashboard import dashboard_routes
from services.indicators.web.evidence import EvidenceDesk
from shared import runtime, streams, subjects
from shared.nats_health import NatsServerHealth
from shared.natsconn import connect
from shared.probes import probe_routes
from shared.settings import Settings

DECIDING_SERVICES = tuple(subjects.SERVICE_KINDS)


class IndicatorsService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = create_engine(settings.resolved_database_url)
        self.nc: Client | None = None
        self.projector: Projector | None = None
        self.log_keeper: LogKeeper | None = None
        self.metrics = ProjectorMetrics()
        self.nats_server = NatsServerHealth(settings.nats_monitor_url, self.metrics.registry)
        probes = probe_routes(self.health, self.metrics.registry, self._measure_lag, readiness=self.readiness, notes=self.notes)
        self.http: FastAPI = create_http_app(self.engine, probes)
        self.http.include_router(dashboard_routes(self.engine, lambda: self.nc))
        self.evidence = EvidenceDesk()
        self.http.include_router(self.evidence.router)

    async def start(self) -> None:
        await migrate(self.engine)
        self.nc = await connect(self.settings.resolved_nats_url, name="ogi-indicators", credentials=self.settings.nats_credentials)
        await streams.declare(self.nc, self.settings.replicas, self.settings.duplicate_window)
        await self.evidence.start(self.nc)
        receiver = ReceiverProcess(self.settings.resolved_nats_url, self.settings.nats_credentials)
        self.projector = Projector(self.nc, self.engine, self.metrics, receiver=receiver)
        await self.projector.start()
        signer = signing_key(self.settings.resolved_log_signing_key_file, self.settings.log_origin, may_make=self.settings.log_signing_key_file is None)
        self.log_keeper = LogKeeper(self.nc, self.engine, signer)
        await self.log_keeper.start()

    async def stop(self) -> None:
        await self.evidence.stop()
        if self.log_keeper is not None:
            await self.log_keeper.stop()
        if self.projector is not None:
            await self.projector.stop()
        if self.nc is not None:
            await self.nc.drain()
        await self.engine.dispose()

    async def health(self) -> dict[str, str]:
        """CONTRACT.md's /healthz: NATS, the projector and every deciding service answer."""
        checks = {"nats": "ok" if self.nc is not None and self.nc.is_connected else "disconnected"} | await self.nats_server.checks()
        checks |= await self.readiness()
        answers = await asyncio.gather(*(self._service_answers(service) for service in DECIDING_SERVICES))
        return checks | dict(zip(DECIDING_SERVICES, answers, strict=True))

    async def readiness(self) -> dict[str, str]:
        """What the read API needs to serve: its database, and a projector that keeps it up to date."""
        return {"database": await self._database_answers(), "projector": "ok" if self.projector is not None and self.projector.running else "stopped"}

    async def notes(self) -> dict:
        """Events the projector quarantined (it goes on without them): what an operator must look into."""
        try:
            async with asyncio.timeout(2.0), self.engine.connect() as connection:
                quarantined = await quarantined_events.report(connection)
        except Exception:  # the database check says what is wrong
            return {}
        return {"quarantined_events": quarantined} if quarantined else {}

    async def _database_answers(self) -> str:
        try:
            async with asyncio.timeout(2.0), self.engine.connect() as connection:
                await connection.exec_driver_sql("SELECT 1")
            return "ok"
        except Exception as error:
            return f"not answering ({type(error).__name__})"

    async def _measure_lag(self) -> None:
        if self.projector is not None and self.nc is not None and self.nc.is_connected:
            await self.projector.measure_lag()

    async def _service_answers(self, service: str) -> str:
        if self.nc is None:
            return "not answering (no NATS connection)"
        try:
            await self.nc.request(subjects.health(service), b"", timeout=1.0)
            return "ok"
        except Exception as error:
            return f"not answering ({type(error).__name__})"


async def serve(settings: Settings) -> None:
    service = IndicatorsService(settings)
    await runtime.serve(service.http, settings.http_host, settings.http_port, service.start, service.stop)
