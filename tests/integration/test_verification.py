"""Claims verified, returned, amended and disputed against a real nats-server (contract 1.1): every transition,
every refusal in the order docs/contract.md gives, two decisions on one claim at once, and a plan withdrawn
while its claim is disputed."""

import asyncio
import json

import pytest

from shared import subjects
from shared.claims import ClaimState, next_state
from shared.contracts.events import CLAIM_EVENTS
from shared.eventstore import EventStore
from shared.evidence_store import EvidenceStore
from shared.observers import ObserverRegistry
from tests import evidence_files
from tests.support import eventually, new_id

MAKASSAR, PAREPARE = "73.71", "73.72"
UNKNOWN_EVENT = "00000000-0000-4000-8000-000000000000"
KIND_OF_EVENT = {"ClaimVerified": "claim.verify", "ClaimReturned": "claim.return", "ClaimAmended": "claim.amend", "ClaimDisputed": "claim.dispute"}


class Claims:
    """The organisations of contract 1.1 acting on claims in one running system."""

    def __init__(self, system) -> None:
        self.system = system

    async def submit(self, organisation: str, kind: str, claim: str, region: str = MAKASSAR, **fields):
        body = {"submission_id": new_id(), "region_code": region, "occurred_on": "2019-07-01", "claim_event_id": claim, **fields}
        return await self.system.ministry(organisation).submit(kind, body)

    async def verify(self, claim: str, organisation: str = "bappenas", **fields):
        return await self.submit(organisation, "claim.verify", claim, **fields)

    async def return_(self, claim: str, organisation: str = "bappenas", **fields):
        return await self.submit(organisation, "claim.return", claim, reason="daftar hadir tidak terbaca", **fields)

    async def amend(self, claim: str, organisation: str = "kemendagri", evidence: list | None = None, **fields):
        return await self.submit(organisation, "claim.amend", claim, evidence=[await self.file()] if evidence is None else evidence, **fields)

    async def dispute(self, claim: str, organisation: str = "tii", **fields):
        return await self.submit(organisation, "claim.dispute", claim, reason="peserta lebih sedikit dari yang dilaporkan", **fields)

    async def file(self, public: bool = True) -> dict:
        stored, _ = await EvidenceStore(self.system.nc).put(evidence_files.pdf(), evidence_files.PDF)
        return {"sha256": stored.sha256, "name": "daftar-hadir.pdf", "public": public}

    async def training(self, region: str = MAKASSAR) -> str:
        outcome = await self.system.ministry("kemendagri").train(region)
        assert outcome.status == "accepted", outcome
        assert outcome.event_id is not None
        return outcome.event_id

    async def events_of(self, claim: str, region: str = MAKASSAR) -> list:
        history = await EventStore(self.system.nc).read(subjects.aggregate("verification", region))
        return [stored.event for stored in history.events if isinstance(stored.event, CLAIM_EVENTS) and stored.event.data.claim_event_id == claim]


@pytest.fixture
async def claims(sqlite_system):
    for region in (MAKASSAR, PAREPARE):
        assert (await sqlite_system.ministry("kemendagri").enroll(region)).status == "accepted"
    registry = ObserverRegistry(sqlite_system.nc)
    await registry.add("tii", "Transparency International Indonesia")
    await registry.add("infid", "International NGO Forum on Indonesian Development")
    return Claims(sqlite_system)


def assert_a_path_of_the_state_machine(events) -> None:
    """Each event, in stream order, is a kind that applies to the state the ones before it left the claim in."""
    state = ClaimState.PENDING
    for event in events:
        after = next_state(state, KIND_OF_EVENT[event.event_type])
        assert after is not None, [event.event_type for event in events]
        state = after


def accepted(outcome) -> None:
    assert outcome.status == "accepted", outcome


def refused(outcome, code: str) -> None:
    assert (outcome.status, outcome.code) == ("rejected", code), outcome


