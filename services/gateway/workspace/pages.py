"""The workspace's pages: static files (no CDN, no external fonts) under /workspace/, in the dashboard's look."""

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

STATIC = Path(__file__).parent / "static"
# The dashboard's stylesheet and words are the workspace's too: one look, one place to change it.
DASHBOARD_STATIC = Path(__file__).parents[2] / "indicators" / "web" / "static"
SHARED_FILES = {name: DASHBOARD_STATIC / name for name in ("app.css", "favicon.svg", "i18n.js")}
PAGES = {path.name: path for path in STATIC.iterdir() if path.is_file()} | SHARED_FILES


def page_routes() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/workspace")
    async def home() -> RedirectResponse:
        return RedirectResponse("/workspace/")

    @router.get("/workspace/")
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    @router.get("/workspace/{name}")
    async def static(name: str) -> FileResponse:
        if name not in PAGES:
            raise HTTPException(404)
        return FileResponse(PAGES[name], headers={"Cache-Control": "no-cache"})

    return router
