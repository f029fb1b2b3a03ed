"""The peer on PostgreSQL: the same regions, commands and counts as bench/peer.py, with the library's
PostgreSQL persistence as shipped (`eventsourcing.postgres` over psycopg's pool, the library's defaults).

The application's events and the view are each in a scratch database, as the SQLite peer keeps them in two
files. The view is configured the library's way: the application's settings prefixed with the projection's
name (INDICATORCOUNTS_POSTGRES_DBNAME, ...). The PostgreSQL recorder has subscriptions of its own (LISTEN/NOTIFY,
notifications read in batches of 500), so the ProjectionRunner runs as shipped, with no shim. The view adds to
a count and records the tracking position in one transaction per event, as the SQLite view does."""

import asyncio
import functools

from sqlalchemy.engine import make_url

from bench import environment, peer


def measure(admin_url: str, total: int, expected_counts: dict | None = None) -> dict:
    """Append and projection rates with a scratch database next to `admin_url`'s for each of the application
    and the view. `expected_counts`, the SQLite peer's counts, are what the view must hold at the end."""
    try:
        view_class = _view_class()
    except ImportError:
        return {
            "append_per_s": None,
            "projection_per_s": None,
            "note": "eventsourcing's PostgreSQL support is not installed (pip install 'eventsourcing[postgres]')",
        }
    return asyncio.run(_in_scratch_databases(admin_url, total, expected_counts, view_class))


async def _in_scratch_databases(admin_url: str, total: int, expected_counts: dict | None, view_class: type) -> dict:
    async with environment.scratch_postgresql(admin_url) as events_url, environment.scratch_postgresql(admin_url) as view_url:
        view_prefix = f"{peer.classes().IndicatorCounts.name.upper()}_"
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "AGGREGATE_CACHE_MAXSIZE": "1000",
            **_connection_settings("", events_url),
            **_connection_settings(view_prefix, view_url),
        }
        return await asyncio.to_thread(_measure, env, total, expected_counts, view_class)


def _measure(env: dict, total: int, expected_counts: dict | None, view_class: type) -> dict:
    library = peer.classes()
    application = library.Regions(env=env)
    try:
        append_seconds = peer.append(application, library, total)
        last = application.recorder.max_notification_id()
    finally:
        application.close()
    projection_seconds, counts = peer.project(library, view_class, env, last)
    if expected_counts is not None and counts != expected_counts:
        raise RuntimeError(f"the peer's projections disagree: {counts} on PostgreSQL, {expected_counts} on SQLite")
    return {
        "events": total,
        "append_per_s": round(total / append_seconds, 1),
        "projection_per_s": round(last / projection_seconds, 1),
        "counts": counts,
        "library": f"eventsourcing {peer.library_version()}",
    }


def _connection_settings(prefix: str, url: str) -> dict:
    parts = make_url(url)
    return {
        f"{prefix}POSTGRES_DBNAME": parts.database,
        f"{prefix}POSTGRES_HOST": parts.host or "localhost",
        f"{prefix}POSTGRES_PORT": str(parts.port or 5432),
        f"{prefix}POSTGRES_USER": parts.username or "postgres",
        f"{prefix}POSTGRES_PASSWORD": parts.password or "",
    }


@functools.cache
def _view_class() -> type:
    """Made once per process, like the SQLite peer's classes; psycopg is the library's optional extra."""
    from eventsourcing.persistence import Tracking
    from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
    from psycopg.sql import SQL, Identifier

    class IndicatorCountsPostgresView(PostgresTrackingRecorder):
        def __init__(self, datastore: PostgresDatastore, **kwargs) -> None:
            super().__init__(datastore, **kwargs)
            table = Identifier(datastore.schema, "indicator_counts")
            self.sql_create_statements.append(SQL("CREATE TABLE IF NOT EXISTS {0} (name text PRIMARY KEY, count bigint NOT NULL)").format(table))
            self.add_statement = SQL(
                "INSERT INTO {0} AS counted VALUES (%s, %s) ON CONFLICT (name) DO UPDATE SET count = counted.count + excluded.count"
            ).format(table)
            self.counts_statement = SQL("SELECT name, count FROM {0}").format(table)

        def add(self, name: str, change: int, tracking: Tracking) -> None:
            with self.datastore.transaction(commit=True) as cursor:
                cursor.execute(self.add_statement, (name, change), prepare=True)
                self._insert_tracking(cursor, tracking)

        def counts(self) -> dict:
            with self.datastore.transaction(commit=False) as cursor:
                cursor.execute(self.counts_statement)
                return {row["name"]: row["count"] for row in cursor.fetchall()}

    return IndicatorCountsPostgresView
