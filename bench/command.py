"""`ogi bench`: every measurement in one run, each beside its raw baseline, as a table and as JSON."""

import asyncio
import json
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Annotated

import nats
import typer
from rich.table import Table

from bench import append, cpu, environment, ingest, latency, load, peer, peer_postgresql, projection, reads
from ogi.cli_support import console

FULL = {"ingest": 20_000, "events": 1_000_000, "live": 100_000, "reads_events": 1_000_000, "latency_seconds": 30.0}
RATE = 500.0
DATABASES = ("sqlite", "postgresql")
TARGETS = {
    "ingest.ratio": (0.25, ">="),
    "projection.sqlite.ratio": (0.50, ">="),
    "projection.postgresql.ratio": (0.50, ">="),
    "rebuild.seconds_1m": (30.0, "<="),
    "latency_ms.p99": (50.0, "<="),
    "projector_peak_rss_mb": (200.0, "<="),
    "peer.append_ratio": (2.0, ">="),
    "peer.projection_ratio": (10.0, ">="),
    "reads.p95_ms": (200.0, "<="),
}


def bench(
    quick: Annotated[bool, typer.Option(help="everything at a tenth of the size")] = False,
    database_url: Annotated[
        str | None, typer.Option(help="a PostgreSQL server to measure projection and reads on too (scratch databases are created and dropped)")
    ] = None,
    json_file: Annotated[Path | None, typer.Option("--json", help="write the results here")] = None,
    reads_events: Annotated[int | None, typer.Option(help="events in the store the read API is timed on (default 1,000,000, a tenth with --quick)")] = None,
    reads_only: Annotated[bool, typer.Option(help="measure the read API only (the reads section)")] = False,
    reads_requests: Annotated[int, typer.Option(hidden=True, help="timed requests per read; for smoke tests")] = reads.REQUESTS,
    scale: Annotated[float | None, typer.Option(hidden=True, help="size factor (overrides --quick); for smoke tests")] = None,
) -> None:
    """Measure ingest, projection, latency, memory and the read API, each beside its baseline, on a nats-server of its own."""
    factor = scale if scale is not None else (0.1 if quick else 1.0)
    sizes = {name: max(1, int(size * factor)) for name, size in FULL.items() if name != "latency_seconds"}
    if reads_events is not None:
        sizes["reads_events"] = reads_events
    started = time.perf_counter()
    results: dict = {"machine": environment.machine(), "scale": factor, "sizes": sizes | {"latency_seconds": FULL["latency_seconds"] * factor}}
    if not reads_only:
        run(results, database_url)
    with console.status(f"reads at {sizes['reads_events']:,} events…"):
        results["reads"] = measure_reads(sizes["reads_events"], database_url, reads_requests)
    results["targets"] = {key: verdict(results, key, *target) for key, target in TARGETS.items()}
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    console.print(table(results))
    console.print(reads_table(results["reads"]))
    if json_file is not None:
        json_file.write_text(json.dumps(results, indent=2) + "\n")


