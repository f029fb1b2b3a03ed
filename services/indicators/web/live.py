"""Live updates for dashboards, as server-sent events at `/api/v1/indicators/stream`.

One NATS subscription to `ogi.indicators.>` and one watcher of the projector's checkpoint serve every open
stream. An `indicator` event carries the payload published on NATS (a count changed); a `position` event
says the read model now includes a later event (which may change the regions, sectors or history without
changing any count). Each stream opens with `hello`, sent once the stream is registered, so a client that
reads everything after `hello` misses nothing; EventSource reconnects by itself, a second after a restart.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable

import anyio
from nats.aio.client import Client
from nats.aio.subscription import Subscription
from sqlalchemy.ext.asyncio import AsyncEngine

from services.indicators.readmodel import checkpoint

log = logging.getLogger("ogi.stream")

QUEUE_SIZE = 256
# Streams open at once, each a queue and a connection: a flood of them must not take the memory the projector
# and the other readers need. A stream asked for beyond it is refused (503) and the browser tries again.
STREAMS_AT_MOST = 1000
RECONNECT_MS = 1000
RELOAD = {"event": "hello", "data": json.dumps({"as_of_seq": None})}


class LiveUpdates:
    def __init__(self, engine: AsyncEngine, nats: Callable[[], Client | None], poll_interval: float = 0.2) -> None:
        self._engine = engine
        self._nats = nats
        self._poll_interval = poll_interval
        self._clients: set[asyncio.Queue[dict | None]] = set()  # None: the stream ends
        self._subscription: Subscription | None = None
        self._watcher: asyncio.Task | None = None

    @property
    def full(self) -> bool:
        return len(self._clients) >= STREAMS_AT_MOST

    async def stream(self, stopping: anyio.Event) -> AsyncIterator[dict]:
        """One client's events, until it goes or `stopping` is set (the server is shutting down)."""
        queue: asyncio.Queue[dict | None] = asyncio.Queue(QUEUE_SIZE)
        self._clients.add(queue)
        ending = asyncio.create_task(_end_when(stopping, queue))
        try:
            await self._start()
            yield {"event": "hello", "data": json.dumps({"as_of_seq": await self._position()}), "retry": RECONNECT_MS}
            while (message := await queue.get()) is not None:
                yield message
        finally:
            self._clients.discard(queue)
            ending.cancel()

    async def _start(self) -> None:
        nc = self._nats()
        if self._subscription is None and nc is not None:
            self._subscription = await nc.subscribe("ogi.indicators.>", cb=self._relay)
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.create_task(self._watch(await self._position()), name="stream-position")

    async def _relay(self, message) -> None:
        self._broadcast({"event": "indicator", "data": message.data.decode()})

    async def _watch(self, seen: int) -> None:
        while self._clients:
            await asyncio.sleep(self._poll_interval)
            try:
                position = await self._position()
            except Exception as error:  # the database is away: try again on the next tick
                log.warning("projector position not read: %r", error)
                continue
            if position != seen:
                seen = position
                self._broadcast({"event": "position", "data": json.dumps({"as_of_seq": position})})

    async def _position(self) -> int:
        async with self._engine.connect() as connection:
            return await checkpoint.position(connection)

    def _broadcast(self, message: dict) -> None:
        for queue in self._clients:
            if queue.full():  # a client that cannot keep up reloads everything instead
                _clear(queue)
                queue.put_nowait(RELOAD)
            else:
                queue.put_nowait(message)


async def _end_when(stopping: anyio.Event, queue: asyncio.Queue) -> None:
    await stopping.wait()
    _clear(queue)
    queue.put_nowait(None)


def _clear(queue: asyncio.Queue) -> None:
    while not queue.empty():
        queue.get_nowait()
