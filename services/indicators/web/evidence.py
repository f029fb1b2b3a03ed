"""`GET /api/v1/evidence/<sha256>`: an evidence file, to whoever an accepted event lets read it (CONTRACT.md 1.1).

A file named `public: true` by an accepted event is anyone's. A private one is read only with a gateway token
(`Authorization: Bearer …`, shared/tokens.py) of the ministry or observer that named it in an accepted event
(a training, a plan, an amendment or a dispute), or of the secretariat (`bappenas`). To
anyone else it is the same 404, body and headers, as a file that does not exist, answered after the same
steps (the events are read either way, the store only for a reader who may have the file). A token that is
not valid is 401, whatever the file: a client learns that its token is wrong, and nothing about any file.

Which events name which file comes from the event store (shared/evidence_index.py), the file
from OGI_EVIDENCE, streamed a megabyte at a time.
"""

import asyncio
import logging

from fastapi import APIRouter, Depends, HTTPException
from fastapi import Path as PathParameter
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from nats.aio.client import Client
from nats.errors import Error as NatsError

from shared.contracts.evidence import MEDIA_TYPES, SHA256_PATTERN
from shared.downloads import content_disposition
from shared.evidence_index import EvidenceIndex, readable_naming
from shared.evidence_store import EvidenceStore, StoredFile
from shared.tokens import Expired, TokenStore

log = logging.getLogger("ogi.evidence")

NOT_FOUND = "no such evidence file"  # the one answer for a file that is not there and one the reader may not have
PUBLIC_CACHING = "public, max-age=3600"
PRIVATE_CACHING = "private, no-store"
bearer = HTTPBearer(auto_error=False, description="A gateway token (`ogi token create`): needed only for a private file")
SHA256 = PathParameter(pattern=SHA256_PATTERN, description="the file's SHA-256, 64 lowercase hexadecimal digits")


class EvidenceDesk:
    """The route, and what it reads once the service is connected to NATS."""

    def __init__(self) -> None:
        self.index: EvidenceIndex | None = None
        self._store: EvidenceStore | None = None
        self._tokens: TokenStore | None = None
        self._warming: asyncio.Task | None = None
        self.router = self._routes()

    async def start(self, nc: Client) -> None:
        """Begin reading the events that name evidence (in the background: a download waits for the read)."""
        self.index, self._store, self._tokens = EvidenceIndex(nc), EvidenceStore(nc), TokenStore(nc)
        self._warming = asyncio.create_task(self._warm(self.index), name="evidence index")

    async def stop(self) -> None:
        if self._warming is not None:
            self._warming.cancel()
            await asyncio.gather(self._warming, return_exceptions=True)

    async def _warm(self, index: EvidenceIndex) -> None:
        try:
            await index.catch_up()
        except Exception as error:  # NATS away: the first download reads instead
            log.warning("evidence index not read at start: %r", error)

    def _routes(self) -> APIRouter:
        router = APIRouter(tags=["evidence"])

        @router.get(
            "/api/v1/evidence/{sha256}",
            response_class=StreamingResponse,
            responses={
                200: {
                    "description": "the file, as stored: its type, `Content-Length`, and `Content-Disposition: attachment` with the name the event gave",
                    "content": {media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in MEDIA_TYPES},
                },
                401: {"description": "a token was given, and it is not valid (or expired)"},
                404: {"description": "no such file, or one this reader may not have: the same answer"},
                503: {"description": "not connected to NATS: try again later"},
            },
            openapi_extra={"security": [{}, {"HTTPBearer": []}]},  # a token is optional: needed for a private file only
        )
        async def evidence(sha256: str = SHA256, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> StreamingResponse:
            """An evidence file named by an accepted event: a public one for anyone, a private one with a token of
            the ministry that named it or of the secretariat."""
            index, store, tokens = self.index, self._store, self._tokens
            if index is None or store is None or tokens is None:
                raise HTTPException(503, "not connected to NATS yet", headers={"Retry-After": "5"})
            try:
                reader = await _reader(tokens, credentials)
                naming = readable_naming(await index.namings(sha256), reader)
                stored = await store.info(sha256) if naming is not None else None
            except (NatsError, TimeoutError) as error:
                raise HTTPException(503, f"NATS did not answer ({type(error).__name__}): try again later", headers={"Retry-After": "5"}) from None
            if naming is None or stored is None:
                raise HTTPException(404, NOT_FOUND)
            return _download(store, stored, naming.name, private=credentials is not None)

        return router


async def _reader(tokens: TokenStore, credentials: HTTPAuthorizationCredentials | None) -> str | None:
    if credentials is None:
        return None
    try:
        token = await tokens.verify(credentials.credentials)
    except Expired as expired:
        raise HTTPException(401, str(expired), headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from None
    if token is None:
        raise HTTPException(401, "the bearer token is not valid: leave it out for public files", headers={"WWW-Authenticate": "Bearer"})
    return token.organisation


def _download(store: EvidenceStore, stored: StoredFile, name: str, private: bool) -> StreamingResponse:
    """The file as stored; `X-Content-Type-Options: nosniff` is on every response (shared/http_middleware.py), so
    a browser takes it as its stored type and nothing else."""
    headers = {
        "Content-Length": str(stored.size),
        "Content-Disposition": content_disposition(name),
        "Cache-Control": PRIVATE_CACHING if private else PUBLIC_CACHING,
        "ETag": f'"{stored.sha256}"',
        "Vary": "Authorization",
    }
    return StreamingResponse(_logged(store, stored), media_type=stored.media_type, headers=headers)


async def _logged(store: EvidenceStore, stored: StoredFile):
    try:
        async for chunk in store.content(stored):
            yield chunk
    except Exception:  # the status is sent already: the client sees the body cut short
        log.error("evidence %s not served whole", stored.sha256, exc_info=True)
        raise


def publishable(data: dict) -> dict:
    """An event's `data` as the public read API shows it: a private evidence file keeps its SHA-256 and
    `"public": false`, without its name (a file name may name a person). The stored event keeps the name, and
    the transparency log publishes stored events as they are (docs/contract.md, "Evidence")."""
    evidence = data.get("evidence")
    if not isinstance(evidence, list) or all(isinstance(item, dict) and item.get("public") is True for item in evidence):
        return data
    shown = [item if isinstance(item, dict) and item.get("public") is True else _unnamed(item) for item in evidence]
    return {**data, "evidence": shown}


def _unnamed(item: object) -> dict:
    return {"sha256": item.get("sha256"), "public": False} if isinstance(item, dict) else {"public": False}
