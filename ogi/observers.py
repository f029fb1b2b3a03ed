"""`ogi observer`: the civil-society organisations that may dispute claims (contract 1.1), registered by the
operator in KV `OGI_OBSERVERS`. An observer submits with a gateway token (`ogi token create --observer ID`)."""

from typing import Annotated

import typer

from ogi.cli_support import AsJson, NatsUrl, console, fail, print_json, with_nats
from shared.observers import AlreadyRegistered, ObserverRegistry, check_registrable

app = typer.Typer(help="Observers: civil-society organisations that may dispute claims.", no_args_is_help=True)


@app.command()
def add(
    observer_id: Annotated[str, typer.Argument(metavar="ID", help="2 to 32 of a-z, 0-9 and _, starting with a letter, e.g. tii")],
    name: Annotated[str, typer.Option(help='the organisation\'s name, e.g. "Transparency International Indonesia"')],
    nats_url: NatsUrl = None,
    as_json: AsJson = False,
) -> None:
    """Register an observer; it stays registered."""
    try:
        check_registrable(observer_id, name)
    except ValueError as error:
        fail(str(error))
    try:
        observer = with_nats(nats_url, "ogi-observer", lambda nc: ObserverRegistry(nc).add(observer_id, name))
    except AlreadyRegistered as error:
        fail(str(error))
    if as_json:
        print_json({"id": observer.id, "name": observer.name})
    else:
        console.print(f"observer {observer.id} registered: {observer.name}; its token: ogi token create --observer {observer.id}", highlight=False)


@app.command("list")
def list_observers(nats_url: NatsUrl = None, as_json: AsJson = False) -> None:
    """The registered observers: id and name."""
    observers = with_nats(nats_url, "ogi-observer", lambda nc: ObserverRegistry(nc).all())
    if as_json:
        print_json([{"id": observer.id, "name": observer.name} for observer in observers])
        return
    for observer in observers:
        console.print(f"{observer.id:<32} {observer.name}", highlight=False)
