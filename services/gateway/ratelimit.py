"""Requests per key (a token, or a client's failed sign-ins), counted in NATS so that every gateway replica
counts the same requests: one JetStream counter per key and window in the stream OGI_RATE (each request
adds one, and the store answers with the total), windows of `burst / rate` seconds that hold at most `burst`
requests. Old windows go with the stream's maximum age.

Should NATS not answer, the request goes through (logged): without NATS nothing can be submitted anyway,
and a limiter that refused everyone would turn a NATS hiccup into an outage of the gateway."""

import hashlib
import json
import logging
import time

from nats.aio.client import Client
from nats.js.errors import NotFoundError

from shared import subjects

log = logging.getLogger("ogi.gateway")

COUNTER_INCREMENT = {"Nats-Incr": "1"}


class RateLimiter:
    def __init__(self, nc: Client, name: str, rate: float, burst: int) -> None:
        self._nc, self._name, self._burst = nc, name, burst
        self._window = burst / rate

    async def wait_needed(self, key: str) -> float:
        """0 if a request under `key` may go now (and it is counted), else the seconds until one may."""
        now = time.time()
        window = int(now // self._window)
        subject = subjects.rate_counter(self._name, _token_of(key), window)
        try:
            answer = await self._nc.request(subject, b"", headers=COUNTER_INCREMENT, timeout=2.0)
            count = int(json.loads(answer.data)["val"])
        except Exception as error:
            log.warning("rate of %s not counted, let through: %r", self._name, error)
            return 0.0
        if count <= self._burst:
            return 0.0
        return (window + 1) * self._window - now

    async def over(self, key: str) -> bool:
        """Whether `key` has used up this window already (nothing is counted)."""
        now = time.time()
        subject = subjects.rate_counter(self._name, _token_of(key), int(now // self._window))
        try:
            last = await self._nc.jetstream().get_last_msg(subjects.RATE_STREAM, subject, direct=True)
        except NotFoundError:
            return False
        except Exception as error:
            log.warning("rate of %s not read, let through: %r", self._name, error)
            return False
        return int(json.loads(last.data or b"")["val"]) >= self._burst


def _token_of(key: str) -> str:
    """A subject token for any key (a client address may hold dots or colons)."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]
