"""`GET /api/v1/claims` and `GET /api/v1/claims/{event_id}` (contract 1.1): the claims with their state, for
the public and for the secretariat's queue (`order=oldest`), and one claim with its history."""

from fastapi import APIRouter, HTTPException, Query
from sqlalchemy.ext.asyncio import AsyncEngine

from services.indicators.readmodel import claims
from services.indicators.web.params import EVENT_ID, invalid
from shared.claims import ClaimState
from shared.regions import find_region

LARGEST_SEQ = 2**63 - 1


def claims_routes(engine: AsyncEngine) -> APIRouter:
    router = APIRouter(tags=["claims"])

    @router.get("/api/v1/claims")
    async def listed(
        state: ClaimState | None = None,
        ministry: str | None = Query(None, pattern=r"^[a-z][a-z0-9_]{1,31}$", description="the claim's ministry"),
        region: str | None = Query(None, max_length=16, description="a kabupaten/kota code, current (73.71) or 2018 (91.01)"),
        order: str = Query("newest", pattern="^(newest|oldest)$", description="by the claim event's stream sequence"),
        limit: int = Query(100, ge=1, le=claims.MAX_LIMIT),
        after: int | None = Query(None, ge=0, le=LARGEST_SEQ, description="the `next` of the previous page"),
    ) -> dict:
        """Claims with their state, newest first (`order=oldest`: the secretariat's queue); `next` pages on."""
        region_code = None
        if region is not None:
            found = find_region(region)
            if found is None:
                invalid("region", f"{region!r} is not a known kabupaten/kota code", region)
            region_code = found.code
        async with engine.connect() as connection:
            return await claims.claims_page(connection, state=state, ministry=ministry, region=region_code, limit=limit, after=after, oldest=order == "oldest")

    @router.get("/api/v1/claims/{event_id}")
    async def one(event_id: str = EVENT_ID) -> dict:
        """One claim, with the events that moved it, in stream order."""
        async with engine.connect() as connection:
            found = await claims.claim_with_history(connection, event_id)
        if found is None:
            raise HTTPException(404, f"no claim {event_id}: no training or plan event with that id")
        return found

    return router
