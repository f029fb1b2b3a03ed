"""The counting rules of CONTRACT.md ("Indicators"), in one place: how an event changes a region's state, and
which of the nine counts a region's state adds one to. Pure: no I/O, no clock.

The projector, the replay of past days, the monthly history and `ogi verify` all fold events with this
module; the SQL that counts as of a day (readmodel/counting.py) is held to it by a property test.

A region's state depends only on its own events, applied in stream order (an `as_of` day applies only those
that occurred on or before it):
- `RegionEnrolled` enrols it under the event's ministry (again, if it was withdrawn); `RegionWithdrawn` of an
  enrolled region ends the enrolment, the ministry that enrolled it stays on record.
- `TrainingCompleted` trains it for the event's ministry, for good.
- `PlanSubmitted` adds a plan under the event's ministry; a plan id the region already has keeps its first
  submission (the deciding service refuses a reused id, `plan_exists`). `PlanWithdrawn` withdraws a plan
  that is there and not withdrawn, and nothing else.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from shared.contracts.indicators import KEYS, Indicator, Scope

NATIONAL = str(Scope.NATIONAL)
ENROLLED, TRAINED, PLANS = (str(indicator) for indicator in Indicator)

Key = tuple[str, str]  # (scope, indicator), as plain strings
# What an event changed, for a reader that keeps rows: ("status", ""), ("training", ministry), ("plan", plan_id).
Change = tuple[str, str]
STATUS_CHANGED: Change = ("status", "")


@dataclass(slots=True)
class Training:
    first_trained_on: dt.date  # the day of its first training event in stream order
    sessions: int = 0


@dataclass(slots=True)
class Plan:
    ministry: str  # the region's responsible ministry when the plan was submitted
    title: str
    sectors: list[str]
    submitted_on: dt.date
    withdrawn: bool = False


@dataclass(slots=True)
class RegionState:
    enrolled: bool = False
    ministry: str | None = None  # the ministry that enrolled it last
    enrolled_on: dt.date | None = None
    commitment_letter_on: dt.date | None = None
    ppid_established: bool | None = None
    trainings: dict[str, Training] = field(default_factory=dict)  # by the ministry of the training events
    # Plans by id. A reader may hold only some of them (the projector keeps plans in SQL): every plan an event
    # names must be here, if the region has it, before that event is applied.
    plans: dict[str, Plan] = field(default_factory=dict)
    active_plans: Counter[str] = field(default_factory=Counter)  # ministry -> plans submitted and not withdrawn

    def apply(self, event_type: str, ministry: str, occurred_on: dt.date, data: Mapping) -> Change | None:
        """Bring the state forward by one event; what changed, or None when the event changes nothing."""
        if event_type == "RegionEnrolled":
            self.enrolled, self.ministry, self.enrolled_on = True, ministry, occurred_on
            letter = data.get("commitment_letter_on")
            self.commitment_letter_on = dt.date.fromisoformat(letter) if letter else None
            self.ppid_established = data.get("ppid_established")
            return STATUS_CHANGED
        if event_type == "RegionWithdrawn":
            if self.ministry is None:  # never enrolled: nothing to end
                return None
            self.enrolled = False
            return STATUS_CHANGED
        if event_type == "TrainingCompleted":
            training = self.trainings.get(ministry)
            if training is None:
                training = self.trainings[ministry] = Training(occurred_on)
            training.sessions += 1
            return ("training", ministry)
        if event_type == "PlanSubmitted":
            plan_id = data["plan_id"]
            if plan_id in self.plans:
                return None
            self.plans[plan_id] = Plan(ministry, data["title"], list(data["sectors"]), occurred_on)
            self.active_plans[ministry] += 1
            return ("plan", plan_id)
        if event_type == "PlanWithdrawn":
            plan = self.plans.get(data["plan_id"])
            if plan is None or plan.withdrawn:
                return None
            plan.withdrawn = True
            self.active_plans[plan.ministry] -= 1
            return ("plan", data["plan_id"])
        return None

    def active(self) -> list[Plan]:
        """The plans held here that are not withdrawn."""
        return [plan for plan in self.plans.values() if not plan.withdrawn]

    def counted_in(self) -> list[Key]:
        """The counts this region adds one to: the national ones, and its ministries'."""
        keys = []
        if self.enrolled:
            keys.append((NATIONAL, ENROLLED))
            if self.ministry is not None:  # a region is enrolled under a ministry
                keys.append((self.ministry, ENROLLED))
        if self.trainings:
            keys.append((NATIONAL, TRAINED))
            keys += [(ministry, TRAINED) for ministry in self.trainings]
        planned = [ministry for ministry, active in self.active_plans.items() if active > 0]
        if planned:
            keys.append((NATIONAL, PLANS))
            keys += [(ministry, PLANS) for ministry in planned]
        return keys


def zero() -> dict[Key, int]:
    return {(str(scope), str(indicator)): 0 for scope, indicator in KEYS}


def counts(states: Iterable[RegionState]) -> dict[Key, int]:
    """The nine counts of these regions (a scope that is not one of the contract's is not counted)."""
    tally = zero()
    for state in states:
        add(tally, state.counted_in())
    return tally


def add(tally: dict[Key, int], keys: Iterable[Key], step: int = 1) -> None:
    for key in keys:
        if key in tally:
            tally[key] += step


def fold(events: Iterable[tuple[str, str, str, dt.date, Mapping]], day: dt.date | None = None) -> dict[str, RegionState]:
    """Each region's state after `events` — (region_code, event_type, ministry, occurred_on, data) in stream
    order — counting only those that occurred on or before `day`, if given."""
    states: dict[str, RegionState] = {}
    for region_code, event_type, ministry, occurred_on, data in events:
        if day is None or occurred_on <= day:
            state = states.get(region_code)
            if state is None:
                state = states[region_code] = RegionState()
            state.apply(event_type, ministry, occurred_on, data)
    return states


def lineage(events: Iterable[tuple[str, str, str, dt.date, Mapping]]) -> dict[Key, list[str]]:
    """One region's events in stream order, as (event_id, event_type, ministry, occurred_on, data): for each
    count the region adds one to, the events that make it count. For `enrolled` its current enrolment; for
    `trained` its trainings (the scope's ministry's, or all of them nationally); for `plans` the
    submissions of its plans in force (likewise)."""
    state = RegionState()
    enrolment = ""
    trainings: list[tuple[str, str]] = []  # (ministry, event_id)
    submissions: dict[str, str] = {}  # plan_id -> event_id
    for event_id, event_type, ministry, occurred_on, data in events:
        if state.apply(event_type, ministry, occurred_on, data) is None:
            continue
        if event_type == "RegionEnrolled":
            enrolment = event_id
        elif event_type == "TrainingCompleted":
            trainings.append((ministry, event_id))
        elif event_type == "PlanSubmitted":
            submissions[data["plan_id"]] = event_id
    made: dict[Key, list[str]] = {}
    for scope, indicator in state.counted_in():
        if indicator == ENROLLED:
            made[(scope, indicator)] = [enrolment]
        elif indicator == TRAINED:
            made[(scope, indicator)] = [event_id for ministry, event_id in trainings if scope in (NATIONAL, ministry)]
        else:
            in_force = [plan_id for plan_id, plan in state.plans.items() if not plan.withdrawn and scope in (NATIONAL, plan.ministry)]
            made[(scope, indicator)] = [submissions[plan_id] for plan_id in in_force]
    return made
