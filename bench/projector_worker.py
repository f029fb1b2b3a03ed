"""One projector in a process of its own, so its peak RSS is its own: `python -m bench.projector_worker
NATS_URL DATABASE_URL UNTIL_SEQ [--publish]`. Prints `ready`, then one JSON line when it has applied
UNTIL_SEQ: the wall-clock time it got there, the seconds since its start, and its peak RSS (VmHWM)."""

import asyncio
import json
import sys
import time
from pathlib import Path

import nats

from services.indicators.db import create_engine, migrate
from services.indicators.projector import Projector
from shared.runtime import collect_garbage_less


def peak_rss_mb() -> float:
    line = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM"))
    return int(line.split()[1]) / 1024


async def run(nats_url: str, database_url: str, until_seq: int, publish: bool) -> dict:
    collect_garbage_less()  # as the indicators service's process does
    engine = create_engine(database_url)
    await migrate(engine)
    nc = await nats.connect(nats_url)
    projector = Projector(nc, engine, publish=publish)
    print("ready", flush=True)
    started = time.perf_counter()
    await projector.start()
    while projector.position < until_seq:
        await asyncio.sleep(0.01)
    seconds = time.perf_counter() - started
    await projector.stop()
    await nc.close()
    await engine.dispose()
    return {"done_at": time.time(), "seconds": seconds, "peak_rss_mb": peak_rss_mb()}


if __name__ == "__main__":
    url, database, until = sys.argv[1], sys.argv[2], int(sys.argv[3])
    print(json.dumps(asyncio.run(run(url, database, until, "--publish" in sys.argv[4:]))), flush=True)
