import os
import uuid

import asyncpg
import nats
import pytest
from sqlalchemy.engine import make_url

from ogi.embedded_nats import EmbeddedNats, free_port
from shared import service
from shared.settings import Settings
from shared.streams import declare
from tests.e2e.conftest import Ogi, free_http_port
from tests.support import running_system

TEST_DATABASE_URL = os.environ.get("OGI_TEST_DATABASE_URL")


@pytest.fixture
def nats_server(tmp_path):
    server = EmbeddedNats(tmp_path / "nats", free_port())
    server.start()
    yield server
    server.kill()


@pytest.fixture
async def nc(nats_server):
    """A connection to the test's nats-server, with the contract's streams and buckets declared."""
    connection = await nats.connect(nats_server.url)
    await declare(connection)
    yield connection
    await connection.close()


def _postgresql_admin_url() -> str:
    if not TEST_DATABASE_URL:
        if os.environ.get("CI"):
            pytest.fail("OGI_TEST_DATABASE_URL is not set: CI must test on PostgreSQL")
        pytest.skip("OGI_TEST_DATABASE_URL is not set")
    return TEST_DATABASE_URL


@pytest.fixture
async def postgresql_url():
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    admin = make_url(_postgresql_admin_url()).set(drivername="postgresql")
    name = f"ogi_test_{uuid.uuid4().hex[:12]}"
    dsn = admin.render_as_string(hide_password=False)
    try:
        connection = await asyncpg.connect(dsn, timeout=5)
    except Exception as error:  # unreachable PostgreSQL is a failure, never a silent skip
        pytest.fail(f"PostgreSQL at {admin.render_as_string()} is unreachable: {error}")
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    yield admin.set(database=name).render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture
def quick_redelivery(monkeypatch):
    """Redeliveries after 50 ms rather than a growing delay."""
    monkeypatch.setattr(service, "redelivery_delay", lambda attempt: 0.05)


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'read-model.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request):
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def settings(tmp_path, nats_server, database_url):
    return Settings(data_dir=tmp_path / "data", nats_url=nats_server.url, database_url=database_url, http_port=free_port())


@pytest.fixture
async def system(settings):
    async with running_system(settings) as running:
        yield running


@pytest.fixture
async def sqlite_system(tmp_path, nats_server, sqlite_url):
    """For behaviour that does not depend on the read model's database."""
    settings = Settings(data_dir=tmp_path / "data", nats_url=nats_server.url, database_url=sqlite_url, http_port=free_port())
    async with running_system(settings) as running:
        yield running


@pytest.fixture(scope="session")
def span_exporter():
    """Every span of the in-process services, kept in memory (the global provider can be set only once)."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from shared import telemetry

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    telemetry.install(provider)
    return exporter


@pytest.fixture
def spans(span_exporter):
    span_exporter.clear()
    return span_exporter


_FIGURES: list[str] = []


@pytest.fixture
def figures():
    """Lines a test reports (counts, timings), printed together at the end of every run, CI's included."""
    return _FIGURES


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture
def ogi_up(tmp_path):
    """`ogi up` as a person runs it: a real process tree on ports of its own, its output read line by line."""
    nats_port, http_port = free_port(), free_http_port()
    ogi = Ogi("up", "--data-dir", str(tmp_path / "data"), "--nats-port", str(nats_port), "--http-port", str(http_port), cwd=tmp_path)
    ogi.wait_for("Dashboard")
    ogi.nats_url = f"nats://127.0.0.1:{nats_port}"
    ogi.http = f"http://127.0.0.1:{http_port}"
    yield ogi
    if ogi.process.poll() is None:
        ogi.process.terminate()  # `ogi up` stops its services and its NATS server
        ogi.process.wait(30)
