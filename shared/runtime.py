"""How a service process runs: JSON logs, tracing, then its work and its HTTP side until SIGINT/SIGTERM."""

import gc
import signal
from collections.abc import Awaitable, Callable

import uvicorn
from fastapi import FastAPI

from shared import logs, telemetry

# Collections of the youngest generation after this many allocations (CPython's default is 700): a service
# allocates a few dicts per message, and at the default the collector ran every few messages; a projector
# catching up spent about a sixth of its time in it.
YOUNG_COLLECTION_THRESHOLD = 20_000


def prepare_process(service: str) -> None:
    logs.configure()
    telemetry.configure(service)
    collect_garbage_less()


def collect_garbage_less() -> None:
    """Fewer garbage collections: what is loaded at start (modules, settings, the region list) is moved out
    of the collector's reach for good, and the youngest generation is collected less often."""
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, 50, 100)


async def serve(http: FastAPI, host: str, port: int, start: Callable[[], Awaitable[None]], stop: Callable[[], Awaitable[None]]) -> None:
    await start()
    # uvicorn re-raises the signal that stopped it once its own side is down; with a handler of ours in
    # place the service's work is then stopped too, and the process exits with status 0.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: None)
    config = uvicorn.Config(http, host=host, port=port, log_config=None, log_level="warning", lifespan="off")
    try:
        await uvicorn.Server(config).serve()
    finally:
        await stop()
        telemetry.shutdown()
