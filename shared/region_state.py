"""What a region's recorded events say about it now: the state every decision is taken against."""

from dataclasses import dataclass, field

from shared.claims import STATE_AFTER_EVENT, ClaimState
from shared.contracts.events import (
    AnyEvent,
    ClaimAmended,
    ClaimDisputed,
    ClaimReturned,
    ClaimVerified,
    PlanSubmitted,
    PlanWithdrawn,
    RegionEnrolled,
    RegionWithdrawn,
    TrainingCompleted,
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
    # The region's claims (contract 1.1): the event id of each accepted training and plan -> its state now.
    claims: dict[str, ClaimState] = field(default_factory=dict)
    plan_claims: dict[str, str] = field(default_factory=dict)  # plan_id -> the event id of its PlanSubmitted
    # (reported_by, submission_id) -> the event that submission recorded; filled by `fold` only, since a
    # long-lived state (shared/region_cache.py) is never asked and would only grow.
    recorded: dict[tuple[str, str], StoredEvent] = field(default_factory=dict)

    @property
    def responsible(self) -> Ministry:
        """`ministry`, for a region enrolled now or once: one never enrolled has no ministry responsible."""
        if self.ministry is None:
            raise ValueError("the region was never enrolled: no ministry is responsible for it")
        return self.ministry


def fold(history: History) -> RegionState:
    state = RegionState()
    for stored in history.events:
        state.recorded[(stored.event.reported_by, stored.event.submission_id)] = stored
        apply(state, stored.event)
    return state


def apply(state: RegionState, event: AnyEvent) -> None:
    """Bring `state` forward by one event, in place."""
    match event:
        case RegionEnrolled():
            state.enrolled, state.ministry = True, event.ministry
        case RegionWithdrawn():
            state.enrolled = False
        case TrainingCompleted():
            state.claims[event.event_id] = ClaimState.PENDING
        case PlanSubmitted():
            state.plans[event.data.plan_id] = True
            state.claims[event.event_id] = ClaimState.PENDING
            state.plan_claims[event.data.plan_id] = event.event_id
        case PlanWithdrawn():
            state.plans[event.data.plan_id] = False
            if event.data.plan_id in state.plan_claims:
                state.claims[state.plan_claims[event.data.plan_id]] = ClaimState.CLOSED
        case ClaimVerified() | ClaimReturned() | ClaimAmended() | ClaimDisputed():
            state.claims[event.data.claim_event_id] = STATE_AFTER_EVENT[event.event_type]
