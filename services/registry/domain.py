"""Enrolment rules (CONTRACT.md): pure functions of a submission and the region's registry events."""

from shared.contracts.events import RegionEnrolled, RegionEnrolledData, RegionWithdrawn, RegionWithdrawnData
from shared.contracts.outcomes import Code, Rejection
from shared.contracts.submissions import EnrollRegion, WithdrawRegion
from shared.decisions import Decider, Decision, Record
from shared.organisations import Organisation
from shared.region_state import RegionState
from shared.regions import Region


def enroll(submission: EnrollRegion, reporter: Organisation, region: Region, state: RegionState) -> Decision:
    if state.enrolled:
        return Rejection(
            code=Code.ALREADY_ENROLLED,
            message=f"{region.name} ({region.code}) is already enrolled by {state.ministry}",
        )
    data = RegionEnrolledData(
        note=submission.note,
        commitment_letter_on=submission.commitment_letter_on,
        ppid_established=submission.ppid_established,
    )
    return Record(RegionEnrolled, reporter.ministry, data)


def withdraw(submission: WithdrawRegion, reporter: Organisation, region: Region, state: RegionState) -> Decision:
    if not state.enrolled:
        return Rejection(code=Code.NOT_ENROLLED, message=f"{region.name} ({region.code}) is not enrolled")
    if state.ministry != reporter.ministry:
        return Rejection(
            code=Code.NOT_PERMITTED,
            message=f"{region.name} ({region.code}) is enrolled by {state.ministry}; only it may withdraw it",
        )
    return Record(RegionWithdrawn, reporter.ministry, RegionWithdrawnData(note=submission.note, reason=submission.reason))


DECIDERS: dict[str, Decider] = {"region.enroll": enroll, "region.withdraw": withdraw}
