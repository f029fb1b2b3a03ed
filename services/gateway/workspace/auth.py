"""Signing in to the workspace, and what every other workspace route depends on: a person signed in, and, for
whatever changes something, the session's CSRF token in `X-CSRF-Token`.

`POST /workspace/api/session` signs in (e-mail and password), `POST /workspace/api/activation` chooses a
password with the one-time code an operator gave (`ogi user add`); both set the session cookie. `GET` tells who
is signed in and gives the CSRF token; `DELETE` signs out; `POST /workspace/api/session/everywhere` ends every
session of the person. Refusals are `{"detail", "code"}` like the rest of the gateway.
"""

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.http import Context, Refusal
from services.gateway.workspace.sessions import COOKIE, Session
from shared.observers import find
from shared.organisations import KINDS_BY_ROLE, Organisation
from shared.people import AccountError, Person

CSRF_HEADER = "X-CSRF-Token"
PATH = "/workspace"
SIGNED_OUT = "your session has ended: sign in again"


@dataclass(frozen=True)
class SignedIn:
    person: Person
    session: Session
    organisation: Organisation


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=256)
    password: str = Field(max_length=256)


class Activation(SignIn):
    code: str = Field(max_length=64)


def signed_in(context: Context) -> Callable[[Request], Awaitable[SignedIn]]:
    async def dependency(request: Request) -> SignedIn:
        running = context.running()
        session = await running.sessions.find(request.cookies.get(COOKIE))
        person = await running.people.get(session.person_id) if session else None
        if session is None or person is None or not person.session_valid(session.made):
            raise Refusal(401, "signed_out", SIGNED_OUT)
        return SignedIn(person, session, await _organisation(context, person))

    return dependency


def changing(context: Context) -> Callable[..., Awaitable[SignedIn]]:
    """Signed in, and the request carries the session's CSRF token and comes from this site."""
    person_signed_in = signed_in(context)

    async def dependency(request: Request, signed: SignedIn = Depends(person_signed_in)) -> SignedIn:
        _same_origin(request)
        presented = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(presented.encode(), signed.session.csrf.encode()):
            raise Refusal(403, "csrf", f"the request lacks this session's {CSRF_HEADER}: reload the page")
        return signed

    return dependency


def auth_routes(context: Context) -> APIRouter:
    router = APIRouter(prefix=f"{PATH}/api", tags=["workspace"], include_in_schema=False)  # the pages' own, not for integrators
    person_signed_in = signed_in(context)
    person_changing = changing(context)

    @router.get("/session")
    async def who(signed: SignedIn = Depends(person_signed_in)) -> dict:
        """Who is signed in, and the CSRF token their requests carry."""
        return _described(signed)

    @router.post("/session")
    async def sign_in(request: Request, form: SignIn) -> JSONResponse:
        """Sign in with an e-mail address and password."""
        _same_origin(request)
        await _not_throttled(context, request)
        try:
            person = await context.running().people.sign_in(form.email, form.password)
        except AccountError as error:
            await _count_failure(context, request)
            raise _refusal(error) from None
        return await _session_response(context, request, person)

    @router.post("/activation")
    async def activate(request: Request, form: Activation) -> JSONResponse:
        """Choose a password with the one-time sign-in code from the operator, and sign in."""
        _same_origin(request)
        await _not_throttled(context, request)
        try:
            person = await context.running().people.activate(form.email, form.code, form.password)
        except AccountError as error:
            if error.code == "invalid_code":
                await _count_failure(context, request)
            raise _refusal(error) from None
        return await _session_response(context, request, person)

    @router.delete("/session")
    async def sign_out(request: Request, signed: SignedIn = Depends(person_changing)) -> JSONResponse:
        await context.running().sessions.end(request.cookies.get(COOKIE))
        response = JSONResponse({"signed_out": True})
        response.delete_cookie(COOKIE, path=PATH)
        return response

    @router.post("/session/everywhere")
    async def sign_out_everywhere(signed: SignedIn = Depends(person_changing)) -> JSONResponse:
        """End every session of this person, on every device."""
        await context.running().people.end_sessions(signed.person.id)
        response = JSONResponse({"signed_out": True})
        response.delete_cookie(COOKIE, path=PATH)
        return response

    return router


async def _organisation(context: Context, person: Person) -> Organisation:
    found = await find(context.running().observers, person.organisation)
    if found is None:  # an observer's account whose registration is gone: it acts for no one
        raise Refusal(401, "signed_out", SIGNED_OUT)
    return found


def _described(signed: SignedIn) -> dict:
    person, organisation = signed.person, signed.organisation
    return {
        "person": {
            "id": person.id,
            "email": person.email,
            "organisation": organisation.id,
            "organisation_name": organisation.name,
            "role": str(organisation.role),
            "kinds": list(KINDS_BY_ROLE[organisation.role]),
        },
        "csrf": signed.session.csrf,
        "expires_at": signed.session.expires_at,
    }


async def _session_response(context: Context, request: Request, person: Person) -> JSONResponse:
    organisation = await _organisation(context, person)
    session, cookie = await context.running().sessions.make(person.id)
    response = JSONResponse(_described(SignedIn(person, session, organisation)))
    secure = request.url.scheme == "https"
    max_age = int(context.settings.session_lifetime.total_seconds())
    response.set_cookie(COOKIE, cookie, max_age=max_age, path=PATH, secure=secure, httponly=True, samesite="strict")
    return response


def _same_origin(request: Request) -> None:
    """A browser names the page a request came from in `Origin`: one from another site is refused."""
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise Refusal(403, "csrf", "requests to the workspace come from its own pages only")


async def _not_throttled(context: Context, request: Request) -> None:
    if await context.running().failures.over(_address(request)):
        raise Refusal(429, "throttled", "too many failed attempts from this address: wait a minute", headers={"Retry-After": "60"})


async def _count_failure(context: Context, request: Request) -> None:
    await context.running().failures.wait_needed(_address(request))


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _refusal(error: AccountError) -> Refusal:
    status = {"locked": 423, "sign_in_failed": 401, "busy": 503}.get(error.code, 400)
    return Refusal(status, error.code, str(error))
