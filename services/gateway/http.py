"""The gateway's HTTP API: submit as a ministry with a bearer token, and read that ministry's outcomes.

`POST /api/v1/submissions/{kind}` stores the body in the ministry's inbox and waits for its outcome:
201 accepted, 200 duplicate, 422 rejected, or 202 with a `Location` to poll when the outcome is not there
within the wait. A token acts only as its own organisation, and only for the kinds its role submits (contract 1.1: a
ministry's, the secretariat's claim.verify and claim.return, an observer's claim.dispute); a related
ministry's token only reads.

Every refusal of the gateway's own (not an outcome) is `{"detail": <what to do>, "code": <stable code>}`.
"""

import asyncio
import json
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from nats.aio.client import Client
from nats.errors import Error as NatsError
from prometheus_client import CollectorRegistry, Counter
from pydantic import BaseModel

from services.gateway.config import GatewaySettings
from services.gateway.ratelimit import RateLimiter
from services.gateway.workspace.claims_reader import ClaimsReader
from services.gateway.workspace.sessions import Sessions
from shared import subjects
from shared.contracts.outcomes import Outcome, Status, original_of
from shared.contracts.submissions import SUBMISSION_MODELS
from shared.evidence_index import EvidenceIndex
from shared.evidence_store import EvidenceStore
from shared.inbound import SUBMITTED_BY
from shared.intake import Inbound, readable_submission_id
from shared.observers import ObserverRegistry
from shared.organisations import kinds_submitted_by
from shared.people import PeopleStore
from shared.stream_reader import StreamReader
from shared.submitting import Outcomes, publish_submission
from shared.tokens import Expired, Token, TokenStore

RETRY_AFTER_NOT_STORED = 30  # seconds
STATUS_CODES = {Status.ACCEPTED: 201, Status.DUPLICATE: 200, Status.REJECTED: 422}
bearer = HTTPBearer(auto_error=False, description="A ministry's token from `ogi token create`")


@dataclass(frozen=True)
class Connected:
    """What the gateway has once connected to NATS."""

    nc: Client
    tokens: TokenStore
    limiter: RateLimiter  # per token
    failures: RateLimiter  # per client address, of requests without a valid token
    outcomes: Outcomes
    evidence: EvidenceStore
    people: PeopleStore
    sessions: Sessions
    observers: ObserverRegistry
    evidence_index: EvidenceIndex  # which events name which file: who may read it in the workspace
    claims: ClaimsReader  # the claims, from the indicators service's API


class Refusal(HTTPException):
    """A request the gateway refuses, answered `{"detail", "code"}`: `code` is stable, `detail` says why."""

    def __init__(self, status_code: int, code: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status_code, detail, headers)
        self.code = code


class Refused(BaseModel):
    """A refusal's body (OpenAPI)."""

    detail: str
    code: str


async def refusal_response(request: Request, refusal: Exception) -> JSONResponse:
    assert isinstance(refusal, Refusal)
    return JSONResponse({"detail": refusal.detail, "code": refusal.code}, status_code=refusal.status_code, headers=refusal.headers)


class Context:
    """What the routes need from the running gateway."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        # Shared by every route that takes evidence files: each holds its file in memory while it is stored.
        self.evidence_uploads = asyncio.Semaphore(settings.evidence_uploads_at_once)
        self.connected: Connected | None = None
        self.registry = CollectorRegistry()
        self.submissions = Counter(
            "ogi_gateway_submissions",
            "Submissions over HTTP, by ministry, kind and response status",
            ["ministry", "kind", "status"],
            registry=self.registry,
        )
        self.uploads = Counter(
            "ogi_gateway_evidence_uploads",
            "Evidence uploads, by ministry and how each ended (stored, already stored, or the refusal's code)",
            ["ministry", "result"],
            registry=self.registry,
        )

    def running(self) -> Connected:
        if self.connected is None:
            raise RuntimeError("the gateway serves requests only once connected to NATS")
        return self.connected


def authorisation(context: Context) -> Callable[..., Awaitable[Token]]:
    """The dependency every route of the gateway takes: a valid bearer token, within its rate, from an address
    that has not presented too many invalid ones."""

    async def authorised(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Token:
        client = request.client.host if request.client else "unknown"
        running = context.running()
        if await running.failures.over(client):
            raise Refusal(429, "throttled", "too many requests without a valid token from this address", headers={"Retry-After": "60"})
        try:
            token = await running.tokens.verify(credentials.credentials) if credentials else None
        except Expired as expired:
            raise Refusal(401, "token_expired", str(expired), headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from None
        if token is None:
            await running.failures.wait_needed(client)
            raise Refusal(401, "unauthorized", "a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"})
        wait = await running.limiter.wait_needed(token.id)
        if wait:
            raise Refusal(429, "rate_limited", "too many requests for this token", headers={"Retry-After": str(math.ceil(wait))})
        return token

    return authorised


def submission_routes(context: Context) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["submissions"])
    authorised = authorisation(context)

    @router.post(
        "/submissions/{kind}",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"type": "object", "description": "The submission's fields as CONTRACT.md lists them for `kind` (see docs/asyncapi.yaml)."}
                    }
                },
            }
        },
        responses={
            200: {"description": "duplicate"},
            201: {"description": "accepted"},
            202: {"description": "stored; outcome not there yet"},
            401: {"description": "no valid token"},
            403: {"description": "a read-only token"},
            404: {"description": "unknown kind"},
            413: {"description": "body over the limit"},
            422: {"description": "rejected"},
            429: {"description": "rate limit"},
            503: {"description": "not stored: NATS did not store it; send it again later"},
        },
    )
    async def submit(kind: str, request: Request, token: Token = Depends(authorised)) -> JSONResponse:
        """Submit one JSON object of `kind` as the token's ministry (CONTRACT.md lists the fields)."""
        if kind not in SUBMISSION_MODELS:
            raise Refusal(404, "unknown_kind", f"unknown kind {kind!r}: one of {', '.join(SUBMISSION_MODELS)}")
        submits = kinds_submitted_by(token.organisation)
        if not submits:
            raise Refusal(403, "not_permitted", f"{token.organisation} follows this action read-only and does not submit")
        if kind not in submits:
            raise Refusal(403, "not_permitted", f"{token.organisation} submits only {', '.join(submits)}")
        body = await bounded_body(request, context.settings.max_body_bytes)
        return await submit_and_answer(context, request, str(token.organisation), kind, body, "/api/v1/outcomes")

    @router.get("/outcomes/{submission_id}", responses={404: {"description": "no outcome (yet)"}})
    async def outcome(submission_id: str, seq: int | None = None, token: Token = Depends(authorised)) -> JSONResponse:
        """The outcome of the token's ministry's submission: the original one, or the one stored at `seq`."""
        return await outcome_response(context, str(token.organisation), submission_id, seq)

    return router


