"""The read model's migrations: replicas migrating at once, and the schema they leave."""

import asyncio
import datetime as dt

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError

from services.indicators.readmodel import tables
from services.indicators.readmodel.db import alembic_config, create_engine, migrate


@pytest.mark.postgresql
async def test_replicas_migrating_together_all_start_and_leave_one_schema(postgresql_url):
    engines = [create_engine(postgresql_url) for _ in range(4)]
    try:
        results = await asyncio.gather(*(migrate(engine) for engine in engines), return_exceptions=True)
        assert [result for result in results if isinstance(result, BaseException)] == []
        async with engines[0].connect() as connection:
            names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert set(tables.metadata.tables) <= names
    finally:
        await asyncio.gather(*(engine.dispose() for engine in engines))


async def _schema_differences(connection) -> list:
    return await connection.run_sync(lambda sync: compare_metadata(MigrationContext.configure(sync), tables.metadata))


async def test_migrations_make_the_schema_the_code_declares(database_url):
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        async with engine.connect() as connection:
            assert await _schema_differences(connection) == []
    finally:
        await engine.dispose()


async def test_a_read_model_of_the_first_schema_keeps_its_events_and_refuses_a_second_copy(database_url):
    """0002 turns event_log's unique event_id constraint into a named index (which a bulk load can drop), and
    the later migrations bring it to the schema the code declares."""
    engine = create_engine(database_url)
    row = {
        "event_id": "e-1",
        "event_type": "RegionEnrolled",
        "region_code": "73.71",
        "ministry": "kemendagri",
        "reported_by": "kemendagri",
        "occurred_on": dt.date(2019, 3, 14),
        "recorded_at": dt.datetime(2019, 3, 14, tzinfo=dt.UTC),
        "submission_id": "s-1",
        "data": {},
    }
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0001"))
            await connection.execute(insert(tables.event_log).values(seq=1, **row))
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0002"))
        async with engine.connect() as connection:
            assert (await connection.execute(select(tables.event_log.c.seq, tables.event_log.c.event_id))).all() == [(1, "e-1")]
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(insert(tables.event_log).values(seq=2, **row))
        await migrate(engine)
        async with engine.connect() as connection:
            assert await _schema_differences(connection) == []
            # 0005 empties the read model: the projector builds it again from sequence 1, its tree with it.
            assert (await connection.execute(select(tables.event_log.c.seq))).all() == []
    finally:
        await engine.dispose()
