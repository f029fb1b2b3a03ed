"""Applying events to the read model. One transaction holds a batch of events and the checkpoint after
them, so a crash or a redelivery can neither lose an event nor count one twice; and it commits only if the
checkpoint is still where this projector read it, so several projectors on one database never both apply
the same events.

The projector keeps a small copy of the read model in memory (`ReadModel`: region status, trainings, the
number of active plans per region and ministry, the stored counts), loaded at start and again after any
transaction that did not commit. A batch changes that copy event by event, writes only the rows it changed
(upserts), and computes the nine counts from the copy instead of aggregating tables."""

import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from sqlalchemy import String, and_, bindparam, column, func, select, update, values
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.schema import CreateIndex, DropIndex

from services.indicators.projector import driver_sql
from services.indicators.readmodel import tables
from services.indicators.readmodel import counting
from services.indicators.readmodel.db import lock_schema
from services.indicators.projector.recorded import Recorded, read_directly
from shared.contracts.indicators import TARGETS, IndicatorValue

PROJECTION = "indicators"

LOOKUP_CHUNK = 500  # plan keys per lookup statement (SQLite allows a limited number of parameters)
LOOKUP_LENGTHS = (4, 16, 64, 250, LOOKUP_CHUNK)


class Conflict(Exception):
    """Another projector moved the checkpoint since this one read it: nothing of the batch was written."""


def read(seq: int, payload: bytes) -> Recorded:
    """An event as recorded, at its type's current version (see recorded.py)."""
    return Recorded(seq, *read_directly(payload))


async def drop_log_indexes_if_empty(connection: AsyncConnection) -> bool:
    """Drop event_log's indexes for a bulk load, unless another projector has applied events meanwhile
    (then its indexes stay, and False is returned). Replicas may do this at the same moment: each statement
    holds if another replica did it first."""
    await lock_schema(connection)
    if await position(connection) != 0:
        return False
    for index in tables.event_log.indexes:
        await connection.execute(DropIndex(index, if_exists=True))
    return True


async def create_log_indexes(connection: AsyncConnection) -> None:
    await lock_schema(connection)
    for index in tables.event_log.indexes:
        await connection.execute(CreateIndex(index, if_not_exists=True))


async def position(connection: AsyncConnection) -> int:
    row = await connection.execute(
        select(tables.checkpoint.c.last_seq).where(tables.checkpoint.c.projection == PROJECTION)
    )
    return row.scalar_one_or_none() or 0


@dataclass
class ReadModel:
    """The part of the read model that a batch needs to know, as of `position`."""

    position: int = 0
    status: dict[str, dict] = field(default_factory=dict)  # region_status rows by region
    training: dict[str, dict[str, dict]] = field(default_factory=dict)  # region_training rows by region, ministry
    active_plans: dict[str, Counter] = field(default_factory=dict)  # region → ministry → plans not withdrawn
    counts: dict[tuple[str, str], int] = field(default_factory=dict)  # indicator_count as stored

    @staticmethod
    async def load(connection: AsyncConnection) -> "ReadModel":
        model = ReadModel(position=await position(connection))
        for row in (await connection.execute(select(tables.region_status))).mappings():
            model.status[row["region_code"]] = dict(row)
        for row in (await connection.execute(select(tables.region_training))).mappings():
            model.training.setdefault(row["region_code"], {})[row["ministry"]] = dict(row)
        plan = tables.region_plan.c
        active = select(plan.region_code, plan.ministry, func.count()).where(plan.withdrawn.is_(False))
        for region, ministry, count in await connection.execute(active.group_by(plan.region_code, plan.ministry)):
            model.active_plans.setdefault(region, Counter())[ministry] = count
        counts = tables.indicator_count.c
        for scope, indicator, count in await connection.execute(select(counts.scope, counts.indicator, counts.count)):
            model.counts[(scope, indicator)] = count
        return model

    def live_counts(self) -> dict[tuple[str, str], int]:
        """The nine counts by CONTRACT.md's rules (the same as counting.live_counts over the tables)."""
        enrolled = Counter(row["ministry"] for row in self.status.values() if row["enrolled"])
        enrolled[None] = sum(enrolled.values())
        trained = Counter(ministry for by_ministry in self.training.values() for ministry in by_ministry)
        trained[None] = sum(1 for by_ministry in self.training.values() if by_ministry)
        plans = Counter(ministry for by_ministry in self.active_plans.values() for ministry, n in by_ministry.items() if n > 0)
        plans[None] = sum(1 for by_ministry in self.active_plans.values() if any(n > 0 for n in by_ministry.values()))
        return {(str(scope), str(indicator)): count for (scope, indicator), count in counting.counts_from(enrolled, trained, plans).items()}


