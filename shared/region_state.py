"""What a region's recorded events say about it now: the state every decision is taken against."""

from dataclasses import dataclass, field

from shared.contracts.events import (
    PlanSubmitted,
    PlanWithdrawn,
    RegionEnrolled,
    RegionWithdrawn,
)
from shared.eventstore import History, StoredEvent
from shared.ministries import Ministry


@dataclass
class RegionState:
    enrolled: bool = False
    # The ministry that enrolled the region last; it stays responsible for it after a withdrawal.
    ministry: Ministry | None = None
    # plan_id -> still active (submitted and not withdrawn)
    plans: dict[str, bool] = field(default_factory=dict)
    # (reported_by, submission_id) -> the event that submission recorded
    recorded: dict[tuple[str, str], StoredEvent] = field(default_factory=dict)


def fold(history: History) -> RegionState:
    state = RegionState()
    for stored in history.events:
        event = stored.event
        state.recorded[(event.reported_by, event.submission_id)] = stored
        match event:
            case RegionEnrolled():
                state.enrolled, state.ministry = True, event.ministry
            case RegionWithdrawn():
                state.enrolled = False
            case PlanSubmitted():
                state.plans[event.data.plan_id] = True
            case PlanWithdrawn():
                state.plans[event.data.plan_id] = False
    return state
