"""The projector: applies OGI_EVENTS in stream order to the read model, then tells dashboards.

Its position lives in SQL, in the same transaction as the rows an event changed, so it needs no durable
consumer: at start it opens an ordered consumer at checkpoint + 1 (a catch-up subscription). After each
committed batch the changed indicators go to KV OGI_INDICATORS and to `ogi.indicators.<scope>.<indicator>`.
"""

import asyncio
import datetime as dt
import logging
import time

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy
from opentelemetry import trace
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.indicators import projection, tables
from services.indicators.metrics import ProjectorMetrics
from shared import subjects, telemetry
from shared.contracts.events import decode_event
from shared.contracts.indicators import TARGETS, IndicatorValue
from shared.eventstore import StoredEvent

log = logging.getLogger("ogi.projector")

BATCH_SIZE = 500
RETRY_DELAY_MAX = 10.0


class Projector:
    def __init__(
        self,
        nc: Client,
        engine: AsyncEngine,
        metrics: ProjectorMetrics | None = None,
        batch_size: int = BATCH_SIZE,
        publish: bool = True,
    ) -> None:
        """`publish=False` builds a read model without telling anyone (a rebuild beside the live one)."""
        self._nc = nc
        self._publishing = publish
        # Events after this sequence wait (None: no limit): lets a rebuild stop where the live one is.
        self._limit: int | None = None
        self._limit_raised = asyncio.Event()
        self._held: list[Msg] = []
        self.metrics = metrics or ProjectorMetrics()
        self._js = nc.jetstream()
        self._engine = engine
        self._batch_size = batch_size
        self._queue: asyncio.Queue[Msg] = asyncio.Queue()
        self._task: asyncio.Task | None = None
        self._subscription = None
        self._kv = None
        self._dirty = False  # the KV bucket may lag the database after a failed publish
        self.position = 0
        self._applied_at: dt.datetime | None = None  # stream timestamp of the last event applied

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        async with self._engine.connect() as connection:
            self.position = await projection.position(connection)
        if self._publishing:
            self._kv = await self._js.key_value(subjects.INDICATORS_BUCKET)
            await self._publish_all()  # a crash between commit and publish leaves the bucket behind
        self._subscription = await self._js.subscribe(
            "ogi.events.>",
            stream=subjects.EVENTS_STREAM,
            ordered_consumer=True,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=self.position + 1),
            cb=self._queue.put,
            pending_msgs_limit=4 * self._batch_size,
        )
        self._task = asyncio.create_task(self._run(), name="projector")
        log.info("projecting from sequence %s", self.position + 1)

    async def stop(self) -> None:
        if self._subscription is not None:
            await self._subscription.unsubscribe()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def measure_lag(self) -> None:
        """Refresh the lag gauges against the stream's last event (called before each scrape)."""
        state = (await self._js.stream_info(subjects.EVENTS_STREAM)).state
        behind = max(0, state.last_seq - self.position)
        self.metrics.lag_events.set(behind)
        last_time = dt.datetime.fromisoformat(state.last_ts) if behind and state.last_ts else None
        self.metrics.lag_seconds.set((last_time - self._applied_at).total_seconds() if last_time and self._applied_at else 0)

    @property
    def limit(self) -> int | None:
        return self._limit

    @limit.setter
    def limit(self, seq: int | None) -> None:
        self._limit = seq
        self._limit_raised.set()

    async def _run(self) -> None:
        while True:
            batch = self._held or [await self._queue.get()]
            while len(batch) < self._batch_size and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            batch, self._held = self._within_limit(batch)
            if batch:
                await self._project(batch)
            elif self._held:
                self._limit_raised.clear()
                await self._limit_raised.wait()

    def _within_limit(self, batch: list[Msg]) -> tuple[list[Msg], list[Msg]]:
        if self._limit is None:
            return batch, []
        allowed = [message for message in batch if message.metadata.sequence.stream <= self._limit]
        return allowed, batch[len(allowed):]

    async def _project(self, batch: list[Msg]) -> None:
        """One batch, in one span: its parent is the trace of the batch's last event, and it links to the
        traces of the others; each event's own span sits in the trace of the submission that made it."""
        contexts = [telemetry.extract(message.headers) for message in batch]
        links = [trace.Link(span_context) for span_context in _span_contexts(contexts[:-1])]
        attributes = {telemetry.MESSAGING_SYSTEM: "nats", telemetry.DESTINATION: subjects.EVENTS_STREAM,
                      telemetry.OPERATION_TYPE: "process", "messaging.batch.message_count": len(batch)}
        with telemetry.tracer.start_as_current_span(
            "process OGI_EVENTS", context=contexts[-1], kind=trace.SpanKind.CONSUMER, links=links, attributes=attributes
        ):
            events = [StoredEvent(message.metadata.sequence.stream, decode_event(message.data)) for message in batch]
            started = time.perf_counter()
            changed = await self._apply(events, contexts)
            self.metrics.batch_seconds.observe(time.perf_counter() - started)
            for stored in events:
                self.metrics.events_applied.labels(stored.event.event_type).inc()
            await self._publish(changed)
            self.position = events[-1].seq  # applied, and its changes published
            self._applied_at = batch[-1].metadata.timestamp
            self.metrics.position.set(self.position)

    async def _apply(self, events: list[StoredEvent], contexts) -> list[IndicatorValue]:
        attempt = 0
        batch_span = trace.Link(trace.get_current_span().get_span_context())
        while True:
            try:
                async with self._engine.begin() as connection:
                    return await projection.apply(connection, events, traced(events, contexts, batch_span))
            except Exception as error:  # the database is away: hold the batch and try again
                attempt += 1
                log.warning("batch up to %s not applied (attempt %s): %r", events[-1].seq, attempt, error)
                await asyncio.sleep(min(0.2 * 2**attempt, RETRY_DELAY_MAX))

    async def _publish(self, changed: list[IndicatorValue]) -> None:
        if not self._publishing:
            return
        try:
            if self._dirty:
                await self._publish_all()
            else:
                await self._publish_values(changed)
        except Exception as error:
            self._dirty = True
            log.warning("indicators not published, will publish all after the next batch: %r", error)

    async def _publish_all(self) -> None:
        async with self._engine.connect() as connection:
            rows = (await connection.execute(select(tables.indicator_count))).mappings().all()
        await self._publish_values(
            [IndicatorValue(target=TARGETS[row["indicator"]], **row) for row in rows]
        )
        self._dirty = False

    async def _publish_values(self, values: list[IndicatorValue]) -> None:
        for value in values:
            payload = value.model_dump_json().encode()
            subject = subjects.indicator(value.scope, value.indicator)
            with telemetry.publishing(subject, **{"ogi.indicator": value.key, "ogi.count": value.count}) as headers:
                await self._kv.put(value.key, payload)
                await self._nc.publish(subject, payload, headers=headers)
            self.metrics.indicator.labels(value.scope, value.indicator).set(value.count)


def _span_contexts(contexts) -> list[trace.SpanContext]:
    found = (trace.get_current_span(context).get_span_context() for context in contexts)
    return [span_context for span_context in found if span_context.is_valid]


def traced(events: list[StoredEvent], contexts, batch: trace.Link):
    """For each event, a span in the trace that produced it, linked to the batch that applies it."""

    def span_for(index: int):
        event = events[index].event
        return telemetry.tracer.start_as_current_span(
            f"apply {event.event_type}",
            context=contexts[index],
            links=[batch],
            attributes=telemetry.ogi_attributes(event.reported_by, event.region_code, event.submission_id)
            | {"ogi.event_seq": events[index].seq, "ogi.event_id": event.event_id},
        )

    return span_for
