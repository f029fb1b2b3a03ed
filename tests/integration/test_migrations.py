"""Replicas of the indicators service starting at the same moment on an empty database."""

import asyncio

import pytest
from sqlalchemy import inspect

from services.indicators import tables
from services.indicators.db import create_engine, migrate


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
