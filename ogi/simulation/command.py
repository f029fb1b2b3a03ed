"""`ogi simulate`."""

from typing import Annotated

import httpx
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ogi.cli_support import DEFAULT_API_URL, ApiUrl, AsJson, NatsUrl, api_did_not_answer, console, print_json, with_nats
from ogi.simulation.plan import rollout
from ogi.simulation.run import ONE_MINUTE, final_indicators, play


def simulate(
    seed: Annotated[int, typer.Option(help="the same seed plays the same rollout")] = 2018,
    speed: Annotated[float, typer.Option(help="simulated days per second; 0 is as fast as the system answers")] = ONE_MINUTE,
    nats_url: NatsUrl = None,
    api_url: ApiUrl = DEFAULT_API_URL,
    as_json: AsJson = False,
) -> None:
    """Play a 2018–2020 rollout as the two ministries' systems would report it, through NATS."""
    planned = rollout(seed)

    async def session(nc):
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[tally]}"),
            TimeElapsedColumn(),
            console=console,
            disable=as_json,
        ) as progress:
            task = progress.add_task("2018-03", total=len(planned), tally="")

            def advance(submission, outcome):
                progress.update(task, advance=1, description=f"{submission.day:%Y-%m}", tally=f"{outcome.status}")

            summary = await play(nc, planned, speed, advance)
        async with httpx.AsyncClient(base_url=api_url, timeout=5) as api:
            try:
                summary.indicators = await final_indicators(api, summary.last_event_seq)
            except httpx.HTTPError as error:
                console.print(f"{api_did_not_answer(api_url)} ({type(error).__name__}); counts not shown")
        return summary

    summary = with_nats(nats_url, "ogi-simulate", session)
    if as_json:
        print_json(summary.as_dict())
        return
    table = Table(title=f"Rollout (seed {seed}): {summary.submissions} submissions")
    table.add_column("outcome")
    table.add_column("count", justify="right")
    table.add_row("accepted", str(summary.statuses["accepted"]))
    table.add_row("duplicate", str(summary.statuses["duplicate"]))
    for code, count in sorted(summary.rejected.items()):
        table.add_row(f"rejected: {code}", str(count))
    console.print(table)
    counts = Table(title="Indicators at the end")
    for column in ("scope", "enrolled", "trained (→100)", "plans (→50)"):
        counts.add_column(column, justify="right" if column != "scope" else "left")
    by_key = {(row["scope"], row["indicator"]): row["count"] for row in summary.indicators}
    for scope in ("national", "kemendagri", "kominfo"):
        counts.add_row(scope, *(str(by_key.get((scope, name), "?")) for name in ("enrolled", "trained", "plans")))
    console.print(counts)
