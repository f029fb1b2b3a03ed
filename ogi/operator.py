"""Operator commands against a running system: indicators, region, tail, outcomes, trace, rebuild."""

import asyncio
import datetime as dt
import json
from collections import deque
from pathlib import Path
from typing import Annotated

import httpx
import typer
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import KeyNotFoundError
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.progress_bar import ProgressBar
from rich.table import Table

from ogi.cli_support import (
    DEFAULT_API_URL,
    ApiUrl,
    AsJson,
    CommandError,
    NatsUrl,
    api_did_not_answer,
    console,
    fail,
    print_json,
    settings,
    unknown_ministry,
    with_nats,
)
from shared import subjects
from shared.contracts.events import decode_event
from shared.contracts.indicators import KEYS, TARGETS
from shared.contracts.outcomes import Outcome, Status
from shared.eventstore import EventStore
from shared.ministries import Ministry
from shared.region_state import fold
from shared.regions import find_region
from shared.stream_reader import StreamReader


def indicators(
    as_of: Annotated[str | None, typer.Option("--as-of", help="the counts on this day, YYYY-MM-DD (from the HTTP API)")] = None,
    watch: Annotated[bool, typer.Option(help="follow the KV bucket and redraw on every change")] = False,
    nats_url: NatsUrl = None,
    api_url: ApiUrl = DEFAULT_API_URL,
    as_json: AsJson = False,
) -> None:
    """The nine indicator counts against their targets."""
    if as_of is not None:
        values = _indicators_as_of(api_url, _date(as_of))
        print_json(values) if as_json else console.print(_indicator_table(values, f"as of {as_of}"))
        return
    with_nats(nats_url, "ogi-indicators", lambda nc: _indicators_live(nc, watch, as_json))


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{text!r} is not a date: write it as YYYY-MM-DD")


def _indicators_as_of(api_url: str, day: dt.date) -> list[dict]:
    try:
        response = httpx.get(f"{api_url.rstrip('/')}/api/v1/indicators", params={"as_of": day.isoformat()}, timeout=10)
        response.raise_for_status()
    except httpx.HTTPError as error:
        fail(f"{api_did_not_answer(api_url)} ({type(error).__name__})")
    return response.json()["indicators"]


async def _indicators_live(nc, watch: bool, as_json: bool) -> None:
    bucket = await nc.jetstream().key_value(subjects.INDICATORS_BUCKET)
    values = {}
    for scope, indicator in KEYS:
        try:
            values[f"{scope}.{indicator}"] = json.loads((await bucket.get(f"{scope}.{indicator}")).value)
        except KeyNotFoundError:
            values[f"{scope}.{indicator}"] = {"scope": scope, "indicator": indicator, "count": 0, "target": TARGETS[indicator], "as_of_seq": 0}
    if not watch:
        print_json(list(values.values())) if as_json else console.print(_indicator_table(list(values.values()), "now"))
        return
    watcher = await bucket.watchall(include_history=False)
    with Live(_indicator_table(list(values.values()), "live"), console=console, auto_refresh=False, transient=as_json) as live:
        async for entry in watcher:
            if entry is None or entry.value is None:
                continue
            value = json.loads(entry.value)
            values[entry.key] = value
            if as_json:
                console.print(json.dumps(value), soft_wrap=True)
            else:
                live.update(_indicator_table(list(values.values()), f"live, read model at #{value['as_of_seq']}"), refresh=True)


def _indicator_table(values: list[dict], when: str) -> Table:
    table = Table(title=f"OGI local-government action: progress ({when})")
    table.add_column("scope")
    table.add_column("indicator")
    table.add_column("count", justify="right")
    table.add_column("target", justify="right")
    table.add_column("progress", width=24)
    table.add_column("", justify="right")
    for value in values:
        share = value["count"] / value["target"]
        table.add_row(
            value["scope"],
            value["indicator"],
            str(value["count"]),
            str(value["target"]),
            ProgressBar(total=1.0, completed=min(share, 1.0), width=22),
            f"{share:.0%}",
        )
    return table


