"""A claim's life as pure functions (contract 1.1): every transition and every refusal, decided on the
region's events alone."""

import datetime as dt
import itertools

import pytest

from services.verification import domain
from shared.claims import TRANSITIONS, ClaimState, next_state
from shared.contracts import events as ev
from shared.contracts.evidence import EvidenceRef
from shared.contracts.outcomes import Rejection
from shared.contracts.submissions import AmendClaim, DisputeClaim, ReturnClaim, Sector, SubmittedEvidence, VerifyClaim
from shared.decisions import Record
from shared.eventstore import History, StoredEvent
from shared.intake import not_permitted
from shared.observers import observer
from shared.organisations import of_ministry
from shared.region_state import fold
from shared.regions import Region, find_region


def known_region(code: str) -> Region:
    region = find_region(code)
    assert region is not None
    return region


MAKASSAR = known_region("73.71")
KEMENDAGRI, KOMINFO, BAPPENAS, KSP = (of_ministry(m) for m in ("kemendagri", "kominfo", "bappenas", "ksp"))
TII = observer("tii", "Transparency International Indonesia")
TRAINING_ID = ev.event_id_for("kemendagri", "training-1")
PLAN_ID = ev.event_id_for("kemendagri", "plan-1")
FILE = SubmittedEvidence(sha256="a" * 64, name="daftar-hadir.pdf", public=False)
COMMON = {"region_code": "73.71", "occurred_on": dt.date(2019, 6, 1)}
_ids = itertools.count()


def envelope(cls, data, event_id=None, reported_by="kemendagri"):
    return cls(
        event_id=event_id or ev.event_id_for("kemendagri", f"e{next(_ids)}"),
        region_code="73.71",
        ministry="kemendagri",
        reported_by=reported_by,
        occurred_on=dt.date(2019, 5, 1),
        recorded_at=dt.datetime(2019, 5, 1, tzinfo=dt.UTC),
        submission_id=f"s{next(_ids)}",
        data=data,
    )


ENROLLED = envelope(ev.RegionEnrolled, ev.RegionEnrolledData())
TRAINING = envelope(ev.TrainingCompleted, ev.TrainingCompletedData(session_id="tot-1", participants=20), TRAINING_ID)
PLAN = envelope(ev.PlanSubmitted, ev.PlanSubmittedData(plan_id="ra-1", title="Rencana aksi", sectors=[Sector.SOSIAL]), PLAN_ID)
PLAN_WITHDRAWN = envelope(ev.PlanWithdrawn, ev.PlanWithdrawnData(plan_id="ra-1", reason="diganti"))


def submission(kind, claim=TRAINING_ID):
    fields = {"submission_id": f"s{next(_ids)}", "claim_event_id": claim, **COMMON}
    match kind:
        case "claim.verify":
            return VerifyClaim(**fields)
        case "claim.return":
            return ReturnClaim(reason="tidak terbaca", **fields)
        case "claim.amend":
            return AmendClaim(evidence=[FILE], **fields)
        case _:
            return DisputeClaim(reason="tidak ada pelatihan", **fields)


SENDER = {"claim.verify": BAPPENAS, "claim.return": BAPPENAS, "claim.amend": KEMENDAGRI, "claim.dispute": TII}
EVENT = {"claim.verify": ev.ClaimVerified, "claim.return": ev.ClaimReturned, "claim.amend": ev.ClaimAmended, "claim.dispute": ev.ClaimDisputed}


def history(*events):
    return History(tuple(StoredEvent(seq, event) for seq, event in enumerate(events, 1)), len(events))


def decide(kind, *events, claim=TRAINING_ID) -> Rejection:
    """A decision expected to be a rejection."""
    decision = decided(kind, *events, claim=claim)
    assert isinstance(decision, Rejection), decision
    return decision


def decided(kind, *events, claim=TRAINING_ID):
    return domain.DECIDERS[kind](submission(kind, claim), SENDER[kind], MAKASSAR, fold(history(*events)))


def recorded(kind, claim=TRAINING_ID):
    """The event `kind` records on `claim`, as the service would append it."""
    decision = decided(kind, *reach(ClaimState.PENDING if kind != "claim.amend" else ClaimState.RETURNED), claim=claim)
    assert isinstance(decision, Record)
    return envelope(decision.event_type, decision.data, reported_by=SENDER[kind].id)


# The shortest way to each state from a training just accepted, as the kinds that lead there.
PATHS = {
    ClaimState.PENDING: (),
    ClaimState.VERIFIED: ("claim.verify",),
    ClaimState.RETURNED: ("claim.return",),
    ClaimState.DISPUTED: ("claim.dispute",),
}


