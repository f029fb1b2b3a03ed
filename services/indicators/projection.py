"""Applying events to the read model. One transaction holds a batch of events and the checkpoint after
them, so a crash or a redelivery can neither lose an event nor count one twice."""

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext

from sqlalchemy import insert, select, update
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
    Runs inside the caller's transaction; `span_for(i)` wraps the application of the i-th event."""
    last = start = await position(connection)
    for index, stored in enumerate(batch):
        if stored.seq <= last:
            continue
        with span_for(index):
            await _apply_event(connection, stored)
        last = stored.seq
    if last == start:
        return []
    await _save_position(connection, start, last)
    return await _update_counts(connection, last)


async def _apply_event(connection: AsyncConnection, stored: StoredEvent) -> None:
    event = stored.event
    await connection.execute(
        insert(tables.event_log).values(
            seq=stored.seq,
            event_id=event.event_id,
            event_type=event.event_type,
            region_code=event.region_code,
            ministry=event.ministry,
            reported_by=event.reported_by,
            occurred_on=event.occurred_on,
            recorded_at=event.recorded_at,
            submission_id=event.submission_id,
            plan_id=getattr(event.data, "plan_id", None),
            trace_id=event.trace_id,
            data=event.data.model_dump(mode="json"),
        )
    )
    match event:
        case RegionEnrolled():
            await _enrolled(connection, event)
        case RegionWithdrawn():
            await connection.execute(
                update(tables.region_status)
                .where(tables.region_status.c.region_code == event.region_code)
                .values(enrolled=False)
            )
        case TrainingCompleted():
            await _trained(connection, event)
        case PlanSubmitted():
            await connection.execute(
                insert(tables.region_plan).values(
                    region_code=event.region_code,
                    plan_id=event.data.plan_id,
                    ministry=event.ministry,
                    title=event.data.title,
                    sectors=[str(sector) for sector in event.data.sectors],
                    submitted_on=event.occurred_on,
                    withdrawn=False,
                )
            )
        case PlanWithdrawn():
            plan = tables.region_plan.c
            await connection.execute(
                update(tables.region_plan)
                .where(plan.region_code == event.region_code, plan.plan_id == event.data.plan_id)
                .values(withdrawn=True)
            )


async def _enrolled(connection: AsyncConnection, event: RegionEnrolled) -> None:
    values = dict(
        enrolled=True,
        ministry=event.ministry,
        enrolled_on=event.occurred_on,
        commitment_letter_on=event.data.commitment_letter_on,
        ppid_established=event.data.ppid_established,
    )
    status = tables.region_status
    changed = await connection.execute(
        update(status).where(status.c.region_code == event.region_code).values(**values)
    )
    if changed.rowcount == 0:
        await connection.execute(insert(status).values(region_code=event.region_code, **values))


async def _trained(connection: AsyncConnection, event: TrainingCompleted) -> None:
    training = tables.region_training
    changed = await connection.execute(
        update(training)
        .where(training.c.region_code == event.region_code, training.c.ministry == event.ministry)
        .values(sessions=training.c.sessions + 1)
    )
    if changed.rowcount == 0:
        await connection.execute(
            insert(training).values(
                region_code=event.region_code,
                ministry=event.ministry,
                first_trained_on=event.occurred_on,
                sessions=1,
            )
        )


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
