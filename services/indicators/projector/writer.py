"""The projector's transactions: a synchronous function run on one connection inside one transaction.

On SQLite the function runs in a thread of its own with the standard sqlite3 driver, so that a batch is one
call into that thread. Through aiosqlite each statement was several (cursor, execute, fetch, close, commit),
each a wake-up of its thread and a hand-over of the interpreter lock: at a few events per batch, as while
following live traffic, they cost the projector about a third of its CPU. On PostgreSQL the function runs
through the async engine (`run_sync`), each statement awaiting asyncpg as before.
"""

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from services.indicators.readmodel.db import create_sqlite_engine

T = TypeVar("T")


class Writer:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sqlite: Engine | None = None
        self._thread: ThreadPoolExecutor | None = None
        if engine.dialect.name == "sqlite":
            self._sqlite = create_sqlite_engine(engine.url)
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="projector-sqlite")

    async def transaction(self, work: Callable[..., T], *args: object) -> T:
        """`work(connection, *args)` in one transaction, committed when it returns, rolled back when it
        raises. The current context (the batch's span) goes with it. Once started, a transaction on SQLite
        ends in its thread even if the caller is cancelled; `close` waits for it."""
        if self._sqlite is None:
            async with self._engine.begin() as connection:
                return await connection.run_sync(work, *args)
        run = contextvars.copy_context().run
        return await asyncio.get_running_loop().run_in_executor(self._thread, run, _in_transaction, self._sqlite, work, args)

    async def close(self) -> None:
        if self._thread is not None and self._sqlite is not None:
            # The connections belong to the thread that made them: closed there, after any transaction.
            await asyncio.get_running_loop().run_in_executor(self._thread, self._sqlite.dispose)
            self._thread.shutdown()


def _in_transaction(engine: Engine, work: Callable[..., T], args: tuple[object, ...]) -> T:
    with engine.begin() as connection:
        return work(connection, *args)
