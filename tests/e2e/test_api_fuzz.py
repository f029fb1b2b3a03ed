"""Schemathesis against the published OpenAPI documents of a running system: whatever it sends, no 5xx,
and every response matches the schema."""

import json
import subprocess
import time

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import response_schema_conformance

from ogi.embedded_nats import free_port
from tests.e2e.conftest import OGI, Ogi, free_http_port

CHECKS = [not_a_server_error, response_schema_conformance]
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """One `ogi up` for the whole module, with a few events in it and a gateway token."""
    root = tmp_path_factory.mktemp("fuzz")
    nats_port, http_port = free_port(), free_http_port()
    ogi = Ogi("up", "--data-dir", str(root / "data"), "--nats-port", str(nats_port), "--http-port", str(http_port), cwd=root)
    deadline = time.monotonic() + 60
    while ogi.line_starting("Gateway") is None:
        assert ogi.process.poll() is None and time.monotonic() < deadline, ogi.output
        time.sleep(0.05)
    nats_url = f"nats://127.0.0.1:{nats_port}"
    subprocess.run(
        [OGI, "simulate", "--speed", "0", "--nats-url", nats_url, "--api-url", f"http://127.0.0.1:{http_port}", "--json"],
        cwd=root,
        capture_output=True,
        check=True,
        timeout=120,
    )
    created = subprocess.run(
        [OGI, "token", "create", "--ministry", "kominfo", "--nats-url", nats_url, "--json"], cwd=root, capture_output=True, text=True, check=True
    )
    ogi.token = json.loads(created.stdout)["token"]
    ogi.indicators = f"http://127.0.0.1:{http_port}"
    ogi.gateway = f"http://127.0.0.1:{http_port + 4}"
    yield ogi
    ogi.process.terminate()
    ogi.process.wait(30)


def fuzz(schema_url: str, base_url: str, headers: dict | None = None, exclude: tuple[str, ...] = ()) -> list[str]:
    """Every operation of the schema, fuzzed; returns the operations checked."""
    schema = schemathesis.openapi.from_url(schema_url)
    checked = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operation = result.ok()
        if operation.path in exclude:
            continue

        @FUZZ
        @given(case=operation.as_strategy())
        def call(case):
            case.call_and_validate(base_url=base_url, checks=CHECKS, headers=headers, timeout=30)

        call()
        checked.append(operation.label)
    return checked


def test_the_indicators_api_never_fails_and_keeps_its_schema(live, figures):
    # The live stream never ends; everything else is a request and a response.
    checked = fuzz(f"{live.indicators}/openapi.json", live.indicators, exclude=("/api/v1/indicators/stream",))
    assert "GET /api/v1/regions/{code}" in checked and len(checked) >= 10
    figures.append(f"schemathesis: {len(checked)} operations of the indicators API, no 5xx, responses as documented")


def test_the_gateway_never_fails_and_keeps_its_schema(live, figures):
    checked = fuzz(f"{live.gateway}/openapi.json", live.gateway, headers={"Authorization": f"Bearer {live.token}"})
    assert "POST /api/v1/submissions/{kind}" in checked
    figures.append(f"schemathesis: {len(checked)} operations of the gateway, no 5xx, responses as documented")


def test_the_fuzzed_system_still_answers(live):
    assert httpx.get(f"{live.indicators}/healthz").status_code == 200