async def test_a_claim_goes_through_every_transition_and_each_event_says_what_was_done(claims):
    claim = await claims.training()
    accepted(await claims.verify(claim, note="daftar hadir sesuai"))  # pending -> verified
    accepted(await claims.dispute(claim))  # verified -> disputed
    accepted(await claims.verify(claim))  # disputed -> verified
    accepted(await claims.dispute(claim, organisation="infid"))  # verified -> disputed
    accepted(await claims.return_(claim))  # disputed -> returned
    evidence = [await claims.file(public=False)]
    accepted(await claims.amend(claim, evidence=evidence))  # returned -> pending
    accepted(await claims.return_(claim))  # pending -> returned
    accepted(await claims.amend(claim))  # returned -> pending
    accepted(await claims.dispute(claim))  # pending -> disputed

    events = await claims.events_of(claim)
    assert [event.event_type for event in events] == [
        "ClaimVerified",
        "ClaimDisputed",
        "ClaimVerified",
        "ClaimDisputed",
        "ClaimReturned",
        "ClaimAmended",
        "ClaimReturned",
        "ClaimAmended",
        "ClaimDisputed",
    ]
    assert [event.reported_by for event in events][:5] == ["bappenas", "tii", "bappenas", "infid", "bappenas"]
    assert {event.ministry for event in events} == {"kemendagri"}
    assert events[0].data.note == "daftar hadir sesuai"
    assert events[4].data.reason == "daftar hadir tidak terbaca"
    assert [ref.model_dump() for ref in events[5].data.evidence] == evidence
    # The projector reads them: the claim ends disputed, so the training counts and is not verified.
    last = await EventStore(claims.system.nc).last(subjects.region_history(MAKASSAR))
    assert last is not None
    await claims.system.projected(last.seq)
    counts = await claims.system.counts()
    assert (counts["national.trained"], counts["national.enrolled"]) == (1, 2)
    shown = (await claims.system.http.get(f"/api/v1/claims/{claim}")).json()
    assert shown["state"] == "disputed" and [event["event_type"] for event in shown["history"]] == [event.event_type for event in events]
    assert shown["history"][0]["note"] == "daftar hadir sesuai"


async def test_each_kind_applies_only_in_the_states_the_contract_names(claims):
    verified = await claims.training()
    accepted(await claims.verify(verified))
    returned = await claims.training()
    accepted(await claims.return_(returned))
    disputed = await claims.training()
    accepted(await claims.dispute(disputed))
    pending = await claims.training()

    refused(await claims.verify(verified), "claim_state")
    refused(await claims.return_(verified), "claim_state")
    refused(await claims.amend(verified), "claim_state")
    refused(await claims.verify(returned), "claim_state")
    refused(await claims.return_(returned), "claim_state")
    refused(await claims.dispute(returned), "claim_state")
    refused(await claims.dispute(disputed), "claim_state")
    refused(await claims.amend(disputed), "claim_state")
    refused(await claims.amend(pending), "claim_state")


async def test_every_refusal_and_the_order_they_are_checked_in(claims):
    claim = await claims.training()
    missing = {"sha256": "f" * 64, "name": "tidak-ada.pdf", "public": True}

    # invalid: the schema, then a region other than the claim's (naming the field)
    refused(await claims.submit("bappenas", "claim.verify", "not-an-event-id"), "invalid")
    elsewhere = await claims.verify(claim, region=PAREPARE)
    refused(elsewhere, "invalid")
    assert [error.field for error in elsewhere.errors or []] == ["region_code"]
    refused(await claims.amend(claim, evidence=[]), "invalid")  # amend names at least one file
    # not_permitted: the role, before anything about the claim
    refused(await claims.verify(UNKNOWN_EVENT, organisation="ksp"), "not_permitted")
    refused(await claims.verify(UNKNOWN_EVENT, organisation="kemendagri"), "not_permitted")
    refused(await claims.return_(UNKNOWN_EVENT, organisation="kominfo"), "not_permitted")
    refused(await claims.dispute(UNKNOWN_EVENT, organisation="bappenas"), "not_permitted")
    refused(await claims.dispute(UNKNOWN_EVENT, organisation="kemendagri"), "not_permitted")
    refused(await claims.amend(UNKNOWN_EVENT, organisation="bappenas"), "not_permitted")
    refused(await claims.dispute(claim, organisation="unregistered"), "not_permitted")
    refused(await claims.system.ministry("bappenas").enroll(MAKASSAR), "not_permitted")  # as in version 1
    # not_permitted for an amendment not by the region's responsible ministry, before its evidence is looked at
    refused(await claims.amend(claim, organisation="kominfo", evidence=[missing]), "not_permitted")
    # evidence_missing before the claim is looked for
    refused(await claims.amend(UNKNOWN_EVENT, evidence=[missing]), "evidence_missing")
    refused(await claims.dispute(UNKNOWN_EVENT, evidence=[missing]), "evidence_missing")
    # claim_not_found: no such event, or an event that is no training or plan
    refused(await claims.verify(UNKNOWN_EVENT), "claim_not_found")
    enrolment = await claims.system.ministry("kemendagri").enroll("73.73")
    refused(await claims.verify(enrolment.event_id, region="73.73"), "claim_not_found")
    # claim_state last
    refused(await claims.amend(claim), "claim_state")
    assert await claims.events_of(claim) == []


