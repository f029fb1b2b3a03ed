"""Claim rules (contract 1.1, "Verification and public challenge"): pure functions of a claim kind, who sends
it and the claim's region as its events say now. Which states a kind applies to is shared/claims.py's."""

from shared.claims import next_state
from shared.contracts.events import (
    ClaimAmended,
    ClaimAmendedData,
    ClaimDisputed,
    ClaimDisputedData,
    ClaimReturned,
    ClaimReturnedData,
    ClaimVerified,
    ClaimVerifiedData,
    EventData,
)
from shared.contracts.outcomes import Code, Rejection
from shared.contracts.submissions import AmendClaim, ClaimSubmission, DisputeClaim, ReturnClaim, VerifyClaim
from shared.decisions import Decider, Decision, EventModel, Record
from shared.organisations import Organisation
from shared.region_state import RegionState
from shared.regions import Region


def permit(submission: ClaimSubmission, reporter: Organisation, region: Region, state: RegionState) -> Rejection | None:
    """Only the region's responsible ministry amends its claims; the roles of the other kinds are checked
    before (shared/organisations.py)."""
    if submission.kind == "claim.amend" and state.ministry != reporter.id:
        responsible = state.ministry or "no ministry"
        return Rejection(code=Code.NOT_PERMITTED, message=f"{region.name} ({region.code}) is the responsibility of {responsible}; only it may amend its claims")
    return None


def _decide(submission: ClaimSubmission, region: Region, state: RegionState, event_type: EventModel, data: EventData) -> Decision:
    claim = state.claims.get(submission.claim_event_id)
    if claim is None:
        return Rejection(code=Code.CLAIM_NOT_FOUND, message=f"no accepted training or plan {submission.claim_event_id} in {region.name} ({region.code})")
    if next_state(claim, submission.kind) is None:
        return Rejection(code=Code.CLAIM_STATE, message=f"claim {submission.claim_event_id} is {claim}: {submission.kind} does not apply to it")
    return Record(event_type, state.responsible, data)


def verify(submission: VerifyClaim, reporter: Organisation, region: Region, state: RegionState) -> Decision:
    data = ClaimVerifiedData(note=submission.note, claim_event_id=submission.claim_event_id)
    return _decide(submission, region, state, ClaimVerified, data)


def return_(submission: ReturnClaim, reporter: Organisation, region: Region, state: RegionState) -> Decision:
    data = ClaimReturnedData(note=submission.note, claim_event_id=submission.claim_event_id, reason=submission.reason)
    return _decide(submission, region, state, ClaimReturned, data)


def amend(submission: AmendClaim, reporter: Organisation, region: Region, state: RegionState) -> Decision:
    evidence = [item.as_ref() for item in submission.evidence]
    data = ClaimAmendedData(note=submission.note, claim_event_id=submission.claim_event_id, evidence=evidence)
    return _decide(submission, region, state, ClaimAmended, data)


def dispute(submission: DisputeClaim, reporter: Organisation, region: Region, state: RegionState) -> Decision:
    evidence = [item.as_ref() for item in submission.evidence]
    data = ClaimDisputedData(note=submission.note, claim_event_id=submission.claim_event_id, reason=submission.reason, evidence=evidence)
    return _decide(submission, region, state, ClaimDisputed, data)


DECIDERS: dict[str, Decider] = {"claim.verify": verify, "claim.return": return_, "claim.amend": amend, "claim.dispute": dispute}