def run(results: dict, database_url: str | None) -> None:
    """Every measurement but the read API's, into `results`."""
    sizes, seconds = results["sizes"], results["sizes"]["latency_seconds"]
    with console.status("ingest…"), environment.scratch_system() as running:
        results["ingest"] = asyncio.run(ingest.measure(running.nats_url, sizes["ingest"], cpu.processes_of(running)))
    with console.status("projection on SQLite" + (" and PostgreSQL…" if database_url else "…")):
        results["projection"] = measure_projection(sizes, database_url)
    sqlite = results["projection"]["sqlite"]
    results["rebuild"] = {
        "events": sqlite["events"],
        "seconds": sqlite["rebuild_seconds"],
        "seconds_1m": round(sqlite["rebuild_seconds"] * 1_000_000 / sqlite["events"], 1),
        "extrapolated": sqlite["events"] != 1_000_000,
    }
    results["projector_peak_rss_mb"] = sqlite["rebuild_peak_rss_mb"]
    with console.status("latency…"), environment.scratch_system() as running:
        measured = asyncio.run(latency.measure(running.nats_url, RATE, seconds, cpu.processes_of(running)))
    results["latency_ms"] = {key: measured[key] for key in ("p50", "p99", "max")}
    results["latency"] = measured
    with console.status("append…"), environment.scratch_nats() as (server, _):
        asyncio.run(environment.declare_streams(server.url))
        results["append"] = asyncio.run(append.measure(server.url, sizes["events"] // 10))
    with console.status("peer (eventsourcing)…"), tempfile.TemporaryDirectory(prefix="ogi-bench-peer-") as directory:
        theirs = peer.measure(Path(directory), sizes["events"] // 10)
    theirs_on_postgresql = None
    if database_url:
        with console.status("peer (eventsourcing) on PostgreSQL…"):
            # Fewer events than on SQLite: the library commits each one to PostgreSQL, a few hundred a second.
            total = sizes["events"] // 40
            theirs_on_postgresql = peer_postgresql.measure(database_url, total, peer.counts_of(total))
    results["peer"] = peer_figures(results, theirs, theirs_on_postgresql)


def peer_figures(results: dict, theirs: dict, theirs_on_postgresql: dict | None) -> dict:
    """Our append of the same events (bench/append.py) against its commands/s, and our decided submissions/s
    against them too (`ingest_ratio`: a whole submission, four synced writes, against one event); our SQLite
    rebuild against its projection (its ProjectionRunner), and against its notification log read in batches
    by hand. On PostgreSQL (under `postgresql`, null without a PostgreSQL server): the same appends against
    its commands/s, and our PostgreSQL rebuild against its ProjectionRunner."""
    on_postgresql = peer_postgresql_figures(results, theirs_on_postgresql)
    if theirs.get("append_per_s") is None:
        return {"append_ratio": None, "ingest_ratio": None, "projection_ratio": None, "batched_projection_ratio": None, **theirs, "postgresql": on_postgresql}
    ours_projection = results["projection"]["sqlite"]["rebuild_per_s"]
    return {
        **theirs,
        "postgresql": on_postgresql,
        **append_figures(results, theirs),
        "ours_projection_per_s": ours_projection,
        "projection_ratio": round(ours_projection / theirs["projection_per_s"], 4),
        "batched_projection_ratio": round(ours_projection / theirs["batched_projection_per_s"], 4),
    }


def peer_postgresql_figures(results: dict, theirs: dict | None) -> dict | None:
    if theirs is None:
        return None
    if theirs.get("append_per_s") is None:
        return {"append_ratio": None, "ingest_ratio": None, "projection_ratio": None, **theirs}
    ours_projection = results["projection"]["postgresql"]["rebuild_per_s"]
    return {
        **theirs,
        **append_figures(results, theirs),
        "ours_projection_per_s": ours_projection,
        "projection_ratio": round(ours_projection / theirs["projection_per_s"], 4),
    }


def append_figures(results: dict, theirs: dict) -> dict:
    ours_append, ours_ingest = results["append"]["per_s"], results["ingest"]["ogi_per_s"]
    return {
        "ours_append_per_s": ours_append,
        "append_ratio": round(ours_append / theirs["append_per_s"], 4),
        "ours_ingest_per_s": ours_ingest,
        "ingest_ratio": round(ours_ingest / theirs["append_per_s"], 4),
    }


def measure_projection(sizes: dict, postgresql: str | None) -> dict:
    """On SQLite, and on PostgreSQL when given, over one stream of events."""

    async def measure(url: str, directory: Path) -> dict:
        async with AsyncExitStack() as stack:
            databases = {"sqlite": (f"sqlite:///{directory / 'live.db'}", f"sqlite:///{directory / 'rebuild.db'}")}
            if postgresql:
                databases["postgresql"] = (
                    await stack.enter_async_context(environment.scratch_postgresql(postgresql)),
                    await stack.enter_async_context(environment.scratch_postgresql(postgresql)),
                )
            await environment.declare_streams(url)
            return await projection.measure(url, databases, sizes["events"], sizes["live"])

    with environment.scratch_nats() as (server, directory):
        return asyncio.run(measure(server.url, directory))


def measure_reads(total: int, postgresql: str | None, requests: int) -> dict:
    """The read API timed on SQLite, and on PostgreSQL when given: each database rebuilt by the projector,
    one after the other, from one stream of `total` events."""

    async def measure(url: str, directory: Path) -> dict:
        async with AsyncExitStack() as stack:
            databases = {"sqlite": f"sqlite:///{directory / 'reads.db'}"}
            if postgresql:
                databases["postgresql"] = await stack.enter_async_context(environment.scratch_postgresql(postgresql))
            await environment.declare_streams(url)
            nc = await nats.connect(url)
            try:
                last, _ = await projection.append(nc, load.events(total))
            finally:
                await nc.close()
            for database in databases.values():
                projection.finish(projection.start_worker(url, database, last, publish=False))
            return {"events": last, **await reads.measure(databases, requests)}

    with environment.scratch_nats() as (server, directory):
        return asyncio.run(measure(server.url, directory))


def lookup(results: dict, key: str):
    value: object = results
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def verdict(results: dict, key: str, target: float, sense: str) -> str:
    value = lookup(results, key)
    if value is None:
        return "not measured"
    held = value >= target if sense == ">=" else value <= target
    return "met" if held else "not met"


def table(results: dict) -> Table:
    rows = Table(title=f"ogi bench (scale {results['scale']}, {results['wall_seconds']} s)")
    for column in ("measure", "ours", "baseline", "ratio / value", "target", "verdict"):
        rows.add_column(column)
    if "ingest" in results:  # not with --reads-only
        add_system_rows(rows, results)
    add_reads_row(rows, results)
    machine = results["machine"]
    rows.caption = (
        f"{machine['cores']} cores, {machine['memory_mb']:,} MB, Python {machine['python']}, {machine['nats_server']}; "
        f"a 10M-step Python loop {machine['python_loop_seconds']} s, {machine['synced_writes_per_s']:,} synced writes/s"
    )
    return rows


def add_system_rows(rows: Table, results: dict) -> None:
    ingest_ = results["ingest"]
    rows.add_row(
        "ingest /s (500 in flight)",
        f"{ingest_['ogi_per_s']:,}",
        f"{ingest_['raw_per_s']:,} raw",
        f"{ingest_['ratio']:.1%}",
        "≥ 25 %",
        results["targets"]["ingest.ratio"],
    )
    add_cores_row(rows, "processor busy during ingest, cores", ingest_, results["machine"]["cores"])
    for name, found in results["projection"].items():
        rows.add_row(f"projection {name} live /s", f"{found['live_per_s']:,}", f"{found['live_append_per_s']:,} appended", "", "", "")
        rows.add_row(
            f"projection {name} rebuild /s",
            f"{found['rebuild_per_s']:,}",
            f"{found['raw_per_s']:,} raw+decode, {found['raw_undecoded_per_s']:,} bare",
            f"{found['ratio']:.1%}",
            "≥ 50 %",
            results["targets"][f"projection.{name}.ratio"],
        )
    rebuild = results["rebuild"]
    rows.add_row(
        "rebuild of 1M on SQLite, s",
        f"{rebuild['seconds_1m']}" + (" (extrap.)" if rebuild["extrapolated"] else ""),
        f"{rebuild['events']:,} in {rebuild['seconds']} s",
        "",
        "≤ 30 s",
        results["targets"]["rebuild.seconds_1m"],
    )
    latency_ = results["latency_ms"]
    raw = results["latency"]["raw_publish"]
    rows.add_row(
        f"latency ms at {results['latency']['rate_per_s']:.0f}/s",
        f"p50 {latency_['p50']} / p99 {latency_['p99']} / max {latency_['max']}",
        f"p50 {raw['p50']} / p99 {raw['p99']} / max {raw['max']} raw js.publish to its ack",
        "",
        "p99 ≤ 50 ms",
        results["targets"]["latency_ms.p99"],
    )
    add_cores_row(rows, "processor busy during latency, cores", results["latency"], results["machine"]["cores"])
    rows.add_row("projector peak RSS, MB", f"{results['projector_peak_rss_mb']}", "", "", "≤ 200 MB", results["targets"]["projector_peak_rss_mb"])
    add_peer_rows(rows, results)


def add_reads_row(rows: Table, results: dict) -> None:
    """The worst read's p95 against the target, beside the least a read costs on the same database."""
    found = results["reads"]
    floors = ", ".join(f"{name} {found[name]['floor']['http']['p95']} ({found[name]['floor']['sql']['p95']} SQL alone)" for name in DATABASES if name in found)
    rows.add_row(
        f"read API p95 ms, {found['events']:,} events",
        f"{found['p95_ms']:,} ({found['slowest']})",
        f"one-row lookup p95: {floors}",
        "",
        "≤ 200 ms at 1M",
        results["targets"]["reads.p95_ms"],
    )


def reads_table(found: dict) -> Table:
    """Each read's p50 / p95 / max in ms on each database, how many times it was timed, and its first time."""
    measured = [name for name in DATABASES if name in found]
    rows = Table(title=f"read API at {found['events']:,} events, ms (up to {found['requests']} timed requests each, after warm-up)")
    rows.caption = "paths: ENDPOINTS in bench/reads.py; first: the first warm-up request"
    rows.add_column("read", no_wrap=True)
    for name in measured:
        rows.add_column(f"{name} p50 / p95 / max", justify="right")
        rows.add_column("n", justify="right")
        rows.add_column("first", justify="right")
    for kind in ("sql", "http"):
        cells = [found[name]["floor"][kind] for name in measured]
        rows.add_row(f"floor ({kind})", *(cell for figures in cells for cell in (spread(figures), str(figures["requests"]), "")))
    for endpoint in reads.ENDPOINTS:
        cells = [found[name]["endpoints"][endpoint] for name in measured]
        rows.add_row(endpoint, *(cell for figures in cells for cell in (spread(figures), str(figures["requests"]), f"{figures['first_ms']:,}")))
    return rows


def spread(figures: dict) -> str:
    return f"{figures['p50']:,} / {figures['p95']:,} / {figures['max']:,}"


def add_cores_row(rows: Table, title: str, measured: dict, cores: int) -> None:
    """The cores each process kept busy over our run and over the raw baseline's, when they were measured."""
    ours, raw = measured.get("cores") or {}, measured.get("raw_cores") or {}
    if ours:
        raw_total = f"{raw['total']:.2f}" if raw else "?"
        rows.add_row(title, f"{ours['total']:.2f} of {cores}: {busiest(ours)}", f"{raw_total} raw: {busiest(raw)}", "", "", "")


def busiest(cores: dict[str, float]) -> str:
    found = sorted(((used, name) for name, used in cores.items() if name != "total" and used >= 0.01), reverse=True)
    return ", ".join(f"{name} {used:.2f}" for used, name in found)


def add_peer_rows(rows: Table, results: dict) -> None:
    found = results["peer"]
    if found["append_ratio"] is None:
        rows.add_row("peer (eventsourcing 9.x)", "not measured", found.get("note", ""), "", "≥ 2× / ≥ 10×", "not measured")
    else:
        rows.add_row(
            "peer append /s (same events)",
            f"{found['ours_append_per_s']:,}",
            f"{found['append_per_s']:,} eventsourcing",
            f"{found['append_ratio']:.2f}×",
            "≥ 2×",
            results["targets"]["peer.append_ratio"],
        )
        rows.add_row(
            "peer append /s, ours a whole submission",
            f"{found['ours_ingest_per_s']:,}",
            f"{found['append_per_s']:,} eventsourcing",
            f"{found['ingest_ratio']:.2f}×",
            "",
            "",
        )
        rows.add_row(
            "peer projection /s",
            f"{found['ours_projection_per_s']:,}",
            f"{found['projection_per_s']:,} eventsourcing ProjectionRunner",
            f"{found['projection_ratio']:.2f}×",
            "≥ 10×",
            results["targets"]["peer.projection_ratio"],
        )
        rows.add_row(
            "peer projection /s, log batched by hand",
            f"{found['ours_projection_per_s']:,}",
            f"{found['batched_projection_per_s']:,} eventsourcing, 500 a batch",
            f"{found['batched_projection_ratio']:.2f}×",
            "",
            "",
        )
    on_postgresql = found.get("postgresql")
    if on_postgresql is None or on_postgresql["append_ratio"] is None:
        why = on_postgresql.get("note", "") if on_postgresql else "no --database-url"
        rows.add_row("peer on PostgreSQL", "not measured", why, "", "", "not measured")
    else:
        rows.add_row(
            "peer append /s, PostgreSQL",
            f"{on_postgresql['ours_append_per_s']:,}",
            f"{on_postgresql['append_per_s']:,} eventsourcing",
            f"{on_postgresql['append_ratio']:.2f}×",
            "",
            "",
        )
        rows.add_row(
            "peer append /s, PostgreSQL, ours a whole submission",
            f"{on_postgresql['ours_ingest_per_s']:,}",
            f"{on_postgresql['append_per_s']:,} eventsourcing",
            f"{on_postgresql['ingest_ratio']:.2f}×",
            "",
            "",
        )
        rows.add_row(
            "peer projection /s, PostgreSQL",
            f"{on_postgresql['ours_projection_per_s']:,}",
            f"{on_postgresql['projection_per_s']:,} eventsourcing ProjectionRunner",
            f"{on_postgresql['projection_ratio']:.2f}×",
            "",
            "",
        )
