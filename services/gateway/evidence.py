"""`PUT /api/v1/evidence`: a ministry (or the secretariat) uploads an evidence file, which is stored in
OGI_EVIDENCE under the SHA-256 of its content (CONTRACT.md 1.1, "Evidence").

The body is the file, at most 10 MiB, read as it arrives and refused once over (413). Its `Content-Type` must
be one of the six types and agree with the file's own bytes (services/gateway/media.py). A file stored already
is not stored again: 201 when this upload stored it, 200 when it was there. The file is held in memory while
it is checked and stored, so the gateway takes at most OGI_GATEWAY_EVIDENCE_UPLOADS_AT_ONCE at once and
answers others 503 with `Retry-After`. The workspace's `PUT /workspace/api/evidence` stores through the same
`store_upload`, as the signed-in person's organisation.
"""

import asyncio
import hashlib

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from nats.errors import Error as NatsError
from pydantic import BaseModel

from services.gateway import media
from services.gateway.http import RETRY_AFTER_NOT_STORED, Context, Refusal, Refused, authorisation, bounded_body
from shared.ministries import RESPONSIBLE, SECRETARIAT
from shared.organisations import is_observer_id
from shared.tokens import Token

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
UPLOADERS = (*RESPONSIBLE, SECRETARIAT)  # and every observer
RETRY_AFTER_BUSY = 5  # seconds


class StoredEvidence(BaseModel):
    sha256: str
    size: int
    media_type: str


def _refused(description: str) -> dict:
    return {"description": description, "model": Refused}


RESPONSES: dict[int | str, dict] = {
    200: {"description": "already stored: the file as stored", "model": StoredEvidence},
    201: {"description": "stored", "model": StoredEvidence},
    401: _refused("`unauthorized` (no valid token) or `token_expired`"),
    403: _refused("`not_permitted`: a related ministry's token (read only)"),
    413: _refused(f"`too_large`: over {MAX_EVIDENCE_BYTES} bytes (10 MiB)"),
    415: _refused("`unsupported_media_type`: `Content-Type` is not one of the six (a CSV's charset, if given, UTF-8)"),
    422: _refused("`media_type_mismatch`: the file's bytes are not what `Content-Type` says; `empty`: no bytes"),
    429: _refused("`rate_limited` (this token) or `throttled` (invalid tokens from this address), with `Retry-After`"),
    503: _refused("`not_stored`: NATS did not store it, or `busy`: as many uploads as this gateway takes at once; send it again later"),
}
REQUEST_BODY = {
    "required": True,
    "description": "The file itself, at most 10 MiB. Its type must agree with its bytes: PDF (`%PDF-`), JPEG (FF D8 FF), PNG (the PNG "
    "signature), XLSX and DOCX (a ZIP with `[Content_Types].xml` and parts under `xl/` or `word/`), CSV (UTF-8 text without NUL).",
    "content": {media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in media.MEDIA_TYPES},
}


def evidence_routes(context: Context) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["evidence"])
    authorised = authorisation(context)

    @router.put("/evidence", status_code=201, response_model=StoredEvidence, responses=RESPONSES, openapi_extra={"requestBody": REQUEST_BODY})
    async def put_evidence(request: Request, token: Token = Depends(authorised)) -> JSONResponse:
        """Store an evidence file in OGI_EVIDENCE under the SHA-256 of its content (the name submissions give it)."""
        return await store_upload(context, request, token.organisation)

    return router


async def store_upload(context: Context, request: Request, uploader: str) -> JSONResponse:
    """Store the request's body as `uploader`'s evidence file, counted by how it ended: 201 stored, 200 already
    stored, or a refusal. The one way in for a token's upload and a workspace person's alike."""
    try:
        stored, created = await _store(context, request, uploader)
    except Refusal as refusal:
        context.uploads.labels(uploader, refusal.code).inc()
        raise
    context.uploads.labels(uploader, "stored" if created else "already stored").inc()
    return JSONResponse(stored.model_dump(), status_code=201 if created else 200)


async def _store(context: Context, request: Request, uploader: str) -> tuple[StoredEvidence, bool]:
    if uploader not in UPLOADERS and not is_observer_id(uploader):
        raise Refusal(403, "not_permitted", f"{uploader} follows this action read-only and uploads no evidence")
    declared = media.declared(request.headers.get("content-type"))
    if declared is None:
        kinds = ", ".join(media.MEDIA_TYPES)
        raise Refusal(415, "unsupported_media_type", f"Content-Type must be one of {kinds} (a CSV in UTF-8)")
    uploads = context.evidence_uploads
    if uploads.locked():
        raise Refusal(503, "busy", "as many uploads as this gateway takes at once are under way: send it again shortly", {"Retry-After": str(RETRY_AFTER_BUSY)})
    async with uploads:
        content = await bounded_body(request, MAX_EVIDENCE_BYTES)
        if not content:
            raise Refusal(422, "empty", "the body holds no file")
        found, sha256 = await asyncio.to_thread(_sniffed_and_hashed, content)
        if found != declared:
            what = media.NAMES[found] if found else "none of PDF, JPEG, PNG, XLSX, DOCX and CSV"
            raise Refusal(422, "media_type_mismatch", f"Content-Type says {media.NAMES[declared]}, but the file's bytes are {what}")
        try:
            stored, created = await context.running().evidence.put(content, declared, sha256)
        except NatsError as error:
            detail = f"not stored: NATS did not confirm it stored the file ({type(error).__name__}); send it again later"
            raise Refusal(503, "not_stored", detail, headers={"Retry-After": str(RETRY_AFTER_NOT_STORED)}) from None
    return StoredEvidence(sha256=stored.sha256, size=stored.size, media_type=stored.media_type), created


def _sniffed_and_hashed(content: bytes) -> tuple[str | None, str]:
    """What the bytes are, and their SHA-256: a few tens of milliseconds for 10 MiB, off the event loop."""
    return media.sniffed(content), hashlib.sha256(content).hexdigest()
