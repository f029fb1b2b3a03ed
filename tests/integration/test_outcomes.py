"""Every stored submission gets exactly one outcome; every rejection code, as a ministry sees it."""

import datetime as dt

import pytest

from tests.support import new_id

MAKASSAR = "73.71"


def enrolment(**fields):
    return {"submission_id": new_id(), "region_code": MAKASSAR, "occurred_on": "2019-03-01", **fields}


async def test_malformed_bodies_are_rejected_and_unreadable_ids_go_to_unparsed(sqlite_system):
    kemendagri = sqlite_system.ministry("kemendagri")
    seq = await kemendagri.send("region.enroll", b"\xff not json")
    outcome = await kemendagri.outcomes.wait(seq)
    assert (outcome.status, outcome.code, outcome.submission_id) == ("rejected", "malformed", None)
    stored = await sqlite_system.nc.jetstream().get_last_msg("OGI_OUTCOMES", "ogi.outcome.kemendagri._unparsed")
    assert b'"submission_seq":%d' % seq in stored.data

    array = await kemendagri.submit("region.enroll", b'["a", "list"]')
    assert (array.status, array.code) == ("rejected", "malformed")


async def test_a_malformed_body_with_a_readable_id_gets_its_outcome_under_that_id(sqlite_system):
    kemendagri = sqlite_system.ministry("kemendagri")
    outcome = await kemendagri.submit("region.enroll", b"{not json", headers={"Nats-Msg-Id": "batch-7-row-3"})
    assert (outcome.status, outcome.code, outcome.submission_id) == ("rejected", "malformed", "batch-7-row-3")
    stored = await sqlite_system.nc.jetstream().get_last_msg("OGI_OUTCOMES", "ogi.outcome.kemendagri.batch-7-row-3")
    assert b'"malformed"' in stored.data


