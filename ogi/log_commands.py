"""`ogi verify` and `ogi log`: checking the transparency log, as anyone may, and keeping it, as an operator."""

import time
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from ogi.cli_support import NatsUrl, console, fail, with_nats
from ogi.verifying import CheckFailed, Verifier
from ogi.witness import Refused, Witness
from services.indicators.log_keeper import write_signing_key
from services.indicators.tlog.cosignature import CosignatureVerifier
from shared import subjects

app = typer.Typer(help="The transparency log: its checkpoints, its key, witnesses.", no_args_is_help=True)
witnesses = typer.Typer(help="The witnesses whose cosignatures the log takes.", no_args_is_help=True)
app.add_typer(witnesses, name="witnesses")
TIMEOUT = 30.0


def verify(
    url: Annotated[str, typer.Option(help="the OGI Tracker to check, e.g. https://ogi.example.go.id")],
    checkpoint: Annotated[Path | None, typer.Option(help="a checkpoint kept from an earlier check: the log must extend it")] = None,
    key: Annotated[str | None, typer.Option(help="the log's verifier key as published by the secretariat [default: the one the log serves]")] = None,
    save: Annotated[Path | None, typer.Option(help="keep the checkpoint checked now in this file, for the next check")] = None,
) -> None:
    """Check, with proof, that the published counts follow from an unaltered event history (exit 0), or say
    exactly what does not hold (exit 1)."""
    kept = None
    if checkpoint is not None:
        try:
            kept = checkpoint.read_text()
        except OSError as error:
            fail(f"cannot read {checkpoint}: {error.strerror}")
    with (
        httpx.Client(base_url=url.rstrip("/"), timeout=TIMEOUT) as client,
        Progress(TextColumn("reading the log"), BarColumn(), MofNCompleteColumn(), console=console, transient=True) as progress,
    ):
        task = progress.add_task("entries", total=None)
        verifier = Verifier(client, key, lambda done, total: progress.update(task, completed=done, total=total))
        try:
            report = verifier.run(kept)
        except CheckFailed as failure:
            for line in verifier.report.held:
                console.print(f"[green]holds[/]  {line}", highlight=False, soft_wrap=True)
            console.print(f"[bold red]fails[/]  {failure}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    for line in report.held:
        console.print(f"[green]holds[/]  {line}", highlight=False, soft_wrap=True)
    if save is not None:
        save.write_text(report.note)
        console.print(f"kept the checkpoint in {save}: give it with --checkpoint next time", style="dim", highlight=False)


async def request_checkpoint(nc) -> str:
    """The indicators service's answer to a checkpoint request: the latest checkpoint, or `error: …`."""
    return (await nc.request(subjects.LOG_MAKE_CHECKPOINT, b"", timeout=TIMEOUT)).data.decode()


@app.command()
def checkpoint(nats_url: NatsUrl = None) -> None:
    """Have the log signed now (when it grew since the last checkpoint) and print the latest checkpoint."""
    answer = with_nats(nats_url, "ogi-log", request_checkpoint)
    if answer.startswith("error:"):
        fail(f"no checkpoint made: {answer.removeprefix('error:').strip()}")
    console.print(answer, end="", highlight=False, soft_wrap=True)


@app.command()
def key(nats_url: NatsUrl = None) -> None:
    """Print the log's verifier key (vkey): publish it where citizens find it, for `ogi verify --key`."""

    async def read(nc):
        return (await nc.jetstream().get_last_msg(subjects.LOG_STREAM, subjects.LOG_KEY, direct=True)).data.decode()

    console.print(with_nats(nats_url, "ogi-log", read), highlight=False, soft_wrap=True)


@app.command()
def witness(
    url: Annotated[str, typer.Option(help="the OGI Tracker whose log to witness")],
    state: Annotated[Path, typer.Option(help="where this witness keeps its key, the log's key and the last checkpoint it saw")],
    name: Annotated[str | None, typer.Option(help="this witness's name, on first run (e.g. tii.or.id/witness)")] = None,
    once: Annotated[bool, typer.Option(help="look once and stop")] = False,
    every: Annotated[float, typer.Option(min=5, help="seconds between looks")] = 300.0,
) -> None:
    """Witness the log: cosign each new checkpoint once it is shown to extend the last one seen; a log that forked or shrank is refused (exit 1)."""
    with httpx.Client(base_url=url.rstrip("/"), timeout=TIMEOUT) as client:
        try:
            keeper = Witness(state, name, client)
        except Refused as error:
            fail(str(error))
        console.print(
            f"witness {keeper.cosigner.name}: the operator registers it with `ogi log witnesses add {keeper.cosigner.verifier().vkey()}`",
            highlight=False,
            soft_wrap=True,
        )
        while True:
            try:
                seen = keeper.once()
            except Refused as error:
                fail(f"refused: {error}")
            console.print(f"{'cosigned' if seen.cosigned else 'nothing new at'} the checkpoint of {seen.size} events", highlight=False)
            if once:
                return
            time.sleep(every)


@witnesses.command("add")
def add_witness(vkey: Annotated[str, typer.Argument(help="the witness's verifier key, as `ogi log witness` prints it")], nats_url: NatsUrl = None) -> None:
    """Register a witness: the log takes its cosignatures from now on."""
    try:
        verifier = CosignatureVerifier.from_vkey(vkey)
    except ValueError as error:
        fail(f"not a witness key: {error}")

    with_nats(nats_url, "ogi-log", lambda nc: register_witness(nc, verifier))
    console.print(f"registered witness {verifier.name}", highlight=False)


async def register_witness(nc, verifier: CosignatureVerifier) -> None:
    """The registration, kept in OGI_LOG: the witness's verifier key on its key id's subject."""
    await nc.jetstream().publish(subjects.log_witness(verifier.key_id.hex()), verifier.vkey().encode(), stream=subjects.LOG_STREAM)


@app.command("new-key")
def new_key(
    path: Annotated[Path, typer.Argument(help="the file to write the signing key to (readable by its owner only); a secret")],
    origin: Annotated[str, typer.Option(help="the log's origin, e.g. ogi-tracker.bappenas.go.id/log (OGI_LOG_ORIGIN)")],
) -> None:
    """Make the log's signing key for a deployment, once; give it to the indicators service (OGI_LOG_SIGNING_KEY_FILE)."""
    if path.exists():
        fail(f"{path} exists already: a new key would break every check made against the old one")
    try:
        signer = write_signing_key(path, origin)
    except ValueError as error:
        fail(f"not an origin: {error}")
    console.print(f"signing key in {path}; its verifier key, to publish: {signer.verifier().vkey()}", highlight=False, soft_wrap=True)
