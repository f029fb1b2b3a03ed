"""What the workspace's pages read before anyone signs in: the 514 regions for the region picker, the words
that explain every code, and where the dashboard and traces are (`GET /workspace/api/regions`, `/explanations`,
`/settings`)."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.gateway.http import Context
from services.gateway.workspace.auth import PATH
from services.gateway.workspace.explanations import EXPLANATIONS
from shared.regions import all_regions

CACHED_FOR_A_DAY = {"Cache-Control": "public, max-age=86400"}


def region_choices() -> list[dict]:
    """Each kabupaten/kota: its current code, name and province, and its 2018 code when that differs."""
    return [
        {"code": r.code, "name": r.name, "province": r.province_name} | ({"code_2018": r.code_2018} if r.code_2018 != r.code else {}) for r in all_regions()
    ]


def reference_routes(context: Context) -> APIRouter:
    router = APIRouter(prefix=f"{PATH}/api", tags=["workspace"], include_in_schema=False)  # the pages' own, not for integrators
    regions = region_choices()
    explanations = {code: explanation.as_json() for code, explanation in EXPLANATIONS.items()}

    @router.get("/regions")
    async def regions_to_choose() -> JSONResponse:
        return JSONResponse({"regions": regions}, headers=CACHED_FOR_A_DAY)

    @router.get("/explanations")
    async def what_codes_mean() -> JSONResponse:
        return JSONResponse({"explanations": explanations}, headers={"Cache-Control": "no-cache"})

    @router.get("/settings")
    async def where_links_go() -> dict:
        return {"dashboard_url": context.settings.dashboard_url, "trace_url": context.settings.trace_url}

    return router
