"""Projection: events per second applied by the projector to the read model, live (the projector running,
notifying, while events are appended as fast as 500 in flight allow) and as a rebuild from sequence 1
(publishing nothing, into an empty database); beside a raw nats-py ordered consumer over the same events,
decoding each with the same pydantic decode, and without decoding.

The events are appended straight to OGI_EVENTS with `Nats-Msg-Id` and without the expected-sequence guard
(this measures projection, not deciding), once for every database measured: their live projectors run side
by side while the live events are appended, and each rebuild runs alone, followed by its raw baselines. Each
projector runs in a process of its own (bench.projector_worker)."""

import asyncio
import json
import subprocess
import sys
import time

import nats
from nats.js.api import ConsumerConfig, DeliverPolicy

from bench import load
from shared import subjects
from shared.contracts.events import decode_event, encode_event

IN_FLIGHT = 500


async def append(nc, events) -> tuple[int, float]:
    """Returns (last sequence, seconds)."""
    js = nc.jetstream(publish_async_max_pending=IN_FLIGHT)
    started = time.perf_counter()
    futures = []
    for event in events:
        subject = subjects.event(subjects.EVENT_SERVICE[event.event_type], event.region_code, event.event_type)
        futures.append(await js.publish_async(subject, encode_event(event), headers={"Nats-Msg-Id": event.event_id}))
    acks = await asyncio.gather(*futures)
    return acks[-1].seq, time.perf_counter() - started


def start_worker(nats_url: str, database_url: str, until_seq: int, publish: bool) -> subprocess.Popen:
    command = [sys.executable, "-m", "bench.projector_worker", nats_url, database_url, str(until_seq)] + (["--publish"] if publish else [])
    worker = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    if (worker.stdout.readline().strip() if worker.stdout else "") != "ready":
        raise RuntimeError(f"the projector worker did not start (status {worker.wait()})")
    return worker


def finish(worker: subprocess.Popen, timeout: float = 3600) -> dict:
    out, _ = worker.communicate(timeout=timeout)
    if worker.returncode != 0:
        raise RuntimeError(f"the projector worker failed with status {worker.returncode}")
    return json.loads(out.strip().splitlines()[-1])


async def ordered_consumer(nc, until_seq: int, decode: bool) -> float:
    """Seconds for a raw nats-py ordered consumer to receive (and decode) every event from sequence 1."""
    done = asyncio.Event()
    count = 0

    async def received(message):
        nonlocal count
        if decode:
            decode_event(message.data)
        count += 1
        if message.metadata.sequence.stream >= until_seq:
            done.set()

    started = time.perf_counter()
    subscription = await nc.jetstream().subscribe(
        "ogi.events.>",
        stream=subjects.EVENTS_STREAM,
        ordered_consumer=True,
        config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL),
        cb=received,
    )
    await done.wait()
    seconds = time.perf_counter() - started
    await subscription.unsubscribe()
    return seconds


async def measure(nats_url: str, databases: dict[str, tuple[str, str]], total: int, live: int) -> dict[str, dict]:
    """`databases`: name -> two empty databases, one for the live projector, one for the rebuild (whose peak
    RSS is reported)."""
    nc = await nats.connect(nats_url)
    try:
        events = load.events(total)
        workers = {name: start_worker(nats_url, live_db, live, publish=True) for name, (live_db, _) in databases.items()}
        started = time.time()
        _, append_seconds = await append(nc, (next(events) for _ in range(live)))
        live_seconds = {name: finish(worker)["done_at"] - started for name, worker in workers.items()}
        last, _ = await append(nc, events)
        results = {}
        for name, (_, rebuild_db) in databases.items():
            rebuild = finish(start_worker(nats_url, rebuild_db, last, publish=False))
            raw_decoded = await ordered_consumer(nc, last, decode=True)
            raw_bare = await ordered_consumer(nc, last, decode=False)
            results[name] = figures(last, live, live_seconds[name], append_seconds, rebuild, raw_decoded, raw_bare)
    finally:
        await nc.close()
    return results


def figures(last: int, live: int, live_seconds: float, append_seconds: float, rebuild: dict, raw_decoded: float, raw_bare: float) -> dict:
    rebuild_rate, raw_rate = last / rebuild["seconds"], last / raw_decoded
    return {
        "events": last,
        "live_events": live,
        "live_per_s": round(live / live_seconds, 1),
        "live_append_per_s": round(live / append_seconds, 1),
        "rebuild_per_s": round(rebuild_rate, 1),
        "rebuild_seconds": round(rebuild["seconds"], 2),
        "rebuild_peak_rss_mb": round(rebuild["peak_rss_mb"], 1),
        "rebuild_receiver_peak_rss_mb": round(rebuild["receiver_peak_rss_mb"], 1),
        "raw_per_s": round(raw_rate, 1),
        "raw_undecoded_per_s": round(last / raw_bare, 1),
        "ratio": round(rebuild_rate / raw_rate, 4),
    }
