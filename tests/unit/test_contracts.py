"""The wire contract: what a submission may hold, how outcomes and events look, where they go."""

import datetime as dt

import pytest
from pydantic import ValidationError

from services.indicators.readmodel.db import async_url
from shared import subjects
from shared.contracts.events import decode_event, encode_event, event_id_for
from shared.contracts.outcomes import Outcome
from shared.contracts.submissions import SUBMISSION_MODELS, SubmitPlan
from shared.regions import all_regions, find_region


def test_the_reference_data_holds_514_regions_reachable_by_both_codes():
    regions = all_regions()
    assert len(regions) == 514
    assert sum(region.kind == "kota" for region in regions) == 98
    assert find_region("91.01") is find_region("93.01") is find_region("9301")
    merauke = find_region("91.01")
    assert merauke is not None and merauke.name == "Kabupaten Merauke"
    assert find_region("99.99") is None


def test_subjects_follow_the_contract():
    assert subjects.inbox("kemendagri", "plan.submit") == "ogi.inbox.kemendagri.plan.submit"
    assert subjects.parse_inbox("ogi.inbox.kominfo.region.enroll") == ("kominfo", "region.enroll")
    assert subjects.event("registry", "73.71", "RegionEnrolled") == "ogi.events.registry.7371.RegionEnrolled"
    assert subjects.aggregate("plans", "73.71") == "ogi.events.plans.7371.*"
    assert subjects.region_history("73.71") == "ogi.events.*.7371.*"
    assert subjects.inbox_filter("registry") == "ogi.inbox.*.region.*"
    # Five ministries × the eight kinds each may be stored with, and a dispute from any observer.
    assert len(subjects.inbox_subjects()) == 41
    assert "ogi.inbox.*.claim.dispute" in subjects.inbox_subjects()
    assert subjects.indicator("national", "plans") == "ogi.indicators.national.plans"


def test_strict_types_and_no_unknown_fields():
    base = {"submission_id": "a", "region_code": "73.71", "occurred_on": "2019-01-01", "session_id": "s"}
    model = SUBMISSION_MODELS["training.complete"]
    assert model.model_validate_json('{"submission_id": "a", "region_code": "73.71", "occurred_on": "2019-01-01", "session_id": "s", "participants": 3}')
    for wrong in ({"participants": "3"}, {"participants": 2.5}, {"participants": 1, "participant": 1}):
        with pytest.raises(ValidationError):
            model.model_validate_json(__import__("json").dumps(base | wrong))


def test_the_outcome_always_names_its_submission_id():
    unparsed = Outcome.model_validate(
        {"ministry": "kominfo", "kind": "plan.submit", "status": "rejected", "submission_seq": 9, "code": "malformed", "message": "m", "errors": []}
    )
    assert unparsed.to_json().startswith(b'{"submission_id":null')
    accepted = Outcome.model_validate(
        {"submission_id": "a", "ministry": "kominfo", "kind": "plan.submit", "status": "accepted", "submission_seq": 9, "event_id": "e", "event_seq": 3}
    )
    assert b"code" not in accepted.to_json()


def test_events_round_trip_and_ids_are_stable_per_ministry_and_submission():
    plan = SubmitPlan.model_validate_json(
        '{"submission_id": "a", "region_code": "73.71", "occurred_on": "2019-01-01", "plan_id": "p", "title": "t", "sectors": ["sosial"]}'
    )
    assert plan.sectors == ["sosial"]
    assert event_id_for("kemendagri", "a") == event_id_for("kemendagri", "a") != event_id_for("kominfo", "a")
    from shared.contracts.events import PlanSubmitted, PlanSubmittedData

    event = PlanSubmitted.model_validate(
        {
            "event_id": "e",
            "region_code": "73.71",
            "ministry": "kominfo",
            "reported_by": "kominfo",
            "occurred_on": dt.date(2019, 1, 1),
            "recorded_at": dt.datetime(2019, 1, 1, tzinfo=dt.UTC),
            "submission_id": "a",
            "data": PlanSubmittedData.model_validate({"plan_id": "p", "title": "t", "sectors": ["sosial"]}),
        }
    )
    decoded = decode_event(encode_event(event))
    assert decoded == event and decoded.schema_version == 2


def test_plain_database_urls_get_async_drivers():
    assert async_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"
    assert async_url("postgresql://postgres@127.0.0.1/test") == "postgresql+asyncpg://postgres@127.0.0.1/test"
    assert async_url("postgresql+asyncpg://u:p@h/d") == "postgresql+asyncpg://u:p@h/d"


def test_the_unparsed_outcome_subject_is_no_submission_id():
    body = '{"submission_id": "_unparsed", "region_code": "73.71", "occurred_on": "2019-01-01"}'
    with pytest.raises(ValidationError, match="reserved"):
        SUBMISSION_MODELS["region.enroll"].model_validate_json(body)
