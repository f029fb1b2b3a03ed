"""The life of a claim (contract 1.1, "Verification and public challenge"), as pure data: a claim is an accepted
TrainingCompleted or PlanSubmitted event; each claim kind applies to some states and leads to one."""

from enum import StrEnum


class ClaimState(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    RETURNED = "returned"
    DISPUTED = "disputed"
    CLOSED = "closed"  # its plan was withdrawn: no claim kind applies any more


# kind -> (the states it applies to, the state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[ClaimState], ClaimState]] = {
    "claim.verify": (frozenset({ClaimState.PENDING, ClaimState.DISPUTED}), ClaimState.VERIFIED),
    "claim.return": (frozenset({ClaimState.PENDING, ClaimState.DISPUTED}), ClaimState.RETURNED),
    "claim.amend": (frozenset({ClaimState.RETURNED}), ClaimState.PENDING),
    "claim.dispute": (frozenset({ClaimState.PENDING, ClaimState.VERIFIED}), ClaimState.DISPUTED),
}
EVENT_OF_KIND = {
    "claim.verify": "ClaimVerified",
    "claim.return": "ClaimReturned",
    "claim.amend": "ClaimAmended",
    "claim.dispute": "ClaimDisputed",
}
STATE_AFTER_EVENT = {event_type: TRANSITIONS[kind][1] for kind, event_type in EVENT_OF_KIND.items()}


def next_state(state: ClaimState, kind: str) -> ClaimState | None:
    """The state `kind` takes a claim in `state` to; None when it does not apply (`claim_state`)."""
    applies_to, leads_to = TRANSITIONS[kind]
    return leads_to if state in applies_to else None
