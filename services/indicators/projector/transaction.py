"""One batch of events applied to the read model, in one transaction with the checkpoint after them, so a
crash or a redelivery can neither lose an event nor count one twice; it commits only if the checkpoint is
still where this projector read it, so several projectors on one database never both apply the same events.

The projector keeps each region's state (services.indicators.rules) in memory (`ReadModel`), loaded at
start and again after any transaction that did not commit, except its plans and claims, which stay in SQL
(of claims it keeps the verified ones): a batch reads the plans and claims its events name, applies the
events by the counting rules, writes only the rows they changed (upserts), and keeps the counts up to date
region by region instead of aggregating tables."""

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import String, cast, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from services.indicators import rules
from services.indicators.projector import driver_sql, statements
from services.indicators.projector.recorded import Recorded, read_directly
from services.indicators.projector.timeline import TimelineChanges, Timelines
from services.indicators.projector.tracing import SpanFor, untraced
from services.indicators.readmodel import checkpoint, tables, tree
from services.indicators.readmodel.values import indicator_of, indicator_values
from services.indicators.tlog.frontier import Frontier
from services.indicators.tlog.merkle import leaf_hash
from shared.claims import ClaimState
from shared.contracts.indicators import IndicatorValue


def read(seq: int, payload: bytes) -> Recorded:
    """An event as recorded, at its type's current version (see recorded.py), with its leaf hash."""
    return Recorded(seq, *read_directly(payload), leaf=leaf_hash(payload))


@dataclass
class ReadModel:
    """What a batch needs to know of the read model, as of `position`."""

    position: int = 0
    regions: dict[str, rules.RegionState] = field(default_factory=dict)  # without their plans and claims (see above)
    tally: dict[rules.Key, int] = field(default_factory=rules.zero)  # the counts of `regions`, verified ones too
    counts: dict[rules.Key, int] = field(default_factory=dict)  # indicator_count as stored
    frontier: Frontier = field(default_factory=Frontier)  # the transparency log's tree, `position` leaves
    timelines: Timelines = field(default_factory=Timelines)

    @staticmethod
    async def load(connection: AsyncConnection) -> "ReadModel":
        model = ReadModel(position=await checkpoint.position(connection))
        for row in (await connection.execute(select(tables.region_status))).mappings():
            model.regions[row["region_code"]] = rules.RegionState(
                row["enrolled"], row["ministry"], row["enrolled_on"], row["commitment_letter_on"], row["ppid_established"]
            )
        for row in (await connection.execute(select(tables.region_training))).mappings():
            state = model.region(row["region_code"])
            state.trainings[row["ministry"]] = rules.Training(row["first_trained_on"], row["sessions"])
        plan = tables.region_plan.c
        active = select(plan.region_code, plan.ministry, func.count()).where(plan.withdrawn.is_(False))
        for region, ministry, count in await connection.execute(active.group_by(plan.region_code, plan.ministry)):
            model.region(region).active_plans[ministry] = count
        sectors = cast(plan.sectors, String)  # PostgreSQL cannot group JSON values, only their text
        active = select(plan.region_code, sectors, func.count()).where(plan.withdrawn.is_(False))
        for region, listed, count in await connection.execute(active.group_by(plan.region_code, sectors)):
            for sector in json.loads(listed):
                model.region(region).active_sectors[sector] += count
        for claim in (await connection.execute(select(tables.claim).where(tables.claim.c.state == str(ClaimState.VERIFIED)))).mappings():
            model.region(claim["region_code"]).verified[claim["claim_event_id"]] = _claim(claim)
        model.timelines = await Timelines.load(connection)
        for region, state in model.regions.items():
            _name_what_counts(state, model.timelines.why_counted(region))
        model.tally = rules.counts(model.regions.values())
        counts = tables.indicator_count.c
        for scope, indicator, count in await connection.execute(select(counts.scope, counts.indicator, counts.count)):
            model.counts[(scope, indicator)] = count
        model.frontier = await tree.frontier(connection, model.position)
        return model

    def region(self, code: str) -> rules.RegionState:
        state = self.regions.get(code)
        if state is None:
            state = self.regions[code] = rules.RegionState()
        return state


