"""Every GET also answers HEAD (headers, no body), and every answer carries the headers that keep a browser
from sniffing types, framing the dashboard or loading anything from elsewhere."""

import asyncio

import httpx

from services.gateway.app import GatewayService

PATHS = ["/", "/open-data", "/static/app.js", "/api/v1/indicators", "/api/v1/regions/73.71", "/api/v1/indicators/history", "/healthz", "/readyz", "/livez"]


async def test_head_answers_wherever_get_does_with_the_same_headers_and_no_body(sqlite_system):
    for path in PATHS:
        get, head = await sqlite_system.http.get(path), await sqlite_system.http.head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"], path
    stream = await asyncio.wait_for(sqlite_system.http.head("/api/v1/indicators/stream"), timeout=10)
    assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")


async def test_the_dashboard_cannot_be_framed_sniffed_or_made_to_load_from_elsewhere(sqlite_system):
    for path in ("/", "/open-data", "/api/v1/indicators"):
        headers = (await sqlite_system.http.get(path)).headers
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY", path
        policy = headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, path


async def test_the_gateway_answers_head_and_carries_the_same_headers(sqlite_system):
    gateway = GatewayService(sqlite_system.settings)
    await gateway.start()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway.http), base_url="http://gateway") as client:
            head = await client.head("/healthz")
            assert head.status_code == 200 and head.content == b"" and head.headers["x-content-type-options"] == "nosniff"
    finally:
        await gateway.stop()
