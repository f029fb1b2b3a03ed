"""The projector's transactions (services/indicators/writer.py), on SQLite and PostgreSQL: what a batch writes
commits when its function returns, nothing of it when the function raises (event_log's rows, which
PostgreSQL takes by COPY, included), and a transaction already started when its caller is cancelled still
ends, committed, before the writer closes."""

import asyncio
import threading

import pytest
from sqlalchemy import func, select

from services.indicators.projector import transaction
from services.indicators.projector.writer import Writer
from services.indicators.readmodel import tables
from services.indicators.readmodel.db import create_engine, migrate
from shared.contracts.events import encode_event
from tests.scenario import region_histories


def move_checkpoint(connection, last_seq: int, then=None) -> int:
    connection.execute(tables.checkpoint.insert().values(projection="writer-test", last_seq=last_seq))
    if then is not None:
        then()
    return last_seq


async def checkpoints(engine) -> list[int]:
    async with engine.connect() as connection:
        rows = await connection.execute(select(tables.checkpoint.c.last_seq).where(tables.checkpoint.c.projection == "writer-test"))
        return [row.last_seq for row in rows]


@pytest.fixture
async def engine(database_url):
    engine = create_engine(database_url)
    await migrate(engine)
    yield engine
    await engine.dispose()


async def test_a_transaction_commits_what_its_function_wrote(engine):
    writer = Writer(engine)
    try:
        assert await writer.transaction(move_checkpoint, 7) == 7
    finally:
        await writer.close()
    assert await checkpoints(engine) == [7]


def fail():
    raise RuntimeError("the batch cannot be applied")


async def test_a_function_that_raises_writes_nothing(engine):
    writer = Writer(engine)
    try:
        with pytest.raises(RuntimeError, match="cannot be applied"):
            await writer.transaction(move_checkpoint, 7, fail)
    finally:
        await writer.close()
    assert await checkpoints(engine) == []


async def test_a_batch_that_fails_after_its_events_were_written_leaves_none_of_them(engine):
    events = [event for history in region_histories(seed=5) for event in history][:40]
    batch = [transaction.read(seq, encode_event(event)) for seq, event in enumerate(events, start=1)]

    def apply(connection, then=None):
        changed = transaction.apply(connection, transaction.ReadModel(), batch)
        if then is not None:
            then()
        return changed

    writer = Writer(engine)
    try:
        with pytest.raises(RuntimeError, match="cannot be applied"):
            await writer.transaction(apply, fail)
        assert await logged(engine) == 0
        assert await writer.transaction(apply)
    finally:
        await writer.close()
    assert await logged(engine) == len(batch)


async def logged(engine) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(select(func.count()).select_from(tables.event_log))).scalar_one()


async def test_a_transaction_under_way_when_its_caller_is_cancelled_ends_before_close(sqlite_url):
    """SQLite only: on PostgreSQL the transaction runs in the caller's task, and cancelling it rolls it back."""
    engine = create_engine(sqlite_url)
    await migrate(engine)
    started, go_on = threading.Event(), threading.Event()

    def wait_for_the_test():
        started.set()
        go_on.wait(10)

    writer = Writer(engine)
    caller = asyncio.create_task(writer.transaction(move_checkpoint, 9, wait_for_the_test))
    await asyncio.to_thread(started.wait, 10)
    caller.cancel()
    # The transaction is let go on only after close is under way: a close that did not wait for it would
    # return with nothing committed yet.
    threading.Timer(0.2, go_on.set).start()
    await writer.close()
    assert await checkpoints(engine) == [9]
    with pytest.raises(asyncio.CancelledError):
        await caller
    await engine.dispose()
