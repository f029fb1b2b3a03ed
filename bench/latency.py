"""Latency: from a ministry's publish to the indicator notification on `ogi.indicators.*` that includes the
submission's event, at a steady rate, against `ogi up`.

Only a submission that changes a count is followed by a notification, so the load is rounds of enrolments
of every region (each raises `national.enrolled`), then withdrawals of every region (each lowers it). A
submission's latency is the time from just before its publish to the arrival of the first
`ogi.indicators.national.enrolled` whose `as_of_seq` reaches the submission's event. Within a round every
batch moves the count one way, so every batch is announced; at the turn of a round a batch may hold both and
cancel out, and its submissions then wait for the next announcement (counted, not dropped).

The baseline, in the same run on the same server: raw nats-py publishing the same payloads at the same rate
to a stream like OGI_INBOX, each publish awaited until its acknowledgement. That is one synced write per
submission, the least any design that stores a submission durably before answering can cost; ours adds the
claim, the event and the outcome (three more synced writes), the decision and the projection."""

import asyncio
import bisect
import gc
import time
from contextlib import contextmanager

import nats

from bench import cpu, load
from bench.ingest import OutcomeWaiter, add_raw_inbox
from shared.contracts.indicators import IndicatorValue
from shared.contracts.outcomes import Status
from shared.submitting import publish_submission

RAW_STREAM = "BENCH_RAW_LATENCY"


def rounds(total: int):
    made = 0
    for round_ in range(10**6):
        for submissions in (load.enrolments("latency", round_), load.withdrawals("latency", round_)):
            for submission in submissions:
                if made == total:
                    return
                made += 1
                yield submission


@contextmanager
def garbage_collection_paused():
    """The load generator's garbage collector off while it times, as `timeit` does: with 15,000 submissions
    under way its full collections took up to 110 ms each, five in a 30 s run, and every notification
    arriving meanwhile was timed late (p99 81 and 46 ms with it, 41 and 37 ms without, runs alternated).
    The services keep theirs."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def at_rate(rate: float, submissions, send) -> float:
    """`send(*submission)` for each submission, the n-th started n / rate seconds after the first; returns
    when the first was started."""

    async def one(at: float, submission):
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        await send(*submission)

    start = time.perf_counter() + 0.2
    await asyncio.gather(*(one(start + n / rate, submission) for n, submission in enumerate(submissions)))
    return start


async def raw_publish(nc, rate: float, total: int) -> list[float]:
    """Milliseconds from each raw publish to its acknowledgement."""
    js = nc.jetstream()
    await add_raw_inbox(js, RAW_STREAM, "bench.latency.>")
    latencies = []

    async def send(ministry, kind, body):
        published = time.perf_counter()
        await js.publish(f"bench.latency.{ministry}.{kind}", load.encoded(body), headers={"Nats-Msg-Id": body["submission_id"]})
        latencies.append(1000 * (time.perf_counter() - published))

    await at_rate(rate, rounds(total), send)
    return latencies


def summary(latencies: list[float]) -> dict:
    return {"p50": round(percentile(latencies, 0.50), 2), "p99": round(percentile(latencies, 0.99), 2), "max": round(max(latencies), 2)}


async def measure(nats_url: str, rate: float, seconds: float, processes: dict[str, int] | None = None) -> dict:
    """`processes`: the system's process ids by name, whose processor time is reported (bench/cpu.py)."""
    total = max(1, int(rate * seconds))
    nc = await nats.connect(nats_url)
    announced: list[tuple[float, int]] = []  # (arrival, as_of_seq)

    async def on_indicator(message):
        announced.append((time.perf_counter(), IndicatorValue.model_validate_json(message.data).as_of_seq))

    try:
        waiter = OutcomeWaiter()
        await nc.subscribe("ogi.outcome.>", cb=waiter.on_outcome)
        await nc.subscribe("ogi.indicators.national.enrolled", cb=on_indicator)
        samples: list[tuple[float, int]] = []  # (published, event_seq)
        rejected = 0

        async def send(ministry, kind, body):
            nonlocal rejected
            published = time.perf_counter()
            outcome = await asyncio.wait_for(waiter.future(await publish_submission(nc, ministry, kind, body)), 60)
            if outcome.status == Status.ACCEPTED:
                samples.append((published, outcome.event_seq))
            else:
                rejected += 1

        with garbage_collection_paused():
            with cpu.cores_used(processes or {}) as cores:
                started = await at_rate(rate, rounds(total), send)
            last_seq = max(seq for _, seq in samples)
            deadline = time.perf_counter() + 30
            while (not announced or announced[-1][1] < last_seq) and time.perf_counter() < deadline:
                await asyncio.sleep(0.01)
            with cpu.cores_used(processes or {}) as raw_cores:
                raw = summary(await raw_publish(nc, rate, total))
    finally:
        await nc.close()
    included = [as_of for _, as_of in announced]  # rises with arrival: the projector goes forward
    found = ((published, bisect.bisect_left(included, seq)) for published, seq in samples)
    latencies = [1000 * (announced[index][0] - published) for published, index in found if index < len(announced)]
    return {
        "rate_per_s": rate,
        "seconds": seconds,
        "submissions": total,
        "rejected": rejected,
        "matched": len(latencies),
        "achieved_rate_per_s": round(total / (max(p for p, _ in samples) - started), 1) if samples else 0,
        **summary(latencies),
        "raw_publish": raw,
        "cores": cores,
        "raw_cores": raw_cores,
    }
