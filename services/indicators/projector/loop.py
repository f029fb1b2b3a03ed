"""The projector: applies OGI_EVENTS in stream order to the read model, then tells dashboards.

Its position lives in SQL, in the same transaction as the rows an event changed, so it needs no durable
consumer: at start it opens an ordered consumer at checkpoint + 1 (a catch-up subscription). Events are
decoded as they arrive, into a bounded queue (a projector behind the stream holds a bounded number of them:
the consumer's flow control waits for it), and applied in batches of whatever has arrived: one event when
events come one at a time, up to MAX_BATCH while catching up. After each committed batch the changed
indicators go to KV OGI_INDICATORS and to `ogi.indicators.<scope>.<indicator>`, all at once.

A projector CATCH_UP_MIN or more behind the stream at start (a rebuild, a replica back after a long stop)
has its events received by a child process (services.indicators.projector.receiver) until it has caught up with
where the stream was, then by its own consumer from the next event; should the child fail, its own
consumer takes over from there. Receiving and applying then run on two cores instead of taking turns.

An empty read model far behind the stream (a rebuild, a new replica's database) is filled as a bulk load:
event_log without its indexes, each built once, by sorting, when the projector has caught up. Row by row
they were most of a long rebuild's time (the unique event_id index grows at random places); a bulk load
that is interrupted leaves them out, and the next start builds them before it projects anything.

Several projectors may run on one database (replicas of the indicators service): a batch commits only if
the checkpoint is still where this projector read it. The one that loses reloads its state from the
database and goes on after the new checkpoint; only the one that committed a batch publishes its changes.

An event the projector cannot read stops it, after every event before it, with a logged error that says
why; it is never skipped, since every count after it could be wrong. Events stored at an older schema
version are read as their type's current one (shared.contracts.versions); an event of a type or version
this release does not know (most often one written by a newer release) is such an error
(UnknownEventVersion, naming the type, the version and the highest known): the projector goes on once a
release that reads it runs.
"""

import asyncio
import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass

from nats.aio.client import Client
from nats.js.api import ConsumerConfig, DeliverPolicy
from opentelemetry import trace
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.indicators.projector import arrivals
from services.indicators.projector import transaction
from services.indicators.readmodel import tables
from services.indicators.projector.arrivals import Arrival
from services.indicators.projector.metrics import ProjectorMetrics
from services.indicators.projector.transaction import ReadModel
from services.indicators.projector.recorded import Recorded
from services.indicators.projector.publisher import IndicatorPublisher
from services.indicators.projector.receiver import ReceiverFailed, ReceiverProcess, Receiving
from services.indicators.projector.writer import Writer
from shared import subjects, telemetry
from shared.contracts.indicators import TARGETS, IndicatorValue

log = logging.getLogger("ogi.projector")

# A batch being written and the next one decoded (the projector's peak over a 1M rebuild: 108 MB at 5,000,
# 102 MB at 2,500). Larger batches write fewer region rows per event: a region's row once per batch.
MAX_BATCH = 5000
QUEUED = MAX_BATCH  # decoded events waiting (the next batch); beyond that the consumer waits (flow control)
# A batch this small is live traffic: each event gets a span in its submission's trace. A larger one is
# a projector catching up: one span for the batch, linked to a bounded number of the events' traces.
TRACED_EVENTS = 64
LINKS = 32
RETRY_DELAY_MAX = 10.0
BULK_LOAD_MIN = 10_000  # events an empty read model must be behind for a bulk load
CATCH_UP_MIN = 10_000  # events a projector must be behind to catch up with a receiving process


@dataclass(slots=True)
class Delivered:
    recorded: Recorded
    headers: dict[str, str] | None
    stored_ns: int  # when the stream stored it
    error: Exception | None = None  # why the event could not be read, raised where the batch is applied


