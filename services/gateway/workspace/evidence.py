"""`PUT /workspace/api/evidence`: a signed-in person uploads an evidence file for their organisation, stored
exactly as the gateway's `PUT /api/v1/evidence` stores a token's (services/gateway/evidence.py)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from services.gateway.evidence import store_upload
from services.gateway.http import Context
from services.gateway.workspace.auth import PATH, SignedIn, changing


def evidence_routes(context: Context) -> APIRouter:
    router = APIRouter(prefix=f"{PATH}/api", tags=["workspace"], include_in_schema=False)  # the pages' own, not for integrators
    person_changing = changing(context)

    @router.put("/evidence")
    async def put_evidence(request: Request, signed: SignedIn = Depends(person_changing)) -> JSONResponse:
        """The body is the file, its `Content-Type` its type: 201 stored, 200 already stored."""
        return await store_upload(context, request, signed.person.organisation)

    return router
