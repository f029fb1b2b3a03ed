"""Which submission ids a ministry has used, and the outcome each stored submission got.

A submission id is claimed in KV `OGI_SUBMISSIONS` (`<ministry>.<submission_id>` -> the inbox sequence of
the first submission that carried it) before anything is decided. The claim is a compare-and-set, so it
holds forever and across services, unlike JetStream's duplicate window.
"""

import asyncio
import json
from dataclasses import dataclass

from nats.aio.client import Client
from nats.js.api import Header
from nats.js.errors import APIError, KeyWrongLastSequenceError, NotFoundError
from nats.js.kv import KeyValue

from shared import nats_internals, streams, subjects, telemetry
from shared.atomic_batches import AtomicBatcher
from shared.contracts.outcomes import Outcome
from shared.eventstore import WRONG_LAST_SEQUENCE


@dataclass(frozen=True, slots=True)
class Claim:
    owner: int  # the inbox sequence of the first submission that carried the id
    taken_now: bool  # this call took it: nothing can have been decided or answered for the id yet


class Ledger:
    def __init__(self, nc: Client) -> None:
        self._js = nc.jetstream()
        self._outcomes = AtomicBatcher(nc, subjects.OUTCOMES_STREAM)
        self._claims = AtomicBatcher(nc, streams.bucket_stream(subjects.SUBMISSIONS_BUCKET))
        self._bucket: asyncio.Future[KeyValue] | None = None

    async def claim(self, ministry: str, submission_id: str, submission_seq: int) -> Claim:
        """Who owns this id: `submission_seq` itself unless an earlier submission took it."""
        key = f"{ministry}.{submission_id}"
        value = json.dumps({"submission_seq": submission_seq}).encode()
        bucket = await self._claims_bucket()
        # The bucket's own create, written as a publish to the key's subject so that claims made together
        # share one synced write; nats-py's `create` (a nats-py that does not tell that subject) writes alone.
        subject = nats_internals.key_subject(bucket, key)
        try:
            if subject is None:
                await bucket.create(key, value)
            else:
                await self._claims.publish(subject, value, {Header.EXPECTED_LAST_SUBJECT_SEQUENCE.value: "0"})
            return Claim(submission_seq, taken_now=True)
        except KeyWrongLastSequenceError:
            pass
        except APIError as error:
            if error.err_code != WRONG_LAST_SEQUENCE:
                raise
        entry = await bucket.get(key)
        return Claim(json.loads(entry.value or b"")["submission_seq"], taken_now=False)

    async def last_outcome(self, ministry: str, submission_id: str) -> Outcome | None:
        try:
            message = await self._js.get_last_msg(subjects.OUTCOMES_STREAM, subjects.outcome(ministry, submission_id), direct=True)
        except NotFoundError:
            return None
        return Outcome.model_validate_json(message.data or b"")

    async def publish(self, outcome: Outcome) -> None:
        subject = subjects.outcome(outcome.ministry, outcome.submission_id or subjects.UNPARSED)
        with telemetry.publishing(subject, **telemetry.ogi_attributes(outcome.ministry, None, outcome.submission_id)) as headers:
            await self._outcomes.publish(subject, outcome.to_json(), {**headers, "Nats-Msg-Id": f"outcome.{outcome.submission_seq}"})

    async def _claims_bucket(self) -> KeyValue:
        """Looked up once, the first claims sharing the look-up; again after a failure."""
        if self._bucket is None:
            self._bucket = asyncio.ensure_future(self._js.key_value(subjects.SUBMISSIONS_BUCKET))
        try:
            return await asyncio.shield(self._bucket)
        except Exception:
            self._bucket = None
            raise
