"""Which stored submission is the original of a submission id: the first one stored in OGI_INBOX, always.

Two submissions with one id may be decided in any order: by two services at once (a training and a plan),
or by one service when the first is delivered again. So every deciding process reads OGI_INBOX itself, in
stream order, with an ordered consumer of its own, and remembers the first sequence that carried each
(ministry, submission id). A decision waits until this reading has passed its own submission: every
submission stored before it is then known, whichever service consumes it and whether or not that service
is running, and one that finds an earlier carrier of its id is a duplicate of it.

The reading starts at the *settled* sequence: the last one up to which every deciding consumer has
acknowledged every submission. Each of those got its outcome after its first carrier claimed the id in
OGI_SUBMISSIONS (shared/ledger.py), so below it the claims answer, and what the reading remembers from
below it is forgotten as the settled sequence moves on.
"""

import asyncio
import heapq
import logging

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from shared import subjects
from shared.inbound import Inbound

log = logging.getLogger("ogi.inbox_order")

SETTLED_EVERY_SECONDS = 5.0
READ_WAIT_SECONDS = 10.0  # for the reading to pass a submission, before its decision is put off
START_ATTEMPTS = 10  # of asking where to start reading, while the JetStream API does not answer in time


class NotReadYet(Exception):
    """The reading of the inbox has not passed this submission yet."""


async def settled_seq(nc: Client, consumers: tuple[str, ...] = tuple(subjects.SERVICE_KINDS)) -> int:
    """The last inbox sequence up to which every deciding consumer has acknowledged every submission."""
    js = nc.jetstream()
    # Read before the consumers: one with nothing pending or unacknowledged then has acknowledged up to here.
    last = (await js.stream_info(subjects.INBOX_STREAM)).state.last_seq
    floors = []
    for name in consumers:
        try:
            info = await js.consumer_info(subjects.INBOX_STREAM, name)
        except NotFoundError:  # never consumed yet: nothing of it is settled
            return 0
        done = info.num_pending == 0 and info.num_ack_pending == 0
        floors.append(last if done else info.ack_floor.stream_seq)
    return min(floors)


class InboxOrder:
    def __init__(self, nc: Client) -> None:
        self._nc = nc
        self._first: dict[tuple[str, str], int] = {}  # in the order read: by first sequence
        self._position = 0  # every submission up to here is read
        self._waiting: list[tuple[int, int, asyncio.Future]] = []  # (seq, tiebreak, future), a heap
        self._subscription: JetStreamContext.PushSubscription | None = None
        self._settling: asyncio.Task | None = None
        self._starting = asyncio.Lock()

    async def earlier_carrier(self, inbound: Inbound) -> int | None:
        """The sequence of a submission stored before `inbound` that carried its id, if the reading found one;
        None: no earlier one since the settled sequence (below it, the claim tells)."""
        await self._read_past(inbound.seq)
        if inbound.submission_id is None:
            return None
        first = self._first.get((inbound.ministry, inbound.submission_id))
        return first if first is not None and first < inbound.seq else None

    async def start(self) -> None:
        async with self._starting:
            if self._subscription is not None:
                return
            self._position = await self._settled_when_answered()
            start = DeliverPolicy.ALL if self._position == 0 else DeliverPolicy.BY_START_SEQUENCE
            config = ConsumerConfig(deliver_policy=start, opt_start_seq=self._position + 1 if self._position else None)
            self._subscription = await self._nc.jetstream().subscribe(
                "ogi.inbox.>", stream=subjects.INBOX_STREAM, ordered_consumer=True, config=config, cb=self._read
            )
            self._settling = asyncio.create_task(self._forget_settled(), name="inbox order: forget the settled")

    async def stop(self) -> None:
        if self._settling is not None:
            self._settling.cancel()
            await asyncio.gather(self._settling, return_exceptions=True)
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            try:
                await subscription.unsubscribe()
            except Exception as error:  # a subscription of a lost connection is gone already
                log.debug("inbox order subscription not ended: %r", error)
        for _, _, future in self._waiting:
            future.cancel()

    async def _settled_when_answered(self) -> int:
        """The settled sequence, asked again while the JetStream API times out (a cluster electing a leader, a
        server too busy to answer in time): a deciding process starting then waits instead of exiting."""
        for attempt in range(1, START_ATTEMPTS):
            try:
                return await settled_seq(self._nc)
            except NatsTimeout:
                log.warning("where to start reading the inbox not known yet (attempt %s): the JetStream API did not answer in time", attempt)
                await asyncio.sleep(min(attempt, 5))
        return await settled_seq(self._nc)

    async def _read_past(self, seq: int) -> None:
        if self._subscription is None:
            await self.start()
        if seq <= self._position:
            return
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (seq, id(future), future))
        try:
            await asyncio.wait_for(asyncio.shield(future), READ_WAIT_SECONDS)
        except TimeoutError:
            raise NotReadYet(f"the inbox is read up to {self._position}, not yet to {seq}") from None

    async def _read(self, message: Msg) -> None:
        seq = _stream_seq(message)
        ministry, kind = subjects.parse_inbox(message.subject)
        submission_id = Inbound(ministry, kind, seq, message.data, message.headers or {}).submission_id
        if submission_id is not None:
            self._first.setdefault((ministry, submission_id), seq)
        self._position = max(self._position, seq)
        while self._waiting and self._waiting[0][0] <= self._position:
            _, _, future = heapq.heappop(self._waiting)
            if not future.done():
                future.set_result(None)

    async def _forget_settled(self) -> None:
        while True:
            await asyncio.sleep(SETTLED_EVERY_SECONDS)
            try:
                settled = await settled_seq(self._nc)
            except Exception as error:  # NATS away: forget later
                log.debug("settled sequence not read: %r", error)
                continue
            forgotten = []
            for key, first in self._first.items():
                if first > settled:
                    break
                forgotten.append(key)
            for key in forgotten:
                del self._first[key]


def _stream_seq(message: Msg) -> int:
    """From the delivery's reply subject (`$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>...`, with a
    domain and an account hash after `ACK` in the longer form), without nats-py's per-message metadata."""
    tokens = message.reply.split(".")
    return int(tokens[5 if len(tokens) == 9 else 7])
