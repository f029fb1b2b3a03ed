"""The projector: applies OGI_EVENTS in stream order to the read model, then tells dashboards.

Its feed (feed.py) decodes events as they arrive into a bounded buffer; the loop here applies them in batches
of whatever has arrived: one event when events come one at a time, up to MAX_BATCH while catching up. Each
batch is one transaction with the checkpoint after it (transaction.py). After each committed batch the
changed indicators go to KV OGI_INDICATORS and to `ogi.indicators.<scope>.<indicator>`, all at once
(publisher.py). An empty read model far behind the stream is filled as a bulk load (bulk_load.py).

Several projectors may run on one database (replicas of the indicators service): a batch commits only if
the checkpoint is still where this projector read it. The one that loses reloads its state from the
database and goes on after the new checkpoint; only the one that committed a batch publishes its changes.

An event the projector cannot apply (the database refuses its data, or it cannot be read) is quarantined
(poison.py): skipped, listed and reported, so that one stored event can never stop the projection for good.
Events stored at an older schema version are read as their type's current one (shared.contracts.versions);
an event of a type or version this release does not know (most often one written by a newer release) stops
the projector instead, after every event before it, with an error naming the type, the version and the
highest known (UnknownEventVersion): skipping it would count wrongly everything after it, and the projector
goes on once a release that reads it runs.
"""

import asyncio
import datetime as dt
import json
import logging
import time
from collections import Counter

from nats.aio.client import Client
from nats.js.errors import APIError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.indicators.projector import arrivals, poison, statements, timeline, transaction
from services.indicators.projector.bulk_load import BULK_LOAD_MIN, BulkLoad
from services.indicators.projector.feed import Delivered, Feed
from services.indicators.projector.metrics import ProjectorMetrics
from services.indicators.projector.publisher import Announcements, IndicatorPublisher
from services.indicators.projector.receiver import ReceiverProcess
from services.indicators.projector.recorded import Recorded
from services.indicators.projector.retrying import retry_delay, until_database_answers
from services.indicators.projector.tracing import BatchSpan, SpanFor, untraced
from services.indicators.projector.transaction import ReadModel
from services.indicators.projector.writer import Writer
from shared import subjects
from shared.contracts.indicators import IndicatorValue
from shared.contracts.versions import UnknownEventVersion

log = logging.getLogger("ogi.projector")

# A batch being written and the next one decoded (the projector's peak over a 1M rebuild: 108 MB at 5,000,
# 102 MB at 2,500). Larger batches write fewer region rows per event: a region's row once per batch.
MAX_BATCH = 5000
QUEUED = MAX_BATCH  # decoded events waiting (the next batch); beyond that the consumer waits (flow control)
CATCH_UP_MIN = 10_000  # events a projector must be behind to catch up with a receiving process


