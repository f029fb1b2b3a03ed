"""Action-plan rules (CONTRACT.md): a plan id is new for its region, and withdrawn at most once."""

from shared.contracts.events import PlanSubmitted, PlanSubmittedData, PlanWithdrawn, PlanWithdrawnData
from shared.contracts.outcomes import Code, Rejection
from shared.contracts.submissions import SubmitPlan, WithdrawPlan
from shared.decisions import Decider, Decision, Record
from shared.organisations import Organisation
from shared.region_state import RegionState
from shared.regions import Region


def submit(submission: SubmitPlan, reporter: Organisation, region: Region, state: RegionState) -> Decision:
    if not state.enrolled:
        return Rejection(code=Code.NOT_ENROLLED, message=f"{region.name} ({region.code}) is not enrolled")
    if submission.plan_id in state.plans:
        return Rejection(
            code=Code.PLAN_EXISTS,
            message=f"plan {submission.plan_id} was already submitted for {region.name} ({region.code})",
        )
    data = PlanSubmittedData(
        note=submission.note,
        plan_id=submission.plan_id,
        title=submission.title,
        sectors=submission.sectors,
        document_sha256=submission.document_sha256,
        evidence=[item.as_ref() for item in submission.evidence],
    )
    return Record(PlanSubmitted, state.responsible, data)


def withdraw(submission: WithdrawPlan, reporter: Organisation, region: Region, state: RegionState) -> Decision:
    if not state.plans.get(submission.plan_id, False):
        return Rejection(
            code=Code.PLAN_NOT_FOUND,
            message=f"{region.name} ({region.code}) has no active plan {submission.plan_id}",
        )
    data = PlanWithdrawnData(note=submission.note, plan_id=submission.plan_id, reason=submission.reason)
    return Record(PlanWithdrawn, state.responsible, data)


DECIDERS: dict[str, Decider] = {"plan.submit": submit, "plan.withdraw": withdraw}
