"""Ingest: submissions per second from publish to an `accepted` outcome, 500 in flight, against `ogi up`;
beside raw `js.publish_async` of the same payloads, 500 in flight, to a stream like OGI_INBOX on the same
server. Every region is enrolled first (not timed) so that the timed trainings and plans are all accepted."""

import asyncio
import time
from dataclasses import replace

import nats

from bench import cpu, load
from shared import streams, subjects
from shared.contracts.outcomes import Outcome, Status
from shared.submitting import publish_submission

IN_FLIGHT = 500
RAW_STREAM = "BENCH_RAW_INBOX"


class OutcomeWaiter:
    """One core subscription to every outcome, each awaited by its inbox sequence."""

    def __init__(self) -> None:
        self._waiting: dict[int, asyncio.Future] = {}

    def future(self, seq: int) -> asyncio.Future:
        return self._waiting.setdefault(seq, asyncio.get_running_loop().create_future())

    async def on_outcome(self, message) -> None:
        outcome = Outcome.model_validate_json(message.data)
        future = self.future(outcome.submission_seq)
        if not future.done():
            future.set_result(outcome)


async def submit_all(nc, waiter: OutcomeWaiter, submissions, in_flight: int = IN_FLIGHT) -> tuple[int, float]:
    """Returns (accepted, seconds)."""
    gate = asyncio.Semaphore(in_flight)
    accepted = 0

    async def one(ministry, kind, body):
        nonlocal accepted
        async with gate:
            seq = await publish_submission(nc, ministry, kind, body)
            outcome = await asyncio.wait_for(waiter.future(seq), 120)
            accepted += outcome.status == Status.ACCEPTED

    started = time.perf_counter()
    await asyncio.gather(*(one(*submission) for submission in submissions))
    return accepted, time.perf_counter() - started


async def add_raw_inbox(js, name: str, subject_filter: str) -> None:
    """A stream configured like OGI_INBOX, for a raw baseline's publishes."""
    inbox = next(config for config in streams.stream_configs(1, 120.0) if config.name == subjects.INBOX_STREAM)
    await js.add_stream(replace(inbox, name=name, subjects=[subject_filter]))


async def raw_publish(nc, submissions, in_flight: int = IN_FLIGHT) -> float:
    js = nc.jetstream(publish_async_max_pending=in_flight)
    await add_raw_inbox(js, RAW_STREAM, "bench.inbox.>")
    started = time.perf_counter()
    futures = [
        await js.publish_async(f"bench.inbox.{ministry}.{kind}", load.encoded(body), headers={"Nats-Msg-Id": body["submission_id"]})
        for ministry, kind, body in submissions
    ]
    await asyncio.gather(*futures)
    return time.perf_counter() - started


async def measure(nats_url: str, total: int, processes: dict[str, int] | None = None) -> dict:
    """`processes`: the system's process ids by name, whose processor time is reported (bench/cpu.py)."""
    nc = await nats.connect(nats_url)
    try:
        waiter = OutcomeWaiter()
        await nc.subscribe("ogi.outcome.>", cb=waiter.on_outcome)
        enrolled, _ = await submit_all(nc, waiter, load.enrolments("ingest"))
        submissions = load.mixed("ingest", total)
        with cpu.cores_used(processes or {}) as cores:
            accepted, seconds = await submit_all(nc, waiter, submissions)
        with cpu.cores_used(processes or {}) as raw_cores:
            raw_seconds = await raw_publish(nc, submissions)
    finally:
        await nc.close()
    ogi, raw = accepted / seconds, len(submissions) / raw_seconds
    return {
        "submissions": len(submissions),
        "accepted": accepted,
        "enrolled_first": enrolled,
        "ogi_per_s": round(ogi, 1),
        "raw_per_s": round(raw, 1),
        "ratio": round(ogi / raw, 4),
        "cores": cores,
        "raw_cores": raw_cores,
    }