def reach(state):
    events = [ENROLLED, TRAINING]
    for kind in PATHS[state]:
        decision = domain.DECIDERS[kind](submission(kind), SENDER[kind], MAKASSAR, fold(history(*events)))
        assert isinstance(decision, Record), decision
        events.append(envelope(decision.event_type, decision.data, reported_by=SENDER[kind].id))
    return events


@pytest.mark.parametrize(("state", "kind"), list(itertools.product(PATHS, TRANSITIONS)))
def test_each_kind_in_each_state_moves_the_claim_as_the_contract_says_or_is_claim_state(state, kind):
    events = reach(state)
    decision = domain.DECIDERS[kind](submission(kind), SENDER[kind], MAKASSAR, fold(history(*events)))
    after = next_state(state, kind)
    if after is None:
        assert isinstance(decision, Rejection) and decision.code == "claim_state"
        return
    assert isinstance(decision, Record)
    assert decision.event_type is EVENT[kind]
    assert decision.ministry == "kemendagri"
    assert decision.data.claim_event_id == TRAINING_ID
    moved = envelope(decision.event_type, decision.data, reported_by=SENDER[kind].id)
    assert fold(history(*events, moved)).claims[TRAINING_ID] == after


def test_the_state_machine_is_the_contracts():
    pending, verified, returned, disputed = ClaimState.PENDING, ClaimState.VERIFIED, ClaimState.RETURNED, ClaimState.DISPUTED
    assert {(state, kind): next_state(state, kind) for state in ClaimState for kind in TRANSITIONS if next_state(state, kind)} == {
        (pending, "claim.verify"): verified,
        (disputed, "claim.verify"): verified,
        (pending, "claim.return"): returned,
        (disputed, "claim.return"): returned,
        (returned, "claim.amend"): pending,
        (pending, "claim.dispute"): disputed,
        (verified, "claim.dispute"): disputed,
    }


def test_every_claim_starts_pending_and_a_withdrawn_plan_closes_its_claim():
    assert fold(history(ENROLLED, TRAINING, PLAN)).claims == {TRAINING_ID: ClaimState.PENDING, PLAN_ID: ClaimState.PENDING}
    assert fold(history(ENROLLED, PLAN, PLAN_WITHDRAWN)).claims[PLAN_ID] == ClaimState.CLOSED


@pytest.mark.parametrize("kind", TRANSITIONS)
def test_a_closed_claim_takes_no_kind(kind):
    disputed = envelope(ev.ClaimDisputed, ev.ClaimDisputedData(claim_event_id=PLAN_ID, reason="r"), reported_by="tii")
    assert decide(kind, ENROLLED, PLAN, disputed, PLAN_WITHDRAWN, claim=PLAN_ID).code == "claim_state"


@pytest.mark.parametrize("kind", TRANSITIONS)
def test_an_event_id_that_is_no_claim_of_the_region_is_claim_not_found(kind):
    assert decide(kind, ENROLLED, claim="00000000-0000-0000-0000-000000000000").code == "claim_not_found"
    assert decide(kind, ENROLLED, TRAINING, claim=ENROLLED.event_id).code == "claim_not_found"


def test_only_the_regions_responsible_ministry_amends():
    state = fold(history(*reach(ClaimState.RETURNED)))
    refused = domain.permit(submission("claim.amend"), KOMINFO, MAKASSAR, state)
    assert refused is not None and refused.code == "not_permitted"
    assert domain.permit(submission("claim.amend"), KEMENDAGRI, MAKASSAR, state) is None
    assert domain.permit(submission("claim.verify"), BAPPENAS, MAKASSAR, state) is None


@pytest.mark.parametrize("kind", TRANSITIONS)
def test_each_role_sends_its_own_kinds_only(kind):
    allowed = {organisation.id for organisation in (KEMENDAGRI, KOMINFO, BAPPENAS, KSP, TII) if not_permitted(organisation, organisation.id, kind) is None}
    assert allowed == {"claim.verify": {"bappenas"}, "claim.return": {"bappenas"}, "claim.amend": {"kemendagri", "kominfo"}, "claim.dispute": {"tii"}}[kind]
    refused = not_permitted(None, "someone", kind)
    assert refused is not None and refused.code == "not_permitted"


def test_events_carry_the_kinds_fields():
    assert recorded("claim.amend").data.evidence == [EvidenceRef(sha256="a" * 64, name="daftar-hadir.pdf", public=False)]
    assert recorded("claim.return").data.reason == "tidak terbaca"
    disputed = recorded("claim.dispute")
    assert (disputed.reported_by, disputed.data.reason, disputed.data.evidence) == ("tii", "tidak ada pelatihan", [])
