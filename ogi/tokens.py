"""`ogi token`: bearer tokens for the HTTP gateway, one ministry each; only their hashes are stored."""

from typing import Annotated

import typer

from ogi.cli_support import AsJson, NatsUrl, console, fail, print_json, with_nats
from services.gateway.tokens import TokenStore
from shared.ministries import Ministry

app = typer.Typer(help="Bearer tokens for the HTTP gateway.", no_args_is_help=True)


@app.command()
def create(ministry: Annotated[str, typer.Option(help="the ministry the token acts as")], nats_url: NatsUrl = None, as_json: AsJson = False) -> None:
    """Create a token and print it once: it cannot be shown again."""
    if ministry not in {str(m) for m in Ministry}:
        fail(f"unknown ministry {ministry!r}: one of {', '.join(str(m) for m in Ministry)}")
    token, secret = with_nats(nats_url, "ogi-token", lambda nc: TokenStore(nc).create(Ministry(ministry)))
    if as_json:
        print_json({"id": token.id, "ministry": str(token.ministry), "token": secret})
        return
    console.print(secret, soft_wrap=True, highlight=False)
    console.print(f"token {token.id} for {token.ministry}; only its hash is stored, so keep it now", style="dim", soft_wrap=True)


@app.command()
def revoke(token_id: Annotated[str, typer.Argument(help="the token's id (`ogi token list`)")], nats_url: NatsUrl = None) -> None:
    """Revoke a token at once."""
    if not with_nats(nats_url, "ogi-token", lambda nc: TokenStore(nc).revoke(token_id)):
        fail(f"no token {token_id!r}")
    console.print(f"revoked {token_id}")


@app.command("list")
def list_tokens(nats_url: NatsUrl = None, as_json: AsJson = False) -> None:
    """The tokens that are valid now: id, ministry, created."""
    tokens = with_nats(nats_url, "ogi-token", lambda nc: TokenStore(nc).all())
    if as_json:
        print_json([{"id": t.id, "ministry": str(t.ministry), "created_at": t.created_at} for t in tokens])
        return
    for token in tokens:
        console.print(f"{token.id}  {token.ministry:<11} {token.created_at}", highlight=False)
