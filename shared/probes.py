"""The HTTP side every service has: liveness, readiness that names what is not ready, and /metrics.

- `/livez`: the process runs and its event loop answers (an orchestrator restarts it otherwise);
- `/readyz`: this service can serve now (an orchestrator sends it traffic only then);
- `/healthz`: CONTRACT.md's health: every dependency the service relies on answers. For the indicators
  service that includes every deciding service, which is why orchestrators probe `/readyz` instead: an
  outage of one deciding service must not take the read API out of service."""

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

ReadinessCheck = Callable[[], Awaitable[dict[str, str]]]


def probe_routes(
    health: ReadinessCheck,
    registry: CollectorRegistry,
    before_scrape: Callable[[], Awaitable[None]] | None = None,
    readiness: ReadinessCheck | None = None,
    notes: Callable[[], Awaitable[dict]] | None = None,
) -> APIRouter:
    """`health` answers /healthz, and /readyz too unless the service's own `readiness` differs. `notes`: what
    an operator should know that does not keep the service from serving, shown with both."""
    router = APIRouter()

    @router.get("/livez")
    async def livez() -> dict:
        """The process runs and its event loop answers."""
        return {"status": "live"}

    @router.get("/healthz")
    async def healthz() -> JSONResponse:
        """Healthy: every dependency answers. 503 names those that do not."""
        return _answer(await health(), await notes() if notes else {})

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        """Ready to serve. 503 names what is not."""
        return _answer(await (readiness or health)(), await notes() if notes else {})

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        if before_scrape is not None:
            await before_scrape()
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router


def _answer(checks: dict[str, str], notes: dict) -> JSONResponse:
    ready = all(state == "ok" for state in checks.values())
    body = {"status": "ok" if ready else "not ready", "checks": checks} | ({"notes": notes} if notes else {})
    return JSONResponse(body, status_code=200 if ready else 503)
