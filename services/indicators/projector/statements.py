"""The projector's SQL on its hot path, each statement compiled once per dialect and run through the driver
(driver_sql): moving the checkpoint, reading the plans and claims a batch names, inserting event_log rows."""

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import String, and_, bindparam, column, select, update, values
from sqlalchemy.engine import Connection, Row

from services.indicators.projector import driver_sql
from services.indicators.projector.recorded import Recorded
from services.indicators.readmodel import checkpoint, tables
from services.indicators.tlog.frontier import Frontier
from services.indicators.tlog.merkle import leaf_hash
from shared.claims import STATE_AFTER_EVENT, ClaimState

CLAIM_EVENTS = frozenset(STATE_AFTER_EVENT)

LOOKUP_CHUNK = 500  # plan keys per lookup statement (SQLite allows a limited number of parameters)
LOOKUP_LENGTHS = (4, 16, 64, 250, LOOKUP_CHUNK)


class Conflict(Exception):
    """Another projector moved the checkpoint since this one read it: nothing of the batch was written."""


def move_checkpoint(connection: Connection, expected: int, last: int) -> None:
    """Compare and set: the checkpoint moves from `expected` to `last`, or the batch is someone else's."""
    sql, names = _checkpoint_move(connection.dialect, first=expected == 0)
    values_ = {"projection": checkpoint.PROJECTION, "expected": expected, "last": last}
    if connection.exec_driver_sql(sql, tuple(values_[name] for name in names)).rowcount != 1:
        raise Conflict(f"the checkpoint is no longer at {expected}")


@functools.cache
def _checkpoint_move(dialect, first: bool) -> tuple[str, tuple[str, ...]]:
    """The driver's SQL moving the checkpoint, and its parameters' names in order. Compiled once: building
    and compiling the statement for each batch cost more than running it."""
    stored = tables.checkpoint.c
    if first:
        statement = driver_sql.insert(dialect, tables.checkpoint).values(projection=bindparam("projection"), last_seq=bindparam("last"))
        statement = statement.on_conflict_do_nothing()
    else:
        statement = (
            update(tables.checkpoint)
            .where(stored.projection == bindparam("projection"), stored.last_seq == bindparam("expected"))
            .values(last_seq=bindparam("last"))
        )
    compiled = statement.compile(dialect=dialect)
    return compiled.string, tuple(compiled.positiontup)


def stored_plans(connection: Connection, events: Iterable[dict]) -> dict[tuple[str, str], dict]:
    """The stored rows of the plans these events name (read once per batch; plans are not kept in memory)."""
    keys = sorted({(event["region_code"], event["data"]["plan_id"]) for event in events if "plan_id" in event["data"]})
    names = [column.name for column in tables.region_plan.columns]
    converters = driver_sql.result_converters(connection.dialect, tables.region_plan)
    found: dict[tuple[str, str], dict] = {}
    for values_ in _plan_rows(connection, keys):
        row: dict[str, Any] = {name: value if value is None else convert(value) for name, convert, value in zip(names, converters, values_, strict=True)}
        found[(row["region_code"], row["plan_id"])] = row
    return found


def stored_claims(connection: Connection, events: Iterable[dict]) -> list[dict]:
    """The stored rows of the claims these events' claim events name in their own region (none in a batch
    without claim events): a claim event names a claim of its region, or none."""
    named = {(event["region_code"], event["data"]["claim_event_id"]) for event in events if event["event_type"] in CLAIM_EVENTS}
    wanted = sorted({claim_id for _, claim_id in named})
    found: list[dict] = []
    claim = tables.claim
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        query = select(claim).where(claim.c.claim_event_id.in_(wanted[start : start + LOOKUP_CHUNK]))
        found += [dict(row) for row in connection.execute(query).mappings() if (row["region_code"], row["claim_event_id"]) in named]
    return found


def close_claims(connection: Connection, closed: dict[str, dt.date]) -> None:
    """Close the claims of withdrawn plans (by claim event id, on the day of the withdrawal)."""
    if closed:
        claim = tables.claim.c
        statement = update(tables.claim).where(claim.claim_event_id == bindparam("id")).values(state=str(ClaimState.CLOSED), state_since=bindparam("day"))
        connection.execute(statement, [{"id": claim_id, "day": day} for claim_id, day in closed.items()])


def _plan_rows(connection: Connection, keys: list[tuple[str, str]]) -> Sequence[Row[Any]]:
    if not keys:
        return []
    if driver_sql.on_asyncpg(connection.dialect):
        regions, plan_ids = zip(*keys, strict=True)
        return connection.exec_driver_sql(_plan_lookup_by_arrays(connection.dialect), (list(regions), list(plan_ids))).all()
    stored: list[Row[Any]] = []
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start : start + LOOKUP_CHUNK]
        # Padded to one of a few lengths with its first key again (a key twice finds the same row), so
        # that only those few statements are ever compiled.
        length = next(length for length in LOOKUP_LENGTHS if length >= len(chunk))
        chunk += [chunk[0]] * (length - len(chunk))
        stored += connection.exec_driver_sql(_plan_lookup(connection.dialect, length), tuple(value for key in chunk for value in key)).all()
    return stored


