"""The services' rules as pure functions: a submission and a region's history in, a decision out."""

import datetime as dt
from typing import TypedDict

from services.plans import domain as plans
from services.registry import domain as registry
from services.training import domain as training
from shared.contracts import events as ev
from shared.contracts.submissions import CompleteTraining, EnrollRegion, Sector, SubmitPlan, WithdrawPlan, WithdrawRegion
from shared.decisions import Record
from shared.eventstore import History, StoredEvent
from shared.ministries import Ministry
from shared.organisations import of_ministry
from shared.region_state import fold
from shared.regions import find_region

MAKASSAR = find_region("73.71")
KEMENDAGRI, KOMINFO = Ministry.KEMENDAGRI, Ministry.KOMINFO


class Common(TypedDict):
    region_code: str
    occurred_on: dt.date


COMMON: Common = {"region_code": "73.71", "occurred_on": dt.date(2019, 1, 1)}


def history(*events: ev.AnyEvent) -> History:
    return History(tuple(StoredEvent(seq, event) for seq, event in enumerate(events, 1)), len(events))


def event(cls, data, ministry=KEMENDAGRI, submission_id="x"):
    return cls(
        event_id="e",
        region_code="73.71",
        ministry=ministry,
        reported_by=ministry,
        occurred_on=dt.date(2019, 1, 1),
        recorded_at=dt.datetime(2019, 1, 1, tzinfo=dt.UTC),
        submission_id=submission_id,
        data=data,
    )


ENROLLED = event(ev.RegionEnrolled, ev.RegionEnrolledData())
WITHDRAWN = event(ev.RegionWithdrawn, ev.RegionWithdrawnData(reason="r"))
PLAN_A = event(ev.PlanSubmitted, ev.PlanSubmittedData(plan_id="a", title="t", sectors=[Sector.SOSIAL]))
PLAN_A_WITHDRAWN = event(ev.PlanWithdrawn, ev.PlanWithdrawnData(plan_id="a", reason="r"))


def enrol():
    return EnrollRegion(submission_id="s", **COMMON)


def withdraw():
    return WithdrawRegion(submission_id="s", reason="r", **COMMON)


def train():
    return CompleteTraining(submission_id="s", session_id="t", participants=3, **COMMON)


def plan(plan_id="a"):
    return SubmitPlan(submission_id="s", plan_id=plan_id, title="t", sectors=[Sector.SOSIAL], **COMMON)


def withdraw_plan(plan_id="a"):
    return WithdrawPlan(submission_id="s", plan_id=plan_id, reason="r", **COMMON)


def decide(rule, submission, reporter, *events):
    return rule(submission, of_ministry(reporter), MAKASSAR, fold(history(*events)))


def test_enrolment_makes_the_reporter_responsible():
    decision = decide(registry.enroll, enrol(), KOMINFO)
    assert decision == Record(ev.RegionEnrolled, KOMINFO, ev.RegionEnrolledData())


def test_a_region_enrolled_now_cannot_be_enrolled_again_but_a_withdrawn_one_can():
    assert decide(registry.enroll, enrol(), KOMINFO, ENROLLED).code == "already_enrolled"
    assert isinstance(decide(registry.enroll, enrol(), KOMINFO, ENROLLED, WITHDRAWN), Record)


def test_only_the_responsible_ministry_withdraws_and_only_while_enrolled():
    assert decide(registry.withdraw, withdraw(), KOMINFO).code == "not_enrolled"
    assert decide(registry.withdraw, withdraw(), KOMINFO, ENROLLED).code == "not_permitted"
    assert isinstance(decide(registry.withdraw, withdraw(), KEMENDAGRI, ENROLLED), Record)
    assert decide(registry.withdraw, withdraw(), KEMENDAGRI, ENROLLED, WITHDRAWN).code == "not_enrolled"


def test_a_training_counts_for_the_responsible_ministry_whoever_reports_it():
    decision = decide(training.complete, train(), KOMINFO, ENROLLED)
    assert decision.ministry == KEMENDAGRI
    assert decide(training.complete, train(), KEMENDAGRI, ENROLLED, WITHDRAWN).code == "not_enrolled"


def test_plans_need_an_enrolled_region_and_a_new_plan_id():
    assert decide(plans.submit, plan(), KEMENDAGRI).code == "not_enrolled"
    assert decide(plans.submit, plan(), KOMINFO, ENROLLED).ministry == KEMENDAGRI
    assert decide(plans.submit, plan("a"), KEMENDAGRI, ENROLLED, PLAN_A).code == "plan_exists"
    assert decide(plans.submit, plan("a"), KEMENDAGRI, ENROLLED, PLAN_A, PLAN_A_WITHDRAWN).code == "plan_exists"


def test_a_plan_is_withdrawn_once_even_after_its_region_left():
    assert decide(plans.withdraw, withdraw_plan(), KOMINFO).code == "plan_not_found"
    assert isinstance(decide(plans.withdraw, withdraw_plan(), KOMINFO, ENROLLED, PLAN_A, WITHDRAWN), Record)
    assert decide(plans.withdraw, withdraw_plan(), KOMINFO, ENROLLED, PLAN_A, PLAN_A_WITHDRAWN).code == "plan_not_found"


def test_the_fold_remembers_which_submission_recorded_which_event():
    state = fold(history(event(ev.RegionEnrolled, ev.RegionEnrolledData(), submission_id="row-1")))
    assert state.recorded[(KEMENDAGRI, "row-1")].seq == 1
