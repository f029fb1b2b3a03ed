"""A real headless Chromium (Debian's `chromium`, driven by Playwright) on the system served over real HTTP.

Every page records the requests it makes; a test fails if one of them leaves localhost. Without Chromium the
tests are skipped, except under `CI=true`, where that is a failure (`.ci/run` installs it).
"""

import os
import shutil
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import pytest

from ogi.embedded_nats import free_port
from services.gateway.app import GatewayService
from services.gateway.config import GatewaySettings
from tests.http_server import HttpServer

CHROMIUM = os.environ.get("OGI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# The browser's own resources (its PDF viewer, showing a previewed file): loaded from inside Chromium, never a network.
BROWSER_SCHEMES = {"chrome", "chrome-extension"}


@asynccontextmanager
async def serving(system):
    """The system's HTTP side on a real port (`system.server`)."""
    server = HttpServer(system.indicators.http, system.settings.http_port)
    await server.start()
    system.server = server
    try:
        yield system
    finally:
        await server.stop()


@asynccontextmanager
async def with_workspace(served):
    """The gateway with its workspace on a real port of its own (`served.gateway_server`), linking regions to the
    dashboard served beside it and reading claims from its indicators API."""
    settings = GatewaySettings(
        rate_per_second=1000, burst=1000, failures_per_minute=1000, dashboard_url=served.server.url + "/", indicators_url=served.server.url
    )
    gateway = GatewayService(served.settings, settings)
    await gateway.start()
    server = HttpServer(gateway.http, free_port())
    await server.start()
    served.gateway, served.gateway_server = gateway, server
    try:
        yield served
    finally:
        await server.stop()
        await gateway.stop()


@pytest.fixture
async def served(sqlite_system):
    """The system, its HTTP side on a real port (`served.server`)."""
    async with serving(sqlite_system) as system:
        yield system


@pytest.fixture
async def workspace(served):
    """The system as `served`, and the workspace beside it."""
    async with with_workspace(served) as system:
        yield system


@pytest.fixture
async def workspace_on_each_database(system):
    """As `workspace`, once with the read model in SQLite and once in PostgreSQL."""
    async with serving(system) as served, with_workspace(served) as both:
        yield both


def _chromium() -> str:
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests (.ci/run installs Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture
async def browser():
    executable = _chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@pytest.fixture
async def page(browser):
    """A fresh page; after the test, every request it made must have gone to localhost."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID", timezone_id="Asia/Jakarta")
    page = await context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    await context.close()
    assert requested, "the page made no requests at all"
    outside = [url for url in requested if urlsplit(url).hostname not in LOCAL_HOSTS and urlsplit(url).scheme not in BROWSER_SCHEMES]
    assert not outside, f"requests left localhost: {outside}"
    assert not errors, f"script errors on the page: {errors}"
