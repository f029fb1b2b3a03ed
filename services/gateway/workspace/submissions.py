"""Submitting from the workspace: as the signed-in person's organisation, naming the person in the event.

`POST /workspace/api/submissions/{kind}` answers as the gateway's bearer API does (201, 200, 422, or 202 with
where to ask); `GET /workspace/api/outcomes/{submission_id}` gives an outcome of the organisation's.
"""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from services.gateway.http import Context, Refusal, bounded_body, outcome_response, submit_and_answer
from services.gateway.workspace.auth import PATH, SignedIn, changing, signed_in
from shared.contracts.submissions import SUBMISSION_MODELS
from shared.organisations import KINDS_BY_ROLE


def submission_routes(context: Context) -> APIRouter:
    router = APIRouter(prefix=f"{PATH}/api", tags=["workspace"], include_in_schema=False)  # the pages' own, not for integrators
    person_signed_in = signed_in(context)
    person_changing = changing(context)

    @router.post("/submissions/{kind}")
    async def submit(kind: str, request: Request, signed: SignedIn = Depends(person_changing)) -> JSONResponse:
        """Submit one JSON object of `kind` as the person's organisation."""
        if kind not in SUBMISSION_MODELS:
            raise Refusal(404, "unknown_kind", f"unknown kind {kind!r}: one of {', '.join(SUBMISSION_MODELS)}")
        organisation = signed.organisation
        if not organisation.may_submit_anything():
            raise Refusal(403, "not_permitted", f"{organisation} follows this action read-only and does not submit")
        if not organisation.may_submit(kind):
            raise Refusal(403, "not_permitted", f"{organisation} submits only {', '.join(KINDS_BY_ROLE[organisation.role])}")
        body = await bounded_body(request, context.settings.max_body_bytes)
        return await submit_and_answer(context, request, str(organisation), kind, body, f"{PATH}/api/outcomes", person=signed.person.id)

    @router.get("/outcomes/{submission_id}")
    async def outcome(submission_id: str, seq: int | None = None, signed: SignedIn = Depends(person_signed_in)) -> JSONResponse:
        """The outcome of one of the organisation's submissions: the original one, or the one stored at `seq`."""
        return await outcome_response(context, str(signed.person.organisation), submission_id, seq)

    return router
