"""A row of an upload sent before is judged by the outcome it got then: never ready to send again."""

from services.gateway.workspace.judged import judge
from services.gateway.workspace.sheets import read_upload
from shared.contracts.outcomes import Code, Outcome, Status
from tests.workspace_files import Histories, enrolled, only

TRAINING = {"region_code": "73.71", "occurred_on": "2019-04-10", "session_id": "S-1", "participants": 3}


def rows():
    data = only({"training.complete": [TRAINING, TRAINING | {"session_id": "S-2"}, TRAINING | {"session_id": "S-3"}, TRAINING]})
    return list(read_upload(data, "x.xlsx", "kemendagri").rows)


def outcome(submission_id: str | None, status: Status, **fields) -> Outcome:
    return Outcome(submission_id=submission_id, ministry="kemendagri", kind="training.complete", status=status, submission_seq=1, **fields)


async def test_rows_sent_before_are_recorded_or_sent_before_and_only_rows_never_answered_are_sent():
    uploaded = rows()
    first, second, _, _ = uploaded
    earlier = {
        str(first.submission_id): outcome(first.submission_id, Status.ACCEPTED, event_id="event-1"),
        str(second.submission_id): outcome(second.submission_id, Status.REJECTED, code=Code.NOT_ENROLLED, message="not enrolled"),
    }
    asked: list[str] = []

    async def outcomes_of(submission_ids):
        asked.extend(submission_ids)
        return {submission_id: earlier[submission_id] for submission_id in submission_ids if submission_id in earlier}

    judged = await judge(uploaded, "kemendagri", Histories(enrolled("73.71")), outcomes_of)

    assert [(row.status, row.sendable) for row in judged] == [("recorded", False), ("sent_before", False), ("ready", True), ("duplicate_row", False)]
    assert judged[0].said()["event_id"] == "event-1"
    assert judged[1].said() | {"message": ""} == {"message_id": "sent_before", "message": "", "code": "not_enrolled", "event_id": None}
    assert sorted(asked) == sorted(str(row.submission_id) for row in uploaded[:3]), "a repeated row's outcome is its original's, not asked for"
    assert [row.order for row in judged] == [0, 1, 2, 3]