@pytest.mark.parametrize(
    ("fields", "expected_errors"),
    [
        ({"occurred_on": "2017-12-31"}, {"occurred_on"}),
        ({"occurred_on": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, {"occurred_on"}),
        ({"occurred_on": "01/03/2019"}, {"occurred_on"}),
        ({"submission_id": "has spaces"}, {"submission_id"}),
        ({"region_cod": "73.71"}, {"region_cod"}),
        ({"ppid_established": "yes", "note": "x" * 1001}, {"ppid_established", "note"}),
    ],
)
async def test_invalid_fields_are_each_named(sqlite_system, fields, expected_errors):
    outcome = await sqlite_system.ministry("kemendagri").submit("region.enroll", enrolment(**fields))
    assert (outcome.status, outcome.code) == ("rejected", "invalid")
    assert {error.field for error in outcome.errors} == expected_errors


async def test_invalid_comes_before_unknown_region_and_every_kind_checks_its_own_fields(sqlite_system):
    kominfo = sqlite_system.ministry("kominfo")
    outcome = await kominfo.submit("training.complete", {"submission_id": new_id(), "region_code": "99.99", "occurred_on": "2019-01-01", "participants": 0})
    assert outcome.code == "invalid"
    assert {error.field for error in outcome.errors} == {"session_id", "participants"}
    plan = await kominfo.submit(
        "plan.submit",
        {"submission_id": new_id(), "region_code": MAKASSAR, "occurred_on": "2019-01-01", "plan_id": "p 1", "title": "", "sectors": ["pariwisata"]},
    )
    assert {error.field for error in plan.errors} == {"plan_id", "title", "sectors.0"}
    empty = await kominfo.submit(
        "plan.submit", {"submission_id": new_id(), "region_code": MAKASSAR, "occurred_on": "2019-01-01", "plan_id": "p1", "title": "T", "sectors": []}
    )
    assert {error.field for error in empty.errors} == {"sectors"}
    withdraw = await kominfo.submit("plan.withdraw", {"submission_id": new_id(), "region_code": MAKASSAR, "occurred_on": "2019-01-01"})
    assert {error.field for error in withdraw.errors} == {"plan_id", "reason"}


async def test_unknown_region(sqlite_system):
    outcome = await sqlite_system.ministry("kemendagri").submit("region.enroll", enrolment(region_code="99.99"))
    assert (outcome.status, outcome.code) == ("rejected", "unknown_region")


@pytest.mark.parametrize("related", ["kemenpanrb", "bappenas", "ksp"])
async def test_related_ministries_may_not_submit(sqlite_system, related):
    outcome = await sqlite_system.ministry(related).submit("region.enroll", enrolment())
    assert (outcome.status, outcome.code) == ("rejected", "not_permitted")


async def test_enrolment_rules(sqlite_system):
    kemendagri, kominfo = sqlite_system.ministry("kemendagri"), sqlite_system.ministry("kominfo")
    assert (await kominfo.withdraw(MAKASSAR)).code == "not_enrolled"  # not_enrolled comes before not_permitted
    assert (await kemendagri.enroll(MAKASSAR)).status == "accepted"
    again = await kominfo.enroll(MAKASSAR)
    assert (again.code, again.message) == ("already_enrolled", "Kota Makassar (73.71) is already enrolled by kemendagri")
    assert (await kominfo.withdraw(MAKASSAR)).code == "not_permitted"
    assert (await kemendagri.withdraw(MAKASSAR)).status == "accepted"
    assert (await kemendagri.withdraw(MAKASSAR)).code == "not_enrolled"


async def test_training_and_plan_rules(sqlite_system):
    kemendagri, kominfo = sqlite_system.ministry("kemendagri"), sqlite_system.ministry("kominfo")
    not_enrolled = await kominfo.train(MAKASSAR)
    assert (not_enrolled.code, not_enrolled.message) == ("not_enrolled", "Kota Makassar (73.71) is not enrolled")
    assert (await kominfo.submit_plan(MAKASSAR, "p1")).code == "not_enrolled"
    assert (await kemendagri.withdraw_plan(MAKASSAR, "p1")).code == "plan_not_found"
    await kemendagri.enroll(MAKASSAR)
    assert (await kominfo.submit_plan(MAKASSAR, "p1")).status == "accepted"
    assert (await kemendagri.submit_plan(MAKASSAR, "p1")).code == "plan_exists"
    assert (await kemendagri.withdraw_plan(MAKASSAR, "p1")).status == "accepted"
    assert (await kemendagri.withdraw_plan(MAKASSAR, "p1")).code == "plan_not_found"
    assert (await kemendagri.submit_plan(MAKASSAR, "p1")).code == "plan_exists"  # a plan id is never reused


async def test_a_resubmitted_id_is_a_duplicate_naming_the_original_event(sqlite_system):
    kemendagri = sqlite_system.ministry("kemendagri")
    body = enrolment()
    original = await kemendagri.submit("region.enroll", body)
    # Without Nats-Msg-Id the inbox stores the resubmission, so the services must recognise it.
    resubmission = await kemendagri.submit("region.enroll", body | {"note": "sent again"}, headers={"Nats-Msg-Id": new_id()})
    assert (resubmission.status, resubmission.event_id, resubmission.event_seq) == ("duplicate", original.event_id, original.event_seq)
    assert resubmission.submission_seq != original.submission_seq


async def test_an_id_is_a_duplicate_across_kinds_and_after_a_rejection(sqlite_system):
    kemendagri, kominfo = sqlite_system.ministry("kemendagri"), sqlite_system.ministry("kominfo")
    rejected = await kemendagri.submit(
        "training.complete", {"submission_id": "row-1", "region_code": MAKASSAR, "occurred_on": "2019-01-01", "session_id": "s", "participants": 3}
    )
    assert rejected.code == "not_enrolled"
    again = await kemendagri.submit("region.enroll", enrolment(submission_id="row-1"), headers={"Nats-Msg-Id": "other"})
    assert (again.status, again.event_id) == ("duplicate", None)
    # Ids are per ministry: another ministry may use the same one, as its Nats-Msg-Id too.
    other = await kominfo.submit("region.enroll", enrolment(submission_id="row-1"))
    assert other.status == "accepted"


async def test_the_duplicate_check_comes_before_any_other(sqlite_system):
    kemendagri = sqlite_system.ministry("kemendagri")
    original = await kemendagri.submit("region.enroll", enrolment(submission_id="row-2"))
    invalid_copy = await kemendagri.submit("region.enroll", {"submission_id": "row-2", "region_code": 7371}, headers={"Nats-Msg-Id": "x"})
    assert (invalid_copy.status, invalid_copy.event_id) == ("duplicate", original.event_id)
    related_copy = await sqlite_system.ministry("ksp").submit("region.enroll", enrolment(submission_id="row-2"), headers={"Nats-Msg-Id": "y"})
    assert related_copy.code == "not_permitted"  # another ministry's id space


async def test_a_repeated_publish_is_stored_again_and_answered_duplicate(sqlite_system):
    kemendagri = sqlite_system.ministry("kemendagri")
    body = enrolment()
    first = await kemendagri.send("region.enroll", body)
    again = await kemendagri.send("region.enroll", body)  # the same Nats-Msg-Id, at once
    assert again > first
    assert (await kemendagri.outcomes.wait(first)).status == "accepted"
    assert (await kemendagri.outcomes.wait(again)).status == "duplicate"
