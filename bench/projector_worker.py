"""One projector in a process of its own, so its peak RSS is its own: `python -m bench.projector_worker
NATS_URL DATABASE_URL UNTIL_SEQ [--publish]`. Prints `ready`, then one JSON line when it has applied
UNTIL_SEQ: the wall-clock time it got there, the seconds since its start, and its peak RSS (VmHWM) with
that of any receiving process it started added (the sum of the two peaks, which may not coincide)."""

import asyncio
import json
import os
import sys
import time
from pathlib import Path

import nats

from services.indicators.projector.loop import Projector
from services.indicators.projector.receiver import ReceiverProcess
from services.indicators.readmodel.db import create_engine, migrate
from shared.runtime import collect_garbage_less


def peak_rss_mb(pid: int | str = "self") -> float:
    line = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmHWM"))
    return int(line.split()[1]) / 1024


def children_peak_rss_mb(peaks: dict[str, float]) -> None:
    """Record the peak RSS of each child process still running (a receiving process ends when caught up)."""
    for pid in Path(f"/proc/self/task/{os.getpid()}/children").read_text().split():
        try:
            peaks[pid] = peak_rss_mb(pid)
        except (OSError, StopIteration):  # it has just ended
            pass


async def run(nats_url: str, database_url: str, until_seq: int, publish: bool) -> dict:
    collect_garbage_less()  # as the indicators service's process does
    engine = create_engine(database_url)
    await migrate(engine)
    nc = await nats.connect(nats_url)
    projector = Projector(nc, engine, publish=publish, receiver=ReceiverProcess(nats_url))
    print("ready", flush=True)
    started = time.perf_counter()
    await projector.start()
    children: dict[str, float] = {}
    while projector.position < until_seq:
        children_peak_rss_mb(children)
        await asyncio.sleep(0.01)
    seconds = time.perf_counter() - started
    await projector.stop()
    await nc.close()
    await engine.dispose()
    own = peak_rss_mb()
    return {"done_at": time.time(), "seconds": seconds, "peak_rss_mb": own + sum(children.values()), "receiver_peak_rss_mb": sum(children.values())}


if __name__ == "__main__":
    url, database, until = sys.argv[1], sys.argv[2], int(sys.argv[3])
    print(json.dumps(asyncio.run(run(url, database, until, "--publish" in sys.argv[4:]))), flush=True)
