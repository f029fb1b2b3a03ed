"""How the projector takes events off its ordered consumer: in runs of whatever has arrived, into a bounded
buffer that its batch loop empties, answering the consumer's flow control as soon as it may. Per-event
queue and task overhead was a large part of a catching-up projector's time; runs pay it once."""

import asyncio
import datetime as dt
from collections import deque
from collections.abc import AsyncGenerator

from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js.client import JetStreamContext

from shared import nats_internals

# A delivery as the projector takes it: (stream sequence, when it was stored in ns since the epoch, the
# payload or, read already by a receiving process, the event and its data's JSON (recorded.read_directly),
# headers, and the payload's leaf hash in the transparency log when a receiving process made it).
Arrival = tuple[int, int, bytes | dict, str | None, dict[str, str] | None, bytes | None]


async def runs(subscription: JetStreamContext.PushSubscription, most: int) -> AsyncGenerator[list[Msg], None]:
    """The subscription's messages, as many at a time as have arrived (at most `most`), taken straight from
    nats-py's queue, the consumer's flow control answered as soon as they are taken. That queue is what the
    flow control looks at, so a projector behind the stream holds a bounded number of events. With a nats-py
    whose internals are not the ones shared/nats_internals.py knows: one at a time, by its public iterator."""
    if not (nats_internals.takes_from_queue(subscription) and nats_internals.answers_flow_control(subscription)):
        async for message in subscription.messages:
            yield [message]
        return
    while True:
        run = await nats_internals.take(subscription, most)
        await nats_internals.answer_flow_control(subscription)
        yield run


async def taken(subscription: Subscription, most: int, timeout: float | None = None) -> list[Msg]:
    """What waits for a subscription made without a callback: at least one message and at most `most`.
    TimeoutError when none arrives within `timeout` (if given)."""
    if nats_internals.takes_from_queue(subscription):
        return await nats_internals.take(subscription, most, timeout)
    run = [await subscription.next_msg(timeout=timeout)]
    while len(run) < most and subscription.pending_msgs:
        run.append(await subscription.next_msg())
    return run


def arrival(message: Msg, headers: dict[str, str] | None) -> Arrival:
    """The stream sequence and time from the delivery's reply subject, without the rest of its metadata
    (nats-py's `Msg.metadata` makes objects and a datetime for each message): `$JS.ACK.<stream>.<consumer>.
    <delivered>.<stream seq>.<consumer seq>.<time>...` with 9 tokens, or with a domain and an account hash
    after `ACK`."""
    tokens = message.reply.split(".")
    at = 5 if len(tokens) == 9 else 7
    return int(tokens[at]), int(tokens[at + 2]), message.data, None, headers, None


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
