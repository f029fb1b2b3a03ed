"""The five domain events of the event store (`ogi.events.<service>.<region>.<EventType>`).

An event is an envelope (who, where, when, why) around the kind's own fields in `data`. Events are never
edited: a change of shape gets a new `schema_version`, and readers keep understanding the old ones.
"""

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from shared.contracts.submissions import Sector
from shared.ministries import Ministry

EVENT_ID_NAMESPACE = uuid.UUID("6f1c0a3e-5d1b-4c59-9a63-0a1f6e0b2c11")


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


class PlanSubmittedData(EventData):
    plan_id: str
    title: str
    sectors: list[Sector]
    document_sha256: str | None = None


class PlanWithdrawnData(EventData):
    plan_id: str
    reason: str


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str
    schema_version: int = 1
    region_code: str
    ministry: Ministry
    reported_by: Ministry
    occurred_on: dt.date
    recorded_at: dt.datetime
    submission_id: str
    trace_id: str | None = None


class RegionEnrolled(Event):
    event_type: Literal["RegionEnrolled"] = "RegionEnrolled"
    data: RegionEnrolledData


class RegionWithdrawn(Event):
    event_type: Literal["RegionWithdrawn"] = "RegionWithdrawn"
    data: RegionWithdrawnData


class TrainingCompleted(Event):
    event_type: Literal["TrainingCompleted"] = "TrainingCompleted"
    data: TrainingCompletedData


class PlanSubmitted(Event):
    event_type: Literal["PlanSubmitted"] = "PlanSubmitted"
    data: PlanSubmittedData


class PlanWithdrawn(Event):
    event_type: Literal["PlanWithdrawn"] = "PlanWithdrawn"
    data: PlanWithdrawnData


AnyEvent = Annotated[
    RegionEnrolled | RegionWithdrawn | TrainingCompleted | PlanSubmitted | PlanWithdrawn,
    Field(discriminator="event_type"),
]
_any_event = TypeAdapter(AnyEvent)


def decode_event(payload: bytes) -> AnyEvent:
    return _any_event.validate_json(payload)


def encode_event(event: Event) -> bytes:
    return event.model_dump_json().encode()
