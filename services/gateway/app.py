"""Wiring of the gateway: one NATS connection, one outcome waiter, the HTTP API (submissions, evidence) with probes
and metrics."""

import asyncio
import logging

from fastapi import FastAPI

from services.gateway.config import GatewaySettings
from services.gateway.evidence import evidence_routes
from services.gateway.http import Connected, Context, Refusal, refusal_response, submission_routes
from services.gateway.ratelimit import RateLimiter
from services.gateway.workspace.claims_reader import ClaimsReader
from services.gateway.workspace.routes import workspace_routes
from services.gateway.workspace.sessions import Sessions
from shared import streams
from shared.evidence_index import EvidenceIndex
from shared.evidence_store import EvidenceStore
from shared.http_middleware import HardenedHttp
from shared.nats_health import NatsServerHealth
from shared.natsconn import connect
from shared.observers import ObserverRegistry
from shared.people import PeopleStore
from shared.probes import probe_routes
from shared.settings import Settings
from shared.submitting import Outcomes
from shared.tokens import TokenStore

RECENT_OUTCOMES = 10_000
log = logging.getLogger("ogi.gateway")


class GatewayService:
    def __init__(self, settings: Settings, gateway: GatewaySettings | None = None) -> None:
        self.settings = settings
        self.context = Context(gateway or GatewaySettings())
        self.nats_server = NatsServerHealth(settings.nats_monitor_url, self.context.registry)
        self.http = FastAPI(title="OGI Tracker submissions gateway", version="1")
        self.http.add_middleware(HardenedHttp)
        self.http.include_router(probe_routes(self.readiness, self.context.registry))
        self.http.include_router(submission_routes(self.context))
        self.http.include_router(evidence_routes(self.context))
        self.http.include_router(workspace_routes(self.context))
        self.http.add_exception_handler(Refusal, refusal_response)
        self._warming: asyncio.Task | None = None

    async def start(self) -> None:
        nc = await connect(self.settings.resolved_nats_url, name="ogi-gateway", credentials=self.settings.nats_credentials)
        await streams.declare(nc, self.settings.replicas, self.settings.duplicate_window)
        gateway = self.context.settings
        sessions = Sessions(nc, gateway.session_lifetime)
        await sessions.start()
        self.context.connected = Connected(
            nc,
            tokens=TokenStore(nc),
            limiter=RateLimiter(nc, "token", gateway.rate_per_second, gateway.burst),
            failures=RateLimiter(nc, "failed", gateway.failures_per_minute / 60, gateway.failures_per_minute),
            outcomes=await Outcomes(nc, "ogi.outcome.>", only_new=True, keep=RECENT_OUTCOMES).__aenter__(),
            evidence=EvidenceStore(nc),
            people=PeopleStore(nc),
            sessions=sessions,
            observers=ObserverRegistry(nc),
            evidence_index=EvidenceIndex(nc),
            claims=ClaimsReader(gateway.indicators_url, gateway.indicators_timeout_seconds),
        )
        self._warming = asyncio.create_task(self._warm(self.context.connected.evidence_index), name="evidence index")

    async def stop(self) -> None:
        if self._warming is not None:
            self._warming.cancel()
            await asyncio.gather(self._warming, return_exceptions=True)
        if self.context.connected is not None:
            await self.context.connected.claims.close()
            await self.context.connected.outcomes.__aexit__()
            await self.context.connected.nc.drain()

    async def _warm(self, index: EvidenceIndex) -> None:
        """Read the events naming evidence once at start, in the background: the first preview waits for the read."""
        try:
            await index.catch_up()
        except Exception as error:  # NATS away: the first preview reads instead
            log.warning("evidence index not read at start: %r", error)

    async def readiness(self) -> dict[str, str]:
        connected = self.context.connected
        return {"nats": "ok" if connected is not None and connected.nc.is_connected else "disconnected"} | await self.nats_server.checks()
