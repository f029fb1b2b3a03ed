"""The outcomes an organisation's submissions got before, read from OGI_OUTCOMES by submission id.

Each id is one direct get of the last message on `ogi.outcome.<ministry>.<submission_id>`, at most
LOOKUPS_AT_ONCE at a time. A resent submission's last outcome is `duplicate`; then every outcome of the id
is read, and the first that is not a duplicate is the one that counts (what the original got).
"""

import asyncio
from collections.abc import Iterable

from nats.aio.client import Client

from shared import subjects
from shared.contracts.outcomes import Outcome, Status, original_of
from shared.stream_reader import StreamReader

LOOKUPS_AT_ONCE = 32


class EarlierOutcomes:
    def __init__(self, nc: Client) -> None:
        self._reader = StreamReader(nc, subjects.OUTCOMES_STREAM, long_lived=True)

    async def of(self, ministry: str, submission_ids: Iterable[str]) -> dict[str, Outcome]:
        """The original outcome of each of `submission_ids` that has one."""
        gate = asyncio.Semaphore(LOOKUPS_AT_ONCE)

        async def outcome_of(submission_id: str) -> tuple[str, Outcome | None]:
            async with gate:
                return submission_id, await self._original(ministry, submission_id)

        found = await asyncio.gather(*(outcome_of(submission_id) for submission_id in set(submission_ids)))
        return {submission_id: outcome for submission_id, outcome in found if outcome is not None}

    async def _original(self, ministry: str, submission_id: str) -> Outcome | None:
        subject = subjects.outcome(ministry, submission_id)
        last = await self._reader.last(subject)
        if last is None:
            return None
        outcome = Outcome.model_validate_json(last.data)
        if outcome.status != Status.DUPLICATE:
            return outcome
        return original_of([Outcome.model_validate_json(message.data) for message in await self._reader.read(subject)]) or outcome
