"""Each region's timeline, kept as its events are applied: its standing at the end of every day on which one
of its events occurred (region_day), and for each count the days over which it counts with the event that
makes it count (region_span). A past day, the monthly history and lineage are then lookups, however many
events there are (readmodel/counting.py, region_rows.py, monthly.py, lineage.py).

An event dated on or after its region's last day changes the timeline from that day on only, and the
projector's state of the region after it is the region's state on that day. An event dated before it (back-
dated), or a withdrawal of the first of a ministry's plans in force while others remain (the projector holds
only the plans a batch names, so it cannot tell which is first now), has the region's timeline made again
from its events in event_log by the counting rules (rules.timeline); during a bulk load, when event_log has
no index to read one region by, the region is listed in region_timeline_stale and made again at its end."""

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from services.indicators import rules
from services.indicators.projector import driver_sql
from services.indicators.readmodel import tables

Opened = tuple[dt.date, rules.Named]  # a span's first day, and the event that makes it count


@dataclass(slots=True)
class Head:
    """Where a region's timeline stands: its last day, and the spans that count still."""

    last_day: dt.date
    open: dict[rules.Key, Opened] = field(default_factory=dict)


@dataclass
class Timelines:
    heads: dict[str, Head] = field(default_factory=dict)
    stale: set[str] = field(default_factory=set)  # to be made again at the end of a bulk load
    deferred: bool = False  # during a bulk load: back-dated regions are made again at its end

    @staticmethod
    async def load(connection: AsyncConnection) -> "Timelines":
        day, span = tables.region_day.c, tables.region_span.c
        heads = {region: Head(last) for region, last in await connection.execute(select(day.region_code, func.max(day.day)).group_by(day.region_code))}
        counting = select(span.region_code, span.scope, span.indicator, span.from_day, span.seq, span.event_id).where(span.to_day.is_(None))
        for region, scope, indicator, from_day, seq, event_id in await connection.execute(counting):
            # Read after region_day, a span may be of a region another projector has just begun: this one's
            # next batch then finds the checkpoint moved, and loads the model again.
            heads.setdefault(region, Head(from_day)).open[(scope, indicator)] = (from_day, (seq, event_id))
        stale = set((await connection.execute(select(tables.region_timeline_stale.c.region_code))).scalars())
        return Timelines(heads, stale)

    def why_counted(self, region: str) -> dict[rules.Key, rules.Named]:
        head = self.heads.get(region)
        return {} if head is None else {key: made_by for key, (_, made_by) in head.open.items()}


