"""The read model's database: SQLite (aiosqlite) by default, PostgreSQL (asyncpg) when asked."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Engine, event, text
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed number, the same in every replica: replicas starting together take turns to change the schema.
MIGRATION_LOCK = 0x06177261
ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}


def async_url(url: str) -> str:
    """Accept the plain URLs people write (`sqlite:///x.db`, `postgresql://…`) and pick the async driver."""
    parsed = make_url(url)
    driver = ASYNC_DRIVERS.get(parsed.drivername, parsed.drivername)
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def create_engine(url: str) -> AsyncEngine:
    url = async_url(url)
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database:  # a file, not memory
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=5, max_overflow=5, pool_pre_ping=True)


def create_sqlite_engine(url: str | URL) -> Engine:
    """The same SQLite database through the standard, synchronous sqlite3 driver, with the same settings."""
    engine = create_sync_engine(make_url(url).set(drivername="sqlite"), connect_args={"timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the HTTP API read while the projector writes. NORMAL syncs the WAL at checkpoints, not at
    # every commit: a power cut may lose the last commits, but never corrupts the file, and a lost commit
    # takes its checkpoint with it (the two are one transaction), so the projector applies those events
    # again from the stream, the source of truth: still each event exactly once.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest migration; a no-op when it is there already. On PostgreSQL an advisory
    lock, released with the transaction, makes replicas starting at the same moment migrate one at a time."""
    async with engine.begin() as connection:
        await lock_schema(connection)
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "head"))


async def lock_schema(connection) -> None:
    """On PostgreSQL, wait for any other replica changing the schema (until this transaction ends). On SQLite
    nothing is taken: each schema statement holds the database's one write lock while it runs, but a read
    before it is not in the same step."""
    if connection.dialect.name == "postgresql":
        await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