async def submit_and_answer(
    context: Context, request: Request, ministry: str, kind: str, body: bytes, outcomes_path: str, person: str | None = None
) -> JSONResponse:
    """Store `body` in `ministry`'s inbox (naming `person` as its maker, from the workspace) and answer with its
    outcome, or 202 with where to ask for it."""
    headers = {name: request.headers[name] for name in ("traceparent", "tracestate") if name in request.headers}
    if person is not None:
        headers[SUBMITTED_BY] = person
    running = context.running()
    try:
        seq = await publish_submission(running.nc, ministry, kind, body, headers)
    except NatsError as error:
        context.submissions.labels(ministry, kind, "503").inc()
        detail = (
            f"not stored: NATS did not confirm it stored it ({type(error).__name__}); "
            "send it again later (a resend of one stored after all is answered duplicate)"
        )
        raise Refusal(503, "not_stored", detail, headers={"Retry-After": str(RETRY_AFTER_NOT_STORED)}) from None
    submission_id = readable_submission_id(Inbound(ministry, kind, seq, body, {})) or subjects.UNPARSED
    location = f"{outcomes_path}/{submission_id}?seq={seq}"
    try:
        outcome = await running.outcomes.wait(seq, timeout=context.settings.outcome_wait_seconds)
    except TimeoutError:
        context.submissions.labels(ministry, kind, "202").inc()
        return JSONResponse({"status": "pending", "submission_seq": seq}, status_code=202, headers={"Location": location})
    context.submissions.labels(ministry, kind, str(STATUS_CODES[outcome.status])).inc()
    return _outcome_response(outcome, STATUS_CODES[outcome.status], {"Location": location})


async def outcome_response(context: Context, ministry: str, submission_id: str, seq: int | None) -> JSONResponse:
    """The outcome of `ministry`'s submission `submission_id`: the original one, or the one stored at `seq`."""
    stored = (
        await StreamReader(context.running().nc, subjects.OUTCOMES_STREAM).read(subjects.outcome(ministry, submission_id))
        if _is_subject_token(submission_id)
        else []
    )
    outcomes = [Outcome.model_validate_json(message.data) for message in stored]
    if seq is not None:
        outcomes = [o for o in outcomes if o.submission_seq == seq]
    found = original_of(outcomes)
    if found is None:
        raise Refusal(404, "no_outcome", f"no outcome for {submission_id!r} from {ministry} (yet)")
    return _outcome_response(found, 200)


def _is_subject_token(value: str) -> bool:
    return value == subjects.UNPARSED or bool(value) and all(c.isalnum() or c in "_-" for c in value) and len(value) <= 64


def _outcome_response(outcome: Outcome, status_code: int, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(content=json.loads(outcome.to_json()), status_code=status_code, headers=headers)


async def bounded_body(request: Request, limit: int) -> bytes:
    """The request's body, read as it arrives and refused (413) once it is over `limit` bytes: never more than
    `limit` and the chunk that passed it are read, and nothing at all when `Content-Length` says it is over."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Refusal(413, "too_large", f"the body is over {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Refusal(413, "too_large", f"the body is over {limit} bytes")
    return bytes(body)
