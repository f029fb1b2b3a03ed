"""The nine counts and their verified counts: as the projector stored them (`/api/v1/indicators`), and computed in SQL from the region
tables as they stand or from the regions' timelines as of a day. Both are held to the counting rules
(services.indicators.rules) by a property test (tests/integration/test_rules_agree.py)."""

import datetime as dt

from sqlalchemy import ColumnElement, and_, distinct, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from services.indicators import rules
from services.indicators.readmodel import checkpoint, tables
from services.indicators.readmodel.values import verified_count
from shared.contracts.indicators import KEYS, TARGETS


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
            {
                "scope": scope,
                "indicator": indicator,
                "count": counts.get((scope, indicator), 0),
                "verified": verified_count(counts, (scope, indicator)),
                "target": TARGETS[indicator],
            }
            for scope, indicator in KEYS
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
    claim = tables.claim.c
    for indicator, kind in ((rules.TRAINED, "training"), (rules.PLANS, "plan")):
        verified = and_(claim.state == "verified", claim.kind == kind)
        await _count(connection, counts, rules.VERIFIED[indicator], claim.region_code, claim.ministry, verified)
    return counts


async def counts_as_of(connection: AsyncConnection, day: dt.date) -> dict[rules.Key, int]:
    """The counts that the events with `occurred_on` on or before `day` give: the regions whose timeline
    (region_span, kept by the projector) counts on that day."""
    span = tables.region_span.c
    counting = select(span.scope, span.indicator, func.count(distinct(span.region_code))).where(covering(day)).group_by(span.scope, span.indicator)
    counts = rules.zero()
    for scope, indicator, count in await connection.execute(counting):
        if (scope, indicator) in counts:
            counts[(scope, indicator)] = count
    return counts


def covering(day: dt.date | None) -> ColumnElement[bool]:
    """The spans that count on `day` (on no day given: as it stands, with every event)."""
    span = tables.region_span.c
    if day is None:
        return span.to_day.is_(None)
    return and_(span.from_day <= day, or_(span.to_day.is_(None), span.to_day > day))


async def _count(connection: AsyncConnection, counts: dict, indicator: str, region, ministry, where) -> None:
    """Distinct regions where `where` holds: per ministry, and national (never the sum of the ministries)."""
    per_ministry = select(ministry, func.count(distinct(region))).where(where).group_by(ministry)
    for scope, count in await connection.execute(per_ministry):
        if (scope, indicator) in counts:
            counts[(scope, indicator)] = count
    national = select(func.count(distinct(region))).where(where)
    counts[(rules.NATIONAL, indicator)] = (await connection.execute(national)).scalar_one()
