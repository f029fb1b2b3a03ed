"""A flood of live streams (server-sent events) against `ogi up`: as many as the server keeps are served, the
next is refused with 503 and a time to try again, and meanwhile the projector goes on and the health checks
answer."""

import asyncio
import json
import time

import httpx
import pytest

from services.indicators.web.live import STREAMS_AT_MOST
from tests.e2e.conftest import run
from tests.support import eventually

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]


async def open_stream(client: httpx.AsyncClient, opened: list) -> None:
    response = await client.send(client.build_request("GET", "/api/v1/indicators/stream"), stream=True)
    opened.append(response)


async def test_a_flood_of_live_streams_is_capped_and_the_rest_goes_on(ogi_up, tmp_path, figures):
    limits = httpx.Limits(max_connections=STREAMS_AT_MOST + 10, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=ogi_up.http, limits=limits, timeout=30) as client:
        opened: list[httpx.Response] = []
        started = time.monotonic()
        await asyncio.gather(*(open_stream(client, opened) for _ in range(STREAMS_AT_MOST)))
        assert sorted({response.status_code for response in opened}) == [200]
        refused = await client.get("/api/v1/indicators/stream")
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "10"

        livez = time.monotonic()
        assert (await client.get("/livez")).status_code == 200
        livez_seconds = time.monotonic() - livez
        body = json.dumps({"submission_id": "flood-1", "region_code": "73.71", "occurred_on": "2019-03-14"})
        submitted = run("submit", "region.enroll", "--ministry", "kemendagri", "--json", "-", "--nats-url", ogi_up.nats_url, cwd=tmp_path, stdin=body)
        assert submitted.returncode == 0, submitted.stderr
        event_seq = json.loads(submitted.stdout)["event_seq"]

        async def projected() -> bool:
            return (await client.get("/api/v1/indicators")).json()["as_of_seq"] >= event_seq

        await eventually(projected, timeout=30)
        for response in opened:
            await response.aclose()

        async def a_stream_is_served_again() -> bool:
            response = await client.send(client.build_request("GET", "/api/v1/indicators/stream"), stream=True)
            await response.aclose()
            return response.status_code == 200

        await eventually(a_stream_is_served_again, timeout=30)
    figures.append(f"SSE flood: {STREAMS_AT_MOST} streams open in {time.monotonic() - started:.1f} s, the next refused; /livez in {livez_seconds:.2f} s")
