"""The nine counts: as the projector stored them (`/api/v1/indicators`), and computed in SQL from the region
tables as they stand or from event_log as of a day. The SQL is faster than a replay at any size, and is
held to the counting rules (services.indicators.rules) by a property test (tests/integration/test_rules_agree.py),
which is why each query below says which rule it is."""

import datetime as dt

from sqlalchemy import ColumnElement, and_, distinct, exists, func, select, true
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from services.indicators import rules
from services.indicators.readmodel import checkpoint, tables
from shared.contracts.indicators import KEYS, TARGETS

ENROLMENT_EVENTS = ("RegionEnrolled", "RegionWithdrawn")


async def indicators_body(connection: AsyncConnection, as_of: dt.date | None = None) -> dict:
    """CONTRACT.md's `/api/v1/indicators` body."""
    if as_of is None:
        counts, as_of_seq = await _live(connection)
    else:
        as_of_seq = await checkpoint.position(connection)
        counts = await counts_as_of(connection, as_of)
    body = {
        "as_of_seq": as_of_seq,
        "indicators": [
            {"scope": scope, "indicator": indicator, "count": counts.get((scope, indicator), 0), "target": TARGETS[indicator]} for scope, indicator in KEYS
        ],
    }
    if as_of is not None:
        body["as_of"] = as_of.isoformat()
    return body


async def _live(connection: AsyncConnection) -> tuple[dict, int]:
    """Counts and checkpoint in one statement, so the two always belong together."""
    stored = tables.indicator_count.c
    rows = (await connection.execute(select(stored.scope, stored.indicator, stored.count, checkpoint.position_query().label("position")))).all()
    if not rows:
        return {}, await checkpoint.position(connection)
    return {(row.scope, row.indicator): row.count for row in rows}, rows[0].position


async def live_counts(connection: AsyncConnection) -> dict[rules.Key, int]:
    """The counts the region tables give (the projector keeps them in indicator_count as it goes)."""
    status, training, plan = tables.region_status.c, tables.region_training.c, tables.region_plan.c
    counts = rules.zero()
    await _count(connection, counts, rules.ENROLLED, status.region_code, status.ministry, status.enrolled.is_(True))
    await _count(connection, counts, rules.TRAINED, training.region_code, training.ministry, true())
    await _count(connection, counts, rules.PLANS, plan.region_code, plan.ministry, plan.withdrawn.is_(False))
    return counts


async def counts_as_of(connection: AsyncConnection, day: dt.date) -> dict[rules.Key, int]:
    """The counts that the events with `occurred_on` on or before `day` give."""
    log = tables.event_log.c
    counts = rules.zero()
    await _count(connection, counts, rules.ENROLLED, log.region_code, log.ministry, _enrolled_on(day))
    trained = and_(log.event_type == "TrainingCompleted", log.occurred_on <= day)
    await _count(connection, counts, rules.TRAINED, log.region_code, log.ministry, trained)
    await _count(connection, counts, rules.PLANS, log.region_code, log.ministry, _plan_active_on(day))
    return counts


def _enrolled_on(day: dt.date) -> ColumnElement[bool]:
    """A region's last enrolment event by `day`, in stream order, is a RegionEnrolled (under its ministry)."""
    log = tables.event_log
    last_enrolment = (
        select(log.c.region_code, func.max(log.c.seq).label("seq"))
        .where(log.c.event_type.in_(ENROLMENT_EVENTS), log.c.occurred_on <= day)
        .group_by(log.c.region_code)
        .subquery()
    )
    return log.c.seq.in_(select(last_enrolment.c.seq)) & (log.c.event_type == "RegionEnrolled")


def _plan_active_on(day: dt.date) -> ColumnElement[bool]:
    """The first PlanSubmitted of a plan id in its region by `day`, in stream order (a reused id keeps the
    first), with no PlanWithdrawn of that plan after it in the stream by `day` (a withdrawal before the
    submission found no plan to withdraw)."""
    log = tables.event_log
    first_submission = (
        select(func.min(log.c.seq).label("seq")).where(log.c.event_type == "PlanSubmitted", log.c.occurred_on <= day).group_by(log.c.region_code, log.c.plan_id)
    )
    withdrawal = aliased(log)
    return and_(
        log.c.seq.in_(first_submission),
        ~exists().where(
            withdrawal.c.event_type == "PlanWithdrawn",
            withdrawal.c.region_code == log.c.region_code,
            withdrawal.c.plan_id == log.c.plan_id,
            withdrawal.c.occurred_on <= day,
            withdrawal.c.seq > log.c.seq,
        ),
    )


async def _count(connection: AsyncConnection, counts: dict, indicator: str, region, ministry, where) -> None:
    """Distinct regions where `where` holds: per ministry, and national (never the sum of the ministries)."""
    per_ministry = select(ministry, func.count(distinct(region))).where(where).group_by(ministry)
    for scope, count in await connection.execute(per_ministry):
        if (scope, indicator) in counts:
            counts[(scope, indicator)] = count
    national = select(func.count(distinct(region))).where(where)
    counts[(rules.NATIONAL, indicator)] = (await connection.execute(national)).scalar_one()
