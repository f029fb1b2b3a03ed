"""Production's topology on one machine, without Docker: a three-node NATS cluster, a PostgreSQL of the
test's own, and two real processes of each service; with what the fault tests publish and how they check
that nothing was lost or counted twice."""

import asyncio
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from ogi.embedded_nats import free_port
from ogi.orphans import stop_with_parent
from services.indicators.projector.rebuild import rebuild, snapshot
from services.indicators.readmodel.db import async_url, create_engine
from shared import streams, subjects
from shared.regions import all_regions
from tests.cluster import NatsCluster

REPLICAS = 2
DECIDING = tuple(subjects.SERVICE_KINDS)  # every deciding service: the indicators service is ready only once each answers
SERVICES = (*DECIDING, "indicators")
READY_TIMEOUT = 90.0
RESPONSIBLE = ("kemendagri", "kominfo")


class ServiceProcess:
    """One replica of one service, as `ogi up` starts it, its output in a file."""

    def __init__(self, name: str, replica: int, env: dict[str, str], directory: Path) -> None:
        self.name, self.replica = name, replica
        self.label = f"{name}-{replica}"
        self.port = free_port()
        self.env = {**env, "OGI_HTTP_PORT": str(self.port), "OTEL_SERVICE_NAME": f"ogi-{name}"}
        self.log = directory / f"{self.label}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-P", "-m", f"services.{self.name}"],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=stop_with_parent,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._live() is not None

    def _live(self) -> subprocess.Popen | None:
        return self.process if self.process is not None and self.process.poll() is None else None

    def healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        if (live := self._live()) is not None:
            live.send_signal(signal.SIGKILL)
            live.wait()

    def stop(self, timeout: float = 15.0) -> None:
        if (live := self._live()) is None:
            return
        live.send_signal(signal.SIGTERM)
        try:
            live.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no output)"


