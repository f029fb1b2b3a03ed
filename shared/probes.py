"""The HTTP side every service has: liveness, readiness that names what is not ready, and /metrics."""

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

ReadinessCheck = Callable[[], Awaitable[dict[str, str]]]


def probe_routes(readiness: ReadinessCheck, registry: CollectorRegistry, before_scrape: Callable[[], Awaitable[None]] | None = None) -> APIRouter:
    router = APIRouter()

    @router.get("/livez")
    async def livez() -> dict:
        """The process runs and its event loop answers."""
        return {"status": "live"}

    @router.get("/healthz")
    async def healthz() -> JSONResponse:
        """Ready: every dependency answers. 503 names those that do not."""
        checks = await readiness()
        ready = all(state == "ok" for state in checks.values())
        return JSONResponse({"status": "ok" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503)

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        if before_scrape is not None:
            await before_scrape()
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router