def _name_what_counts(state: rules.RegionState, why: dict[rules.Key, rules.Named]) -> None:
    """The events that make a region count, which its timeline holds, put back in its state."""
    for (scope, indicator), made_by in why.items():
        if scope == rules.NATIONAL or indicator in rules.VERIFIED_INDICATORS:  # verified claims are read from `claim`
            continue
        if indicator == rules.ENROLLED:
            state.enrolment = made_by
        elif indicator == rules.TRAINED and scope in state.trainings:  # read after region_training: see Timelines.load
            state.trainings[scope].first = made_by
        else:
            state.plans_first[scope] = made_by


def apply(
    connection: Connection,
    model: ReadModel,
    batch: Sequence[Recorded],
    span_for: SpanFor = untraced,
) -> list[IndicatorValue]:
    """Apply the events after `model.position`, move the checkpoint, and return the indicators that changed.
    Runs inside the caller's transaction and changes `model` as it goes: when the transaction does not
    commit, the caller loads the model again. Raises statements.Conflict when another projector got there
    first. `span_for(i)` wraps the application of the i-th event of `batch`. Synchronous, so that a whole
    batch is one call to the database's thread (see writer.py)."""
    fresh = [index for index, recorded in enumerate(batch) if recorded.seq > model.position]
    if not fresh:
        return []
    last = batch[fresh[-1]].seq
    statements.move_checkpoint(connection, model.position, last)  # first, so it takes the write lock
    events = [batch[index].event for index in fresh]
    changes = Changes(model, statements.stored_plans(connection, events), statements.stored_claims(connection, events))
    for index in fresh:
        with span_for(index):
            changes.apply(batch[index])
    statements.insert_log(connection, [batch[index] for index in fresh])
    statements.grow_tree(connection, model.frontier, [(batch[index].seq, batch[index].leaf) for index in fresh])
    changes.save(connection)
    changes.timeline.save(connection, model.regions)
    model.position = last
    return _save_counts(connection, model, last)


class Changes:
    """One batch's changes: applied to the regions' states event by event, the changed rows written once."""

    def __init__(self, model: ReadModel, plans: dict[tuple[str, str], dict], claims: list[dict]) -> None:
        self.model = model
        for (region, plan_id), row in plans.items():
            model.region(region).plans[plan_id] = rules.Plan(
                row["ministry"], row["title"], row["sectors"], row["submitted_on"], row["withdrawn"], (row["seq"], row["event_id"])
            )
        for row in claims:
            state = model.region(row["region_code"])
            state.claims[row["claim_event_id"]] = state.verified.get(row["claim_event_id"]) or _claim(row)
        self.closed: dict[str, dt.date] = {}  # claims closed by a plan's withdrawal that the batch does not hold
        self.counted_before: dict[str, list[rules.Key]] = {}  # each region the batch changes, as it counted before
        self.changed: set[tuple[str, str, str]] = set()  # (region, *rules.Change)
        self.timeline = TimelineChanges(model.timelines)

    def apply(self, recorded: Recorded) -> None:
        event = recorded.event
        region, event_type = event["region_code"], event["event_type"]
        state = self.model.region(region)
        if region not in self.counted_before:
            self.counted_before[region] = state.counted_in()
        firsts = dict(state.plans_first) if event_type == "PlanWithdrawn" else None
        day = dt.date.fromisoformat(event["occurred_on"])
        self.timeline.before(region, day, state)
        change = state.apply(event_type, event["ministry"], day, event["data"], (recorded.seq, event["event_id"]))
        if change is not None:
            self.changed.add((region, *change))
            if event_type in CLAIMS:
                self.changed.add((region, "claim", event["event_id"]))
            elif event_type == "PlanWithdrawn":
                claim_id = state.plans[event["data"]["plan_id"]].submitted[1]
                if claim_id in state.claims:
                    self.changed.add((region, "claim", claim_id))
                else:
                    self.closed[claim_id] = day
        if firsts is not None and any(state.plans_first.get(m) != made_by and state.active_plans[m] > 0 for m, made_by in firsts.items()):
            self.timeline.remake(region)  # which plan is first now is known only from all of them

    def save(self, connection: Connection) -> None:
        """Write the changed rows, bring the tally up to date, and let go of the plans read for the batch."""
        regions = self.model.regions
        statuses, trainings, plans, claims = [], [], [], []
        for region, kind, key in self.changed:
            state = regions[region]
            if kind == "status":
                statuses.append(_status_row(region, state))
            elif kind == "training":
                trainings.append(_training_row(region, key, state.trainings[key]))
            elif kind == "plan":
                plans.append(_plan_row(region, key, state.plans[key]))
            else:
                claims.append(_claim_row(region, state.claims[key]))
        written_by_table = ((tables.region_status, statuses), (tables.region_training, trainings), (tables.region_plan, plans), (tables.claim, claims))
        for table, written in written_by_table:
            driver_sql.execute_many(connection, table, "upsert", written)
        statements.close_claims(connection, self.closed)
        for region, before in self.counted_before.items():
            state = regions[region]
            rules.add(self.model.tally, before, -1)
            rules.add(self.model.tally, state.counted_in())
            state.plans.clear()
            state.claims.clear()


