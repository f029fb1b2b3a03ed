"""`ogi bench` runs end to end at a tiny size and writes every key the issue names. No timing is asserted:
the figures are for docs/performance.md, not for a pass/fail on a shared CI machine."""

import json
import os
import subprocess
import sys

from bench.reads import ENDPOINTS

KEYS = [
    "ingest.ogi_per_s",
    "ingest.raw_per_s",
    "ingest.ratio",
    "projection.sqlite.live_per_s",
    "projection.sqlite.rebuild_per_s",
    "projection.sqlite.raw_per_s",
    "projection.sqlite.ratio",
    "rebuild.seconds_1m",
    "append.per_s",
    "latency_ms.p50",
    "latency_ms.p99",
    "latency_ms.max",
    "latency.raw_publish.p99",
    "projector_peak_rss_mb",
    "reads.p95_ms",
    "reads.sqlite.p95_ms",
    "reads.sqlite.floor.http.p95",
]
POSTGRESQL_KEYS = [f"projection.postgresql.{name}" for name in ("live_per_s", "rebuild_per_s", "raw_per_s", "ratio")] + ["reads.postgresql.p95_ms"]
READ_FIGURES = ("requests", "p50", "p95", "max")


def lookup(results: dict, key: str):
    for part in key.split("."):
        results = results[part]
    return results


def test_the_benchmark_reports_every_figure(tmp_path):
    database = os.environ.get("OGI_TEST_DATABASE_URL")
    command = [sys.executable, "-m", "ogi", "bench", "--scale", "0.005", "--reads-requests", "3", "--json", str(tmp_path / "bench.json")]
    subprocess.run(command + (["--database-url", database] if database else []), check=True, timeout=120, cwd=tmp_path)

    results = json.loads((tmp_path / "bench.json").read_text())
    for key in KEYS + (POSTGRESQL_KEYS if database else []):
        assert lookup(results, key) > 0, key
    assert set(results["machine"]) >= {"cores", "memory_mb", "python", "nats_server"}
    assert results["machine"]["python_loop_seconds"] > 0 and results["machine"]["synced_writes_per_s"] > 0
    # The processor time of every process of the system, over our run and over the raw baseline's.
    everyone = {"nats-server", "registry", "training", "plans", "verification", "indicators", "gateway", "load generator", "total"}
    for measured in (results["ingest"], results["latency"]):
        assert set(measured["cores"]) == everyone and set(measured["raw_cores"]) == everyone
        assert measured["cores"]["total"] > 0
    # The eventsourcing peer needs the bench extra: without it its keys are there, and null.
    peer = [results["peer"]["append_ratio"], results["peer"]["projection_ratio"]]
    assert peer == [None, None] or all(value is not None and value > 0 for value in peer)


def test_the_read_benchmark_times_every_read(tmp_path):
    """`--reads-only` on SQLite: every read of the API and both floors, each timed as often as asked."""
    command = [sys.executable, "-m", "ogi", "bench", "--reads-only", "--reads-events", "3000", "--reads-requests", "5", "--json", str(tmp_path / "bench.json")]
    subprocess.run(command, check=True, timeout=60, cwd=tmp_path)

    results = json.loads((tmp_path / "bench.json").read_text())
    reads = results["reads"]
    assert reads["events"] == 3000 and set(reads) == {"events", "requests", "sqlite", "p95_ms", "slowest"}
    assert set(reads["sqlite"]["endpoints"]) == set(ENDPOINTS)
    for figures in [*reads["sqlite"]["endpoints"].values(), *reads["sqlite"]["floor"].values()]:
        assert figures["requests"] == 5 and all(figures[name] > 0 for name in READ_FIGURES)
    assert reads["p95_ms"] == max(figures["p95"] for figures in reads["sqlite"]["endpoints"].values())
    assert results["targets"]["reads.p95_ms"] in ("met", "not met") and results["targets"]["ingest.ratio"] == "not measured"
