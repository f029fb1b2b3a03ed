"""Of two submissions with one id, the one stored first in the inbox is the original and the other its
duplicate, whichever service decides first, and whether or not the first one's service is running."""

from shared import inbox_order
from tests.support import eventually, new_id

MAKASSAR = "73.71"
PAIRS = 20


def training(submission_id: str) -> dict:
    return {"submission_id": submission_id, "region_code": MAKASSAR, "occurred_on": "2019-04-01", "session_id": "tot-1", "participants": 25}


def plan(submission_id: str) -> dict:
    return {
        "submission_id": submission_id,
        "region_code": MAKASSAR,
        "occurred_on": "2019-06-01",
        "plan_id": new_id("plan"),
        "title": "Rencana aksi",
        "sectors": ["kesehatan"],
    }


async def test_a_training_and_then_a_plan_with_one_id_the_training_is_the_original_in_every_pair(sqlite_system):
    kemendagri = sqlite_system.ministry("kemendagri")
    await kemendagri.enroll(MAKASSAR)
    pairs = []
    for _ in range(PAIRS):
        submission_id = new_id("pair")
        first = await kemendagri.send("training.complete", training(submission_id))
        pairs.append((first, await kemendagri.send("plan.submit", plan(submission_id))))
    answers = [(await kemendagri.outcomes.wait(first), await kemendagri.outcomes.wait(second)) for first, second in pairs]
    called_duplicate = sum(first.status == "duplicate" for first, _ in answers)
    assert called_duplicate == 0, f"the first sent was called the duplicate in {called_duplicate} of {PAIRS} pairs"
    assert all(first.status == "accepted" and (second.status, second.event_id) == ("duplicate", first.event_id) for first, second in answers)


async def test_the_first_stored_is_the_original_even_while_its_service_is_down(sqlite_system):
    training_service = next(service for service in sqlite_system.deciding if service.spec.name == "training")
    await training_service.stop()
    sqlite_system.deciding.remove(training_service)
    kemendagri = sqlite_system.ministry("kemendagri")
    await kemendagri.enroll(MAKASSAR)
    first = await kemendagri.send("training.complete", training("while-down"))
    second = await kemendagri.send("plan.submit", plan("while-down"))

    await sqlite_system.start_deciding(["training"])
    original, duplicate = await kemendagri.outcomes.wait(first), await kemendagri.outcomes.wait(second)
    assert (original.status, duplicate.status, duplicate.event_id) == ("accepted", "duplicate", original.event_id)


async def test_once_every_service_has_answered_what_is_read_is_forgotten_and_the_claims_answer(sqlite_system, monkeypatch):
    monkeypatch.setattr(inbox_order, "SETTLED_EVERY_SECONDS", 0.05)
    await sqlite_system.stop_deciding()
    await sqlite_system.start_deciding(["registry", "training", "plans"])
    kemendagri = sqlite_system.ministry("kemendagri")
    original = await kemendagri.enroll(MAKASSAR)
    await eventually(lambda: all(not service.order._first for service in sqlite_system.deciding))
    again = await kemendagri.submit("region.enroll", {"submission_id": original.submission_id, "region_code": MAKASSAR, "occurred_on": "2019-03-01"})
    assert (again.status, again.event_id) == ("duplicate", original.event_id)