def _status_row(region: str, state: rules.RegionState) -> dict:
    return {
        "region_code": region,
        "enrolled": state.enrolled,
        "ministry": state.ministry,
        "enrolled_on": state.enrolled_on,
        "commitment_letter_on": state.commitment_letter_on,
        "ppid_established": state.ppid_established,
    }


def _training_row(region: str, ministry: str, training: rules.Training) -> dict:
    return {"region_code": region, "ministry": ministry, "first_trained_on": training.first_trained_on, "sessions": training.sessions}


def _plan_row(region: str, plan_id: str, plan: rules.Plan) -> dict:
    return {
        "region_code": region,
        "plan_id": plan_id,
        "ministry": plan.ministry,
        "title": plan.title,
        "sectors": plan.sectors,
        "submitted_on": plan.submitted_on,
        "withdrawn": plan.withdrawn,
        "seq": plan.submitted[0],
        "event_id": plan.submitted[1],
    }


CLAIMS = {"TrainingCompleted", "PlanSubmitted"}
CLAIM_KIND = {rules.TRAINED: "training", rules.PLANS: "plan"}
INDICATOR_OF_KIND = {kind: indicator for indicator, kind in CLAIM_KIND.items()}


def _claim_row(region: str, claim: rules.Claim) -> dict:
    return {
        "claim_event_id": claim.claim[1],
        "seq": claim.claim[0],
        "region_code": region,
        "kind": CLAIM_KIND[claim.indicator],
        "ministry": claim.ministry,
        "plan_id": claim.plan_id,
        "occurred_on": claim.occurred_on,
        "state": str(claim.state),
        "state_since": claim.since,
        "verified_seq": claim.verified_by[0] or None,
        "verified_event_id": claim.verified_by[1] or None,
    }


def _claim(row) -> rules.Claim:
    verified_by = (row["verified_seq"], row["verified_event_id"]) if row["verified_seq"] is not None else (0, "")
    return rules.Claim(
        INDICATOR_OF_KIND[row["kind"]],
        row["ministry"],
        (row["seq"], row["claim_event_id"]),
        row["occurred_on"],
        row["state_since"],
        row["plan_id"],
        ClaimState(row["state"]),
        verified_by,
    )


def _save_counts(connection: Connection, model: ReadModel, as_of_seq: int) -> list[IndicatorValue]:
    """Store the counts that changed; the indicators they change (a verified count is its indicator's)."""
    changed = [key for key, count in model.tally.items() if model.counts.get(key) != count]
    if not changed:
        return []
    now = dt.datetime.now(dt.UTC)
    rows = [{"scope": key[0], "indicator": key[1], "count": model.tally[key], "as_of_seq": as_of_seq, "updated_at": now} for key in changed]
    driver_sql.execute_many(connection, tables.indicator_count, "upsert", rows)
    for key in changed:
        model.counts[key] = model.tally[key]
    return indicator_values(model.tally, {indicator_of(key) for key in changed}, as_of_seq, now)
