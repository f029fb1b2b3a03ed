"""The NATS server's own word on its health (its monitoring endpoint `/healthz`), for the services'
readiness: a stream that cannot write (its disk is full) leaves every connection up and every publish
unanswered, which only the server can tell. Without a monitoring address (OGI_NATS_MONITOR_URL), there
is nothing to ask and the check is left out."""

import httpx
from prometheus_client import CollectorRegistry, Gauge

CHECK_TIMEOUT = 1.0


class NatsServerHealth:
    def __init__(self, monitor_url: str | None, registry: CollectorRegistry) -> None:
        self._url = monitor_url.rstrip("/") + "/healthz" if monitor_url else None
        # Only where there is a server to ask: a 0 would say it is unhealthy.
        help_text = "1 when the NATS server says it is healthy (its /healthz), else 0"
        self._healthy = Gauge("ogi_nats_server_healthy", help_text, registry=registry) if self._url else None

    async def checks(self) -> dict[str, str]:
        """{"nats server": "ok" or what is wrong}, or nothing without a monitoring address."""
        if self._url is None:
            return {}
        state = await self._ask(self._url)
        if self._healthy is not None:
            self._healthy.set(state == "ok")
        return {"nats server": state}

    async def _ask(self, url: str) -> str:
        try:
            async with httpx.AsyncClient(timeout=CHECK_TIMEOUT) as client:
                response = await client.get(url)
        except httpx.HTTPError as error:
            return f"not answering ({type(error).__name__})"
        if response.status_code == 200:
            return "ok"
        try:
            return str(response.json().get("error") or response.text)[:300]
        except ValueError:
            return f"HTTP {response.status_code}"