class Topology:
    def __init__(self, cluster: NatsCluster, database_url: str, directory: Path) -> None:
        self.cluster = cluster
        self.database_url = database_url
        self.directory = directory
        env = {
            **os.environ,
            "OGI_DATA_DIR": str(directory / "data"),
            "OGI_NATS_URL": cluster.url,
            "OGI_DATABASE_URL": async_url(database_url),
            "OGI_REPLICAS": "3",
            "OGI_LOG_LEVEL": "WARNING",
            "OTEL_TRACES_EXPORTER": "none",
        }
        env.pop("OGI_NATS_CREDENTIALS", None)
        self.services = [ServiceProcess(name, replica, env, directory) for name in SERVICES for replica in range(1, REPLICAS + 1)]

    def replicas(self, name: str) -> list[ServiceProcess]:
        return [service for service in self.services if service.name == name]

    async def start(self) -> None:
        nc = await nats.connect(self.cluster.urls)
        try:
            await streams.declare(nc, replicas=3)
        finally:
            await nc.close()
        # All at once, as an orchestrator starts them: the indicators replicas meet on the empty database.
        for service in self.services:
            service.start()
        await self.wait_until_healthy(self.services, READY_TIMEOUT)

    async def wait_until_healthy(self, services: list[ServiceProcess], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        waiting = list(services)
        while waiting:
            for service in list(waiting):
                if not service.running:
                    raise AssertionError(f"{service.label} exited with {service.process and service.process.returncode}:\n{service.tail()}")
                if await asyncio.to_thread(service.healthy):
                    waiting.remove(service)
            if time.monotonic() > deadline:
                raise AssertionError(f"not healthy within {timeout:.0f} s: {[service.label for service in waiting]}")
            await asyncio.sleep(0.2)

    def stop(self) -> None:
        for service in self.services:
            service.stop()

    def report(self) -> str:
        parts = [f"--- {service.label} ({'running' if service.running else 'exited'})\n{service.tail()}" for service in self.services]
        parts += [f"--- nats {node.name}\n{node.log_tail(8)}" for node in self.cluster.nodes]
        return "\n".join(parts)


# What the tests submit: every region enrolled first, then trainings and plans, every one of which is
# accepted, so each acknowledged submission must end as exactly one outcome that is not `duplicate` and
# exactly one event. A publish retried after it was stored after all is stored again: its outcome is
# `duplicate`.


@dataclass(frozen=True)
class Submission:
    ministry: str
    kind: str
    body: dict

    @property
    def submission_id(self) -> str:
        return self.body["submission_id"]

    @property
    def key(self) -> tuple[str, str]:
        return self.ministry, self.submission_id


def region_codes(start: int = 0, stop: int | None = None) -> list[str]:
    return [region.code for region in all_regions()[start:stop]]


def enrolments(prefix: str, regions: list[str]) -> list[Submission]:
    return [
        Submission(RESPONSIBLE[index % 2], "region.enroll", {"submission_id": f"{prefix}-e{index}", "region_code": region, "occurred_on": "2019-03-01"})
        for index, region in enumerate(regions)
    ]


def activity(prefix: str, count: int, regions: list[str], seed: int = 1) -> list[Submission]:
    """Trainings and plans spread over `regions` (enrolled already), from either responsible ministry."""
    rng = random.Random(seed)
    made = []
    for index in range(count):
        region = rng.choice(regions)
        ministry = RESPONSIBLE[rng.randrange(2)]
        common = {"submission_id": f"{prefix}-a{index}", "region_code": region, "occurred_on": "2019-06-01"}
        if index % 2:
            made.append(Submission(ministry, "training.complete", common | {"session_id": f"{prefix}-t{index}", "participants": 20}))
        else:
            made.append(Submission(ministry, "plan.submit", common | {"plan_id": f"{prefix}-p{index}", "title": "Rencana aksi", "sectors": ["kesehatan"]}))
    return made


@dataclass
class Publishing:
    acknowledged: dict[tuple[str, str], int] = field(default_factory=dict)  # key -> inbox sequence
    attempts: int = 0
    failed_attempts: int = 0
    repeats_recognised: int = 0  # a retry JetStream recognised by its Nats-Msg-Id (only before nats-server 2.14)
    unacknowledged: list[Submission] = field(default_factory=list)


async def publish(
    urls: list[str], submissions: list[Submission], publishers: int = 4, in_flight: int = 32, deadline: float = 120.0, into: Publishing | None = None
) -> Publishing:
    """Publish from `publishers` connections at once, each with up to `in_flight` unanswered; a submission
    counts only once its publish acknowledgement came back. A failed publish is retried with the same
    Nats-Msg-Id until the deadline (if the failed one was stored after all, both are: OGI_INBOX keeps no
    duplicate window, and the retry is answered `duplicate`). `into`: a result to watch while it fills."""
    result = into or Publishing()
    give_up_at = time.monotonic() + deadline
    queue: asyncio.Queue[Submission] = asyncio.Queue()
    for submission in submissions:
        queue.put_nowait(submission)

    async def one(js, submission: Submission) -> None:
        payload = json.dumps(submission.body).encode()
        headers = {"Nats-Msg-Id": submission.submission_id}
        subject = subjects.inbox(submission.ministry, submission.kind)
        while True:
            result.attempts += 1
            try:
                ack = await js.publish(subject, payload, headers=headers, stream=subjects.INBOX_STREAM, timeout=2.0)
            except Exception:  # no answer, no responders, a stream without a leader: all worth another try
                result.failed_attempts += 1
                if time.monotonic() > give_up_at:
                    result.unacknowledged.append(submission)
                    return
                await asyncio.sleep(0.2)
                continue
            result.repeats_recognised += bool(ack.duplicate)
            result.acknowledged[submission.key] = ack.seq
            return

    async def publisher(index: int) -> None:
        nc = await nats.connect(urls[index % len(urls) :] + urls[: index % len(urls)], max_reconnect_attempts=-1, reconnect_time_wait=0.2, dont_randomize=True)
        js = nc.jetstream()
        try:

            async def worker() -> None:
                while not queue.empty():
                    await one(js, queue.get_nowait())

            await asyncio.gather(*(worker() for _ in range(in_flight)))
        finally:
            await nc.close()

    await asyncio.gather(*(publisher(index) for index in range(publishers)))
    return result


class StreamTally:
    """Every outcome and every event, read from sequence 1 on, by submission.

    Read by pull, from the next sequence not yet seen, with the consumer made again after any error or
    quiet second: a reader that must itself survive every fault the tests make (an ordered push consumer
    was seen to stop for good on a cluster)."""

    def __init__(self) -> None:
        self.outcomes: dict[tuple[str, str], list[dict]] = defaultdict(list)
        self.events: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._tasks: list[asyncio.Task] = []

    async def start(self, nc) -> "StreamTally":
        js = nc.jetstream()

        def on_outcome(message) -> None:
            outcome = json.loads(message.data)
            self.outcomes[(outcome["ministry"], outcome["submission_id"])].append(outcome)

        def on_event(message) -> None:
            event = json.loads(message.data)
            self.events[(event["reported_by"], event["submission_id"])].append(message.metadata.sequence.stream)

        self._tasks = [
            asyncio.create_task(_follow(js, subjects.OUTCOMES_STREAM, on_outcome)),
            asyncio.create_task(_follow(js, subjects.EVENTS_STREAM, on_event)),
        ]
        return self

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def decided(self, key) -> list[dict]:
        """The outcomes of `key` that are not `duplicate`: of the original, the one that counts."""
        return [outcome for outcome in self.outcomes.get(key, ()) if outcome["status"] != "duplicate"]

    def missing(self, keys) -> list[tuple[str, str]]:
        return [key for key in keys if not self.decided(key) or not self.events.get(key)]

    def counted_twice(self, keys) -> list[tuple[str, str]]:
        return [key for key in keys if len(self.decided(key)) > 1 or len(self.events.get(key, ())) > 1]


async def _follow(js, stream: str, handle) -> None:
    next_seq = 1
    while True:
        subscription = None
        try:
            config = ConsumerConfig(
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                opt_start_seq=next_seq,
                ack_policy=AckPolicy.NONE,
                inactive_threshold=10.0,
                mem_storage=True,
                num_replicas=1,
            )
            subscription = await js.pull_subscribe("", stream=stream, config=config)
            while True:
                messages = await subscription.fetch(1000, timeout=1.0)
                for message in messages:
                    seq = message.metadata.sequence.stream
                    if seq >= next_seq:
                        handle(message)
                        next_seq = seq + 1
        except asyncio.CancelledError:
            raise
        except Exception:  # a quiet second, a lost consumer, a node away: read on from next_seq
            await asyncio.sleep(0.1)
        finally:
            if subscription is not None:
                with contextlib.suppress(Exception):
                    await subscription.unsubscribe()


async def wait_for_outcomes(tally: StreamTally, keys, timeout: float) -> None:
    """Until every key has an outcome and an event; fails naming how many have not."""
    keys = list(keys)
    deadline = time.monotonic() + timeout
    while missing := tally.missing(keys):
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{len(missing)} of {len(keys)} acknowledged submissions have no outcome or no event after {timeout:.0f} s, e.g. {missing[:3]}"
            )
        await asyncio.sleep(0.2)


