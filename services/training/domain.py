"""Training rules (CONTRACT.md): either responsible ministry, for a region enrolled now."""

from shared.contracts.events import TrainingCompleted, TrainingCompletedData
from shared.contracts.outcomes import Code, Rejection
from shared.contracts.submissions import CompleteTraining
from shared.decisions import Decider, Decision, Record
from shared.organisations import Organisation
from shared.region_state import RegionState
from shared.regions import Region


def complete(submission: CompleteTraining, reporter: Organisation, region: Region, state: RegionState) -> Decision:
    if not state.enrolled:
        return Rejection(code=Code.NOT_ENROLLED, message=f"{region.name} ({region.code}) is not enrolled")
    data = TrainingCompletedData(
        note=submission.note,
        session_id=submission.session_id,
        participants=submission.participants,
        evidence=[item.as_ref() for item in submission.evidence],
    )
    return Record(TrainingCompleted, state.responsible, data)


DECIDERS: dict[str, Decider] = {"training.complete": complete}