def region(
    code: Annotated[str, typer.Argument(help="Kemendagri code, current or 2018 (73.71, 91.01)")], nats_url: NatsUrl = None, as_json: AsJson = False
) -> None:
    """A region's name, province, responsible ministry, status and its events in order (from the event store)."""
    found = find_region(code)
    if found is None:
        fail(f"{code!r} is not a known kabupaten/kota code")
    history = with_nats(nats_url, "ogi-region", lambda nc: EventStore(nc).read(subjects.region_history(found.code)))
    state = fold(history)
    trained_by = sorted({stored.event.ministry for stored in history.events if stored.event.event_type == "TrainingCompleted"})
    active_plans = sorted(plan for plan, active in state.plans.items() if active)
    summary = {
        "code": found.code,
        "name": found.name,
        "province": found.province_name,
        "code_2018": found.code_2018,
        "province_2018": found.province_name_2018,
        "ministry": state.ministry,
        "enrolled": state.enrolled,
        "trained_by": trained_by,
        "active_plans": active_plans,
        "events": [{"seq": s.seq, **json.loads(s.event.model_dump_json())} for s in history.events],
    }
    if as_json:
        print_json(summary)
        return
    console.print(f"[bold]{found.name}[/] ({found.code}; 2018: {found.code_2018}), {found.province_name}")
    console.print(
        f"responsible: {state.ministry or '—'}   enrolled: {'yes' if state.enrolled else 'no'}   "
        f"trained by: {', '.join(trained_by) or '—'}   active plans: {', '.join(active_plans) or '—'}"
    )
    table = Table()
    for column in ("seq", "occurred", "event", "ministry", "reported by", "submission"):
        table.add_column(column)
    for stored in history.events:
        event = stored.event
        table.add_row(str(stored.seq), event.occurred_on.isoformat(), event.event_type, event.ministry, event.reported_by, event.submission_id)
    console.print(table)


def tail(
    ministry: Annotated[str | None, typer.Option(help="only this ministry's (events it reported, or its outcomes)")] = None,
    region_code: Annotated[str | None, typer.Option("--region", help="only this region's events")] = None,
    show_outcomes: Annotated[bool, typer.Option("--outcomes", help="follow outcomes instead of events")] = False,
    limit: Annotated[int | None, typer.Option(help="stop after this many")] = None,
    nats_url: NatsUrl = None,
    as_json: AsJson = False,
) -> None:
    """Follow events (or outcomes) as they happen."""
    if region_code is not None:
        found = find_region(region_code)
        if found is None:
            fail(f"{region_code!r} is not a known kabupaten/kota code")
        region_code = found.code
    if show_outcomes:
        subject, stream = subjects.outcome(ministry or "*", ">"), subjects.OUTCOMES_STREAM
    else:
        subject, stream = (subjects.region_history(region_code) if region_code else "ogi.events.>"), subjects.EVENTS_STREAM

    async def follow(nc):
        queue: asyncio.Queue = asyncio.Queue()
        await nc.jetstream().subscribe(subject, stream=stream, ordered_consumer=True, cb=queue.put, config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW))
        shown = 0
        while limit is None or shown < limit:
            message = await queue.get()
            if show_outcomes:
                line = _outcome_line(Outcome.model_validate_json(message.data), as_json)
            else:
                event = decode_event(message.data)
                if ministry and ministry not in (event.ministry, event.reported_by):
                    continue
                line = (
                    json.dumps({"seq": message.metadata.sequence.stream, **json.loads(event.model_dump_json())})
                    if as_json
                    else (
                        f"#{message.metadata.sequence.stream} {event.occurred_on} {event.event_type:<17} {event.region_code} "
                        f"{_region_name(event.region_code)}  ministry={event.ministry} reported_by={event.reported_by}"
                    )
                )
            console.print(line, soft_wrap=True, highlight=False, markup=False)
            shown += 1

    with_nats(nats_url, "ogi-tail", follow)


def _region_name(code: str) -> str:
    found = find_region(code)
    return found.name if found else "(unknown region)"


def _outcome_line(outcome: Outcome, as_json: bool) -> str:
    if as_json:
        return outcome.to_json().decode()
    detail = f"{outcome.code}: {outcome.message}" if outcome.code else (outcome.event_id or "")
    return f"#{outcome.submission_seq} {outcome.ministry} {outcome.kind:<17} {outcome.submission_id or '(unreadable id)'}  {outcome.status}  {detail}"


def outcomes(
    ministry: Annotated[str, typer.Option(help="whose submissions")],
    rejected: Annotated[bool, typer.Option("--rejected", help="only rejected ones")] = False,
    limit: Annotated[int, typer.Option(help="how many of the most recent")] = 20,
    nats_url: NatsUrl = None,
    as_json: AsJson = False,
) -> None:
    """A ministry's most recent outcomes, to chase its failed submissions."""
    if ministry not in {str(m) for m in Ministry}:
        fail(unknown_ministry(ministry))

    async def recent(nc):
        stored = await StreamReader(nc, subjects.OUTCOMES_STREAM).read(subjects.outcome(ministry, ">"))
        found = (Outcome.model_validate_json(message.data) for message in stored)
        return deque((o for o in found if not rejected or o.status == Status.REJECTED), maxlen=limit)

    for outcome in with_nats(nats_url, "ogi-outcomes", recent):
        console.print(_outcome_line(outcome, as_json), soft_wrap=True, highlight=False, markup=False)