def decisions(service: ServiceProcess) -> int:
    """How many submissions this deciding replica has decided since it started (-1: no answer)."""
    try:
        text = httpx.get(f"{service.url}/metrics", timeout=2).text
    except httpx.HTTPError:
        return -1
    return int(sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith("ogi_submissions_total{")))


def applied(service: ServiceProcess) -> int:
    """The last event sequence the read model behind this indicators replica includes (-1: no answer)."""
    try:
        return httpx.get(f"{service.url}/api/v1/indicators", timeout=2).json()["as_of_seq"]
    except (httpx.HTTPError, ValueError, KeyError):
        return -1


async def applied_by(readers: list[ServiceProcess]) -> dict[str, int]:
    return {reader.label: await asyncio.to_thread(applied, reader) if reader.running else -1 for reader in readers}


@dataclass
class Projection:
    events: int
    live_counts: dict[str, int]
    rebuilt_counts: dict[str, int]
    differing_tables: list[str]
    event_log_in_order: bool
    trainings: int  # sessions counted in the live read model
    plans: int

    def line(self) -> str:
        national = ", ".join(f"{key.removeprefix('national.')} {count}" for key, count in sorted(self.live_counts.items()) if key.startswith("national."))
        same = "equals" if not self.differing_tables and self.live_counts == self.rebuilt_counts else f"DIFFERS ({self.differing_tables}) from"
        return f"projected {self.events} events (national {national}; {self.trainings} trainings, {self.plans} plans) {same} a rebuild"


async def check_projection(nc, topology: Topology, rebuild_url: str, last_event_seq: int, timeout: float) -> Projection:
    """Wait until the live read model has every event, then rebuild from sequence 1 beside it and compare."""
    deadline = time.monotonic() + timeout
    readers = topology.replicas("indicators")
    while max((positions := await applied_by(readers)).values()) < last_event_seq:
        if time.monotonic() > deadline:
            raise AssertionError(f"the read model did not reach event {last_event_seq} within {timeout:.0f} s: {positions}")
        await asyncio.sleep(0.2)
    comparison = await rebuild(nc, topology.database_url, rebuild_url, timeout=max(30.0, deadline - time.monotonic()))
    live, rebuilt = create_engine(topology.database_url), create_engine(rebuild_url)
    try:
        live_rows, rebuilt_rows = await snapshot(live), await snapshot(rebuilt)
    finally:
        await live.dispose()
        await rebuilt.dispose()
    logged = [row[0] for row in live_rows["event_log"]]
    return Projection(
        events=len(logged),
        live_counts=_counts(live_rows),
        rebuilt_counts=_counts(rebuilt_rows),
        differing_tables=comparison.differing_tables,
        event_log_in_order=logged == list(range(1, comparison.position + 1)),
        trainings=sum(row[-1] for row in live_rows["region_training"]),
        plans=len(live_rows["region_plan"]),
    )


def _counts(rows: dict[str, list[tuple]]) -> dict[str, int]:
    return {f"{scope}.{indicator}": count for scope, indicator, count, *_ in rows["indicator_count"]}
