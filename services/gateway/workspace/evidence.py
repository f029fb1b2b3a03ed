"""Evidence files in the workspace.

`PUT /workspace/api/evidence`: a signed-in person uploads an evidence file for their organisation, stored exactly
as the gateway's `PUT /api/v1/evidence` stores a token's (services/gateway/evidence.py).

`GET /workspace/api/evidence/<sha256>`: a file an accepted event names, for a signed-in person who may read it
(shared/evidence_index.py): a public one for anyone, a private one for the organisation that named it — in a
training, a plan, an amendment or a dispute — and for the secretariat. To anyone else it is the same 404 as a
file that does not exist. PDFs and images come `inline`, so the page previews them (a frame, an image); the
other types as attachments. Only this path may be framed, and by the workspace's own pages alone
(shared/http_middleware.py).
"""

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParameter
from fastapi.responses import JSONResponse, StreamingResponse
from nats.errors import Error as NatsError

from services.gateway.evidence import store_upload
from services.gateway.http import Context, Refusal
from services.gateway.workspace.auth import PATH, SignedIn, changing, signed_in
from shared.contracts.evidence import SHA256_PATTERN
from shared.downloads import content_disposition
from shared.evidence_index import readable_naming
from shared.evidence_store import EvidenceStore, StoredFile

PREVIEWED = {"application/pdf", "image/jpeg", "image/png"}
SHA256 = PathParameter(pattern=SHA256_PATTERN)


def evidence_routes(context: Context) -> APIRouter:
    router = APIRouter(prefix=f"{PATH}/api", tags=["workspace"], include_in_schema=False)  # the pages' own, not for integrators
    person_signed_in = signed_in(context)
    person_changing = changing(context)

    @router.put("/evidence")
    async def put_evidence(request: Request, signed: SignedIn = Depends(person_changing)) -> JSONResponse:
        """The body is the file, its `Content-Type` its type: 201 stored, 200 already stored."""
        return await store_upload(context, request, signed.person.organisation)

    @router.get("/evidence/{sha256}")
    async def get_evidence(sha256: str = SHA256, signed: SignedIn = Depends(person_signed_in)) -> StreamingResponse:
        """The file, to a person whose organisation may read it; 404 to anyone else, as for no file at all."""
        running = context.running()
        try:
            naming = readable_naming(await running.evidence_index.namings(sha256), str(signed.organisation))
            stored = await running.evidence.info(sha256) if naming is not None else None
        except (NatsError, TimeoutError):
            raise Refusal(503, "nats_unavailable", "NATS did not answer: try again shortly", headers={"Retry-After": "5"}) from None
        if naming is None or stored is None:
            raise Refusal(404, "no_such_file", "no such evidence file")
        return _served(running.evidence, stored, naming.name)

    return router


def _served(store: EvidenceStore, stored: StoredFile, name: str) -> StreamingResponse:
    headers = {
        "Content-Length": str(stored.size),
        "Content-Disposition": content_disposition(name, inline=stored.media_type in PREVIEWED),
        "Cache-Control": "private, no-store",
    }
    return StreamingResponse(store.content(stored), media_type=stored.media_type, headers=headers)
