"""Playing a planned rollout against a running system: register its observer and store the document its
amendments name, then publish each submission when its day comes, wait for its outcome (a ministry's system
reports a training only once the enrolment is confirmed), tally."""

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from nats.aio.client import Client

from ogi.simulation.plan import AMENDED_DOCUMENT, OBSERVER, OBSERVER_NAME, START, Planned
from shared.contracts.outcomes import Outcome, Status
from shared.evidence_store import EvidenceStore
from shared.observers import AlreadyRegistered, ObserverRegistry
from shared.submitting import Outcomes, publish_submission

ONE_MINUTE = 1096 / 60  # simulated days per second that play 2018–2020 in about a minute


@dataclass
class Summary:
    submissions: int = 0
    statuses: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)
    last_event_seq: int = 0
    indicators: list[dict] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.submissions += 1
        self.statuses[str(outcome.status)] += 1
        if outcome.status == Status.REJECTED:
            self.rejected[str(outcome.code)] += 1
        self.last_event_seq = max(self.last_event_seq, outcome.event_seq or 0)

    def as_dict(self) -> dict:
        return {
            "submissions": self.submissions,
            "accepted": self.statuses["accepted"],
            "duplicates": self.statuses["duplicate"],
            "rejected": dict(sorted(self.rejected.items())),
            "indicators": self.indicators,
        }


async def play(nc: Client, planned: list[Planned], speed: float, on_outcome: Callable[[Planned, Outcome], None] = lambda *_: None) -> Summary:
    """`speed`: simulated days per second; 0 plays as fast as the system answers."""
    await _prepare(nc)
    summary = Summary()
    started = time.monotonic()
    async with Outcomes(nc, "ogi.outcome.>", only_new=True) as outcomes:
        for submission in planned:
            if speed:
                due = started + (submission.day - START).days / speed
                await asyncio.sleep(max(0.0, due - time.monotonic()))
            seq = await publish_submission(nc, submission.ministry, submission.kind, submission.body, submission.headers)
            outcome = await outcomes.wait(seq, timeout=30)
            summary.add(outcome)
            on_outcome(submission, outcome)
    return summary


async def _prepare(nc: Client) -> None:
    """What the rollout's submissions name must exist first: the observer that disputes, the amended document."""
    try:
        await ObserverRegistry(nc).add(OBSERVER, OBSERVER_NAME)
    except AlreadyRegistered:
        pass
    await EvidenceStore(nc).put(AMENDED_DOCUMENT, "application/pdf")


async def final_indicators(api: httpx.AsyncClient, last_event_seq: int, timeout: float = 30.0) -> list[dict]:
    """The nine counts once the read model includes the last event the rollout recorded."""
    deadline = time.monotonic() + timeout
    while True:
        body = (await api.get("/api/v1/indicators")).json()
        if body["as_of_seq"] >= last_event_seq or time.monotonic() > deadline:
            return body["indicators"]
        await asyncio.sleep(0.1)
