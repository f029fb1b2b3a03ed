"""A ministry system's side of the contract: publish a submission, then wait for its outcome."""

import asyncio
import json
from collections import OrderedDict

from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy

from shared import subjects
from shared.contracts.outcomes import Outcome
from shared.inbound import is_submission_id
from shared.ledger import Ledger


class Outcomes:
    """Follows OGI_OUTCOMES (or part of it) and finds the outcome of a stored submission by its inbox
    sequence, which tells a resubmission's outcome from the original's."""

    def __init__(self, nc: Client, filter_subject: str = "ogi.outcome.>", only_new: bool = False, keep: int | None = None) -> None:
        """`only_new`: from now on rather than from the start of the stream; `keep`: remember only the most
        recent outcomes (a long-running waiter), rather than all."""
        self._js = nc.jetstream()
        self._filter = filter_subject
        self._deliver = DeliverPolicy.NEW if only_new else DeliverPolicy.ALL
        self._keep = keep
        self._seen: OrderedDict[int, Outcome] = OrderedDict()
        self._arrived = asyncio.Condition()
        self._subscription: JetStreamContext.PushSubscription | None = None

    async def __aenter__(self) -> "Outcomes":
        self._subscription = await self._js.subscribe(
            self._filter,
            stream=subjects.OUTCOMES_STREAM,
            ordered_consumer=True,
            config=ConsumerConfig(deliver_policy=self._deliver),
            cb=self._on_outcome,
        )
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._subscription is not None:
            await self._subscription.unsubscribe()

    async def _on_outcome(self, message) -> None:
        outcome = Outcome.model_validate_json(message.data)
        async with self._arrived:
            self._seen[outcome.submission_seq] = outcome
            if self._keep is not None and len(self._seen) > self._keep:
                self._seen.popitem(last=False)
            self._arrived.notify_all()

    async def wait(self, submission_seq: int, timeout: float = 10.0) -> Outcome:
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: submission_seq in self._seen), timeout)
            return self._seen[submission_seq]


async def publish_submission(nc: Client, ministry: str, kind: str, body: bytes | dict, headers: dict | None = None) -> int:
    """Store a submission in OGI_INBOX and return its sequence there. (Only on a server older than 2.14 can
    a publish repeated within 100 ms return the stored one's sequence instead: shared/streams.py.)"""
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = dict(headers or {})
    if isinstance(body, dict) and "submission_id" in body:
        headers.setdefault("Nats-Msg-Id", str(body["submission_id"]))
    ack = await nc.jetstream().publish(subjects.inbox(ministry, kind), payload, headers=headers or None, stream=subjects.INBOX_STREAM)
    return ack.seq


class NotStored(Exception):
    """NATS did not store the submission: it answered with an error, or not in time (its cause says which)."""


class NoOutcome(TimeoutError):
    """The submission is stored (at `seq` in OGI_INBOX), but its outcome did not come in time."""

    def __init__(self, seq: int) -> None:
        super().__init__(f"stored as OGI_INBOX #{seq}, no outcome yet")
        self.seq = seq


async def submit(nc: Client, ministry: str, kind: str, body: bytes | dict, timeout: float = 10.0) -> Outcome:
    """Publish and wait for this submission's outcome, with no more rights than a ministry has: a plain
    subscription to its own outcome subject, opened before the publish, and a direct get for an outcome
    given before (on a server older than 2.14, a publish JetStream took for a repeat is answered by the stored
    one's outcome). Raises NotStored when the publish fails, NoOutcome when the outcome does not come."""
    submission_id = body.get("submission_id") if isinstance(body, dict) else None
    known_id = submission_id if is_submission_id(submission_id) else None
    subject = subjects.outcome(ministry, known_id or ">")
    subscription = await nc.subscribe(subject)
    try:
        try:
            seq = await publish_submission(nc, ministry, kind, body)
        except NatsError as error:
            raise NotStored(error) from error
        if known_id and (earlier := await Ledger(nc).last_outcome(ministry, known_id)) and earlier.submission_seq == seq:
            return earlier
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            try:
                message = await subscription.next_msg(timeout=max(0.001, deadline - asyncio.get_running_loop().time()))
            except TimeoutError:
                raise NoOutcome(seq) from None
            outcome = Outcome.model_validate_json(message.data)
            if outcome.submission_seq == seq:
                return outcome
    finally:
        await subscription.unsubscribe()
