"""`ogi user`: accounts for the people who use the workspace, each acting for one organisation."""

import difflib
from typing import Annotated
from urllib.parse import quote

import typer

from ogi.cli_support import AsJson, NatsUrl, console, fail, print_json, unknown_ministry, with_nats
from shared.observers import ObserverRegistry, find
from shared.organisations import MINISTRY_IDS, is_ministry, is_observer_id
from shared.people import CODE_DAYS, AccountError, PeopleStore, Person

app = typer.Typer(help="Accounts for the workspace, where ministry officers sign in and record their work.", no_args_is_help=True)

DEFAULT_WORKSPACE_URL = "http://127.0.0.1:8004/workspace/"
WorkspaceUrl = Annotated[str, typer.Option(envvar="OGI_WORKSPACE_URL", help="the workspace's address, for the sign-in link")]


@app.command()
def add(
    organisation: Annotated[str, typer.Option("--org", help="the organisation the person acts for: a ministry (e.g. kemendagri) or a registered observer")],
    email: Annotated[str, typer.Option(help="the person's e-mail address (never published)")],
    workspace_url: WorkspaceUrl = DEFAULT_WORKSPACE_URL,
    nats_url: NatsUrl = None,
    as_json: AsJson = False,
) -> None:
    """Make an account and print its one-time sign-in link and code: give them to the person."""
    if looks_like_a_ministry(organisation):
        fail(unknown_ministry(organisation))  # a typo, told before reaching NATS

    async def add_for_organisation(nc):
        if await find(ObserverRegistry(nc), organisation) is None:
            fail(unknown_organisation(organisation))
        return await PeopleStore(nc).add(organisation, email)

    person, code = _or_fail(add_for_organisation, nats_url)
    _show_code(person, code, workspace_url, as_json)


@app.command()
def reset(
    email: Annotated[str, typer.Argument(help="the account's e-mail address")],
    workspace_url: WorkspaceUrl = DEFAULT_WORKSPACE_URL,
    nats_url: NatsUrl = None,
    as_json: AsJson = False,
) -> None:
    """A new one-time sign-in code, for a forgotten password; the account's sessions end."""
    person, code = _or_fail(lambda nc: PeopleStore(nc).reset(email), nats_url)
    _show_code(person, code, workspace_url, as_json)


@app.command()
def disable(person_id: Annotated[str, typer.Argument(help="the account's id (`ogi user list`)")], nats_url: NatsUrl = None) -> None:
    """Disable an account at once: it cannot sign in, and its sessions end."""
    person = _or_fail(lambda nc: PeopleStore(nc).disable(person_id), nats_url)
    console.print(f"disabled {person.id} ({person.email}, {person.organisation})", highlight=False)


@app.command("list")
def list_people(nats_url: NatsUrl = None, as_json: AsJson = False) -> None:
    """Every account: id, organisation, e-mail address, state (invited, active, locked, disabled)."""
    people = with_nats(nats_url, "ogi-user", lambda nc: PeopleStore(nc).all())
    if as_json:
        print_json([{"id": p.id, "organisation": str(p.organisation), "email": p.email, "state": p.state, "created_at": p.created_at} for p in people])
        return
    for person in people:
        console.print(f"{person.id}  {person.organisation:<11} {person.state:<9} {person.email}", highlight=False)


def looks_like_a_ministry(given: str) -> bool:
    """Not a ministry's id but close to one: a mistyped ministry, never taken for an observer's id."""
    return not is_ministry(given) and bool(difflib.get_close_matches(given, sorted(MINISTRY_IDS), n=1, cutoff=0.8))


def unknown_organisation(given: str) -> str:
    if is_observer_id(given):
        return f"{given!r} is not a registered observer: register it first (`ogi observer add {given} --name …`), or name a ministry"
    return unknown_ministry(given)


def _or_fail(work, nats_url: str | None):
    async def guarded(nc):
        try:
            return await work(nc)
        except AccountError as error:
            fail(str(error))

    return with_nats(nats_url, "ogi-user", guarded)


def _show_code(person: Person, code: str, workspace_url: str, as_json: bool) -> None:
    # The code travels in the link's fragment, which a browser never sends to a server (nor to its logs).
    link = f"{workspace_url}#aktivasi?email={quote(person.email)}&kode={quote(code)}"
    if as_json:
        print_json({"id": person.id, "organisation": str(person.organisation), "email": person.email, "code": code, "link": link})
        return
    console.print(link, soft_wrap=True, highlight=False)
    console.print(f"sign-in code {code}", soft_wrap=True, highlight=False)
    console.print(
        f"account {person.id} for {person.email} ({person.organisation}); the code works once, for {CODE_DAYS} days; only its hash is kept",
        style="dim",
        soft_wrap=True,
        highlight=False,
    )