def untraced(_index: int) -> AbstractContextManager:
    return nullcontext()


def apply(
    connection: Connection,
    model: ReadModel,
    batch: Sequence[Recorded],
    span_for: Callable[[int], AbstractContextManager] = untraced,
) -> list[IndicatorValue]:
    """Apply the events after `model.position`, move the checkpoint, and return the indicators that changed.
    Runs inside the caller's transaction and changes `model` as it goes: when the transaction does not
    commit, the caller loads the model again. Raises Conflict when another projector got there first.
    `span_for(i)` wraps the application of the i-th event of `batch`. Synchronous, so that a whole batch
    is one call to the database's thread (see writer.py)."""
    fresh = [index for index, recorded in enumerate(batch) if recorded.seq > model.position]
    if not fresh:
        return []
    last = batch[fresh[-1]].seq
    _move_checkpoint(connection, model.position, last)  # first, so it takes the write lock
    changes = Changes(model, _plans(connection, (batch[index].event for index in fresh)))
    for index in fresh:
        with span_for(index):
            changes.apply(batch[index].event)
    _insert_log(connection, [batch[index] for index in fresh])
    changes.save(connection)
    model.position = last
    return _save_counts(connection, model, last)


def _move_checkpoint(connection: Connection, expected: int, last: int) -> None:
    """Compare and set: the checkpoint moves from `expected` to `last`, or the batch is someone else's."""
    sql, names = _checkpoint_move(connection.dialect, first=expected == 0)
    values_ = {"projection": PROJECTION, "expected": expected, "last": last}
    if connection.exec_driver_sql(sql, tuple(values_[name] for name in names)).rowcount != 1:
        raise Conflict(f"the checkpoint is no longer at {expected}")


@functools.cache
def _checkpoint_move(dialect, first: bool) -> tuple[str, tuple[str, ...]]:
    """The driver's SQL moving the checkpoint, and its parameters' names in order. Compiled once: building
    and compiling the statement for each batch cost more than running it."""
    checkpoint = tables.checkpoint.c
    if first:
        statement = driver_sql.insert(dialect, tables.checkpoint).values(projection=bindparam("projection"), last_seq=bindparam("last"))
        statement = statement.on_conflict_do_nothing()
    else:
        statement = (
            update(tables.checkpoint)
            .where(checkpoint.projection == bindparam("projection"), checkpoint.last_seq == bindparam("expected"))
            .values(last_seq=bindparam("last"))
        )
    compiled = statement.compile(dialect=dialect)
    return compiled.string, tuple(compiled.positiontup)


def _plans(connection: Connection, events: Iterable[dict]) -> dict[tuple[str, str], dict]:
    """The stored rows of the plans these events name (read once per batch; plans are not kept in memory)."""
    keys = sorted({(event["region_code"], event["data"]["plan_id"]) for event in events if "plan_id" in event["data"]})
    names = [column.name for column in tables.region_plan.columns]
    converters = driver_sql.result_converters(connection.dialect, tables.region_plan)
    found = {}
    for values_ in _stored_plans(connection, keys):
        row = {name: value if value is None else convert(value) for name, convert, value in zip(names, converters, values_)}
        found[(row["region_code"], row["plan_id"])] = row
    return found


def _stored_plans(connection: Connection, keys: list[tuple[str, str]]) -> list[tuple]:
    if not keys:
        return []
    if driver_sql.on_asyncpg(connection.dialect):
        regions, plan_ids = zip(*keys)
        return connection.exec_driver_sql(_plan_lookup_by_arrays(connection.dialect), (list(regions), list(plan_ids))).all()
    stored = []
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start:start + LOOKUP_CHUNK]
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
    wanted = values(column("region_code", String), column("plan_id", String), name="wanted")
    wanted = wanted.data([(bindparam(f"r{index}"), bindparam(f"p{index}")) for index in range(keys)]).cte("wanted")
    query = select(tables.region_plan).join(wanted, and_(plan.region_code == wanted.c.region_code, plan.plan_id == wanted.c.plan_id))
    compiled = query.compile(dialect=dialect)
    if list(compiled.positiontup) != [name for index in range(keys) for name in (f"r{index}", f"p{index}")]:
        raise RuntimeError(f"unexpected parameter order in the plan lookup: {compiled.positiontup[:4]}")
    return compiled.string


