"""The projector: applies OGI_EVENTS in stream order to the read model, then tells dashboards.

Its position lives in SQL, in the same transaction as the rows an event changed, so it needs no durable
consumer: at start it opens an ordered consumer at checkpoint + 1 (a catch-up subscription). After each
committed batch the changed indicators go to KV OGI_INDICATORS and to `ogi.indicators.<scope>.<indicator>`.
"""

import asyncio
import logging

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.indicators import projection, tables
from shared import subjects
from shared.contracts.events import decode_event
from shared.contracts.indicators import TARGETS, IndicatorValue
from shared.eventstore import StoredEvent

log = logging.getLogger("ogi.projector")

BATCH_SIZE = 500
RETRY_DELAY_MAX = 10.0


class Projector:
    def __init__(self, nc: Client, engine: AsyncEngine, batch_size: int = BATCH_SIZE) -> None:
        self._nc = nc
        self._js = nc.jetstream()
        self._engine = engine
        self._batch_size = batch_size
        self._queue: asyncio.Queue[Msg] = asyncio.Queue()
        self._task: asyncio.Task | None = None
        self._subscription = None
        self._kv = None
        self._dirty = False  # the KV bucket may lag the database after a failed publish
        self.position = 0

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        async with self._engine.connect() as connection:
            self.position = await projection.position(connection)
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

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._batch_size and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            events = [StoredEvent(message.metadata.sequence.stream, decode_event(message.data)) for message in batch]
            changed = await self._apply(events)
            self.position = events[-1].seq
            await self._publish(changed)

    async def _apply(self, events: list[StoredEvent]) -> list[IndicatorValue]:
        attempt = 0
        while True:
            try:
                async with self._engine.begin() as connection:
                    return await projection.apply(connection, events)
            except Exception as error:  # the database is away: hold the batch and try again
                attempt += 1
                log.warning("batch up to %s not applied (attempt %s): %r", events[-1].seq, attempt, error)
                await asyncio.sleep(min(0.2 * 2**attempt, RETRY_DELAY_MAX))

    async def _publish(self, changed: list[IndicatorValue]) -> None:
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
            await self._kv.put(value.key, payload)
            await self._nc.publish(subjects.indicator(value.scope, value.indicator), payload)
