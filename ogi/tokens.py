"""`ogi token`: bearer tokens for the HTTP gateway, one ministry or observer each; only their hashes are stored."""

import datetime as dt
from typing import Annotated

import typer
from nats.aio.client import Client

from ogi.cli_support import AsJson, NatsUrl, console, fail, print_json, unknown_ministry, with_nats
from shared.ministries import Ministry
from shared.observers import ObserverRegistry
from shared.tokens import DEFAULT_DAYS, MAX_DAYS, Token, TokenStore

app = typer.Typer(help="Bearer tokens for the HTTP gateway.", no_args_is_help=True)


Days = Annotated[int, typer.Option(min=1, max=MAX_DAYS, help="how long the token is valid")]


@app.command()
def create(
    ministry: Annotated[str | None, typer.Option(help="the ministry the token acts as")] = None,
    observer: Annotated[str | None, typer.Option(help="or the registered observer it acts as (`ogi observer list`)")] = None,
    days: Days = DEFAULT_DAYS,
    nats_url: NatsUrl = None,
    as_json: AsJson = False,
) -> None:
    """Create a token and print it once: it cannot be shown again."""
    if (ministry is None) == (observer is None):
        fail("give either --ministry or --observer")
    if ministry is not None and ministry not in {str(m) for m in Ministry}:
        fail(unknown_ministry(ministry))

    async def make(nc: Client) -> tuple[Token, str]:
        if observer is not None and await ObserverRegistry(nc).get(observer) is None:
            fail(f"{observer!r} is not a registered observer: register it first with `ogi observer add {observer} --name …`")
        return await TokenStore(nc).create(ministry or str(observer), days)

    _show(*with_nats(nats_url, "ogi-token", make), as_json)


@app.command()
def rotate(
    token_id: Annotated[str, typer.Argument(help="the token's id (`ogi token list`)")],
    overlap_hours: Annotated[float, typer.Option(min=0, max=24 * 30, help="how long the old token still works")] = 24.0,
    nats_url: NatsUrl = None,
    as_json: AsJson = False,
) -> None:
    """Make a new token for the same ministry and end the old one after the overlap."""
    rotated = with_nats(nats_url, "ogi-token", lambda nc: TokenStore(nc).rotate(token_id, dt.timedelta(hours=overlap_hours)))
    if rotated is None:
        fail(f"no token {token_id!r}")
    _show(*rotated, as_json)
    if not as_json:
        console.print(f"token {token_id} ends in {overlap_hours:g} h", style="dim", highlight=False)


def _show(token: Token, secret: str, as_json: bool) -> None:
    if as_json:
        print_json({"id": token.id, "ministry": token.organisation, "expires_at": token.expires_at, "token": secret})
        return
    console.print(secret, soft_wrap=True, highlight=False)
    console.print(
        f"token {token.id} for {token.organisation}, valid until {token.expires_at}; only its hash is stored, so keep it now", style="dim", soft_wrap=True
    )


@app.command()
def revoke(token_id: Annotated[str, typer.Argument(help="the token's id (`ogi token list`)")], nats_url: NatsUrl = None) -> None:
    """Revoke a token at once."""
    if not with_nats(nats_url, "ogi-token", lambda nc: TokenStore(nc).revoke(token_id)):
        fail(f"no token {token_id!r}")
    console.print(f"revoked {token_id}")


@app.command("list")
def list_tokens(nats_url: NatsUrl = None, as_json: AsJson = False) -> None:
    """The tokens that are valid now: id, ministry, created, valid until."""
    tokens = with_nats(nats_url, "ogi-token", lambda nc: TokenStore(nc).all())
    if as_json:
        print_json([{"id": t.id, "ministry": t.organisation, "created_at": t.created_at, "expires_at": t.expires_at} for t in tokens])
        return
    for token in tokens:
        console.print(f"{token.id}  {token.organisation:<11} {token.created_at}  until {token.expires_at or 'rotated or revoked'}", highlight=False)
