"""Regions as the dashboard, the API and the open data show them: every region's row (as it stands, or on a
past day from its timeline), one region's status and events, and the summaries per province and sector."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import String, column, select, values
from sqlalchemy.ext.asyncio import AsyncConnection

from services.indicators.readmodel import tables
from shared.contracts.submissions import Sector
from shared.regions import Region, all_regions


def province_of(region: Region, boundaries: str) -> tuple[str, str]:
    if boundaries == "current":
        return region.province_code, region.province_name
    return region.province_code_2018, region.province_name_2018


@dataclass
class Standing:
    """What a region's row shows: its enrolment, the ministries that trained it, its active plans' number
    and sectors."""

    enrolled: bool = False
    ministry: str | None = None  # the ministry that enrolled it last
    enrolled_on: dt.date | None = None
    commitment_letter_on: dt.date | None = None
    ppid_established: bool | None = None
    trained_by: set[str] = field(default_factory=set)
    plans: int = 0
    sectors: set[str] = field(default_factory=set)
    verified_trained_by: set[str] = field(default_factory=set)  # ministries of its trainings with a verified claim
    verified_plans: int = 0  # its plans in force with a verified claim

    @staticmethod
    def of(standing: list) -> "Standing":
        """From a region's standing on a day (rules.RegionState.standing), as its timeline keeps it."""
        enrolled, ministry, enrolled_on, commitment_letter_on, ppid_established, trained_by, plans, sectors, verified_trained_by, verified_plans = standing
        return Standing(
            enrolled,
            ministry,
            _day(enrolled_on),
            _day(commitment_letter_on),
            ppid_established,
            set(trained_by),
            plans,
            set(sectors),
            set(verified_trained_by),
            verified_plans,
        )


def _day(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def region_row(region: Region, standing: Standing | None) -> dict:
    """One region's status as the dashboard and `regions.csv` show it."""
    standing = standing or Standing()
    return {
        "code": region.code,
        "name": region.name,
        "kind": region.kind,
        "province_code": region.province_code,
        "province_name": region.province_name,
        "code_2018": region.code_2018,
        "province_code_2018": region.province_code_2018,
        "province_name_2018": region.province_name_2018,
        "enrolled": standing.enrolled,
        "ministry": standing.ministry,
        "enrolled_on": standing.enrolled_on,
        "commitment_letter_on": standing.commitment_letter_on,
        "ppid_established": standing.ppid_established,
        "trained": bool(standing.trained_by),
        "trained_by": sorted(standing.trained_by),
        "plans": standing.plans,
        "sectors": [sector for sector in Sector if sector in standing.sectors],
        "verified_trained": bool(standing.verified_trained_by),
        "verified_trained_by": sorted(standing.verified_trained_by),
        "verified_plans": standing.verified_plans,
    }


async def all_rows(connection: AsyncConnection, as_of: dt.date | None = None) -> list[dict]:
    """Every region's row, as it stands or on a past day: its standing at the end of its last day with
    events up to then (region_day), a lookup per region however many events there are."""
    standings = await standings_on(connection, as_of)
    return [region_row(region, standings.get(region.code)) for region in all_regions()]


async def standings_on(connection: AsyncConnection, day: dt.date | None) -> dict[str, Standing]:
    """Each region's standing on its last day with events on or before `day` (any day, when none is given),
    by a lookup on region_day's key per region."""
    region_day = tables.region_day.c
    wanted = values(column("code", String), name="wanted").data([(region.code,) for region in all_regions()]).cte("wanted")
    on_or_before = [] if day is None else [region_day.day <= day]
    last = select(region_day.standing).where(region_day.region_code == wanted.c.code, *on_or_before).order_by(region_day.day.desc()).limit(1)
    query = select(wanted.c.code, last.scalar_subquery())
    return {code: Standing.of(standing) for code, standing in await connection.execute(query) if standing is not None}


def summary(rows: list[dict], boundaries: str) -> dict:
    """Per province, per sector, and how many enrolled regions have a PPID and a commitment letter."""
    provinces: dict[tuple[str, str], dict] = {}
    for region, row in zip(all_regions(), rows, strict=True):
        code, name = province_of(region, boundaries)
        counts = provinces.setdefault((code, name), {"code": code, "name": name, "regions": 0, "enrolled": 0, "trained": 0, "plans": 0})
        counts["regions"] += 1
        counts["enrolled"] += row["enrolled"]
        counts["trained"] += row["trained"]
        counts["plans"] += row["plans"] > 0
    sectors: defaultdict[str, int] = defaultdict(int)
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


async def events_of(connection: AsyncConnection, region_code: str, as_of: dt.date | None = None) -> list[dict]:
    return [
        {
            "seq": row.seq,
            "event_type": row.event_type,
            "occurred_on": row.occurred_on,
            "ministry": row.ministry,
            "reported_by": row.reported_by,
            "data": row.data,
        }
        for row in await connection.execute(select(*EVENT_COLUMNS).where(*_events_of(region_code, as_of)).order_by(tables.event_log.c.seq))
    ]


EVENT_COLUMNS = [tables.event_log.c[name] for name in ("seq", "event_type", "occurred_on", "ministry", "reported_by", "data")]


def _events_of(region_code: str, as_of: dt.date | None) -> list:
    log = tables.event_log.c
    return [log.region_code == region_code] + ([] if as_of is None else [log.occurred_on <= as_of])


async def status_of(connection: AsyncConnection, region_code: str) -> dict:
    status = (await connection.execute(select(tables.region_status).where(tables.region_status.c.region_code == region_code))).mappings().one_or_none()
    trained_by = (
        (
            await connection.execute(
                select(tables.region_training.c.ministry).where(tables.region_training.c.region_code == region_code).order_by(tables.region_training.c.ministry)
            )
        )
        .scalars()
        .all()
    )
    plans = (
        (await connection.execute(select(tables.region_plan).where(tables.region_plan.c.region_code == region_code).order_by(tables.region_plan.c.plan_id)))
        .mappings()
        .all()
    )
    return {
        "ministry": status["ministry"] if status else None,
        "enrolled": bool(status and status["enrolled"]),
        "enrolled_on": status["enrolled_on"] if status else None,
        "trained": bool(trained_by),
        "trained_by": list(trained_by),
        "plans": sum(1 for plan in plans if not plan["withdrawn"]),
        "plan_list": [
            {
                "plan_id": p["plan_id"],
                "title": p["title"],
                "ministry": p["ministry"],
                "sectors": p["sectors"],
                "submitted_on": p["submitted_on"],
                "withdrawn": p["withdrawn"],
            }
            for p in plans
        ],
    }
