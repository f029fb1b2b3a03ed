"""How the projector takes events off its ordered consumer: in runs of whatever has arrived, into a bounded
buffer that its batch loop empties, answering the consumer's flow control as soon as it may. Per-event
queue and task overhead was a large part of a catching-up projector's time; runs pay it once."""

import asyncio
import datetime as dt
from collections import deque
from collections.abc import AsyncIterator

from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

# A delivery as the projector takes it: (stream sequence, when it was stored in ns since the epoch, the
# payload or, read already by a receiving process, the event and its data's JSON (recorded.read_directly),
# headers).
Arrival = tuple[int, int, bytes | dict, str | None, dict[str, str] | None]


async def runs(subscription, most: int) -> AsyncIterator[list[Msg]]:
    """The subscription's messages, as many at a time as have arrived (at most `most`), taken straight from
    nats-py's queue with the bookkeeping its `messages` iterator does (pending bytes, so the subscription
    never counts as a slow consumer; task_done, so a drain completes). That queue is what the consumer's
    flow control looks at, so a projector behind the stream holds a bounded number of events."""
    queue = getattr(subscription, "_pending_queue", None)
    if queue is None or not hasattr(getattr(subscription, "_sub", None), "_pending_size"):
        async for message in subscription.messages:  # a nats-py whose internals differ: the public way
            yield [message]
        return
    while True:
        run = await taken(subscription._sub, most)
        await _answer_flow_control(subscription)
        yield run


async def taken(subscription: Subscription, most: int, timeout: float | None = None) -> list[Msg]:
    """What waits in a core subscription's queue, at least one message and at most `most`, with the
    bookkeeping nats-py's own iterator does. TimeoutError when none arrives within `timeout` (if given)."""
    queue = subscription._pending_queue
    run = [await (queue.get() if timeout is None else asyncio.wait_for(queue.get(), timeout))]
    while len(run) < most and not queue.empty():
        run.append(queue.get_nowait())
    for message in run:
        queue.task_done()
        subscription._pending_size -= len(message.data)
    return run


async def _answer_flow_control(subscription) -> None:
    """Tell the server to go on sending once the events before its flow-control request are taken, as
    nats-py does after a callback or `next_msg`. For a subscription read as an iterator, nats-py only looks
    every quarter of a second, and the server waits meanwhile: most of a rebuild's idle time."""
    inner = subscription._sub
    jsi, connection = getattr(inner, "_jsi", None), getattr(inner, "_conn", None)
    if jsi is None or connection is None or not getattr(jsi, "_fcr", None) or jsi.get_js_delivered() < jsi._fcd:
        return
    reply, jsi._fcr = jsi._fcr, None
    await connection.publish(reply)


def arrival(message: Msg, headers: dict[str, str] | None) -> Arrival:
    """The stream sequence and time from the delivery's reply subject, without the rest of its metadata
    (nats-py's `Msg.metadata` makes objects and a datetime for each message): `$JS.ACK.<stream>.<consumer>.
    <delivered>.<stream seq>.<consumer seq>.<time>...` with 9 tokens, or with a domain and an account hash
    after `ACK`."""
    tokens = message.reply.split(".")
    at = 5 if len(tokens) == 9 else 7
    return int(tokens[at]), int(tokens[at + 2]), message.data, None, headers


def stored_at(nanoseconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(nanoseconds / 1e9, dt.UTC)


class Buffer:
    """Received events waiting to be applied. `add` waits while `limit` or more are waiting."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._items: deque = deque()
        self._added = asyncio.Event()
        self._taken = asyncio.Event()

    def __len__(self) -> int:
        return len(self._items)

    async def add(self, items: list) -> None:
        self._items.extend(items)
        self._added.set()
        while len(self._items) >= self.limit:
            self._taken.clear()
            await self._taken.wait()

    async def take(self, most: int) -> list:
        """At least one item, and at most `most`: all that are waiting up to that."""
        while not self._items:
            self._added.clear()
            await self._added.wait()
        taken = [self._items.popleft() for _ in range(min(most, len(self._items)))]
        self._taken.set()
        return taken

    def clear(self) -> None:
        self._items.clear()
        self._taken.set()
