"""The `ogi` command line: run the system, submit as a ministry, look into it as an operator."""

import json
import os
import runpy
import sys
from pathlib import Path
from typing import Annotated

import typer

from ogi import log_commands, nats_errors, observers, operator, tokens, users
from ogi import up as up_module
from ogi.cli_support import NatsUrl, console, errors, fail, run, settings, unknown_ministry, with_nats
from ogi.embedded_nats import NatsStartError
from ogi.simulation import command as simulation
from shared import subjects
from shared.contracts.outcomes import Status
from shared.ministries import Ministry

app = typer.Typer(help="OGI Tracker: Open Government Indonesia's local-government action, as events.", no_args_is_help=True, pretty_exceptions_enable=False)
DEBUG_VARIABLE = "OGI_DEBUG"


@app.command()
def up(
    data_dir: Annotated[Path | None, typer.Option(envvar="OGI_DATA_DIR", help="where NATS and SQLite keep their files [default: ./.ogi]")] = None,
    nats_url: NatsUrl = None,
    nats_port: Annotated[int | None, typer.Option(help="port of the embedded NATS server [default: 4222]")] = None,
    http_port: Annotated[int | None, typer.Option(envvar="OGI_HTTP_PORT", help="port of the HTTP API and dashboard [default: 8000]")] = None,
    database_url: Annotated[str | None, typer.Option(envvar="OGI_DATABASE_URL", help="read-model database [default: SQLite under the data dir]")] = None,
    otlp: Annotated[str | None, typer.Option(help="export traces over OTLP/HTTP to this collector (default: the OTEL_* variables; none)")] = None,
    demo: Annotated[bool, typer.Option(help="once ready, play a simulated 2018–2020 rollout (ogi simulate)")] = False,
    secure: Annotated[
        bool, typer.Option(help="NATS accounts: one per ministry, a user per ministry and service, least privilege; credentials under <data-dir>/credentials")
    ] = False,
    replicas: Annotated[
        int | None, typer.Option(envvar="OGI_REPLICAS", min=1, help="copies of each stream and bucket in a NATS cluster (needs --nats-url) [default: 1]")
    ] = None,
) -> None:
    """Run the whole system: NATS (embedded unless --nats-url), the services, the HTTP API."""
    config = settings(data_dir=data_dir, nats_url=nats_url, nats_port=nats_port, http_port=http_port, database_url=database_url, replicas=replicas)
    try:
        with console.status("starting OGI Tracker…"):
            running = up_module.start(config, otlp, secure)
    except (up_module.UpError, NatsStartError) as error:
        fail(str(error))
    console.print(f"NATS       {running.nats_url}", soft_wrap=True)
    if config.replicas > 1:
        console.print(f"Streams    {config.replicas} replicas each, buckets too", highlight=False)
    console.print(f"Dashboard  {running.dashboard_url}", soft_wrap=True)
    console.print(f"Gateway    {running.gateway_url}{{kind}}  (tokens: ogi token create)", soft_wrap=True)
    console.print(f"Workspace  {running.workspace_url}  (accounts: ogi user add)", soft_wrap=True)
    if running.credentials is not None:
        console.print(f"NATS users {running.credentials.resolve()}/<user>.json (OGI_NATS_CREDENTIALS)", soft_wrap=True, highlight=False)
    console.print("Ready. Ctrl-C stops.", style="green")
    if demo:
        up_module.start_demo(running)
    try:
        up_module.supervise(running, lambda line: console.print(line, highlight=False, soft_wrap=True))
    except up_module.UpError as error:
        fail(str(error))
    console.print("stopped")


@app.command()
def service(name: Annotated[str, typer.Argument(help=", ".join(up_module.SERVICES))]) -> None:
    """Run one service in this process (settings from OGI_* variables), as containers do."""
    if name not in up_module.SERVICES:
        fail(f"unknown service {name!r}: one of {', '.join(up_module.SERVICES)}")
    runpy.run_module(f"services.{name}", run_name="__main__")


@app.command()
def submit(
    kind: Annotated[str, typer.Argument(help=", ".join(subjects.KINDS))],
    ministry: Annotated[str, typer.Option(help="the submitting ministry's id, e.g. kemendagri")],
    json_file: Annotated[str, typer.Option("--json", help="file holding the JSON submission, or - for standard input")],
    nats_url: NatsUrl = None,
    timeout: Annotated[float, typer.Option(help="seconds to wait for the outcome")] = 10.0,
) -> None:
    """Publish one submission to ogi.inbox.<ministry>.<kind> and print its outcome."""
    from shared.submitting import NoOutcome, NotStored
    from shared.submitting import submit as submit_and_wait

    if kind not in subjects.KINDS:
        fail(f"unknown kind {kind!r}: one of {', '.join(subjects.KINDS)}")
    if ministry not in {str(known) for known in Ministry}:
        fail(unknown_ministry(ministry))
    try:
        body = sys.stdin.buffer.read() if json_file == "-" else Path(json_file).read_bytes()
    except OSError as error:
        fail(f"cannot read {json_file}: {error.strerror}")
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None

    async def send(nc):
        try:
            return await submit_and_wait(nc, ministry, kind, parsed if isinstance(parsed, dict) else body, timeout)
        except NotStored as error:
            fail(not_stored(error, settings(nats_url=nats_url).resolved_nats_url))
        except NoOutcome as error:
            fail(f"stored as {subjects.INBOX_STREAM} #{error.seq}, but no outcome within {timeout:.0f} s: are the services running? (`ogi trace` follows it)")

    outcome = with_nats(nats_url, "ogi-submit", send)
    console.print_json(outcome.to_json().decode())
    if outcome.status == Status.REJECTED:
        raise typer.Exit(2)


app.command()(operator.indicators)
app.command()(operator.region)
app.command()(operator.tail)
app.command()(operator.outcomes)
app.command("trace")(operator.trace)
app.command()(operator.rebuild)
app.command()(simulation.simulate)
app.add_typer(tokens.app, name="token")
app.add_typer(users.app, name="user")
app.add_typer(observers.app, name="observer")
app.command()(log_commands.verify)
app.add_typer(log_commands.app, name="log")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True}, add_help_option=False)
def bench(context: typer.Context) -> None:
    """Measure ingest, projection, latency and memory beside raw nats-py (`ogi bench --help` for its options)."""
    # The benchmark is a program of its own that runs this system: it imports `ogi`, never the reverse.
    os.execv(sys.executable, [sys.executable, "-m", "bench", *context.args])


def not_stored(error: Exception, nats_url: str) -> str:
    cause = error.__cause__
    if isinstance(cause, TimeoutError):
        return (
            f"NATS at {nats_url} did not confirm it stored it in time: it is most likely not stored (is its disk full? `ogi up` says); "
            "send it again later, as it is (if it was stored, the resend is answered duplicate)"
        )
    line = nats_errors.explained(cause, nats_url) if isinstance(cause, Exception) else None
    return line or f"not stored: {cause!r}"


def main() -> None:
    """`ogi`: whatever goes wrong is one line for the person at the terminal (OGI_DEBUG=1 shows the traceback)."""
    try:
        app(prog_name="ogi")
    except Exception as error:
        if os.environ.get(DEBUG_VARIABLE):
            raise
        errors.print(f"[bold red]error:[/] {type(error).__name__}: {error} (set {DEBUG_VARIABLE}=1 to see where)", highlight=False, soft_wrap=True)
        sys.exit(1)


__all__ = ["app", "main", "run"]
