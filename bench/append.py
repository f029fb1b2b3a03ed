"""Our side of the peer's append, like for like: the same events appended to OGI_EVENTS the way a deciding
service appends a decided event. One aggregate per region (the guard `ogi.events.*.<region>.*`), its state
kept by a RegionCache as the library's repository keeps its aggregates; each append carries the region's last
sequence as the expected one (the server refuses it if anyone appended since: the library's version check)
and the event id as `Nats-Msg-Id`, and is acknowledged only once nats-server has synced it to disk
(`sync_interval: always`). A region's events go one after another, in order; different regions' go at the
same time, 500 in flight, as a service's decisions do."""

import asyncio
import time
from collections import defaultdict

import nats

from bench import load
from shared import subjects
from shared.eventstore import EventStore, StoredEvent
from shared.region_cache import RegionCache

IN_FLIGHT = 500


async def measure(nats_url: str, total: int) -> dict:
    nc = await nats.connect(nats_url)
    try:
        by_region = defaultdict(list)
        for event in load.events(total):
            by_region[event.region_code].append(event)
        store = EventStore(nc, long_lived=True)
        regions = RegionCache(store, others_append=False)
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def append_in_order(region_code: str, events: list) -> None:
            guard = subjects.region_history(region_code)
            for event in events:
                async with gate:
                    known = await regions.get(guard)
                    expected = known.last_seq
                    seq = await store.append(event, expected, guard)
                    regions.appended(guard, expected, StoredEvent(seq, event))

        started = time.perf_counter()
        await asyncio.gather(*(append_in_order(code, events) for code, events in by_region.items()))
        seconds = time.perf_counter() - started
        last = (await nc.jetstream().stream_info(subjects.EVENTS_STREAM)).state.last_seq
    finally:
        await nc.close()
    if last != total:
        raise RuntimeError(f"{total} events appended, but the stream holds {last}")
    return {"events": total, "per_s": round(total / seconds, 1), "seconds": round(seconds, 2)}