class Limit:
    """Events after this sequence wait (None: no limit): lets a rebuild stop where the live one is."""

    def __init__(self) -> None:
        self.seq: int | None = None
        self.held: list[Delivered] = []  # received beyond the limit
        self._raised = asyncio.Event()

    def set(self, seq: int | None) -> None:
        self.seq = seq
        self._raised.set()

    def within(self, batch: list[Delivered]) -> list[Delivered]:
        """The part of `batch` within the limit; the rest is held."""
        if self.seq is None:
            allowed = batch
        else:
            allowed = [delivered for delivered in batch if delivered.recorded.seq <= self.seq]
        self.held = batch[len(allowed) :]
        return allowed

    async def raised(self) -> None:
        self._raised.clear()
        await self._raised.wait()


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
        self._engine = engine
        self.metrics = metrics or ProjectorMetrics()
        self._batch_size = batch_size
        self._publishing = publish
        self._catch_up_min = catch_up_min
        self._feed = Feed(nc, engine.dialect, max(QUEUED, batch_size), receiver, self._feed_failed)
        self._bulk_load = BulkLoad(engine, bulk_load_min)
        self._limit = Limit()
        self._announcements: Announcements | None = None
        self._writer: Writer | None = None  # from start to stop
        self._model = ReadModel()
        self._task: asyncio.Task | None = None
        self._restarted_at: int | None = None  # the position the feed last started again from after a gap
        self.position = 0  # the last event applied, and its changes published
        self._applied_at: dt.datetime | None = None  # stream timestamp of the last event applied

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def receiver_pid(self) -> int | None:
        """The receiving process's, while one receives for this projector."""
        return self._feed.receiver_pid

    @property
    def limit(self) -> int | None:
        return self._limit.seq

    @limit.setter
    def limit(self, seq: int | None) -> None:
        self._limit.set(seq)

    async def start(self) -> None:
        self._writer = Writer(self._engine)
        await self._load()
        self.position = self._model.position
        last = (await self._nc.jetstream().stream_info(subjects.EVENTS_STREAM)).state.last_seq
        await self._bulk_load.prepare(self._model.position, last if self.limit is None else min(last, self.limit))
        await self._settle_timelines()
        if self._publishing:
            kv = await self._nc.jetstream().key_value(subjects.INDICATORS_BUCKET)
            self._announcements = Announcements(IndicatorPublisher(self._nc, kv, self.metrics), self._engine)
            await self._announcements.everything()  # a crash between commit and publish leaves the bucket behind
        far_behind = last - self._model.position >= self._catch_up_min
        self._feed.start(self._model.position + 1, catch_up_until=last if far_behind else None)
        self._task = asyncio.create_task(self._run(), name="projector")
        log.info("projecting from sequence %s", self._model.position + 1)

    async def stop(self) -> None:
        """Stop receiving first, then the batch loop; a batch being written ends first (committed or not,
        with its checkpoint: the next start goes on from whichever it was)."""
        await self._feed.stop()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._writer is not None:
            await self._writer.close()
            self._writer = None

    async def measure_lag(self) -> None:
        """Refresh the lag gauges against the stream's last event (called before each scrape)."""
        last_seq, last_time = await _last_event(self._nc)
        behind = max(0, last_seq - self.position)
        self.metrics.lag_events.set(behind)
        self.metrics.lag_seconds.set((last_time - self._applied_at).total_seconds() if behind and self._applied_at else 0)

    def _started_writer(self) -> Writer:
        if self._writer is None:
            raise RuntimeError("the projector writes only between its start and its stop")
        return self._writer

    def _feed_failed(self, error: BaseException) -> None:
        log.error("receiving events failed, projection stops: %r", error)
        if self._task is not None:
            self._task.cancel()

    async def _load(self) -> None:
        async with self._engine.connect() as connection:
            self._model = await ReadModel.load(connection)

    async def _run(self) -> None:
        while True:
            batch = self._limit.held or await self._feed.take(self._batch_size)
            if len(batch) < self._batch_size and len(self._feed):
                batch += await self._feed.take(self._batch_size - len(batch))
            batch = self._limit.within(batch)
            if batch:
                await self._project(batch)
            elif self._limit.held:
                await self._end_bulk_load()  # held at the limit: as far as it goes for now
                await self._limit.raised()

    async def _project(self, batch: list[Delivered]) -> None:
        if await self._missed(batch):
            return
        unreadable = next(((index, delivered.error) for index, delivered in enumerate(batch) if delivered.error is not None), None)
        if unreadable is not None:  # every event before it applied first, then it is quarantined or stops the projector
            broken, error = unreadable
            if broken:
                await self._project(batch[:broken])
            recorded = batch[broken].recorded
            if recorded.seq > self._model.position:  # not applied by another projector meanwhile
                if isinstance(error, UnknownEventVersion):
                    log.error("event %s cannot be read, projection stops before it: %r", recorded.seq, error)
                    raise error
                await self._quarantine(recorded, error)
            return await self._project(batch[broken + 1 :]) if broken + 1 < len(batch) else None
        events = [delivered.recorded for delivered in batch]
        with BatchSpan(events, [delivered.headers for delivered in batch]) as span:
            fresh = Counter(recorded.event["event_type"] for recorded in events if recorded.seq > self._model.position)
            started = time.perf_counter()
            changed = await self._apply(events, span.span_for)
            if self._bulk_load.until is not None and self._model.position >= self._bulk_load.until:
                await self._end_bulk_load()
            self.metrics.batch_seconds.observe(time.perf_counter() - started)
            if changed is not None:
                for event_type, count in fresh.items():
                    self.metrics.events_applied.labels(event_type).inc(count)
                if self._announcements is not None:
                    await self._announcements.changed(changed)
            self.position = max(self.position, self._model.position)
            self._applied_at = arrivals.stored_at(batch[-1].stored_ns)
            self.metrics.position.set(self.position)

    async def _end_bulk_load(self) -> None:
        await self._bulk_load.end(self._model.position)
        await self._settle_timelines()

    async def _settle_timelines(self) -> None:
        """Make again the region timelines a bulk load left to its end (timeline.py), once event_log has its
        indexes."""
        if self._bulk_load.until is not None or not self._model.timelines.stale:
            return

        async def settle() -> None:
            try:
                await self._started_writer().transaction(timeline.settle, self._model.timelines, self._model.regions)
            except Exception:
                await self._load()
                raise

        await until_database_answers(settle, "region timelines not made again")
        log.info("region timelines made again after the bulk load")

    async def _missed(self, batch: list[Delivered]) -> bool:
        """Whether events before the batch never arrived (dropped on the way): then the feed starts again
        after the checkpoint, once per position, in case the stream itself lacks a sequence."""
        first = next((delivered.recorded.seq for delivered in batch if delivered.recorded.seq > self._model.position), None)
        if first is None or first == self._model.position + 1 or self._restarted_at == self._model.position:
            return False
        log.warning("events %s to %s did not arrive; consuming again from %s", self._model.position + 1, first - 1, self._model.position + 1)
        self._restarted_at = self._model.position
        await self._restart_feed()
        return True

    async def _apply(self, events: list[Recorded], span_for: SpanFor = untraced) -> list[IndicatorValue] | None:
        """The indicators the batch changed, or None when another projector had applied the batch."""
        attempt = 0
        while True:
            try:
                self._model.timelines.deferred = self._bulk_load.until is not None
                return await self._started_writer().transaction(transaction.apply, self._model, events, span_for)
            except statements.Conflict:
                await self._after_conflict(events[-1].seq)
                if self._model.position >= events[-1].seq:
                    return None
                # Part of the batch is still to apply: go round again from the new checkpoint.
            except Exception as error:
                await self._reload()
                if poison.refused_for_its_data(error):
                    return await self._quarantine(events[0], error) if len(events) == 1 else await self._apply_one_by_one(events, error)
                attempt += 1  # the database is away: hold the batch and try again
                log.warning("batch up to %s not applied (attempt %s): %r", events[-1].seq, attempt, error)
                await asyncio.sleep(retry_delay(attempt))

    async def _apply_one_by_one(self, events: list[Recorded], refusal: Exception) -> list[IndicatorValue]:
        """A batch refused for the data of one of its events: each event in a transaction of its own."""
        log.warning("batch up to %s refused (%r): applying its events one by one", events[-1].seq, refusal)
        changed: dict[str, IndicatorValue] = {}
        for recorded in events:
            if recorded.seq > self._model.position:
                changed |= {value.key: value for value in await self._apply([recorded]) or []}
        return list(changed.values())

    async def _quarantine(self, recorded: Recorded, error: BaseException) -> list[IndicatorValue]:
        """Move past the next event without applying it (poison.py)."""
        attempt = 0
        while recorded.seq > self._model.position:
            try:
                await self._started_writer().transaction(poison.quarantine, self._model, recorded.seq, recorded.event, recorded.leaf, repr(error))
                self.metrics.events_quarantined.inc()
                log.error("event %s quarantined, it counts nowhere: %r", recorded.seq, error)
                self.position = max(self.position, self._model.position)
            except Exception as failure:  # another projector moved on meanwhile, or the database is away
                attempt += 1
                log.warning("event %s not quarantined (attempt %s): %r", recorded.seq, attempt, failure)
                await self._reload()
                if not isinstance(failure, statements.Conflict):
                    await asyncio.sleep(retry_delay(attempt))
        return []

    async def _after_conflict(self, batch_end: int) -> None:
        await self._reload()
        log.info("another projector applied events up to %s; going on after it", self._model.position)
        if self._model.position > batch_end + self._feed.limit:
            # Far behind: do not receive what is applied already. Another projector is catching up on this
            # database and mostly wins: a receiving process started again at each restart would not pay.
            await self._restart_feed(catch_up=False)

    async def _restart_feed(self, catch_up: bool = True) -> None:
        """Start over at the model's checkpoint + 1, dropping what was received (another projector applied it)."""
        self._limit.held = []
        await self._feed.restart(self._model.position + 1, catch_up)

    async def _reload(self) -> None:
        """The model in memory may hold changes that did not commit: read it again (until the database answers)."""
        await until_database_answers(self._load, "read model not loaded")


async def _last_event(nc: Client) -> tuple[int, dt.datetime]:
    """OGI_EVENTS's last sequence and when its last event was stored, from the stream's info as the server
    sends it: nats-py's StreamState leaves that time (`last_ts`) out."""
    reply = await nc.request(f"$JS.API.STREAM.INFO.{subjects.EVENTS_STREAM}", timeout=5.0)
    info = json.loads(reply.data)
    if "error" in info:
        raise APIError.from_error(info["error"])
    return info["state"]["last_seq"], dt.datetime.fromisoformat(info["state"]["last_ts"])
