"""The claims as the indicators service's public API gives them (`GET /api/v1/claims`, `/api/v1/claims/<id>`),
read over HTTP with bounded timeouts: the workspace keeps no read model of its own. Anything but an answer
(refused connection, timeout, a 5xx, a body that is not the expected JSON) is IndicatorsUnavailable, which the
routes answer `503 indicators_unavailable`."""

import httpx


class IndicatorsUnavailable(Exception):
    """The indicators service gave no usable answer."""


class QueryRefused(Exception):
    """The indicators service refused the filters (422)."""


class ClaimsReader:
    def __init__(self, base_url: str, timeout_seconds: float, transport: httpx.AsyncBaseTransport | None = None) -> None:
        timeout = httpx.Timeout(timeout_seconds, connect=min(2.0, timeout_seconds))
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport, follow_redirects=False)

    async def page(self, **params: str | int | None) -> dict:
        """One page of `GET /api/v1/claims`: `{"claims": [...], "next": seq | None}`."""
        answer = await self._get("/api/v1/claims", {name: value for name, value in params.items() if value is not None})
        if answer is None or not isinstance(answer.get("claims"), list):
            raise IndicatorsUnavailable("a claims page without its claims")
        return answer

    async def one(self, event_id: str) -> dict | None:
        """A claim with its history; None when there is no such claim."""
        return await self._get(f"/api/v1/claims/{event_id}", {})

    async def close(self) -> None:
        await self._http.aclose()

    async def _get(self, path: str, params: dict) -> dict | None:
        try:
            response = await self._http.get(path, params=params)
        except httpx.HTTPError as error:
            raise IndicatorsUnavailable(type(error).__name__) from None
        if response.status_code == 404:
            return None
        if response.status_code == 422:
            raise QueryRefused(response.text[:500])
        try:
            body = response.json() if response.status_code == 200 else None
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise IndicatorsUnavailable(f"answered {response.status_code}")
        return body
