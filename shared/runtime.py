"""How a service process runs: JSON logs, tracing, then its work and its HTTP side until SIGINT/SIGTERM."""

import signal
from collections.abc import Awaitable, Callable

import uvicorn
from fastapi import FastAPI

from shared import logs, telemetry


def prepare_process(service: str) -> None:
    logs.configure()
    telemetry.configure(service)


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
