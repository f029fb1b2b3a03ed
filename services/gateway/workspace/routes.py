"""Every route of the workspace, for the gateway's app."""

from fastapi import APIRouter

from services.gateway.http import Context
from services.gateway.workspace.auth import auth_routes
from services.gateway.workspace.claims import claim_routes
from services.gateway.workspace.evidence import evidence_routes
from services.gateway.workspace.history import history_routes
from services.gateway.workspace.imports import import_routes
from services.gateway.workspace.pages import page_routes
from services.gateway.workspace.reference import reference_routes
from services.gateway.workspace.submissions import submission_routes


def workspace_routes(context: Context) -> APIRouter:
    router = APIRouter()
    for routes in (auth_routes, submission_routes, evidence_routes, history_routes, reference_routes, import_routes, claim_routes):
        router.include_router(routes(context))
    router.include_router(page_routes())  # last: its /workspace/{name} would take the templates
    return router
