"""event_log's indexes around a bulk load: an empty read model far behind the stream (a rebuild, a new
replica's database) is filled without them, and each is built once, by sorting, when the projector has
caught up. Row by row they were most of a long rebuild's time (the unique event_id index grows at random
places); a bulk load that is interrupted leaves them out, and the next start builds them before it projects
anything."""

import logging
import time

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.schema import CreateIndex, DropIndex

from services.indicators.projector.retrying import until_database_answers
from services.indicators.readmodel import checkpoint, tables
from services.indicators.readmodel.db import lock_schema

log = logging.getLogger("ogi.projector")

BULK_LOAD_MIN = 10_000  # events an empty read model must be behind for a bulk load


class BulkLoad:
    """Whether this projector fills its read model as a bulk load, and until where."""

    def __init__(self, engine: AsyncEngine, minimum: int = BULK_LOAD_MIN) -> None:
        self._engine = engine
        self._minimum = minimum
        self.until: int | None = None  # during a bulk load: where event_log's indexes get built

    async def prepare(self, position: int, last: int) -> None:
        """Drop event_log's indexes for a bulk load up to `last`, or make sure they are there."""
        async with self._engine.begin() as connection:
            bulk = position == 0 and last >= self._minimum and await drop_log_indexes_if_empty(connection)
            if not bulk:
                await create_log_indexes(connection)
        self.until = last if bulk else None
        if bulk:
            log.info("bulk load: event_log indexes are built when event %s is applied", last)

    async def end(self, position: int) -> None:
        """Build event_log's indexes (until the database answers), if a bulk load is under way; events wait
        meanwhile."""
        if self.until is None:
            return
        started = time.perf_counter()

        async def build() -> None:
            async with self._engine.begin() as connection:
                await create_log_indexes(connection)

        try:
            await until_database_answers(build, "event_log indexes not built")
        except IntegrityError as error:  # two events with one event_id: the stream itself is wrong
            log.error("event_log's unique index cannot be built, projection stops: %r", error)
            raise
        self.until = None
        log.info("bulk load done at event %s: event_log indexes built in %.1f s", position, time.perf_counter() - started)


async def drop_log_indexes_if_empty(connection: AsyncConnection) -> bool:
    """Drop event_log's indexes for a bulk load, unless another projector has applied events meanwhile
    (then its indexes stay, and False is returned). Replicas may do this at the same moment: each statement
    holds if another replica did it first."""
    await lock_schema(connection)
    if await checkpoint.position(connection) != 0:
        return False
    for index in tables.event_log.indexes:
        await connection.execute(DropIndex(index, if_exists=True))
    return True


async def create_log_indexes(connection: AsyncConnection) -> None:
    await lock_schema(connection)
    for index in tables.event_log.indexes:
        await connection.execute(CreateIndex(index, if_not_exists=True))
