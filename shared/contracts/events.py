"""The five domain events of the event store (`ogi.events.<service>.<region>.<EventType>`).

An event is an envelope (who, where, when, why) around the kind's own fields in `data`. Events are never
edited: a change of shape gets a new `schema_version`, and readers keep understanding the old ones. A model
is its type's current version (versions.CURRENT_VERSIONS) and refuses any other; `decode_event` reads an
older stored one as the current one (versions.upcast).
"""

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic_core import from_json

from shared.contracts.evidence import Evidence
from shared.contracts.submissions import Sector
from shared.contracts.versions import CURRENT_VERSIONS, UnknownEventVersion, upcast
from shared.ministries import Ministry

EVENT_ID_NAMESPACE = uuid.UUID("6f1c0a3e-5d1b-4c59-9a63-0a1f6e0b2c11")
SCHEMA_VERSION_KEY = b'"schema_version"'
PERSON_ID_PATTERN = r"^p_[0-9a-f]{16}$"  # a workspace account (shared/people.py)
EVIDENCE_SINCE_VERSION_2 = "From schema_version 2 on; an event stored at version 1 names none and is read as `[]`."


def event_id_for(ministry: str, submission_id: str) -> str:
    """The same submission always yields the same event id, so a retried append is recognised as one."""
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, f"{ministry}/{submission_id}"))


class EventData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    note: str | None = None


class RegionEnrolledData(EventData):
    commitment_letter_on: dt.date | None = None
    ppid_established: bool | None = None


class RegionWithdrawnData(EventData):
    reason: str


class TrainingCompletedData(EventData):
    session_id: str
    participants: int
    evidence: Evidence = Field(default=[], description=EVIDENCE_SINCE_VERSION_2)


class PlanSubmittedData(EventData):
    plan_id: str
    title: str
    sectors: list[Sector]
    document_sha256: str | None = None
    evidence: Evidence = Field(default=[], description=EVIDENCE_SINCE_VERSION_2)


class PlanWithdrawnData(EventData):
    plan_id: str
    reason: str


class ClaimVerifiedData(EventData):
    claim_event_id: str


class ClaimReturnedData(EventData):
    claim_event_id: str
    reason: str


class ClaimAmendedData(EventData):
    claim_event_id: str
    evidence: Evidence


class ClaimDisputedData(EventData):
    claim_event_id: str
    reason: str
    evidence: Evidence = []


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str
    schema_version: int  # each type's own: its current version, the only one a model holds
    region_code: str
    ministry: Ministry
    reported_by: str  # the submitting organisation: each kind of event says which it may be
    occurred_on: dt.date
    recorded_at: dt.datetime
    submission_id: str
    trace_id: str | None = None
    # The person who made the submission in the workspace (a pseudonymous id, shared/people.py); absent for a
    # submission a ministry's system made.
    submitted_by: str | None = Field(default=None, exclude_if=lambda value: value is None, pattern=PERSON_ID_PATTERN)


class Event(Envelope):
    reported_by: Ministry


class ClaimEvent(Envelope):
    """An action on a claim (contract 1.1). `ministry` is the region's responsible ministry, as on every event;
    `reported_by` the organisation that acted: the secretariat, the responsible ministry or an observer."""

    reported_by: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")]


class RegionEnrolled(Event):
    event_type: Literal["RegionEnrolled"] = "RegionEnrolled"
    schema_version: Literal[1] = 1
    data: RegionEnrolledData


class RegionWithdrawn(Event):
    event_type: Literal["RegionWithdrawn"] = "RegionWithdrawn"
    schema_version: Literal[1] = 1
    data: RegionWithdrawnData


class TrainingCompleted(Event):
    event_type: Literal["TrainingCompleted"] = "TrainingCompleted"
    schema_version: Literal[2] = 2
    data: TrainingCompletedData


class PlanSubmitted(Event):
    event_type: Literal["PlanSubmitted"] = "PlanSubmitted"
    schema_version: Literal[2] = 2
    data: PlanSubmittedData


class PlanWithdrawn(Event):
    event_type: Literal["PlanWithdrawn"] = "PlanWithdrawn"
    schema_version: Literal[1] = 1
    data: PlanWithdrawnData


class ClaimVerified(ClaimEvent):
    event_type: Literal["ClaimVerified"] = "ClaimVerified"
    schema_version: Literal[1] = 1
    data: ClaimVerifiedData


class ClaimReturned(ClaimEvent):
    event_type: Literal["ClaimReturned"] = "ClaimReturned"
    schema_version: Literal[1] = 1
    data: ClaimReturnedData


class ClaimAmended(ClaimEvent):
    event_type: Literal["ClaimAmended"] = "ClaimAmended"
    schema_version: Literal[1] = 1
    data: ClaimAmendedData


class ClaimDisputed(ClaimEvent):
    event_type: Literal["ClaimDisputed"] = "ClaimDisputed"
    schema_version: Literal[1] = 1
    data: ClaimDisputedData


CLAIM_EVENTS = (ClaimVerified, ClaimReturned, ClaimAmended, ClaimDisputed)
AnyEvent = Annotated[
    RegionEnrolled | RegionWithdrawn | TrainingCompleted | PlanSubmitted | PlanWithdrawn | ClaimVerified | ClaimReturned | ClaimAmended | ClaimDisputed,
    Field(discriminator="event_type"),
]
_any_event = TypeAdapter(AnyEvent)


def decode_event(payload: bytes) -> AnyEvent:
    """An event as stored, read as its type's current version (an older one is upcast, versions.py).
    Raises versions.UnknownEventVersion for a type or version this release does not know, pydantic's
    ValidationError for what does not fit its model."""
    try:
        event = _any_event.validate_json(payload)
    except ValidationError as error:
        return _upcast(payload, error)
    # Valid with the model's default version, the payload may have had none. Only a top-level key can
    # hold these bytes: every model forbids unknown fields, and a quote inside a string is escaped.
    if SCHEMA_VERSION_KEY not in payload:
        raise UnknownEventVersion(event.event_type, None, CURRENT_VERSIONS[event.event_type])
    return event


def _upcast(payload: bytes, not_current: ValidationError) -> AnyEvent:
    """An event that is not valid as its type's current version: an older one upcast, or refused. (The
    current version is validated from the JSON directly, the faster way, and this way only when that fails.)"""
    try:
        stored = from_json(payload)
    except ValueError:
        raise not_current from None
    upcast_event = upcast(stored) if isinstance(stored, dict) else stored
    if upcast_event is stored:  # its type's current version, and not fitting its model
        raise not_current
    return _any_event.validate_python(upcast_event)


def encode_event(event: Envelope) -> bytes:
    return event.model_dump_json().encode()