class Projector:
    def __init__(
        self,
        nc: Client,
        engine: AsyncEngine,
        metrics: ProjectorMetrics | None = None,
        batch_size: int = MAX_BATCH,
        publish: bool = True,
        bulk_load_min: int = BULK_LOAD_MIN,
        receiver: ReceiverProcess | None = None,
        catch_up_min: int = CATCH_UP_MIN,
    ) -> None:
        """`publish=False` builds a read model without telling anyone (a rebuild beside the live one).
        `receiver`: how to start a receiving process, for catching up when `catch_up_min` or more behind."""
        self._nc = nc
        self._publishing = publish
        # Events after this sequence wait (None: no limit): lets a rebuild stop where the live one is.
        self._limit: int | None = None
        self._limit_raised = asyncio.Event()
        self._held: list[Delivered] = []
        self.metrics = metrics or ProjectorMetrics()
        self._js = nc.jetstream()
        self._engine = engine
        self._writer: Writer | None = None  # from start to stop
        self._batch_size = batch_size
        self._received = arrivals.Buffer(max(QUEUED, batch_size))
        self._task: asyncio.Task | None = None
        self._subscription = None
        self._receiver_task: asyncio.Task | None = None
        self._publisher: IndicatorPublisher | None = None
        self._dirty = False  # the KV bucket may lag the database after a failed publish
        self._model = ReadModel()
        self._restarted_at: int | None = None  # the position the consumer last started again from after a gap
        self.position = 0  # the last event applied, and its changes published
        self._applied_at: dt.datetime | None = None  # stream timestamp of the last event applied
        self._bulk_load_min = bulk_load_min
        self._bulk_load_until: int | None = None  # during a bulk load: where event_log's indexes get built
        self._receiver_process = receiver
        self._catch_up_min = catch_up_min
        self._catch_up_until: int | None = None  # while a receiving process receives: up to where
        self._receiving: Receiving | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        self._writer = Writer(self._engine)
        await self._load()
        self.position = self._model.position
        last = (await self._js.stream_info(subjects.EVENTS_STREAM)).state.last_seq
        await self._prepare_event_log(last if self._limit is None else min(last, self._limit))
        if self._receiver_process is not None and last - self._model.position >= self._catch_up_min:
            self._catch_up_until = last
        if self._publishing:
            self._publisher = IndicatorPublisher(self._nc, await self._js.key_value(subjects.INDICATORS_BUCKET), self.metrics)
            await self._publish_all()  # a crash between commit and publish leaves the bucket behind
        await self._subscribe()
        self._task = asyncio.create_task(self._run(), name="projector")
        log.info("projecting from sequence %s", self._model.position + 1)

    async def stop(self) -> None:
        """Stop consuming first, then the batch loop; a batch being written ends first (committed or not,
        with its checkpoint: the next start goes on from whichever it was)."""
        await self._unsubscribe()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._writer is not None:
            await self._writer.close()
            self._writer = None

    async def measure_lag(self) -> None:
        """Refresh the lag gauges against the stream's last event (called before each scrape)."""
        state = (await self._js.stream_info(subjects.EVENTS_STREAM)).state
        behind = max(0, state.last_seq - self.position)
        self.metrics.lag_events.set(behind)
        last_time = dt.datetime.fromisoformat(state.last_ts) if behind and state.last_ts else None
        self.metrics.lag_seconds.set((last_time - self._applied_at).total_seconds() if last_time and self._applied_at else 0)

    @property
    def receiver_pid(self) -> int | None:
        """The receiving process's, while one receives for this projector."""
        return self._receiving.process.pid if self._receiving is not None else None

    @property
    def limit(self) -> int | None:
        return self._limit

    @limit.setter
    def limit(self, seq: int | None) -> None:
        self._limit = seq
        self._limit_raised.set()

    async def _prepare_event_log(self, last: int) -> None:
        """Drop event_log's indexes for a bulk load, or make sure they are there."""
        async with self._engine.begin() as connection:
            bulk = self._model.position == 0 and last >= self._bulk_load_min and await transaction.drop_log_indexes_if_empty(connection)
            if not bulk:
                await transaction.create_log_indexes(connection)
        self._bulk_load_until = last if bulk else None
        if bulk:
            log.info("bulk load: event_log indexes are built when event %s is applied", last)

    async def _end_bulk_load(self) -> None:
        """Build event_log's indexes (until the database answers); events wait meanwhile."""
        if self._bulk_load_until is None:
            return
        started = time.perf_counter()

        async def build() -> None:
            async with self._engine.begin() as connection:
                await transaction.create_log_indexes(connection)

        try:
            await _until_database_answers(build, "event_log indexes not built")
        except IntegrityError as error:  # two events with one event_id: the stream itself is wrong
            log.error("event_log's unique index cannot be built, projection stops: %r", error)
            raise
        self._bulk_load_until = None
        log.info("bulk load done at event %s: event_log indexes built in %.1f s", self._model.position, time.perf_counter() - started)

    async def _load(self) -> None:
        async with self._engine.connect() as connection:
            self._model = await ReadModel.load(connection)

    async def _subscribe(self) -> None:
        self._receiver_task = asyncio.create_task(self._receive(self._model.position + 1), name="projector receiver")
        self._receiver_task.add_done_callback(self._receiver_ended)

    async def _restart_consumer(self) -> None:
        """Start over at the model's checkpoint + 1, dropping what was received (another projector applied it)."""
        await self._unsubscribe()
        self._held = []
        self._received.clear()
        await self._subscribe()

    async def _unsubscribe(self) -> None:
        task, self._receiver_task = self._receiver_task, None
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

    async def _receive(self, first: int) -> None:
        """Decode events as they arrive (while a batch is being written) into the bounded buffer, with
        their event_log rows made ready."""
        log_rows = transaction.LogRows.of(self._engine.dialect)
        async with aclosing(self._runs(first)) as runs:
            async for run in runs:
                delivered = []
                for seq, stored_ns, payload_or_event, data_json, headers in run:
                    try:
                        if isinstance(payload_or_event, bytes):
                            recorded = transaction.read(seq, payload_or_event)
                        else:  # read already by a receiving process
                            recorded = Recorded(seq, payload_or_event, data_json)
                        recorded.log_row = log_rows.row(recorded)
                        delivered.append(Delivered(recorded, headers, stored_ns))
                    except Exception as error:
                        delivered.append(Delivered(Recorded(seq, None), headers, stored_ns, error))
                await self._received.add(delivered)

    async def _runs(self, first: int) -> AsyncIterator[list[Arrival]]:
        """Deliveries from `first` on: while far behind, from a receiving process; then (or should it
        fail) from this process's own ordered consumer, from where the receiving process got to."""
        if self._catch_up_until is not None and first <= self._catch_up_until:
            async with aclosing(self._runs_received_apart(first)) as runs:
                async for run in runs:
                    yield run
                    first = run[-1][0] + 1
        self._catch_up_until = None
        self._subscription = await self._js.subscribe(
            "ogi.events.>",
            stream=subjects.EVENTS_STREAM,
            ordered_consumer=True,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=first),
            # Read by a task of our own rather than a callback: the consumer's flow control then waits for
            # the events to be taken, which bounds what a projector behind the stream holds in memory.
            pending_msgs_limit=1_000_000,
        )
        async for run in arrivals.runs(self._subscription, self._received.limit):
            yield [arrivals.arrival(message, message.headers) for message in run]

    async def _runs_received_apart(self, first: int) -> AsyncIterator[list[Arrival]]:
        """Runs from a receiving process, from `first` until one reaches `_catch_up_until`."""
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

    def _receiver_ended(self, receiver: asyncio.Task) -> None:
        """The receiver ends only when cancelled; if it failed, the projector stops rather than wait for ever."""
        if not receiver.cancelled() and receiver.exception() is not None:
            log.error("receiving events failed, projection stops: %r", receiver.exception())
            if self._task is not None:
                self._task.cancel()

    async def _run(self) -> None:
        while True:
            batch = self._held or await self._received.take(self._batch_size)
            if len(batch) < self._batch_size and self._received:
                batch += await self._received.take(self._batch_size - len(batch))
            batch, self._held = self._within_limit(batch)
            if batch:
                await self._project(batch)
            elif self._held:
                await self._end_bulk_load()  # held at the limit: as far as this projector goes for now
                self._limit_raised.clear()
                await self._limit_raised.wait()

    def _within_limit(self, batch: list[Delivered]) -> tuple[list[Delivered], list[Delivered]]:
        if self._limit is None:
            return batch, []
        allowed = [delivered for delivered in batch if delivered.recorded.seq <= self._limit]
        return allowed, batch[len(allowed):]

    async def _project(self, batch: list[Delivered]) -> None:
        """One batch, in one span: its parent is the trace of the batch's last event, and it links to the
        traces of (some of) the others; in a small batch each event's own span sits in the trace of the
        submission that made it."""
        if await self._missed(batch):
            return
        broken = next((index for index, delivered in enumerate(batch) if delivered.error is not None), None)
        if broken is not None:  # an event the projector cannot read stops it, after every event before it
            if broken:
                await self._project(batch[:broken])
            if batch[broken].recorded.seq <= self._model.position:  # another projector applied it
                return await self._project(batch[broken + 1:]) if broken + 1 < len(batch) else None
            error = batch[broken].error
            log.error("event %s cannot be read, projection stops before it: %r", batch[broken].recorded.seq, error)
            raise error
        small = len(batch) <= TRACED_EVENTS
        contexts = [telemetry.extract(delivered.headers) for delivered in (batch if small else batch[:LINKS - 1] + batch[-1:])]
        links = [trace.Link(span_context) for span_context in _span_contexts(contexts[:-1])]
        attributes = {telemetry.MESSAGING_SYSTEM: "nats", telemetry.DESTINATION: subjects.EVENTS_STREAM,
                      telemetry.OPERATION_TYPE: "process", "messaging.batch.message_count": len(batch)}
        with telemetry.tracer.start_as_current_span(
            "process OGI_EVENTS", context=contexts[-1], kind=trace.SpanKind.CONSUMER, links=links, attributes=attributes
        ):
            events = [delivered.recorded for delivered in batch]
            span_for = traced(events, contexts, trace.Link(trace.get_current_span().get_span_context())) if small else transaction.untraced
            fresh = Counter(recorded.event["event_type"] for recorded in events if recorded.seq > self._model.position)
            started = time.perf_counter()
            changed = await self._apply(events, span_for)
            if self._bulk_load_until is not None and self._model.position >= self._bulk_load_until:
                await self._end_bulk_load()
            self.metrics.batch_seconds.observe(time.perf_counter() - started)
            if changed is not None:
                for event_type, count in fresh.items():
                    self.metrics.events_applied.labels(event_type).inc(count)
                await self._publish(changed)
            self.position = max(self.position, self._model.position)
            self._applied_at = arrivals.stored_at(batch[-1].stored_ns)
            self.metrics.position.set(self.position)

    async def _missed(self, batch: list[Delivered]) -> bool:
        """Whether events before the batch never arrived (dropped on the way): then the consumer starts
        again after the checkpoint, once per position, in case the stream itself lacks a sequence."""
        first = next((delivered.recorded.seq for delivered in batch if delivered.recorded.seq > self._model.position), None)
        if first is None or first == self._model.position + 1 or self._restarted_at == self._model.position:
            return False
        log.warning("events %s to %s did not arrive; consuming again from %s", self._model.position + 1, first - 1, self._model.position + 1)
        self._restarted_at = self._model.position
        await self._restart_consumer()
        return True

    async def _apply(self, events: list[Recorded], span_for) -> list[IndicatorValue] | None:
        """The indicators the batch changed, or None when another projector had applied the batch."""
        attempt = 0
        while True:
            try:
                return await self._writer.transaction(transaction.apply, self._model, events, span_for)
            except transaction.Conflict:
                await self._after_conflict(events[-1].seq)
                if self._model.position >= events[-1].seq:
                    return None
                # Part of the batch is still to apply: go round again from the new checkpoint.
            except Exception as error:  # the database is away: hold the batch and try again
                attempt += 1
                log.warning("batch up to %s not applied (attempt %s): %r", events[-1].seq, attempt, error)
                await asyncio.sleep(retry_delay(attempt))
                await self._reload()

    async def _after_conflict(self, batch_end: int) -> None:
        await self._reload()
        log.info("another projector applied events up to %s; going on after it", self._model.position)
        if self._model.position > batch_end + self._received.limit:
            # Far behind: do not receive what is applied already. Another projector is catching up on this
            # database and mostly wins: a receiving process started again at each restart would not pay.
            self._catch_up_until = None
            await self._restart_consumer()

    async def _reload(self) -> None:
        """The model in memory may hold changes that did not commit: read it again (until the database answers)."""
        await _until_database_answers(self._load, "read model not loaded")

    async def _publish(self, changed: list[IndicatorValue]) -> None:
        if self._publisher is None:
            return
        try:
            if self._dirty:
                await self._publish_all()
            else:
                await self._publisher.publish(changed)
        except Exception as error:
            self._dirty = True
            log.warning("indicators not published, will publish all after the next batch: %r", error)

    async def _publish_all(self) -> None:
        async with self._engine.connect() as connection:
            rows = (await connection.execute(select(tables.indicator_count))).mappings().all()
        await self._publisher.publish([IndicatorValue(target=TARGETS[row["indicator"]], **row) for row in rows])
        self._dirty = False


