"""Take docs/dashboard.png (and -phone.png, 360 px wide): a realistic scenario submitted through the real
system, the dashboard in headless Chromium. Run: `.venv/bin/python -m tests.browser.screenshot docs/dashboard.png`."""

import asyncio
import datetime as dt
import random
import sys
import tempfile
from pathlib import Path

from ogi.embedded_nats import EmbeddedNats, free_port
from shared.contracts.submissions import Sector
from shared.regions import all_regions
from shared.settings import Settings
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.http_server import HttpServer
from tests.support import new_id, running_system


async def submit_scenario(system, regions: int = 70, seed: int = 2019) -> None:
    """Regions enrolled over 2018–2020 by both ministries; most trained, some with plans."""
    rng = random.Random(seed)
    last = 0
    for index, region in enumerate(rng.sample(all_regions(), regions)):
        ministry = system.ministry("kemendagri" if index % 3 else "kominfo")
        day = dt.date(2018, 3, 1) + dt.timedelta(days=rng.randrange(0, 950))

        async def send(kind: str, ministry=ministry, region=region, **body) -> None:
            nonlocal day, last
            outcome = await ministry.submit(kind, {"submission_id": new_id(), "region_code": region.code, "occurred_on": day.isoformat(), **body})
            assert outcome.status == "accepted", outcome
            last = max(last, outcome.event_seq)
            day += dt.timedelta(days=rng.randrange(20, 120))

        letter = (day - dt.timedelta(days=rng.randrange(5, 40))).isoformat() if rng.random() < 0.7 else None
        await send("region.enroll", ppid_established=rng.random() < 0.8, **({"commitment_letter_on": letter} if letter else {}))
        if rng.random() < 0.75:
            await send("training.complete", session_id=f"tot-{region.token}", participants=rng.randrange(15, 40))
            if rng.random() < 0.55:
                sectors = rng.sample(list(Sector), rng.randrange(1, 4))
                await send("plan.submit", plan_id=f"ra-{region.token}", title=f"Rencana Aksi Keterbukaan {region.name}", sectors=sectors)
    await system.projected(last)


async def main(target: Path) -> None:
    from playwright.async_api import async_playwright

    with tempfile.TemporaryDirectory() as tmp:
        nats = EmbeddedNats(Path(tmp) / "nats", free_port())
        nats.start()
        try:
            settings = Settings(data_dir=Path(tmp), nats_url=nats.url, database_url=f"sqlite:///{tmp}/ogi.db", http_port=free_port())
            async with running_system(settings) as system:
                await submit_scenario(system)
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
