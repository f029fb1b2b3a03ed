"""What the API, the dashboard and the open data read: the nine indicators (live or as of a day), every
region's status, the monthly history, and the summaries the dashboard shows."""

import datetime as dt
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.indicators import projection, replay, tables, views
from shared.contracts.indicators import KEYS, TARGETS
from shared.contracts.submissions import Sector
from shared.regions import Region, all_regions


async def indicators(connection: AsyncConnection, as_of: dt.date | None = None) -> dict:
    """CONTRACT.md's `/api/v1/indicators` body."""
    if as_of is None:
        counts, as_of_seq = await _live(connection)
    else:
        as_of_seq = await projection.position(connection)
        counts = await views.counts_as_of(connection, as_of)
    body = {
        "as_of_seq": as_of_seq,
        "indicators": [
            {"scope": scope, "indicator": indicator, "count": counts.get((scope, indicator), 0), "target": TARGETS[indicator]}
            for scope, indicator in KEYS
        ],
    }
    if as_of is not None:
        body["as_of"] = as_of.isoformat()
    return body


async def _live(connection: AsyncConnection) -> tuple[dict, int]:
    """Counts and checkpoint in one statement, so the two always belong together."""
    position = (
        select(tables.checkpoint.c.last_seq).where(tables.checkpoint.c.projection == projection.PROJECTION).scalar_subquery()
    )
    rows = (await connection.execute(select(tables.indicator_count.c.scope, tables.indicator_count.c.indicator, tables.indicator_count.c.count, position.label("position")))).all()
    if not rows:
        return {}, await projection.position(connection)
    return {(row.scope, row.indicator): row.count for row in rows}, rows[0].position


def province_of(region: Region, boundaries: str) -> tuple[str, str]:
    if boundaries == "current":
        return region.province_code, region.province_name
    return region.province_code_2018, region.province_name_2018


def region_row(region: Region, state: replay.RegionState | None) -> dict:
    """One region's status as the dashboard and `regions.csv` show it."""
    state = state or replay.RegionState()
    active = state.active_plans
    return {
        "code": region.code,
        "name": region.name,
        "kind": region.kind,
        "province_code": region.province_code,
        "province_name": region.province_name,
        "code_2018": region.code_2018,
        "province_code_2018": region.province_code_2018,
        "province_name_2018": region.province_name_2018,
        "enrolled": state.enrolled,
        "ministry": state.ministry,
        "enrolled_on": state.enrolled_on,
        "commitment_letter_on": state.commitment_letter_on,
        "ppid_established": state.ppid_established,
        "trained": bool(state.trained_by),
        "trained_by": sorted(state.trained_by),
        "plans": len(active),
        "sectors": [sector for sector in Sector if any(sector in plan.sectors for plan in active)],
    }


async def regions(connection: AsyncConnection, as_of: dt.date | None = None) -> list[dict]:
    states = replay.regions_on(await replay.event_rows(connection), as_of)
    return [region_row(region, states.get(region.code)) for region in all_regions()]


def summary(rows: list[dict], boundaries: str) -> dict:
    """Per province, per sector, and how many enrolled regions have a PPID and a commitment letter."""
    provinces: dict[tuple[str, str], dict] = {}
    for region, row in zip(all_regions(), rows):
        code, name = province_of(region, boundaries)
        counts = provinces.setdefault((code, name), {"code": code, "name": name, "regions": 0, "enrolled": 0, "trained": 0, "plans": 0})
        counts["regions"] += 1
        counts["enrolled"] += row["enrolled"]
        counts["trained"] += row["trained"]
        counts["plans"] += row["plans"] > 0
    sectors = defaultdict(int)
    for row in rows:
        for sector in row["sectors"]:
            sectors[sector] += 1
    enrolled = [row for row in rows if row["enrolled"]]
    return {
        "boundaries": boundaries,
        "provinces": sorted(provinces.values(), key=lambda province: province["code"]),
        "sectors": [{"sector": sector, "regions": sectors[sector]} for sector in Sector],
        "enrolment": {
            "enrolled": len(enrolled),
            "ppid": sum(1 for row in enrolled if row["ppid_established"]),
            "commitment_letter": sum(1 for row in enrolled if row["commitment_letter_on"]),
            "both": sum(1 for row in enrolled if row["ppid_established"] and row["commitment_letter_on"]),
        },
    }


async def history(connection: AsyncConnection, as_of: dt.date | None = None) -> dict:
    """The nine counts at the end of every month from January 2018, the last month up to `as_of` (or today)."""
    rows = await replay.event_rows(connection)
    last_day = as_of or max([dt.date.today(), *(row.occurred_on for row in rows)])
    days = replay.month_ends(last_day)
    counts = replay.monthly_counts(rows, days)
    return {
        "as_of_seq": await projection.position(connection),
        "series": [
            {
                "scope": scope,
                "indicator": indicator,
                "target": TARGETS[indicator],
                "points": [{"month": day.strftime("%Y-%m"), "as_of": day.isoformat(), "count": count} for day, count in zip(days, counts[scope, indicator])],
            }
            for scope, indicator in KEYS
        ],
    }


async def region_events(connection: AsyncConnection, region_code: str, as_of: dt.date | None = None) -> list[dict]:
    return [
        {"seq": row.seq, "event_type": row.event_type, "occurred_on": row.occurred_on, "ministry": row.ministry, "reported_by": row.reported_by, "data": row.data}
        for row in await replay.event_rows(connection, region_code)
        if as_of is None or row.occurred_on <= as_of
    ]
