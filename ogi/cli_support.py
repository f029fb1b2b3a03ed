"""What every `ogi` command shares: consoles, one-line errors, the NATS option, running async work."""

import asyncio
import difflib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from nats.aio.client import Client
from rich.console import Console

from ogi import nats_errors
from shared.ministries import Ministry
from shared.natsconn import CredentialsError, NatsUnreachable, connect
from shared.settings import Settings

console = Console()
errors = Console(stderr=True)
# A command speaks through its own output and one-line errors; library warnings (each failed connection
# attempt, say) would bury them.
logging.basicConfig(level=logging.ERROR)

NatsUrl = Annotated[str | None, typer.Option("--nats-url", envvar="OGI_NATS_URL", help="NATS server(s), comma-separated")]
ApiUrl = Annotated[str, typer.Option("--api-url", envvar="OGI_API_URL", help="the indicators HTTP API")]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]
DEFAULT_API_URL = "http://127.0.0.1:8000"
T = TypeVar("T")


def api_did_not_answer(api_url: str) -> str:
    return f"the indicators API at {api_url} did not answer: is `ogi up` running there? Name its address with --api-url (or OGI_API_URL)"


class CommandError(Exception):
    """A problem the person can act on: printed as one line, exit status 1."""


def fail(message: str) -> NoReturn:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def unknown_ministry(given: str) -> str:
    known = [str(ministry) for ministry in Ministry]
    close = difflib.get_close_matches(given, known, n=1)
    return f"unknown ministry {given!r}: " + (f"did you mean {close[0]}? " if close else "") + f"one of {', '.join(known)}"


def settings(**given: Any) -> Settings:
    return Settings(**{key: value for key, value in given.items() if value is not None})


@asynccontextmanager
async def nats_connection(nats_url: str | None, name: str) -> AsyncIterator[Client]:
    config = settings(nats_url=nats_url)  # credentials: the file named by OGI_NATS_CREDENTIALS, if any
    nc = await connect(config.resolved_nats_url, name=name, timeout=3.0, credentials=config.nats_credentials)
    try:
        yield nc
    finally:
        await nc.close()


def run(coroutine: Coroutine[Any, Any, T], nats_url: str | None = None) -> T:
    try:
        return asyncio.run(coroutine)
    except (NatsUnreachable, CredentialsError, CommandError) as error:
        fail(str(error))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except Exception as error:
        line = nats_errors.explained(error, settings(nats_url=nats_url).resolved_nats_url)
        if line is None:
            raise
        fail(line)


def with_nats(nats_url: str | None, name: str, work: Callable[[Client], Awaitable[T]]) -> T:
    async def session() -> T:
        async with nats_connection(nats_url, name) as nc:
            return await work(nc)

    return run(session(), nats_url)


def print_json(value: object) -> None:
    console.print_json(json.dumps(value, default=str))
