"""Claims as the public read them (contract 1.1, "Verification and public challenge"): the list with each
claim's state, keyset-paged by the claim event's stream sequence, and one claim with its history. Evidence
named private is given by count only: a file name may name a person."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.indicators.readmodel import tables
from shared.claims import STATE_AFTER_EVENT
from shared.regions import find_region

MAX_LIMIT = 500
HISTORY_EVENTS = (*STATE_AFTER_EVENT, "PlanWithdrawn")


async def claims_page(
    connection: AsyncConnection,
    *,
    state: str | None = None,
    ministry: str | None = None,
    region: str | None = None,
    limit: int = 100,
    after: int | None = None,
    oldest: bool = False,
) -> dict:
    """Up to `limit` claims, newest first (or oldest first), after the claim sequence `after`; `next` is the
    `after` of the following page, or None at the end."""
    claim, log = tables.claim.c, tables.event_log.c
    query = select(tables.claim, log.data).join(tables.event_log, log.seq == claim.seq)
    for column, wanted in ((claim.state, state), (claim.ministry, ministry), (claim.region_code, region)):
        if wanted is not None:
            query = query.where(column == wanted)
    if after is not None:
        query = query.where(claim.seq > after if oldest else claim.seq < after)
    query = query.order_by(claim.seq if oldest else claim.seq.desc()).limit(limit + 1)
    rows = (await connection.execute(query)).mappings().all()
    listed = [_claim(row) for row in rows[:limit]]
    return {"claims": listed, "next": listed[-1]["seq"] if len(rows) > limit else None}


async def claim_with_history(connection: AsyncConnection, claim_event_id: str) -> dict | None:
    claim, log = tables.claim.c, tables.event_log.c
    row = (
        (await connection.execute(select(tables.claim, log.data).join(tables.event_log, log.seq == claim.seq).where(claim.claim_event_id == claim_event_id)))
        .mappings()
        .one_or_none()
    )
    if row is None:
        return None
    later = select(log.seq, log.event_id, log.event_type, log.reported_by, log.occurred_on, log.recorded_at, log.plan_id, log.data).where(
        log.region_code == row["region_code"], log.seq > row["seq"], log.event_type.in_(HISTORY_EVENTS)
    )
    history = []
    for event in (await connection.execute(later.order_by(log.seq))).mappings():
        names_it = event["data"].get("claim_event_id") == claim_event_id
        closes_it = event["event_type"] == "PlanWithdrawn" and row["plan_id"] is not None and event["plan_id"] == row["plan_id"]
        if names_it or closes_it:
            history.append(_history_entry(event))
    return {**_claim(row), "history": history}


def _claim(row) -> dict:
    region = find_region(row["region_code"])
    return {
        "claim_event_id": row["claim_event_id"],
        "seq": row["seq"],
        "region_code": row["region_code"],
        "name": region.name if region else None,
        "province": region.province_name if region else None,
        "ministry": row["ministry"],
        "kind": row["kind"],
        "plan_id": row["plan_id"],
        "occurred_on": row["occurred_on"],
        "state": row["state"],
        "state_since": row["state_since"],
        "evidence": evidence_shown(row["data"]),
    }


def _history_entry(event) -> dict:
    data = event["data"]
    return {
        "seq": event["seq"],
        "event_id": event["event_id"],
        "event_type": event["event_type"],
        "reported_by": event["reported_by"],
        "occurred_on": event["occurred_on"],
        "recorded_at": event["recorded_at"],
        "reason": data.get("reason"),
        "note": data.get("note"),
        "evidence": evidence_shown(data),
    }


def evidence_shown(data: dict) -> dict:
    """The public files by name and SHA-256; the private ones by their number alone."""
    evidence = data.get("evidence") or []
    public = [{"sha256": item["sha256"], "name": item["name"]} for item in evidence if item.get("public") is True]
    return {"public": public, "private": len(evidence) - len(public)}
