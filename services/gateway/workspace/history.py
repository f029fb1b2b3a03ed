"""`GET /workspace/api/outcomes`: the organisation's recent submissions and their outcomes, for "Pengajuan saya".

Bounded by the stream, not by the organisation: it reads the organisation's outcomes among the last WINDOW
messages of OGI_OUTCOMES (by stream sequence, every ministry's together), never more; older ones are for
`ogi outcomes`. Each listed outcome's region is read from its submission's body in OGI_INBOX (one direct get
each, at most `limit`).
"""

import asyncio
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from nats.aio.client import Client

from services.gateway.http import Context, Refusal
from services.gateway.workspace.auth import PATH, SignedIn, signed_in
from shared import subjects
from shared.contracts.outcomes import Outcome, Status
from shared.contracts.submissions import SUBMISSION_MODELS
from shared.regions import find_region
from shared.stream_reader import Stored, StreamReader

WINDOW = 5_000  # the last messages of OGI_OUTCOMES looked at, every ministry's together
MAX_LIMIT = 200


def history_routes(context: Context) -> APIRouter:
    router = APIRouter(prefix=f"{PATH}/api", tags=["workspace"], include_in_schema=False)  # the pages' own, not for integrators
    person_signed_in = signed_in(context)

    @router.get("/outcomes")
    async def recent(
        status: Annotated[str | None, Query(max_length=16)] = None,
        kind: Annotated[str | None, Query(max_length=32)] = None,
        rejected_first: bool = False,
        limit: Annotated[str, Query(max_length=4)] = "50",
        signed: SignedIn = Depends(person_signed_in),
    ) -> dict:
        """The organisation's outcomes, newest first (rejected ones first with `rejected_first`)."""
        _one_of("status", status, [str(s) for s in Status])
        _one_of("kind", kind, list(SUBMISSION_MODELS))
        if not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
            raise Refusal(400, "invalid_parameter", f"limit is a whole number from 1 to {MAX_LIMIT}")
        nc = context.running().nc
        stored = await _recent_outcomes(nc, str(signed.person.organisation))
        chosen = [
            (message, outcome)
            for message, outcome in reversed(stored)
            if (status is None or outcome.status == status) and (kind is None or outcome.kind == kind)
        ]
        if rejected_first:
            chosen.sort(key=lambda pair: pair[1].status != Status.REJECTED)  # stable: newest first within each
        chosen = chosen[: int(limit)]
        regions = await _regions(nc, [outcome.submission_seq for _, outcome in chosen])
        return {"window": WINDOW, "outcomes": [_described(message, outcome, region) for (message, outcome), region in zip(chosen, regions, strict=True)]}

    return router


def _one_of(name: str, value: str | None, allowed: list[str]) -> None:
    if value is not None and value not in allowed:
        raise Refusal(400, "invalid_parameter", f"{name} is one of {', '.join(allowed)}")


async def _recent_outcomes(nc: Client, organisation: str) -> list[tuple[Stored, Outcome]]:
    last = (await nc.jetstream().stream_info(subjects.OUTCOMES_STREAM)).state.last_seq
    messages = await StreamReader(nc, subjects.OUTCOMES_STREAM).read(subjects.outcome(organisation, ">"), after_seq=max(0, last - WINDOW), limit=WINDOW)
    return [(message, Outcome.model_validate_json(message.data)) for message in messages]


async def _regions(nc: Client, submission_seqs: list[int]) -> list[dict | None]:
    inbox = StreamReader(nc, subjects.INBOX_STREAM)
    bodies = await asyncio.gather(*(inbox.at(seq) for seq in submission_seqs))
    return [_region(body.data) if body else None for body in bodies]


def _region(body: bytes) -> dict | None:
    try:
        code = json.loads(body).get("region_code")
    except (ValueError, AttributeError):
        return None
    region = find_region(code) if isinstance(code, str) else None
    if region is None:
        return {"code": code, "name": None} if isinstance(code, str) else None
    return {"code": region.code, "name": region.name, "province": region.province_name}


def _described(message: Stored, outcome: Outcome, region: dict | None) -> dict:
    return json.loads(outcome.to_json()) | {"region": region, "time": message.headers.get("Nats-Time-Stamp")}
