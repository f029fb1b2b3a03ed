"""The `ogi` command line."""

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ogi import up as up_module
from ogi.embedded_nats import NatsStartError
from shared import subjects
from shared.contracts.indicators import KEYS, TARGETS
from shared.contracts.outcomes import Status
from shared.natsconn import NatsUnreachable, connect
from shared.settings import Settings

app = typer.Typer(help="OGI Tracker: Open Government Indonesia's local-government action, as events.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)

NatsUrl = Annotated[str | None, typer.Option("--nats-url", envvar="OGI_NATS_URL", help="NATS server(s), comma-separated")]


def fail(message: str) -> None:
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(1)


def _settings(**given) -> Settings:
    return Settings(**{key: value for key, value in given.items() if value is not None})


@app.command()
def up(
    data_dir: Annotated[Path | None, typer.Option(envvar="OGI_DATA_DIR", help="where NATS and SQLite keep their files [default: ./.ogi]")] = None,
    nats_url: NatsUrl = None,
    nats_port: Annotated[int | None, typer.Option(help="port of the embedded NATS server [default: 4222]")] = None,
    http_port: Annotated[int | None, typer.Option(envvar="OGI_HTTP_PORT", help="port of the HTTP API and dashboard [default: 8000]")] = None,
    database_url: Annotated[str | None, typer.Option(envvar="OGI_DATABASE_URL", help="read-model database [default: SQLite under the data dir]")] = None,
    otlp: Annotated[str | None, typer.Option(help="export traces over OTLP/HTTP to this collector (default: the OTEL_* variables; none)")] = None,
) -> None:
    """Run the whole system: NATS (embedded unless --nats-url), the services, the HTTP API."""
    settings = _settings(data_dir=data_dir, nats_url=nats_url, nats_port=nats_port, http_port=http_port, database_url=database_url)
    try:
        with console.status("starting OGI Tracker…"):
            running = up_module.start(settings, otlp)
    except (up_module.UpError, NatsStartError) as error:
        fail(str(error))
    console.print(f"NATS       {running.nats_url}")
    console.print(f"Dashboard  {running.dashboard_url}")
    console.print("Ready. Ctrl-C stops.", style="green")
    try:
        up_module.supervise(running)
    except up_module.UpError as error:
        fail(str(error))
    console.print("stopped")


@app.command()
def service(name: Annotated[str, typer.Argument(help="registry, training, plans or indicators")]) -> None:
    """Run one service in this process (settings from OGI_* variables), as containers do."""
    if name not in up_module.SERVICES:
        fail(f"unknown service {name!r}: one of {', '.join(up_module.SERVICES)}")
    import runpy

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
    if kind not in subjects.KINDS:
        fail(f"unknown kind {kind!r}: one of {', '.join(subjects.KINDS)}")
    try:
        body = sys.stdin.buffer.read() if json_file == "-" else Path(json_file).read_bytes()
    except OSError as error:
        fail(f"cannot read {json_file}: {error.strerror}")
    outcome = _run(_submit(_settings(nats_url=nats_url), ministry, kind, body, timeout))
    console.print_json(outcome.to_json().decode())
    if outcome.status == Status.REJECTED:
        raise typer.Exit(2)


async def _submit(settings: Settings, ministry: str, kind: str, body: bytes, timeout: float):
    from ogi.client import submit as submit_and_wait

    nc = await connect(settings.resolved_nats_url, name="ogi-submit")
    try:
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        payload = parsed if isinstance(parsed, dict) else body
        try:
            return await submit_and_wait(nc, ministry, kind, payload, timeout)
        except TimeoutError:
            fail(f"stored, but no outcome within {timeout:.0f} s: are the services running?")
    finally:
        await nc.close()


@app.command()
def indicators(nats_url: NatsUrl = None, as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """Print the nine indicator counts against their targets (from KV OGI_INDICATORS)."""
    values = _run(_read_indicators(_settings(nats_url=nats_url)))
    if as_json:
        console.print_json(json.dumps(values))
        return
    table = Table(title="OGI local-government action: progress")
    for column in ("scope", "indicator", "count", "target", "progress"):
        table.add_column(column, justify="right" if column in ("count", "target", "progress") else "left")
    for value in values:
        table.add_row(value["scope"], value["indicator"], str(value["count"]), str(value["target"]), f"{value['count'] / value['target']:.0%}")
    console.print(table)


async def _read_indicators(settings: Settings) -> list[dict]:
    from nats.js.errors import KeyNotFoundError

    nc = await connect(settings.resolved_nats_url, name="ogi-indicators-cli")
    try:
        bucket = await nc.jetstream().key_value(subjects.INDICATORS_BUCKET)
        values = []
        for scope, indicator in KEYS:
            try:
                entry = await bucket.get(f"{scope}.{indicator}")
                values.append(json.loads(entry.value))
            except KeyNotFoundError:
                values.append({"scope": scope, "indicator": indicator, "count": 0, "target": TARGETS[indicator], "as_of_seq": 0})
        return values
    finally:
        await nc.close()


@app.command("trace")
def trace_command(
    identifier: Annotated[str, typer.Argument(help="a submission id, or an event id")],
    ministry: Annotated[str | None, typer.Option(help="the submitting ministry, when several used the id")] = None,
    nats_url: NatsUrl = None,
    api_url: Annotated[str, typer.Option("--api-url", envvar="OGI_API_URL", help="the indicators HTTP API")] = "http://127.0.0.1:8000",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Where a submission went: its trace id, the path through the system, its outcome."""
    from ogi.trace import NotFound, follow

    async def look() -> list:
        nc = await connect(_settings(nats_url=nats_url).resolved_nats_url, name="ogi-trace")
        try:
            return await follow(nc, identifier, api_url.rstrip("/"), ministry)
        except NotFound as error:
            fail(str(error))
        finally:
            await nc.close()

    trails = _run(look())
    if as_json:
        console.print_json(json.dumps([
            {"ministry": t.ministry, "submission_id": t.submission_id, "trace_id": t.trace_id, "path": [{"step": s, "detail": d} for s, d in t.path],
             "outcome": json.loads(t.outcome.to_json()), "resubmissions": [json.loads(o.to_json()) for o in t.resubmissions]}
            for t in trails
        ]))
        return
    for trail in trails:
        console.print(f"[bold]{trail.ministry}[/] {trail.submission_id}")
        console.print(f"  trace     {trail.trace_id or '(none recorded)'}")
        for step, detail in trail.path:
            console.print(f"  {step:<9} {detail}", highlight=False, soft_wrap=True)
        for resubmission in trail.resubmissions:
            console.print(f"  again     {subjects.INBOX_STREAM} #{resubmission.submission_seq}: {resubmission.status}", highlight=False, soft_wrap=True)
        console.print_json(trail.outcome.to_json().decode())


def _run(coroutine):
    try:
        return asyncio.run(coroutine)
    except NatsUnreachable as error:
        fail(str(error))