async def test_a_verification_and_a_dispute_at_once_are_decided_one_after_the_other(claims):
    for _ in range(12):
        claim = await claims.training()
        outcomes = await asyncio.gather(claims.verify(claim), claims.dispute(claim))
        assert all(outcome.status == "accepted" for outcome in outcomes), outcomes  # each applies after the other too
        events = await claims.events_of(claim)
        assert sorted(event.event_id for event in events) == sorted(outcome.event_id for outcome in outcomes)
        assert_a_path_of_the_state_machine(events)


async def test_of_two_decisions_that_exclude_each_other_exactly_one_wins(claims):
    for _ in range(12):
        claim = await claims.training()
        outcomes = await asyncio.gather(claims.verify(claim), claims.return_(claim), claims.dispute(claim), claims.dispute(claim, organisation="infid"))
        events = await claims.events_of(claim)
        # Two that apply in one state never both leave it: the second is decided on the first's result.
        assert_a_path_of_the_state_machine(events)
        assert sorted(event.event_id for event in events) == sorted(outcome.event_id for outcome in outcomes if outcome.status == "accepted")
        assert {outcome.code for outcome in outcomes if outcome.status == "rejected"} <= {"claim_state"}
        assert any(outcome.status == "rejected" for outcome in outcomes)  # four from pending: some cannot apply


async def test_a_plan_withdrawn_while_its_claim_is_disputed_closes_the_claim(claims):
    kemendagri = claims.system.ministry("kemendagri")
    plan = await kemendagri.submit_plan(MAKASSAR, "ra-makassar-2019")
    accepted(plan)
    assert plan.event_id is not None
    accepted(await claims.dispute(plan.event_id))
    accepted(await kemendagri.withdraw_plan(MAKASSAR, "ra-makassar-2019"))

    refused(await claims.verify(plan.event_id), "claim_state")
    refused(await claims.return_(plan.event_id), "claim_state")
    refused(await claims.dispute(plan.event_id, organisation="infid"), "claim_state")
    refused(await claims.amend(plan.event_id), "claim_state")
    assert [event.event_type for event in await claims.events_of(plan.event_id)] == ["ClaimDisputed"]


async def test_claim_events_with_the_longest_observer_id_are_projected(system):
    """On either database: an observer's id (up to 32 characters) is kept as the event's reported_by."""
    longest = "o" + "b" * 31
    await ObserverRegistry(system.nc).add(longest, "A long-named observer")
    kemendagri = system.ministry("kemendagri")
    accepted(await kemendagri.enroll(MAKASSAR))
    training = await kemendagri.train(MAKASSAR)
    assert training.event_id is not None
    body = {"submission_id": new_id(), "region_code": MAKASSAR, "occurred_on": "2019-07-01", "claim_event_id": training.event_id, "reason": "r"}
    disputed = await system.ministry(longest).submit("claim.dispute", body)
    accepted(disputed)
    assert disputed.event_seq is not None
    await system.projected(disputed.event_seq)
    response = await system.http.get(f"/api/v1/regions/{MAKASSAR}/events")
    assert response.status_code == 200
    shown = [(event["event_type"], event["reported_by"]) for event in response.json()["events"]]
    assert shown[-1] == ("ClaimDisputed", longest)


async def test_a_ministry_hears_when_its_claims_are_returned_or_disputed_and_no_other_does(claims):
    nc = claims.system.nc
    heard: dict[str, list] = {"kemendagri": [], "kominfo": []}
    for ministry, notices in heard.items():
        await nc.subscribe(subjects.notice(ministry, ">"), cb=_appending_to(notices))
    await nc.flush()
    returned, disputed, verified = await claims.training(), await claims.training(PAREPARE), await claims.training()
    return_outcome = await claims.return_(returned)
    dispute_outcome = await claims.dispute(disputed, region=PAREPARE)
    for outcome in (return_outcome, dispute_outcome, await claims.verify(verified)):
        accepted(outcome)

    notices = await eventually(lambda: heard["kemendagri"] if len(heard["kemendagri"]) == 2 else None)
    by_subject = dict(notices)
    assert by_subject[subjects.notice("kemendagri", "claim.returned")] == {
        "schema_version": 1,
        "claim_event_id": returned,
        "region_code": MAKASSAR,
        "reason": "daftar hadir tidak terbaca",
        "event_id": return_outcome.event_id,
        "occurred_on": "2019-07-01",
        "reported_by": "bappenas",
    }
    disputed_notice = by_subject[subjects.notice("kemendagri", "claim.disputed")]
    assert (disputed_notice["claim_event_id"], disputed_notice["region_code"], disputed_notice["reported_by"]) == (disputed, PAREPARE, "tii")
    assert disputed_notice["event_id"] == dispute_outcome.event_id
    assert heard["kominfo"] == []


def _appending_to(notices: list):
    async def append(message) -> None:
        notices.append((message.subject, json.loads(message.data)))

    return append
