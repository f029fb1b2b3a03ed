"""The claims a signed-in person works on, read through the indicators service's claims API
(claims_reader.py), each with the evidence files this person may open (claim_files.py):

- `GET /workspace/api/claims/queue` — the secretariat's queue: pending and disputed claims, oldest first;
- `GET /workspace/api/claims/ours?state=returned|disputed` — a responsible ministry's claims returned to it,
  or disputed, oldest first; `GET /workspace/api/claims/ours/counts` — how many of each (the badges);
  these two lists give each claim with its history, for the reasons beside it (one read per claim, a few at once);
- `GET /workspace/api/claims` — any claims, newest first (what an observer chooses from);
- `GET /workspace/api/claims/{event_id}` — one claim with its history.

Lists page on with `after=<next>`. Acting on a claim is a submission like any other
(`POST /workspace/api/submissions/claim.verify` …, submissions.py).
"""

import asyncio
from collections.abc import Awaitable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Path, Query
from nats.errors import Error as NatsError

from services.gateway.http import Context, Refusal
from services.gateway.workspace.auth import PATH, SignedIn, signed_in
from services.gateway.workspace.claim_files import readable_files
from services.gateway.workspace.claims_reader import IndicatorsUnavailable, QueryRefused
from shared.claims import ClaimState
from shared.organisations import Role

T = TypeVar("T")
QUEUE_STATES = (ClaimState.PENDING, ClaimState.DISPUTED)
OURS_STATES = ("returned", "disputed")
MAX_LIMIT = 100
HISTORIES_AT_ONCE = 8
COUNTED_AT_MOST = 500  # the claims API's largest page: a badge says "500+" beyond it
EVENT_ID = Path(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", description="the claim's event id")
After = Annotated[int | None, Query(ge=0, le=2**63 - 1, description="the `next` of the previous page")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


def claim_routes(context: Context) -> APIRouter:
    router = APIRouter(prefix=f"{PATH}/api/claims", tags=["workspace"], include_in_schema=False)  # the pages' own, not for integrators
    person_signed_in = signed_in(context)

    @router.get("/queue")
    async def queue(after: After = None, limit: Limit = 25, signed: SignedIn = Depends(person_signed_in)) -> dict:
        """The secretariat's queue: pending and disputed claims together, oldest first."""
        _only(signed, Role.SECRETARIAT, "only the secretariat verifies claims")
        claims = context.running().claims
        pages = await _answered(asyncio.gather(*(claims.page(state=str(state), order="oldest", limit=limit, after=after) for state in QUEUE_STATES)))
        merged = sorted((claim for page in pages for claim in page["claims"]), key=lambda claim: claim["seq"])
        chosen = merged[:limit]
        more = len(merged) > limit or any(page["next"] is not None for page in pages)
        return {"claims": await _with_files(context, await _with_history(context, chosen), signed), "next": chosen[-1]["seq"] if more and chosen else None}

    @router.get("/ours/counts")
    async def counts(signed: SignedIn = Depends(person_signed_in)) -> dict:
        """How many of the ministry's claims are returned to it, and disputed (at most COUNTED_AT_MOST, then `more`)."""
        _only(signed, Role.RESPONSIBLE, "only a responsible ministry has claims of its own")
        claims = context.running().claims
        pages = await _answered(asyncio.gather(*(claims.page(state=state, ministry=str(signed.organisation), limit=COUNTED_AT_MOST) for state in OURS_STATES)))
        return {state: {"count": len(page["claims"]), "more": page["next"] is not None} for state, page in zip(OURS_STATES, pages, strict=True)}

    @router.get("/ours")
    async def ours(
        state: Annotated[str, Query(pattern="^(returned|disputed)$")] = "returned",
        after: After = None,
        limit: Limit = 25,
        signed: SignedIn = Depends(person_signed_in),
    ) -> dict:
        """The ministry's claims returned to it (or disputed), oldest first."""
        _only(signed, Role.RESPONSIBLE, "only a responsible ministry has claims of its own")
        page = await _answered(context.running().claims.page(state=state, ministry=str(signed.organisation), order="oldest", limit=limit, after=after))
        return {"claims": await _with_files(context, await _with_history(context, page["claims"]), signed), "next": page["next"]}

    @router.get("")
    async def listed(
        state: Annotated[ClaimState | None, Query()] = None,
        region: Annotated[str | None, Query(max_length=16)] = None,
        after: After = None,
        limit: Limit = 25,
        signed: SignedIn = Depends(person_signed_in),
    ) -> dict:
        """Claims of every ministry, newest first."""
        page = await _answered(context.running().claims.page(state=state and str(state), region=region, limit=limit, after=after))
        return {"claims": await _with_files(context, page["claims"], signed), "next": page["next"]}

    @router.get("/{event_id}")
    async def one(event_id: str = EVENT_ID, signed: SignedIn = Depends(person_signed_in)) -> dict:
        """One claim, with the events that moved it."""
        claim = await _answered(context.running().claims.one(event_id))
        if claim is None:
            raise Refusal(404, "claim_not_found", f"no claim {event_id}")
        return (await _with_files(context, [claim], signed))[0]

    return router


def _only(signed: SignedIn, role: Role, why: str) -> None:
    if signed.organisation.role != role:
        raise Refusal(403, "not_permitted", why)


async def _answered(reading: Awaitable[T]) -> T:
    try:
        return await reading
    except IndicatorsUnavailable:
        raise Refusal(503, "indicators_unavailable", "the indicators service does not answer: try again shortly", headers={"Retry-After": "5"}) from None
    except QueryRefused:
        raise Refusal(400, "invalid_parameter", "the claims cannot be listed with these filters") from None


async def _with_history(context: Context, claims: list[dict]) -> list[dict]:
    """Each claim as `GET /api/v1/claims/<id>` gives it, with its history (as listed, should it be gone since)."""
    reader, at_once = context.running().claims, asyncio.Semaphore(HISTORIES_AT_ONCE)

    async def read(claim: dict) -> dict:
        async with at_once:
            return await reader.one(claim["claim_event_id"]) or claim | {"history": []}

    return await _answered(asyncio.gather(*(read(claim) for claim in claims)))


async def _with_files(context: Context, claims: list[dict], signed: SignedIn) -> list[dict]:
    running = context.running()
    try:
        files = await readable_files(running.evidence_index, running.evidence, [claim["claim_event_id"] for claim in claims], str(signed.organisation))
    except (NatsError, TimeoutError):
        raise Refusal(503, "nats_unavailable", "NATS did not answer: try again shortly", headers={"Retry-After": "5"}) from None
    return [claim | {"files": files[claim["claim_event_id"]]} for claim in claims]
