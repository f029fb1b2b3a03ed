"""Applying events to the read model. One transaction holds a batch of events and the checkpoint after
them, so a crash or a redelivery can neither lose an event nor count one twice."""

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.indicators import tables, views
from shared.contracts.events import (
    PlanSubmitted,
    PlanWithdrawn,
    RegionEnrolled,
    RegionWithdrawn,
    TrainingCompleted,
)
from shared.contracts.indicators import TARGETS, IndicatorValue
from shared.eventstore import StoredEvent

PROJECTION = "indicators"


async def position(connection: AsyncConnection) -> int:
    row = await connection.execute(
        select(tables.checkpoint.c.last_seq).where(tables.checkpoint.c.projection == PROJECTION)
    )
    return row.scalar_one_or_none() or 0


def _untraced(_index: int) -> AbstractContextManager:
    return nullcontext()


async def apply(
    connection: AsyncConnection,
    batch: Sequence[StoredEvent],
    span_for: Callable[[int], AbstractContextManager] = _untraced,
) -> list[IndicatorValue]:
    """Apply the events not applied yet, move the checkpoint, and return the indicators that changed.
    Runs inside the caller's transaction; `span_for(i)` wraps the application of the i-th event.

    The rows of the regions a batch touches are read once, changed in memory event by event, and written
    back once: a few statements per batch instead of a few per event."""
    start = await position(connection)
    fresh = [(index, stored) for index, stored in enumerate(batch) if stored.seq > start]
    if not fresh:
        return []
    regions = await RegionRows.load(connection, {stored.event.region_code for _, stored in fresh})
    for index, stored in fresh:
        with span_for(index):
            regions[stored.event.region_code].apply(stored.event)
    await connection.execute(insert(tables.event_log), [_log_row(stored) for _, stored in fresh])
    await RegionRows.save(connection, regions)
    last = fresh[-1][1].seq
    await _save_position(connection, start, last)
    return await _update_counts(connection, last)


@dataclass
class RegionRows:
    """One region's rows in region_status, region_training and region_plan."""

    status: dict | None = None
    training: dict[str, dict] = field(default_factory=dict)  # by ministry
    plans: dict[str, dict] = field(default_factory=dict)  # by plan id

    @staticmethod
    async def load(connection: AsyncConnection, codes: set[str]) -> dict[str, "RegionRows"]:
        regions = {code: RegionRows() for code in codes}
        for table in (tables.region_status, tables.region_training, tables.region_plan):
            for row in (await connection.execute(select(table).where(table.c.region_code.in_(codes)))).mappings():
                rows = regions[row["region_code"]]
                if table is tables.region_status:
                    rows.status = dict(row)
                elif table is tables.region_training:
                    rows.training[row["ministry"]] = dict(row)
                else:
                    rows.plans[row["plan_id"]] = dict(row)
        return regions

    @staticmethod
    async def save(connection: AsyncConnection, regions: dict[str, "RegionRows"]) -> None:
        codes = list(regions)
        for table in (tables.region_status, tables.region_training, tables.region_plan):
            await connection.execute(delete(table).where(table.c.region_code.in_(codes)))
        statuses = [rows.status for rows in regions.values() if rows.status]
        trainings = [row for rows in regions.values() for row in rows.training.values()]
        plans = [row for rows in regions.values() for row in rows.plans.values()]
        for table, rows in ((tables.region_status, statuses), (tables.region_training, trainings), (tables.region_plan, plans)):
            if rows:
                await connection.execute(insert(table), rows)

    def apply(self, event) -> None:
        match event:
            case RegionEnrolled():
                self.status = {
                    "region_code": event.region_code,
                    "enrolled": True,
                    "ministry": event.ministry,
                    "enrolled_on": event.occurred_on,
                    "commitment_letter_on": event.data.commitment_letter_on,
                    "ppid_established": event.data.ppid_established,
                }
            case RegionWithdrawn() if self.status:
                self.status["enrolled"] = False
            case TrainingCompleted():
                trained = self.training.setdefault(
                    event.ministry,
                    {"region_code": event.region_code, "ministry": event.ministry, "first_trained_on": event.occurred_on, "sessions": 0},
                )
                trained["sessions"] += 1
            case PlanSubmitted():
                self.plans[event.data.plan_id] = {
                    "region_code": event.region_code,
                    "plan_id": event.data.plan_id,
                    "ministry": event.ministry,
                    "title": event.data.title,
                    "sectors": [str(sector) for sector in event.data.sectors],
                    "submitted_on": event.occurred_on,
                    "withdrawn": False,
                }
            case PlanWithdrawn() if event.data.plan_id in self.plans:
                self.plans[event.data.plan_id]["withdrawn"] = True


def _log_row(stored: StoredEvent) -> dict:
    event = stored.event
    return {
        "seq": stored.seq,
        "event_id": event.event_id,
        "event_type": event.event_type,
        "region_code": event.region_code,
        "ministry": event.ministry,
        "reported_by": event.reported_by,
        "occurred_on": event.occurred_on,
        "recorded_at": event.recorded_at,
        "submission_id": event.submission_id,
        "plan_id": getattr(event.data, "plan_id", None),
        "trace_id": event.trace_id,
        "data": event.data.model_dump(mode="json"),
    }


async def _save_position(connection: AsyncConnection, previous: int, last: int) -> None:
    if previous == 0:
        await connection.execute(insert(tables.checkpoint).values(projection=PROJECTION, last_seq=last))
        return
    await connection.execute(
        update(tables.checkpoint).where(tables.checkpoint.c.projection == PROJECTION).values(last_seq=last)
    )


async def _update_counts(connection: AsyncConnection, as_of_seq: int) -> list[IndicatorValue]:
    stored = {(row.scope, row.indicator): row.count for row in await connection.execute(select(tables.indicator_count))}
    now = dt.datetime.now(dt.UTC)
    changed = []
    for (scope, indicator), count in (await views.live_counts(connection)).items():
        if stored.get((scope, indicator)) == count:
            continue
        values = dict(count=count, as_of_seq=as_of_seq, updated_at=now)
        if (scope, indicator) in stored:
            counts = tables.indicator_count.c
            await connection.execute(
                update(tables.indicator_count)
                .where(counts.scope == scope, counts.indicator == indicator)
                .values(**values)
            )
        else:
            await connection.execute(insert(tables.indicator_count).values(scope=scope, indicator=indicator, **values))
        changed.append(IndicatorValue(scope=scope, indicator=indicator, target=TARGETS[indicator], **values))
    return changed