@functools.cache
def _plan_lookup_by_arrays(dialect) -> str:
    """PostgreSQL's SQL reading every column of the plans whose keys are given as two arrays, each plan by
    its primary key. The subquery LATERAL and LIMIT 1 keep it a lookup per key whatever the planner
    believes of the table: a plain join of the keys, with no statistics yet on a table a rebuild is filling,
    was planned as a scan of region_plan, 38 ms for each of a 1M rebuild's 643 lookups (25 s of its 60)."""
    quote = dialect.identifier_preparer.quote
    plan = dialect.identifier_preparer.format_table(tables.region_plan)
    region_code, plan_id = (tables.region_plan.c[name] for name in ("region_code", "plan_id"))
    columns = ", ".join(f"stored.{quote(column.name)}" for column in tables.region_plan.columns)
    return (
        f"SELECT {columns} FROM unnest({driver_sql.array_parameter(dialect, 1, region_code)}, {driver_sql.array_parameter(dialect, 2, plan_id)})"
        f" AS wanted({quote(region_code.name)}, {quote(plan_id.name)})"
        f" CROSS JOIN LATERAL (SELECT * FROM {plan} WHERE {plan}.{quote(region_code.name)} = wanted.{quote(region_code.name)}"
        f" AND {plan}.{quote(plan_id.name)} = wanted.{quote(plan_id.name)} LIMIT 1) AS stored"
    )


@functools.cache
def _plan_lookup(dialect, keys: int) -> str:
    """The driver's SQL reading every column of the plans of `keys` (region_code, plan_id) parameters (on
    SQLite; PostgreSQL through asyncpg takes `_plan_lookup_by_arrays`). The pairs are joined as a VALUES
    list, which SQLite looks up by primary key; it answers
    `(region_code, plan_id) IN (VALUES …)` by scanning the table, hundreds of times slower at 200,000 plans.
    Compiled once per length: compiling the list for each batch cost more than the lookup."""
    plan = tables.region_plan.c
    pairs = values(column("region_code", String), column("plan_id", String), name="wanted")
    wanted = pairs.data([(bindparam(f"r{index}"), bindparam(f"p{index}")) for index in range(keys)]).cte("wanted")
    query = select(tables.region_plan).join(wanted, and_(plan.region_code == wanted.c.region_code, plan.plan_id == wanted.c.plan_id))
    compiled = query.compile(dialect=dialect)
    order = compiled.positiontup or []
    if order != [name for index in range(keys) for name in (f"r{index}", f"p{index}")]:
        raise RuntimeError(f"unexpected parameter order in the plan lookup: {order[:4]}")
    return compiled.string


def insert_log(connection: Connection, events: list[Recorded]) -> None:
    log_rows = LogRows.of(connection.dialect)
    rows = [recorded.log_row or log_rows.row(recorded) for recorded in events]
    if driver_sql.on_asyncpg(connection.dialect):
        driver_sql.copy(connection, tables.event_log, rows)
    else:
        connection.exec_driver_sql(log_rows.sql, rows)


class LogRows:
    """event_log rows as the driver takes them, made ahead of the batch's transaction (the projector's
    receiver makes them as events arrive, while the previous batch is being written)."""

    def __init__(self, dialect) -> None:
        # JSON's bind conversion, on both dialects, makes the JSON text, so a `data_json` kept from the
        # payload goes in as it is.
        self.sql, (self._data,) = driver_sql.statement(dialect, tables.event_log, "insert", ("data",))
        self._occurred_on = driver_sql.from_json_text(dialect, tables.event_log.c.occurred_on.type)
        self._recorded_at = driver_sql.from_json_text(dialect, tables.event_log.c.recorded_at.type)

    @staticmethod
    @functools.cache
    def of(dialect) -> "LogRows":
        """One per dialect: making one checks the type conversions against samples."""
        return LogRows(dialect)

    def row(self, recorded: Recorded) -> tuple:
        event = recorded.event
        return (
            recorded.seq,
            event["event_id"],
            event["event_type"],
            event["region_code"],
            event["ministry"],
            event["reported_by"],
            self._occurred_on(event["occurred_on"]),
            self._recorded_at(event["recorded_at"]),
            event["submission_id"],
            event["data"].get("plan_id"),
            event.get("trace_id"),
            self._data(event["data"]) if recorded.data_json is None else recorded.data_json,
        )


# The leaf of a sequence the stream does not hold (a message removed from it): the log then shows the gap
# for what it is, and `ogi verify` names it.
MISSING_LEAF = leaf_hash(b"")


def grow_tree(connection: Connection, frontier: Frontier, leaves: list[tuple[int, bytes | None]]) -> None:
    """The transparency log's new nodes for these (sequence, leaf hash) in stream order: leaf i is sequence
    i + 1, so a sequence the stream skipped gets the missing leaf."""
    rows = []
    for seq, leaf in leaves:
        while frontier.size + 1 < seq:
            rows += frontier.append(MISSING_LEAF)
        if frontier.size + 1 == seq:
            if leaf is None:
                raise RuntimeError(f"event {seq} has no leaf hash: it was not read from its stored payload")
            rows += frontier.append(leaf)
    if not rows:
        return
    values = [(node.level, node.index, node.hash) for node in rows]
    if driver_sql.on_asyncpg(connection.dialect):
        driver_sql.copy(connection, tables.tlog_node, values)
    else:
        connection.exec_driver_sql(_tree_insert(connection.dialect), values)


@functools.cache
def _tree_insert(dialect) -> str:
    sql, _ = driver_sql.statement(dialect, tables.tlog_node, "insert", ())
    return sql
