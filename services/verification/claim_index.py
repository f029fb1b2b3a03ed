"""Which region each claim (an accepted training or plan) belongs to, by event id: so that a claim kind naming
another region than its claim's is told `invalid` rather than `claim_not_found`. A claim's region never
changes, so what is known once stays true; what is not known is read from the event store before answering."""

import asyncio

from nats.aio.client import Client
from pydantic_core import from_json

from shared import subjects
from shared.contracts.outcomes import Code, FieldError, Rejection
from shared.contracts.submissions import ClaimSubmission
from shared.regions import Region
from shared.stream_reader import StreamReader

CLAIMS = (subjects.event("training", "*", "TrainingCompleted"), subjects.event("plans", "*", "PlanSubmitted"))


def region_code_of(subject: str) -> str:
    """`ogi.events.plans.7371.PlanSubmitted` -> `73.71`."""
    token = subject.split(".")[3]
    return f"{token[:2]}.{token[2:]}"


class ClaimIndex:
    def __init__(self, nc: Client) -> None:
        self._reader = StreamReader(nc, subjects.EVENTS_STREAM, long_lived=True)
        self._regions: dict[str, str] = {}
        self._read_up_to = dict.fromkeys(CLAIMS, 0)
        self._reading = asyncio.Lock()

    async def region_of(self, event_id: str) -> str | None:
        if event_id not in self._regions:
            await self._read_new()
        return self._regions.get(event_id)

    async def _read_new(self) -> None:
        async with self._reading:
            for claims in CLAIMS:
                for stored in await self._reader.read(claims, after_seq=self._read_up_to[claims]):
                    self._regions[from_json(stored.data)["event_id"]] = region_code_of(stored.subject)
                    self._read_up_to[claims] = stored.seq

    async def __call__(self, submission: ClaimSubmission, region: Region) -> Rejection | None:
        """`invalid` when the claim is an event of another region than the one the submission names."""
        claim_region = await self.region_of(submission.claim_event_id)
        if claim_region is None or claim_region == region.code:
            return None
        error = FieldError(field="region_code", message=f"must be the claim's region, {claim_region}", type="claim_region")
        return Rejection(code=Code.INVALID, message=f"claim {submission.claim_event_id} is an event of {claim_region}, not of {region.code}", errors=[error])
