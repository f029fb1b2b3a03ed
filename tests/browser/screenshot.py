"""Take docs/dashboard.png (and -phone.png, 360 px wide): the simulated rollout (`ogi simulate`) played through the
real system, the dashboard in headless Chromium. Run: `.venv/bin/python -m tests.browser.screenshot docs/dashboard.png`."""

import asyncio
import sys
import tempfile
from pathlib import Path

from ogi.embedded_nats import EmbeddedNats, free_port
from ogi.simulation.plan import rollout
from ogi.simulation.run import play
from shared.settings import Settings
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.http_server import HttpServer
from tests.support import running_system


async def play_the_rollout(system) -> None:
    """`ogi simulate`'s 2018–2020 rollout, the secretariat's decisions and an observer's disputes among it."""
    summary = await play(system.nc, rollout(2018), speed=0)
    await system.projected(summary.last_event_seq)


async def main(target: Path) -> None:
    from playwright.async_api import async_playwright

    with tempfile.TemporaryDirectory() as tmp:
        nats = EmbeddedNats(Path(tmp) / "nats", free_port())
        nats.start()
        try:
            settings = Settings(data_dir=Path(tmp), nats_url=nats.url, database_url=f"sqlite:///{tmp}/ogi.db", http_port=free_port())
            async with running_system(settings) as system:
                await play_the_rollout(system)
                server = HttpServer(system.indicators.http, settings.http_port)
                await server.start()
                async with async_playwright() as playwright:
                    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                    page = await browser.new_page(viewport={"width": 1280, "height": 1520}, locale="id-ID", timezone_id="Asia/Jakarta")
                    await page.goto(server.url + "/")
                    await page.locator("#connection.offline").wait_for(state="detached")
                    await page.screenshot(path=str(target))
                    await page.set_viewport_size({"width": 360, "height": 900})
                    await page.screenshot(path=str(target.with_stem(target.stem + "-phone")))
                    await browser.close()
                await server.stop()
        finally:
            nats.kill()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/dashboard.png")))
