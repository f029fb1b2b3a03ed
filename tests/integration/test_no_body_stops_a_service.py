"""Whatever a ministry publishes, its submission is answered once and every service goes on answering the
others: a body no parser can take, a failure in every step that could answer it, the same through HTTP."""

import httpx

from services.gateway.app import GatewayService
from services.gateway.config import GatewaySettings
from shared.intake import Intake
from shared.ministries import Ministry
from shared.tokens import TokenStore
from tests.support import new_id, replace_registry

MAKASSAR = "73.71"
DEEP = b"[" * 2000 + b"]" * 2000


async def test_a_body_nested_too_deep_is_malformed_and_holds_up_no_other_ministry(sqlite_system):
    kominfo, kemendagri = sqlite_system.ministry("kominfo"), sqlite_system.ministry("kemendagri")
    deep = await kominfo.send("training.complete", DEEP)
    assert (await kemendagri.train(MAKASSAR)).code == "not_enrolled"
    outcome = await kominfo.outcomes.wait(deep)
    assert (outcome.status, outcome.code, outcome.submission_id) == ("rejected", "malformed", None)
    assert "nested deeper" in outcome.message

    named = await kominfo.submit("training.complete", b'{"submission_id": "deep-1", "note": ' + DEEP + b"}", headers={"Nats-Msg-Id": "deep-1"})
    assert (named.code, named.submission_id) == ("malformed", "deep-1")


async def test_a_submission_that_every_step_fails_on_is_answered_from_its_subject_and_sequence(sqlite_system, quick_redelivery, monkeypatch):
    def broken_rule(submission, reporter, region, state):
        raise RuntimeError("a bug in the rules")

    async def broken_report(self, inbound, error):
        raise RuntimeError("a bug in reporting it")

    await replace_registry(sqlite_system, broken_rule)
    monkeypatch.setattr(Intake, "give_up", broken_report)
    kemendagri = sqlite_system.ministry("kemendagri")
    outcome = await kemendagri.submit("region.enroll", {"submission_id": "poison-1", "region_code": MAKASSAR, "occurred_on": "2019-01-01"})
    assert (outcome.status, outcome.code, outcome.submission_id) == ("rejected", "unprocessable", "poison-1")
    # The id was claimed: a resubmission is its duplicate, and finds the original's outcome to say so.
    again = await kemendagri.submit(
        "region.enroll", {"submission_id": "poison-1", "region_code": MAKASSAR, "occurred_on": "2019-01-01"}, headers={"Nats-Msg-Id": new_id()}
    )
    assert again.status == "duplicate"


async def test_through_the_gateway_a_body_nested_too_deep_gets_its_rejection(sqlite_system):
    gateway = GatewayService(sqlite_system.settings, GatewaySettings(rate_per_second=1000, burst=1000))
    await gateway.start()
    try:
        _, token = await TokenStore(sqlite_system.nc).create(Ministry.KOMINFO)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway.http), base_url="http://gateway") as client:
            response = await client.post("/api/v1/submissions/training.complete", content=DEEP, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 422, response.text
        assert (response.json()["code"], response.json()["submission_id"]) == ("malformed", None)
        assert response.headers["Location"].startswith("/api/v1/outcomes/_unparsed?seq=")
    finally:
        await gateway.stop()


async def test_text_a_database_refuses_is_invalid_at_the_door_and_the_read_model_goes_on(system):
    kemendagri = system.ministry("kemendagri")
    await kemendagri.enroll(MAKASSAR)
    plan = {"submission_id": new_id(), "region_code": MAKASSAR, "occurred_on": "2019-06-01", "plan_id": "ra-nul", "title": "a\u0000b", "sectors": ["sosial"]}
    refused = await kemendagri.submit("plan.submit", plan)
    after = await kemendagri.submit_plan(MAKASSAR, "ra-after")
    await system.projected(after.event_seq)
    assert (refused.code, [error.field for error in refused.errors or []]) == ("invalid", ["title"])
    assert (await system.counts())["national.plans"] == 1
