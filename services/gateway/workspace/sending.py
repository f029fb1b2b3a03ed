"""Sending an upload's ready rows, each as a submission of the signed-in person's organisation naming the person.

A region's rows go one after another in sending order, each only once the one before it has its outcome: a
training sent before its region's enrolment is decided would be decided against a region not yet enrolled.
When an outcome does not come within the wait, the region's later rows are held back (`queued`) for a later
call. Rows of different regions are independent of each other (every rule is about one region), so up to
REGIONS_AT_ONCE regions are sent at the same time.

Each publish carries `Nats-Msg-Id` = the row's submission id: a row published twice (two tabs, a retry) is
stored once, and the platform answers any later resend `duplicate`; nothing is recorded twice.
"""

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass

from nats.errors import Error as NatsError

from services.gateway.http import STATUS_CODES, Context
from services.gateway.workspace.judged import Judged
from shared import subjects, telemetry
from shared.contracts.outcomes import Outcome
from shared.inbound import SUBMITTED_BY
from shared.submitting import publish_submission

REGIONS_AT_ONCE = 8
PENDING, QUEUED, NOT_STORED = "pending", "queued", "not_stored"


@dataclass(frozen=True)
class Sent:
    judged: Judged
    status: str  # accepted, rejected, duplicate; pending (stored, no outcome yet), queued, not_stored
    outcome: Outcome | None = None

    def described(self) -> dict:
        row = self.judged.row
        outcome = self.outcome
        said = {"message_id": outcome.code.value, "message": outcome.message, "code": outcome.code.value} if outcome and outcome.code else {}
        message_id = {PENDING: "no_outcome", QUEUED: "not_sent", NOT_STORED: "not_stored"}.get(self.status, self.status)
        return {
            "sheet": row.sheet,
            "row_number": row.row_number,
            "submission_id": row.submission_id,
            "sent": self.status not in (QUEUED, NOT_STORED),
            "status": self.status,
            "message_id": message_id,
            "message": None,
            "code": None,
            "event_id": outcome.event_id if outcome else None,
            "event_seq": outcome.event_seq if outcome else None,
        } | said


async def send_rows(context: Context, ministry: str, person: str, rows: Sequence[Judged]) -> list[Sent]:
    """Send `rows` (each `sendable`, in sending order); what became of each, in the same order."""
    by_region: dict[str, list[Judged]] = {}
    for judged in rows:
        assert judged.row.submission is not None
        by_region.setdefault(judged.row.submission.region_code, []).append(judged)
    gate = asyncio.Semaphore(REGIONS_AT_ONCE)

    async def send_region(region_rows: list[Judged]) -> list[Sent]:
        async with gate:
            return await _send_in_turn(context, ministry, person, region_rows)

    sent = {id(result.judged): result for results in await asyncio.gather(*map(send_region, by_region.values())) for result in results}
    return [sent[id(judged)] for judged in rows]


async def _send_in_turn(context: Context, ministry: str, person: str, rows: list[Judged]) -> list[Sent]:
    results: list[Sent] = []
    for judged in rows:
        result = await _send(context, ministry, person, judged)
        results.append(result)
        if result.status in (PENDING, NOT_STORED):
            return results + [Sent(later, QUEUED) for later in rows[len(results) :]]
    return results


async def _send(context: Context, ministry: str, person: str, judged: Judged) -> Sent:
    row = judged.row
    assert row.kind is not None and row.body is not None
    running = context.running()
    with telemetry.publishing(subjects.inbox(ministry, row.kind), **telemetry.ogi_attributes(ministry, None, row.submission_id)) as headers:
        try:
            seq = await publish_submission(running.nc, ministry, row.kind, json.dumps(row.body).encode(), headers | _headers(row.submission_id, person))
        except NatsError:
            context.submissions.labels(ministry, row.kind, "503").inc()
            return Sent(judged, NOT_STORED)
    try:
        outcome = await running.outcomes.wait(seq, timeout=context.settings.outcome_wait_seconds)
    except TimeoutError:
        context.submissions.labels(ministry, row.kind, "202").inc()
        return Sent(judged, PENDING)
    context.submissions.labels(ministry, row.kind, str(STATUS_CODES[outcome.status])).inc()
    return Sent(judged, outcome.status.value, outcome)


def _headers(submission_id: str | None, person: str) -> dict[str, str]:
    return {"Nats-Msg-Id": str(submission_id), SUBMITTED_BY: person}
