"""What a service's domain rules decide for one submission: record an event, or reject it."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from shared.contracts.events import AnyEvent, EventData
from shared.contracts.outcomes import Rejection
from shared.ministries import Ministry
from shared.organisations import Organisation
from shared.region_state import RegionState
from shared.regions import Region

DataT = TypeVar("DataT", bound=EventData)
DataT_contra = TypeVar("DataT_contra", bound=EventData, contravariant=True)


class EventModel(Protocol[DataT_contra]):
    """An event's model, made from the envelope and the kind's own `data`."""

    def __call__(
        self,
        *,
        event_id: str,
        region_code: str,
        ministry: Ministry,
        reported_by: Any,  # a Ministry on a version 1 event, an organisation's id on a claim's
        occurred_on: dt.date,
        recorded_at: dt.datetime,
        submission_id: str,
        trace_id: str | None = None,
        submitted_by: str | None = None,
        data: DataT_contra,
    ) -> AnyEvent: ...


@dataclass(frozen=True, slots=True)
class Record(Generic[DataT]):
    event_type: EventModel[DataT]
    ministry: Ministry  # the region's responsible ministry at this moment
    data: DataT


Decision = Record[Any] | Rejection
# The submission is the decider's own kind's model (SUBMISSION_MODELS): a mapping by kind cannot tell a type
# checker which one, so it takes any.
Decider = Callable[[Any, Organisation, Region, RegionState], Decision]
