"""Queries on the read model: the nine counts (live or as of a date) and one region's status."""

import datetime as dt

from sqlalchemy import and_, distinct, exists, func, select, true
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from services.indicators.readmodel import tables
from shared.contracts.indicators import KEYS, Indicator, Scope

Counts = dict[tuple[Scope, Indicator], int]

ENROLMENT_EVENTS = ("RegionEnrolled", "RegionWithdrawn")


def counts_from(enrolled: dict, trained: dict, plans: dict) -> Counts:
    """Each argument maps a ministry, or None for national, to a count of distinct regions."""
    by_indicator = {Indicator.ENROLLED: enrolled, Indicator.TRAINED: trained, Indicator.PLANS: plans}
    return {
        (scope, indicator): by_indicator[indicator].get(None if scope == Scope.NATIONAL else str(scope), 0)
        for scope, indicator in KEYS
    }


async def _per_ministry_and_national(connection: AsyncConnection, region, ministry, where) -> dict:
    query = select(ministry, func.count(distinct(region))).where(where).group_by(ministry)
    result = {row[0]: row[1] for row in await connection.execute(query)}
    result[None] = (await connection.execute(select(func.count(distinct(region))).where(where))).scalar_one()
    return result


async def live_counts(connection: AsyncConnection) -> Counts:
    status, training, plan = tables.region_status.c, tables.region_training.c, tables.region_plan.c
    return counts_from(
        await _per_ministry_and_national(connection, status.region_code, status.ministry, status.enrolled.is_(True)),
        await _per_ministry_and_national(connection, training.region_code, training.ministry, true()),
        await _per_ministry_and_national(connection, plan.region_code, plan.ministry, plan.withdrawn.is_(False)),
    )


async def counts_as_of(connection: AsyncConnection, day: dt.date) -> Counts:
    """The counts that the events with `occurred_on` on or before `day` give, by the same rules."""
    log = tables.event_log
    last_enrolment = (
        select(log.c.region_code, func.max(log.c.seq).label("seq"))
        .where(log.c.event_type.in_(ENROLMENT_EVENTS), log.c.occurred_on <= day)
        .group_by(log.c.region_code)
        .subquery()
    )
    enrolled_now = log.c.seq.in_(select(last_enrolment.c.seq)) & (log.c.event_type == "RegionEnrolled")
    withdrawal = aliased(log)
    plan_active = and_(
        log.c.event_type == "PlanSubmitted",
        log.c.occurred_on <= day,
        ~exists().where(
            withdrawal.c.event_type == "PlanWithdrawn",
            withdrawal.c.region_code == log.c.region_code,
            withdrawal.c.plan_id == log.c.plan_id,
            withdrawal.c.occurred_on <= day,
        ),
    )
    trained = and_(log.c.event_type == "TrainingCompleted", log.c.occurred_on <= day)
    return counts_from(
        await _per_ministry_and_national(connection, log.c.region_code, log.c.ministry, enrolled_now),
        await _per_ministry_and_national(connection, log.c.region_code, log.c.ministry, trained),
        await _per_ministry_and_national(connection, log.c.region_code, log.c.ministry, plan_active),
    )


async def region_status(connection: AsyncConnection, region_code: str) -> dict:
    status = (
        await connection.execute(select(tables.region_status).where(tables.region_status.c.region_code == region_code))
    ).mappings().one_or_none()
    trained_by = (
        await connection.execute(
            select(tables.region_training.c.ministry)
            .where(tables.region_training.c.region_code == region_code)
            .order_by(tables.region_training.c.ministry)
        )
    ).scalars().all()
    plans = (
        await connection.execute(
            select(tables.region_plan).where(tables.region_plan.c.region_code == region_code).order_by(tables.region_plan.c.plan_id)
        )
    ).mappings().all()
    return {
        "ministry": status["ministry"] if status else None,
        "enrolled": bool(status and status["enrolled"]),
        "enrolled_on": status["enrolled_on"] if status else None,
        "trained": bool(trained_by),
        "trained_by": list(trained_by),
        "plans": sum(1 for plan in plans if not plan["withdrawn"]),
        "plan_list": [
            {"plan_id": p["plan_id"], "title": p["title"], "ministry": p["ministry"], "sectors": p["sectors"],
             "submitted_on": p["submitted_on"], "withdrawn": p["withdrawn"]}
            for p in plans
        ],
    }
