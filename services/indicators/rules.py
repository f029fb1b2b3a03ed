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

Lineage (CONTRACT.md 1.1): the event that makes a region count, one per count — for `enrolled` its current
enrolment; for `trained` its first training (the scope's ministry's, or its first of all nationally); for
`plans` the first submitted of its plans in force (likewise). Events are named by (sequence, event id).
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
Named = tuple[int, str]  # an event as (stream sequence, event id)


@dataclass(slots=True)
class Training:
    first_trained_on: dt.date  # the day of its first training event in stream order
    sessions: int = 0
    first: Named = (0, "")  # that first training event


@dataclass(slots=True)
class Plan:
    ministry: str  # the region's responsible ministry when the plan was submitted
    title: str
    sectors: list[str]
    submitted_on: dt.date
    withdrawn: bool = False
    submitted: Named = (0, "")  # its (first) submission


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
    active_sectors: Counter[str] = field(default_factory=Counter)  # sector -> plans in force that cover it
    enrolment: Named = (0, "")  # the RegionEnrolled of its current (or last) enrolment
    plans_first: dict[str, Named] = field(default_factory=dict)  # ministry -> the first submitted of its plans in force

    def apply(self, event_type: str, ministry: str, occurred_on: dt.date, data: Mapping, event: Named = (0, "")) -> Change | None:
        """Bring the state forward by one event (named by `event` for lineage); what changed, or None when
        the event changes nothing."""
        if event_type == "RegionEnrolled":
            self.enrolled, self.ministry, self.enrolled_on, self.enrolment = True, ministry, occurred_on, event
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
                training = self.trainings[ministry] = Training(occurred_on, first=event)
            training.sessions += 1
            return ("training", ministry)
        if event_type == "PlanSubmitted":
            plan_id = data["plan_id"]
            if plan_id in self.plans:
                return None
            added = self.plans[plan_id] = Plan(ministry, data["title"], list(data["sectors"]), occurred_on, submitted=event)
            self.active_plans[ministry] += 1
            self.active_sectors.update(added.sectors)
            self.plans_first.setdefault(ministry, event)
            return ("plan", plan_id)
        if event_type == "PlanWithdrawn":
            plan = self.plans.get(data["plan_id"])
            if plan is None or plan.withdrawn:
                return None
            plan.withdrawn = True
            self.active_plans[plan.ministry] -= 1
            self.active_sectors.subtract(plan.sectors)
            if self.plans_first.get(plan.ministry) == plan.submitted:
                following = [held.submitted for held in self.plans.values() if held.ministry == plan.ministry and not held.withdrawn]
                if following:
                    self.plans_first[plan.ministry] = min(following)
                else:
                    del self.plans_first[plan.ministry]
            return ("plan", data["plan_id"])
        return None

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

    def why_counted(self) -> dict[Key, Named]:
        """For each count this region adds one to (as counted_in), the event that makes it count (see the
        module's doc)."""
        made: dict[Key, Named] = {}
        if self.enrolled:
            made[(NATIONAL, ENROLLED)] = self.enrolment
            if self.ministry is not None:
                made[(self.ministry, ENROLLED)] = self.enrolment
        if self.trainings:
            firsts = {ministry: training.first for ministry, training in self.trainings.items()}
            made[(NATIONAL, TRAINED)] = min(firsts.values())
            made.update(((ministry, TRAINED), first) for ministry, first in firsts.items())
        planned = {ministry: self.plans_first[ministry] for ministry, active in self.active_plans.items() if active > 0}
        if planned:
            made[(NATIONAL, PLANS)] = min(planned.values())
            made.update(((ministry, PLANS), first) for ministry, first in planned.items())
        return made

    def standing(self) -> list:
        """What the region's row shows, as a JSON array (compact: the projector stores one for each region's
        every day with events): enrolled, the ministry that enrolled it last, enrolled_on,
        commitment_letter_on, ppid_established, the ministries that trained it, its number of plans in force,
        and their sectors."""
        return [
            self.enrolled,
            self.ministry,
            _iso(self.enrolled_on),
            _iso(self.commitment_letter_on),
            self.ppid_established,
            sorted(self.trainings),
            sum(self.active_plans.values()),
            sorted(sector for sector, plans in self.active_sectors.items() if plans > 0),
        ]


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


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


def fold_region(events: Iterable[tuple[int, str, str, str, dt.date, Mapping]]) -> RegionState:
    """One region's state after its events in stream order, as (seq, event_id, event_type, ministry,
    occurred_on, data)."""
    state = RegionState()
    for seq, event_id, event_type, ministry, occurred_on, data in events:
        state.apply(event_type, ministry, occurred_on, data, (seq, event_id))
    return state


def lineage(events: Iterable[tuple[str, str, str, dt.date, Mapping]]) -> dict[Key, list[str]]:
    """One region's events in stream order, as (event_id, event_type, ministry, occurred_on, data): for each
    count the region adds one to, the event that makes it count (see the module's doc)."""
    state = RegionState()
    for seq, (event_id, event_type, ministry, occurred_on, data) in enumerate(events, start=1):
        state.apply(event_type, ministry, occurred_on, data, (seq, event_id))
    return {key: [event_id] for key, (_, event_id) in state.why_counted().items()}


Day = tuple[dt.date, list, dict[Key, Named]]  # a day, the region's standing at its end, and why it counts


def timeline(events: Iterable[tuple[int, str, str, str, dt.date, Mapping]]) -> list[Day]:
    """One region's events in stream order, as (seq, event_id, event_type, ministry, occurred_on, data): its
    standing and why it counts at the end of each day on which one of them occurred, counting only those
    that occurred on or before that day. From one such day to the next only the events that occurred in
    between are applied, unless one of them comes earlier in the stream than one applied already (it was
    back-dated): then the region is folded again from its first event."""
    ordered = list(events)
    by_day: dict[dt.date, list] = {}
    for event in ordered:
        by_day.setdefault(event[4], []).append(event)
    state, applied_through, days = RegionState(), 0, []
    for day in sorted(by_day):
        arrived = by_day[day]
        if arrived[0][0] < applied_through:
            state = RegionState()
            arrived = [event for event in ordered if event[4] <= day]
        for seq, event_id, event_type, ministry, occurred_on, data in arrived:
            state.apply(event_type, ministry, occurred_on, data, (seq, event_id))
        applied_through = max(applied_through, arrived[-1][0])
        days.append((day, state.standing(), state.why_counted()))
    return days