def trace(
    identifier: Annotated[str, typer.Argument(help="a submission id, or an event id")],
    ministry: Annotated[str | None, typer.Option(help="the submitting ministry, when several used the id")] = None,
    nats_url: NatsUrl = None,
    api_url: ApiUrl = DEFAULT_API_URL,
    as_json: AsJson = False,
) -> None:
    """Where a submission went: its trace id, the path through the system, its outcome."""
    from ogi.trace import NotFound, follow

    async def look(nc) -> list:
        try:
            return await follow(nc, identifier, api_url.rstrip("/"), ministry)
        except NotFound as error:
            raise CommandError(str(error)) from error

    trails = with_nats(nats_url, "ogi-trace", look)
    if as_json:
        print_json(
            [
                {
                    "ministry": t.ministry,
                    "submission_id": t.submission_id,
                    "trace_id": t.trace_id,
                    "path": [{"step": step, "detail": detail} for step, detail in t.path],
                    "outcome": json.loads(t.outcome.to_json()),
                    "resubmissions": [json.loads(o.to_json()) for o in t.resubmissions],
                }
                for t in trails
            ]
        )
        return
    for trail in trails:
        console.print(f"[bold]{trail.ministry}[/] {trail.submission_id}")
        console.print(f"  trace     {trail.trace_id or '(none recorded)'}")
        for step, detail in trail.path:
            console.print(f"  {step:<9} {detail}", highlight=False, soft_wrap=True)
        for again in trail.resubmissions:
            console.print(f"  again     {subjects.INBOX_STREAM} #{again.submission_seq}: {again.status}", highlight=False, soft_wrap=True)
        console.print_json(trail.outcome.to_json().decode())


def rebuild(
    data_dir: Annotated[Path | None, typer.Option(envvar="OGI_DATA_DIR", help="where `ogi up` keeps its files [default: ./.ogi]")] = None,
    database_url: Annotated[str | None, typer.Option(envvar="OGI_DATABASE_URL", help="the live read model [default: SQLite under the data dir]")] = None,
    into: Annotated[str | None, typer.Option(help="an empty database to rebuild into [default: a SQLite file beside the live one]")] = None,
    switch: Annotated[
        bool, typer.Option(help="with the indicators service stopped: replace the live SQLite read model by the rebuilt one if they are equal")
    ] = False,
    nats_url: NatsUrl = None,
    api_url: ApiUrl = DEFAULT_API_URL,
    as_json: AsJson = False,
) -> None:
    """Rebuild the read model from sequence 1 beside the live one, compare the two, and switch only when equal."""
    from services.indicators.projector.rebuild import rebuild as rebuild_beside
    from services.indicators.projector.rebuild import rebuild_url_beside, remove_sqlite, sqlite_file, switch_sqlite
    from services.indicators.projector.receiver import ReceiverProcess

    config = settings(data_dir=data_dir, database_url=database_url, nats_url=nats_url)
    live_url = config.resolved_database_url
    live_file = sqlite_file(live_url)
    if live_file is not None and not live_file.exists():
        fail(f"no read model at {live_file}: run this where `ogi up` keeps its data, or name it with --data-dir or --database-url")
    receiver = ReceiverProcess(config.resolved_nats_url, config.nats_credentials)
    try:
        target_url = into or rebuild_url_beside(live_url)
    except ValueError as error:
        fail(str(error))
    if switch:
        if not target_url.startswith("sqlite") or not live_url.startswith("sqlite"):
            fail("--switch replaces SQLite files; for PostgreSQL, point OGI_DATABASE_URL at the rebuilt database")
        if _answers(api_url):
            fail(f"the indicators service at {api_url} is running: stop it before --switch (the comparison alone needs no stop)")

    with Progress(TextColumn("rebuilding"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console, disable=as_json) as progress:
        task = progress.add_task("events", total=None)
        comparison = with_nats(
            nats_url,
            "ogi-rebuild",
            lambda nc: rebuild_beside(
                nc, live_url, target_url, lambda done, total: progress.update(task, completed=done, total=total), up_to_live=switch, receiver=receiver
            ),
        )
    switched = str(switch_sqlite(live_url, target_url)) if switch and comparison.equal else None
    if into is None and not switched:
        remove_sqlite(target_url)  # the comparison is made: the copy beside the live one would only take space
    if as_json:
        print_json(
            {
                "position": comparison.position,
                "equal": comparison.equal,
                "differing_tables": comparison.differing_tables,
                "rebuilt_into": target_url if into else None,
                "previous_kept_at": switched,
            }
        )
    elif comparison.equal:
        console.print(f"rebuilt from sequence 1: equal to the live read model at #{comparison.position}")
        if switched:
            console.print(f"switched: the rebuilt read model is live; the previous one is kept at {switched}")
    else:
        console.print(
            f"rebuilt from sequence 1: [bold red]different[/] from the live read model at #{comparison.position} "
            f"in {', '.join(comparison.differing_tables)}; nothing switched"
        )
    if not comparison.equal:
        raise typer.Exit(1)


def _answers(api_url: str) -> bool:
    try:
        httpx.get(f"{api_url.rstrip('/')}/livez", timeout=2)
        return True
    except httpx.HTTPError:
        return False