class TimelineChanges:
    """One batch's changes to the timelines, written once at its end."""

    def __init__(self, timelines: Timelines) -> None:
        self.timelines = timelines
        self.days: dict[tuple[str, dt.date], list] = {}
        self.spans: dict[tuple[str, str, str, dt.date], tuple[dt.date | None, rules.Named] | None] = {}  # None: deleted
        self.remade: set[str] = set()
        self.pending: dict[str, dt.date] = {}  # each region's day not recorded yet, on which its state is now

    def before(self, region: str, day: dt.date, state: rules.RegionState) -> None:
        """Called before an event of `region` that occurred on `day` is applied to `state`. A region's day is
        recorded when an event of a later day comes (`state` is then as that day ended) or at the batch's end:
        once, however many events the batch has of that day."""
        if region in self.remade or region in self.timelines.stale:
            return
        head = self.timelines.heads.get(region)
        pending = self.pending.get(region)
        if (head is not None and day < head.last_day) or (pending is not None and day < pending):
            self.remake(region)
            return
        if pending is not None and pending != day:
            self._record(region, pending, state.standing(), state.why_counted())
        self.pending[region] = day

    def remake(self, region: str) -> None:
        self.remade.add(region)
        self.pending.pop(region, None)

    def _record(self, region: str, day: dt.date, standing: list, why: dict[rules.Key, rules.Named]) -> None:
        head = self.timelines.heads.get(region)
        if head is None:
            head = self.timelines.heads[region] = Head(day)
        self.days[(region, day)] = standing
        for key, (from_day, made_by) in list(head.open.items()):
            if why.get(key) != made_by:
                del head.open[key]
                self.spans[(region, *key, from_day)] = None if from_day == day else (day, made_by)
        for key, made_by in why.items():
            if key not in head.open:
                head.open[key] = (day, made_by)
                self.spans[(region, *key, day)] = (None, made_by)
        head.last_day = day

    def save(self, connection: Connection, states: dict[str, rules.RegionState]) -> None:
        """Write the batch's days and spans; the regions to make again are made again now, or listed for the
        end of the bulk load."""
        for region, day in self.pending.items():
            self._record(region, day, states[region].standing(), states[region].why_counted())
        self.pending = {}
        if self.timelines.deferred:
            fresh = sorted(self.remade - self.timelines.stale)
            if fresh:
                connection.execute(insert(tables.region_timeline_stale), [{"region_code": region} for region in fresh])
            self.timelines.stale.update(fresh)
            if self.remade:
                self._forget(self.remade)
        else:
            self.remake_now(connection, sorted(self.remade), states)
        driver_sql.execute_many(connection, tables.region_day, "upsert", [{"region_code": r, "day": d, "standing": s} for (r, d), s in self.days.items()])
        rows = [_span_row(key, *value) for key, value in self.spans.items() if value is not None]
        driver_sql.execute_many(connection, tables.region_span, "upsert", rows)
        gone = [key for key, value in self.spans.items() if value is None]
        if gone:
            sql, bound_day = _span_delete(connection.dialect)
            connection.exec_driver_sql(sql, [(region, scope, indicator, bound_day(first)) for region, scope, indicator, first in gone])

    def _forget(self, regions: set[str]) -> None:
        self.days = {key: value for key, value in self.days.items() if key[0] not in regions}
        self.spans = {key: value for key, value in self.spans.items() if key[0] not in regions}

    def remake_now(self, connection: Connection, regions: list[str], states: dict[str, rules.RegionState]) -> None:
        """Each region's timeline made again from all its events, which event_log holds by now."""
        if not regions:
            return
        self._forget(set(regions))
        for table in (tables.region_day, tables.region_span, tables.region_timeline_stale):
            connection.execute(delete(table).where(table.c.region_code.in_(regions)))
        log = tables.event_log.c
        for region in regions:
            self.timelines.heads.pop(region, None)
            self.timelines.stale.discard(region)
            query = select(log.seq, log.event_id, log.event_type, log.ministry, log.occurred_on, log.data).where(log.region_code == region).order_by(log.seq)
            events = [tuple(row) for row in connection.execute(query)]
            for day, standing, why in rules.timeline(events):
                self._record(region, day, standing, why)
            state = states.get(region)
            if state is not None:  # what the projector could not tell: the first of each ministry's plans in force
                state.plans_first = rules.fold_region(events).plans_first


def settle(connection: Connection, timelines: Timelines, states: dict[str, rules.RegionState]) -> None:
    """Make again the timelines listed during a bulk load (event_log has its indexes again)."""
    if not timelines.stale:
        return
    timelines.deferred = False
    changes = TimelineChanges(timelines)
    changes.remake_now(connection, sorted(timelines.stale), states)
    changes.save(connection, states)


@functools.cache
def _span_delete(dialect) -> tuple[str, Callable]:
    """The driver's SQL deleting a span by its key (parameters: region, scope, indicator, first day), and the
    first day's bind conversion. Compiled once: a bulk load deletes spans in most batches."""
    span = tables.region_span.c
    names = ("region_code", "scope", "indicator", "from_day")
    statement = delete(tables.region_span).where(*(span[name] == bindparam(name) for name in names))
    compiled = statement.compile(dialect=dialect)
    if tuple(compiled.positiontup or ()) != names:
        raise RuntimeError(f"unexpected parameter order in the span delete: {compiled.positiontup}")
    return compiled.string, driver_sql.bind_converter(dialect, span.from_day.type)


def _span_row(key: tuple[str, str, str, dt.date], to_day: dt.date | None, made_by: rules.Named) -> dict:
    region, scope, indicator, from_day = key
    return {"region_code": region, "scope": scope, "indicator": indicator, "from_day": from_day, "to_day": to_day, "seq": made_by[0], "event_id": made_by[1]}
