"""event_log's indexes around a bulk load: an empty read model far behind the stream (a rebuild, a new
replica's database) is filled without them, and each is built once, by sorting, when the projector has
caught up. Row by row they were most of a long rebuild's time (the unique event_id index grows at random
places); a bulk load that is interrupted leaves them out, and the next start builds them before it projects
anything."""

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.schema import CreateIndex, DropIndex

from services.indicators.readmodel import checkpoint, tables
from services.indicators.readmodel.db import lock_schema


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