def retry_delay(attempt: int) -> float:
    return min(0.2 * 2**attempt, RETRY_DELAY_MAX)


async def _until_database_answers(action, failed: str, fatal: tuple[type[Exception], ...] = (IntegrityError,)) -> None:
    """`action()` again after each failure (logged as `failed`), waiting longer each time; an error of the
    data itself (`fatal`) is raised, since trying again cannot mend it."""
    attempt = 0
    while True:
        try:
            return await action()
        except fatal:
            raise
        except Exception as error:
            attempt += 1
            log.warning("%s (attempt %s): %r", failed, attempt, error)
            await asyncio.sleep(retry_delay(attempt))


def _span_contexts(contexts) -> list[trace.SpanContext]:
    found = (trace.get_current_span(context).get_span_context() for context in contexts)
    return [span_context for span_context in found if span_context.is_valid]


def traced(events: list[Recorded], contexts, batch: trace.Link):
    """For each event, a span in the trace that produced it, linked to the batch that applies it."""

    def span_for(index: int):
        event = events[index].event
        return telemetry.tracer.start_as_current_span(
            f"apply {event['event_type']}",
            context=contexts[index],
            links=[batch],
            attributes=telemetry.ogi_attributes(event["reported_by"], event["region_code"], event["submission_id"])
            | {"ogi.event_seq": events[index].seq, "ogi.event_id": event["event_id"]},
        )

    return span_for
