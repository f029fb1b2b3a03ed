"""What a service's domain rules decide for one submission: record an event, or reject it."""

from collections.abc import Callable
from dataclasses import dataclass

from shared.contracts.events import Event, EventData
from shared.contracts.outcomes import Rejection
from shared.contracts.submissions import Submission
from shared.ministries import Ministry
from shared.region_state import RegionState
from shared.regions import Region


@dataclass(frozen=True, slots=True)
class Record:
    event_type: type[Event]
    ministry: Ministry  # the region's responsible ministry at this moment
    data: EventData


Decision = Record | Rejection
Decider = Callable[[Submission, Ministry, Region, RegionState], Decision]
