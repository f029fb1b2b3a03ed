"""One way to connect to NATS: reconnect for ever once connected, but give up on a server that is not
there at start with an error a person can act on."""

import asyncio
import logging

import nats
from nats.aio.client import Client

log = logging.getLogger("ogi.nats")


class NatsUnreachable(RuntimeError):
    pass


async def _log_error(error: Exception) -> None:
    log.warning("NATS connection: %s", error or type(error).__name__)


async def connect(url: str, name: str, timeout: float = 5.0, **options) -> Client:
    options = {
        "error_cb": _log_error,
        "connect_timeout": 2,
        "max_reconnect_attempts": -1,
        "reconnect_time_wait": 0.5,
        **options,
    }
    try:
        return await asyncio.wait_for(nats.connect(url.split(","), name=name, **options), timeout)
    except Exception as error:  # nats-py raises several unrelated types for "nobody answered"
        raise NatsUnreachable(f"cannot reach NATS at {url} within {timeout:.0f} s") from error
