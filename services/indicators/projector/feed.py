"""The projector's feed: OGI_EVENTS from a sequence on, decoded as the events arrive (while the previous batch
is being written) into a bounded buffer the batch loop takes from. A projector behind the stream holds a
bounded number of events: when the buffer is full, the consumer's flow control waits for it.

It needs no durable consumer: the position lives in SQL, so the feed opens an ordered consumer at the
checkpoint + 1 (a catch-up subscription). A projector far behind at start (`catch_up_until`: a rebuild, a
replica back after a long stop) has its events received by a child process (receiver.py) until it has
caught up with where the stream was, then by its own consumer from the next event; should the child fail,
its own consumer takes over from there. Receiving and applying then run on two cores instead of taking turns.
"""

import asyncio
import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass

from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy

from services.indicators.projector import arrivals, statements, transaction
from services.indicators.projector.arrivals import Arrival
from services.indicators.projector.receiver import ReceiverFailed, ReceiverProcess, Receiving
from services.indicators.projector.recorded import Recorded
from services.indicators.tlog.merkle import leaf_hash
from shared import subjects

log = logging.getLogger("ogi.projector")


@dataclass(slots=True)
class Delivered:
    recorded: Recorded
    headers: dict[str, str] | None
    stored_ns: int  # when the stream stored it
    error: Exception | None = None  # why the event could not be read, raised where the batch is applied


class Feed:
    def __init__(self, nc: Client, dialect, limit: int, receiver: ReceiverProcess | None, on_failure: Callable[[BaseException], None]) -> None:
        """`limit`: decoded events waiting at most. `receiver`: how to start a receiving process, if one may
        be used. `on_failure`: told when receiving fails for good (the projector then stops)."""
        self._js = nc.jetstream()
        self._log_rows = statements.LogRows.of(dialect)
        self._buffer = arrivals.Buffer(limit)
        self._receiver_process = receiver
        self._on_failure = on_failure
        self._task: asyncio.Task | None = None
        self._subscription: JetStreamContext.PushSubscription | None = None
        self._receiving: Receiving | None = None
        self._catch_up_until: int | None = None  # while a receiving process receives: up to where

    @property
    def limit(self) -> int:
        return self._buffer.limit

    def __len__(self) -> int:
        return len(self._buffer)

    @property
    def receiver_pid(self) -> int | None:
        """The receiving process's, while one receives."""
        return self._receiving.process.pid if self._receiving is not None else None

    def start(self, first: int, catch_up_until: int | None = None) -> None:
        """Receive from `first` on; with a receiving process up to `catch_up_until`, if given and one may be used."""
        self._catch_up_until = catch_up_until if self._receiver_process is not None else None
        self._task = asyncio.create_task(self._receive(first), name="projector receiver")
        self._task.add_done_callback(self._ended)

    async def restart(self, first: int, catch_up: bool = True) -> None:
        """Start over at `first`, dropping what was received; without a receiving process unless `catch_up`."""
        until = self._catch_up_until if catch_up else None
        await self.stop()
        self._buffer.clear()
        self.start(first, until)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            try:
                await subscription.unsubscribe()
            except Exception as error:  # the connection is closed or draining already: nothing more will arrive
                log.debug("unsubscribe: %r", error)
        receiving, self._receiving = self._receiving, None
        if receiving is not None:
            await receiving.stop()

    async def take(self, most: int) -> list[Delivered]:
        """At least one delivery, and at most `most`: all that are waiting up to that."""
        return await self._buffer.take(most)

    def _ended(self, task: asyncio.Task) -> None:
        """The receiving task ends only when cancelled; if it failed, the projector must not wait for ever."""
        if not task.cancelled() and (error := task.exception()) is not None:
            self._on_failure(error)

    async def _receive(self, first: int) -> None:
        async with aclosing(self._runs(first)) as runs:
            async for run in runs:
                await self._buffer.add([self._decoded(*arrival) for arrival in run])

    def _decoded(self, seq: int, stored_ns: int, payload_or_event, data_json: str | None, headers, leaf: bytes | None) -> Delivered:
        """The delivery with its event read, its event_log row made ready and its leaf hash, or with why it
        cannot be read (its leaf hash all the same: the log holds every stored payload)."""
        try:
            if isinstance(payload_or_event, bytes):
                recorded = transaction.read(seq, payload_or_event)
            else:  # read already by a receiving process
                recorded = Recorded(seq, payload_or_event, data_json, leaf=leaf)
            recorded.log_row = self._log_rows.row(recorded)
            return Delivered(recorded, headers, stored_ns)
        except Exception as error:
            if isinstance(payload_or_event, bytes):
                leaf = leaf_hash(payload_or_event)
            return Delivered(Recorded(seq, {}, leaf=leaf), headers, stored_ns, error)  # nothing of it could be read

    async def _runs(self, first: int) -> AsyncGenerator[list[Arrival], None]:
        """Deliveries from `first` on: while far behind, from a receiving process; then (or should it fail)
        from this process's own ordered consumer, from where the receiving process got to."""
        if self._catch_up_until is not None and first <= self._catch_up_until:
            async with aclosing(self._runs_received_apart(first)) as runs:
                async for run in runs:
                    yield run
                    first = run[-1][0] + 1
        self._catch_up_until = None
        self._subscription = subscription = await self._js.subscribe(
            "ogi.events.>",
            stream=subjects.EVENTS_STREAM,
            ordered_consumer=True,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=first),
            # Read by a task of our own rather than a callback: the consumer's flow control then waits for
            # the events to be taken, which bounds what a projector behind the stream holds in memory.
            pending_msgs_limit=1_000_000,
        )
        async for messages in arrivals.runs(subscription, self._buffer.limit):
            yield [arrivals.arrival(message, message.headers) for message in messages]

    async def _runs_received_apart(self, first: int) -> AsyncGenerator[list[Arrival], None]:
        """Runs from a receiving process, from `first` until one reaches `_catch_up_until`."""
        if self._receiver_process is None or self._catch_up_until is None:  # start() catches up only with a receiving process
            return
        try:
            receiving = self._receiving = await self._receiver_process.start(first)
        except OSError as error:
            log.warning("no receiving process (%r): catching up in this process", error)
            return
        log.info("catching up from %s to %s with a receiving process (pid %s)", first, self._catch_up_until, receiving.process.pid)
        try:
            async for run in receiving.runs():
                yield run
                if run[-1][0] >= self._catch_up_until:
                    log.info("caught up to %s: receiving in this process from here on", self._catch_up_until)
                    return
        except ReceiverFailed as error:
            log.warning("%s; receiving in this process from here on", error)
        finally:
            if self._receiving is receiving:
                self._receiving = None
            await receiving.stop()
