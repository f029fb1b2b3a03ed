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

- Claims (CONTRACT.md 1.1): each `TrainingCompleted`, and each `PlanSubmitted` that adds a plan, is a claim,
  pending. A `Claim*` event moves the claim it names as shared/claims.py says, when the claim is there and the
  move applies to its state; otherwise it changes nothing (a claim not applied yet, as on an `as_of` day
  before the claim occurred, or a move that does not apply to its state on that day). `PlanWithdrawn` closes
  its plan's claim for good.

Verified counts (`trained.verified`, `plans.verified`, one per scope): the regions of `trained` with at least
one training of the scope's ministry (nationally: any) whose claim is verified; of `plans`, with at least one
plan in force of the scope's ministry (nationally: any) whose claim is verified. A verified count is never
more than its count.

Lineage (CONTRACT.md 1.1): the event that makes a region count, one per count — for `enrolled` its current
enrolment; for `trained` its first training (the scope's ministry's, or its first of all nationally); for
`plans` the first submitted of its plans in force (likewise); for a verified count, the last `ClaimVerified`
of the first verified training in stream order (or of the first submitted verified plan in force), which
names its claim. Events are named by (sequence, event id).
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from shared.claims import EVENT_OF_KIND, STATE_AFTER_EVENT, TRANSITIONS, ClaimState
from shared.contracts.indicators import KEYS, Indicator, Scope

