"""Telling dashboards: a changed indicator goes to KV OGI_INDICATORS and to `ogi.indicators.<scope>.<indicator>`.

Several projector replicas may publish, each the counts of the batches it committed, and two of them may
publish at the same time. So a value replaces the one in the bucket only if it is newer (a higher
`as_of_seq`): a compare-and-set on the key's revision, which costs one round trip while this projector is
the only writer (it remembers the revision it wrote). A value that lost to a newer one is not announced."""

import asyncio
import json
import logging

from nats.aio.client import Client
from nats.js.errors import KeyDeletedError, KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.indicators.projector.metrics import ProjectorMetrics
from services.indicators.readmodel import tables
from services.indicators.readmodel.values import indicator_values
from shared import subjects, telemetry
from shared.contracts.indicators import IndicatorValue

log = logging.getLogger("ogi.projector")


class IndicatorPublisher:
    def __init__(self, nc: Client, kv: KeyValue, metrics: ProjectorMetrics) -> None:
        self._nc = nc
        self._kv = kv
        self._metrics = metrics
        self._revisions: dict[str, int | None] = {}  # the revision of each key as this projector last saw it (None: create it)

    async def publish(self, values: list[IndicatorValue]) -> None:
        """All at once; raises the first failure after every value was tried."""
        results = await asyncio.gather(*(self._publish(value) for value in values), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def _publish(self, value: IndicatorValue) -> None:
        payload = value.model_dump_json().encode()
        subject = subjects.indicator(value.scope, value.indicator)
        self._metrics.indicator.labels(value.scope, value.indicator).set(value.count)
        with telemetry.publishing(subject, **{"ogi.indicator": value.key, "ogi.count": value.count}) as headers:
            if await self._store(value.key, value.as_of_seq, payload):
                await self._nc.publish(subject, payload, headers=headers)

    async def _store(self, key: str, as_of_seq: int, payload: bytes) -> bool:
        """Put `payload` unless the bucket holds a value as new or newer. Returns whether it was put."""
        revision = self._revisions.get(key)
        while True:
            try:
                if revision is None:
                    revision = await self._kv.create(key, payload)
                else:
                    revision = await self._kv.update(key, payload, last=revision)
                self._revisions[key] = revision
                return True
            except KeyWrongLastSequenceError:
                try:
                    entry = await self._kv.get(key)
                except (KeyNotFoundError, KeyDeletedError):
                    revision = None
                    continue
                if json.loads(entry.value or b"")["as_of_seq"] >= as_of_seq:
                    self._revisions[key] = entry.revision
                    return False
                revision = entry.revision


class Announcements:
    """What a projector tells after each batch it committed: the counts that changed or, after a publish
    failed (the bucket may then lag the database), every count as stored."""

    def __init__(self, publisher: IndicatorPublisher, engine: AsyncEngine) -> None:
        self._publisher = publisher
        self._engine = engine
        self._behind = False

    async def changed(self, values: list[IndicatorValue]) -> None:
        try:
            if self._behind:
                await self.everything()
            else:
                await self._publisher.publish(values)
        except Exception as error:
            self._behind = True
            log.warning("indicators not published, will publish all after the next batch: %r", error)

    async def everything(self) -> None:
        async with self._engine.connect() as connection:
            rows = (await connection.execute(select(tables.indicator_count))).mappings().all()
        if rows:
            counts = {(row["scope"], row["indicator"]): row["count"] for row in rows}
            as_of_seq, updated_at = max((row["as_of_seq"], row["updated_at"]) for row in rows)
            await self._publisher.publish(indicator_values(counts, counts, as_of_seq, updated_at))
        self._behind = False