class Changes:
    """One batch's changes: applied to the model event by event, the changed rows written once."""

    def __init__(self, model: ReadModel, plans: dict[tuple[str, str], dict]) -> None:
        self.model = model
        self.plans = plans
        self.statuses: set[str] = set()
        self.trainings: set[tuple[str, str]] = set()
        self.changed_plans: set[tuple[str, str]] = set()

    def apply(self, event: dict) -> None:
        region, ministry, data, kind = event["region_code"], event["ministry"], event["data"], event["event_type"]
        if kind == "RegionEnrolled":
            self.model.status[region] = {
                "region_code": region,
                "enrolled": True,
                "ministry": ministry,
                "enrolled_on": dt.date.fromisoformat(event["occurred_on"]),
                "commitment_letter_on": _date(data.get("commitment_letter_on")),
                "ppid_established": data.get("ppid_established"),
            }
            self.statuses.add(region)
        elif kind == "RegionWithdrawn" and region in self.model.status:
            self.model.status[region]["enrolled"] = False
            self.statuses.add(region)
        elif kind == "TrainingCompleted":
            by_ministry = self.model.training.setdefault(region, {})
            trained = by_ministry.get(ministry)
            if trained is None:
                trained = by_ministry[ministry] = {
                    "region_code": region, "ministry": ministry,
                    "first_trained_on": dt.date.fromisoformat(event["occurred_on"]), "sessions": 0,
                }
            trained["sessions"] += 1
            self.trainings.add((region, ministry))
        elif kind == "PlanSubmitted":
            key = (region, data["plan_id"])
            self._count_plan(self.plans.get(key), -1)
            self.plans[key] = {
                "region_code": region,
                "plan_id": data["plan_id"],
                "ministry": ministry,
                "title": data["title"],
                "sectors": list(data["sectors"]),
                "submitted_on": dt.date.fromisoformat(event["occurred_on"]),
                "withdrawn": False,
            }
            self._count_plan(self.plans[key], +1)
            self.changed_plans.add(key)
        elif kind == "PlanWithdrawn":
            key = (region, data["plan_id"])
            plan = self.plans.get(key)
            if plan is not None and not plan["withdrawn"]:
                self._count_plan(plan, -1)
                plan["withdrawn"] = True
                self.changed_plans.add(key)

    def _count_plan(self, plan: dict | None, step: int) -> None:
        if plan is not None and not plan["withdrawn"]:
            by_region = self.model.active_plans
            if plan["region_code"] not in by_region:  # not setdefault: a Counter is costly to make for nothing
                by_region[plan["region_code"]] = Counter()
            by_region[plan["region_code"]][plan["ministry"]] += step

    def save(self, connection: Connection) -> None:
        model = self.model
        writes = (
            (tables.region_status, [model.status[region] for region in self.statuses]),
            (tables.region_training, [model.training[region][ministry] for region, ministry in self.trainings]),
            (tables.region_plan, [self.plans[key] for key in self.changed_plans]),
        )
        for table, rows in writes:
            if rows:
                driver_sql.execute_many(connection, table, "upsert", rows)


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _insert_log(connection: Connection, events: list[Recorded]) -> None:
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
            recorded.seq, event["event_id"], event["event_type"], event["region_code"], event["ministry"], event["reported_by"],
            self._occurred_on(event["occurred_on"]),
            self._recorded_at(event["recorded_at"]),
            event["submission_id"], event["data"].get("plan_id"), event.get("trace_id"),
            self._data(event["data"]) if recorded.data_json is None else recorded.data_json,
        )


def _save_counts(connection: Connection, model: ReadModel, as_of_seq: int) -> list[IndicatorValue]:
    now = dt.datetime.now(dt.UTC)
    changed = []
    for (scope, indicator), count in model.live_counts().items():
        if model.counts.get((scope, indicator)) == count:
            continue
        changed.append(IndicatorValue(scope=scope, indicator=indicator, target=TARGETS[indicator], count=count, as_of_seq=as_of_seq, updated_at=now))
    if changed:
        rows = [value.model_dump(include={"scope", "indicator", "count", "as_of_seq", "updated_at"}, mode="python") for value in changed]
        for row in rows:
            row["scope"], row["indicator"] = str(row["scope"]), str(row["indicator"])
        driver_sql.execute_many(connection, tables.indicator_count, "upsert", rows)
        for value in changed:
            model.counts[(str(value.scope), str(value.indicator))] = value.count
    return changed

