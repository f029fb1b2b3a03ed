"""The one outcome every stored submission gets, on `ogi.outcome.<ministry>.<submission_id>`."""

from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Status(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"


class Code(StrEnum):
    """Stable rejection codes. `unprocessable` is for a submission that failed every attempt for a reason
    of the platform's own; it is reported rather than left to block the inbox."""

    MALFORMED = "malformed"
    INVALID = "invalid"
    UNKNOWN_REGION = "unknown_region"
    NOT_PERMITTED = "not_permitted"
    EVIDENCE_MISSING = "evidence_missing"  # contract 1.1: a file named as evidence is not in OGI_EVIDENCE
    ALREADY_ENROLLED = "already_enrolled"
    NOT_ENROLLED = "not_enrolled"
    PLAN_EXISTS = "plan_exists"
    PLAN_NOT_FOUND = "plan_not_found"
    CLAIM_NOT_FOUND = "claim_not_found"  # contract 1.1: no accepted training or plan with that event id
    CLAIM_STATE = "claim_state"  # contract 1.1: the kind does not apply to the claim's state now
    UNPROCESSABLE = "unprocessable"


class FieldError(BaseModel):
    model_config = ConfigDict(frozen=True)

    field: str
    message: str
    type: str


class Rejection(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: Code
    message: str
    errors: list[FieldError] = []


class Outcome(BaseModel):
    """`submission_seq` is the stream sequence of the submission in OGI_INBOX: it tells a resubmission's
    outcome from the original's, and identifies a submission whose id could not be read."""

    model_config = ConfigDict(frozen=True)

    submission_id: str | None = None
    ministry: str
    kind: str
    status: Status
    submission_seq: int
    event_id: str | None = None
    event_seq: int | None = None
    code: Code | None = None
    message: str | None = None
    errors: list[FieldError] | None = None
    trace_id: str | None = None  # the trace the submission was decided in, for operators

    def to_json(self) -> bytes:
        """Absent fields are left out, but `submission_id` is always there (null when unreadable)."""
        fields = {name for name, value in self if value is not None} | {"submission_id"}
        return self.model_dump_json(include=fields).encode()


def original_of(outcomes: Sequence[Outcome]) -> Outcome | None:
    """Of one submission id's outcomes in stream order, the one that counts: what the original submission got (the
    first that is not `duplicate`; only duplicates left, the first of them)."""
    return next((outcome for outcome in outcomes if outcome.status != Status.DUPLICATE), outcomes[0] if outcomes else None)