NATIONAL = str(Scope.NATIONAL)
ENROLLED, TRAINED, PLANS = (str(indicator) for indicator in Indicator)
VERIFIED = {TRAINED: f"{TRAINED}.verified", PLANS: f"{PLANS}.verified"}  # indicator -> its verified count's
VERIFIED_INDICATORS = frozenset(VERIFIED.values())
VERIFIED_KEYS = tuple((str(scope), VERIFIED[str(indicator)]) for scope, indicator in KEYS if str(indicator) in VERIFIED)
CLAIM_EVENTS = frozenset(STATE_AFTER_EVENT)
APPLIES_TO = {event_type: TRANSITIONS[kind][0] for kind, event_type in EVENT_OF_KIND.items()}  # claim event -> the states it moves

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
class Claim:
    indicator: str  # TRAINED or PLANS: what the claim counts for
    ministry: str  # of its event
    claim: Named  # its event
    occurred_on: dt.date  # its event's
    since: dt.date  # the day of the event that put it in its state
    plan_id: str | None = None
    state: ClaimState = ClaimState.PENDING
    verified_by: Named = (0, "")  # while verified: the ClaimVerified that verified it last


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
    # Claims by their event's id. A reader may hold only some of them, as with plans: every claim a claim event
    # names must be here, if the region has it, before that event is applied.
    claims: dict[str, Claim] = field(default_factory=dict)
    verified: dict[str, Claim] = field(default_factory=dict)  # every claim in state verified, by id

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
            self.claims[event[1]] = Claim(TRAINED, ministry, event, occurred_on, occurred_on)
            return ("training", ministry)
        if event_type == "PlanSubmitted":
            plan_id = data["plan_id"]
            if plan_id in self.plans:
                return None
            added = self.plans[plan_id] = Plan(ministry, data["title"], list(data["sectors"]), occurred_on, submitted=event)
            self.active_plans[ministry] += 1
            self.active_sectors.update(added.sectors)
            self.plans_first.setdefault(ministry, event)
            self.claims[event[1]] = Claim(PLANS, ministry, event, occurred_on, occurred_on, plan_id)
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
            self._close(plan.submitted[1], occurred_on)
            return ("plan", data["plan_id"])
        if event_type in APPLIES_TO:
            return self._move_claim(event_type, occurred_on, data["claim_event_id"], event)
        return None

    def _close(self, claim_id: str, occurred_on: dt.date) -> None:
        self.verified.pop(claim_id, None)
        claim = self.claims.get(claim_id)
        if claim is not None:
            claim.state, claim.since = ClaimState.CLOSED, occurred_on

    def _move_claim(self, event_type: str, occurred_on: dt.date, claim_id: str, event: Named) -> Change | None:
        claim = self.claims.get(claim_id)
        if claim is None or claim.state not in APPLIES_TO[event_type]:
            return None
        claim.state, claim.since = STATE_AFTER_EVENT[event_type], occurred_on
        if claim.state is ClaimState.VERIFIED:
            claim.verified_by = event
            self.verified[claim_id] = claim
        else:
            self.verified.pop(claim_id, None)
        return ("claim", claim_id)

    def _first_verified(self) -> dict[Key, Claim]:
        """For each verified count this region adds one to, its first verified claim in stream order."""
        firsts: dict[Key, Claim] = {}
        for claim in self.verified.values():
            key = VERIFIED[claim.indicator]
            for scope in (NATIONAL, claim.ministry):
                held = firsts.get((scope, key))
                if held is None or claim.claim < held.claim:
                    firsts[(scope, key)] = claim
        return firsts

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
        if self.verified:
            keys += list(self._first_verified())
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
        if self.verified:
            made.update((key, claim.verified_by) for key, claim in self._first_verified().items())
        return made

    def events_behind(self, made_by: Named) -> list[str]:
        """The ids of the events that make a region count, from what why_counted names: the event; for a
        verified count the claim, then the ClaimVerified."""
        claim = next((claim for claim in self.verified.values() if claim.verified_by == made_by), None)
        return [made_by[1]] if claim is None else [claim.claim[1], made_by[1]]

    def standing(self) -> list:
        """What the region's row shows, as a JSON array (compact: the projector stores one for each region's
        every day with events): enrolled, the ministry that enrolled it last, enrolled_on,
        commitment_letter_on, ppid_established, the ministries that trained it, its number of plans in force,
        their sectors, the ministries whose trainings of it include a verified claim, and its number of
        verified plans in force."""
        return [
            self.enrolled,
            self.ministry,
            _iso(self.enrolled_on),
            _iso(self.commitment_letter_on),
            self.ppid_established,
            sorted(self.trainings),
            sum(self.active_plans.values()),
            sorted(sector for sector, plans in self.active_sectors.items() if plans > 0),
            sorted({claim.ministry for claim in self.verified.values() if claim.indicator == TRAINED}),
            sum(claim.indicator == PLANS for claim in self.verified.values()),
        ]


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def zero() -> dict[Key, int]:
    """Every count at zero: the nine, and the six verified ones."""
    return {(str(scope), str(indicator)): 0 for scope, indicator in KEYS} | dict.fromkeys(VERIFIED_KEYS, 0)


def counts(states: Iterable[RegionState]) -> dict[Key, int]:
    """The nine counts of these regions and their verified counts (a scope that is not one of the contract's
    is not counted)."""
    tally = zero()
    for state in states:
        add(tally, state.counted_in())
    return tally


def add(tally: dict[Key, int], keys: Iterable[Key], step: int = 1) -> None:
    for key in keys:
        if key in tally:
            tally[key] += step


def fold(events: Iterable[tuple[int, str, str, str, str, dt.date, Mapping]], day: dt.date | None = None) -> dict[str, RegionState]:
    """Each region's state after `events` — (seq, event_id, region_code, event_type, ministry, occurred_on,
    data) in stream order — counting only those that occurred on or before `day`, if given."""
    states: dict[str, RegionState] = {}
    for seq, event_id, region_code, event_type, ministry, occurred_on, data in events:
        if day is None or occurred_on <= day:
            state = states.get(region_code)
            if state is None:
                state = states[region_code] = RegionState()
            state.apply(event_type, ministry, occurred_on, data, (seq, event_id))
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
    return {key: state.events_behind(made_by) for key, made_by in state.why_counted().items()}


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
