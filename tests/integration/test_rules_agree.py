"""Every way the system counts gives the same nine counts on every day: the counting rules folded over the
events (services/indicators/rules.py), the projector applying them in batches (with restarts between
batches, and as a bulk load or live), the SQL over its tables and over the regions' timelines as of a day,
the monthly history, lineage, and every region's row as it stands and on every day; the verified counts too,
never more than their counts, and every claim's state. Random event sequences, including back-dated events,
withdrawals of what is not there, re-enrolments under the other ministry, reused plan ids, and claim events
(verify, return, amend, dispute) on any event, at any day, whether they apply or not (SQLite and
PostgreSQL)."""

import asyncio
import datetime as dt
import threading

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from services.indicators import rules
from services.indicators.projector import timeline, transaction
from services.indicators.projector.writer import Writer
from services.indicators.readmodel import counting, lineage, monthly, region_rows, tables
from services.indicators.readmodel.db import create_engine, migrate
from shared.contracts import events as ev
from shared.contracts.evidence import EvidenceRef
from shared.contracts.submissions import Sector
from shared.regions import all_regions

REGIONS = ("73.71", "32.73", "93.01")
MINISTRIES = ("kemendagri", "kominfo")
FIRST_DAY = dt.date(2018, 1, 1)
DAYS = 150  # events occur within five months, in any order
EXAMPLES = {"sqlite": 120, "postgresql": 30}

CLAIM_EVENTS = ["ClaimVerified", "ClaimVerified", "ClaimReturned", "ClaimAmended", "ClaimDisputed"]
event = st.tuples(
    st.sampled_from(REGIONS),
    st.sampled_from(
        ["RegionEnrolled", "RegionEnrolled", "RegionWithdrawn", "TrainingCompleted", "TrainingCompleted", "PlanSubmitted", "PlanSubmitted", "PlanWithdrawn"]
        + CLAIM_EVENTS
    ),
    st.sampled_from(MINISTRIES),
    st.integers(0, DAYS),
    st.sampled_from(["a", "b"]),
    st.integers(1, 40),  # for a claim event: the sequence of the event it names
)
story = st.tuples(
    st.lists(event, max_size=40),
    st.lists(st.tuples(st.integers(1, 12), st.booleans()), max_size=12),  # batch sizes, and whether the projector restarts after
    st.booleans(),  # a bulk load: back-dated regions' timelines made again at its end
)


# The first of a ministry's two plans withdrawn in a batch that does not name the other: which plan is first
# now is known only from all of them, which the projector does not hold.
WITHDRAWN_FIRST_OF_TWO_PLANS = (
    [("73.71", "PlanSubmitted", "kominfo", 3, "a", 1), ("73.71", "PlanSubmitted", "kominfo", 4, "b", 1), ("73.71", "PlanWithdrawn", "kominfo", 5, "a", 1)],
    [(2, False), (1, False)],
    False,
)
# A verified plan withdrawn in a batch that does not name its claim; a training verified, disputed, verified
# again on an earlier day (back-dated), then returned after a dispute.
VERIFIED_THEN_WITHDRAWN = (
    [
        ("73.71", "PlanSubmitted", "kominfo", 3, "a", 1),
        ("73.71", "ClaimVerified", "kominfo", 4, "a", 1),
        ("73.71", "TrainingCompleted", "kemendagri", 5, "a", 1),
        ("73.71", "ClaimVerified", "kemendagri", 6, "a", 3),
        ("73.71", "ClaimDisputed", "kemendagri", 8, "a", 3),
        ("73.71", "ClaimVerified", "kemendagri", 7, "a", 3),
        ("73.71", "PlanWithdrawn", "kominfo", 9, "a", 1),
        ("73.71", "ClaimDisputed", "kemendagri", 10, "a", 3),
        ("73.71", "ClaimReturned", "kemendagri", 11, "a", 3),
    ],
    [(2, True), (4, False), (1, False)],
    False,
)


def recorded_events(generated: list[tuple]) -> list:
    """The generated events as the projector reads them from the stream (sequence 1 on)."""
    made = []
    for seq, (region, event_type, ministry, day, plan_id, named) in enumerate(generated, start=1):
        data = _data(event_type, seq, plan_id, f"event-{named}")
        model = getattr(ev, event_type)(
            event_id=f"event-{seq}",
            region_code=region,
            ministry=ministry,
            reported_by="bappenas" if event_type.startswith("Claim") else ministry,
            occurred_on=FIRST_DAY + dt.timedelta(days=day),
            recorded_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
            submission_id=f"s-{seq}",
            data=data,
        )
        made.append(transaction.read(seq, ev.encode_event(model)))
    return made


def _data(event_type: str, seq: int, plan_id: str, claim_event_id: str) -> ev.EventData:
    if event_type == "ClaimVerified":
        return ev.ClaimVerifiedData(claim_event_id=claim_event_id)
    if event_type == "ClaimReturned":
        return ev.ClaimReturnedData(claim_event_id=claim_event_id, reason="bukti kurang")
    if event_type == "ClaimAmended":
        return ev.ClaimAmendedData(claim_event_id=claim_event_id, evidence=[EvidenceRef(sha256="a" * 64, name="daftar-hadir.pdf", public=False)])
    if event_type == "ClaimDisputed":
        return ev.ClaimDisputedData(claim_event_id=claim_event_id, reason="tidak ada pelatihan")
    if event_type == "RegionEnrolled":
        return ev.RegionEnrolledData(ppid_established=seq % 2 == 0)
    if event_type == "RegionWithdrawn":
        return ev.RegionWithdrawnData(reason="pindah")
    if event_type == "TrainingCompleted":
        return ev.TrainingCompletedData(session_id=f"s{seq}", participants=20)
    if event_type == "PlanSubmitted":
        return ev.PlanSubmittedData(plan_id=plan_id, title=f"Rencana {seq}", sectors=[Sector.KESEHATAN])
    return ev.PlanWithdrawnData(plan_id=plan_id, reason="direvisi")


def folded(recorded: list, day: dt.date | None = None) -> dict[rules.Key, int]:
    return rules.counts(states(recorded, day).values())


def states(recorded: list, day: dt.date | None = None) -> dict[str, rules.RegionState]:
    facts = (
        (
            r.seq,
            r.event["event_id"],
            r.event["region_code"],
            r.event["event_type"],
            r.event["ministry"],
            dt.date.fromisoformat(r.event["occurred_on"]),
            r.event["data"],
        )
        for r in recorded
    )
    return rules.fold(facts, day)


def claim_states(recorded: list) -> dict[str, str]:
    return {claim_id: str(claim.state) for state in states(recorded).values() for claim_id, claim in state.claims.items()}


def at_most_their_counts(counts: dict[rules.Key, int]) -> bool:
    return all(counts[(scope, verified)] <= counts[(scope, indicator)] for (scope, indicator), verified in _verified_keys())


def _verified_keys():
    return [((scope, indicator), rules.VERIFIED[indicator]) for scope, indicator in rules.zero() if indicator in rules.VERIFIED]


def rows_on(recorded: list, day: dt.date | None) -> list[dict]:
    standings = {code: region_rows.Standing.of(state.standing()) for code, state in states(recorded, day).items()}
    return [region_rows.region_row(region, standings.get(region.code)) for region in all_regions()]


def lineage_on(recorded: list, key: rules.Key, day: dt.date | None) -> dict[str, list[str]]:
    """Each region that `key` counts, with the events that make it count, by the rules alone."""
    made = {}
    for region in REGIONS:
        applied = [r.event for r in recorded if r.event["region_code"] == region]
        applied = [e for e in applied if day is None or dt.date.fromisoformat(e["occurred_on"]) <= day]
        facts = ((e["event_id"], e["event_type"], e["ministry"], dt.date.fromisoformat(e["occurred_on"]), e["data"]) for e in applied)
        event_ids = rules.lineage(facts).get(key)
        if event_ids is not None:
            made[region] = event_ids
    return made


def history_counts(series: list[dict], month: int) -> dict[rules.Key, int]:
    """The counts and verified counts of one month of the history."""
    counts = {}
    for one in series:
        point = one["points"][month]
        counts[(one["scope"], one["indicator"])] = point["count"]
        if point["verified"] is not None:
            counts[(one["scope"], rules.VERIFIED[one["indicator"]])] = point["verified"]
    return counts


def batches(recorded: list, sizes: list[tuple[int, bool]]):
    start = 0
    for size, restart in sizes:
        if start < len(recorded):
            yield recorded[start : start + size], restart
            start += size
    if start < len(recorded):
        yield recorded[start:], False


async def check_story(engine, writer: Writer, generated: list[tuple], sizes: list[tuple[int, bool]], bulk: bool) -> None:
    async with engine.begin() as connection:
        for table in tables.metadata.sorted_tables:
            await connection.execute(delete(table))
    recorded = recorded_events(generated)

    model = transaction.ReadModel()
    for batch, restart in batches(recorded, sizes):
        model.timelines.deferred = bulk
        await writer.transaction(transaction.apply, model, batch)
        if restart:
            async with engine.connect() as connection:
                model = await transaction.ReadModel.load(connection)
    model.timelines.deferred = False
    await writer.transaction(timeline.settle, model.timelines, model.regions)
    everything = folded(recorded)
    region_of = {r.event["event_id"]: r.event["region_code"] for r in recorded}
    assert model.tally == everything, "the projector's counts"

    # The counts change only on the days events occurred: each of them, and the day before, covers every day.
    occurred = {dt.date.fromisoformat(r.event["occurred_on"]) for r in recorded}
    days = sorted({FIRST_DAY, FIRST_DAY + dt.timedelta(days=DAYS)} | occurred | {day - dt.timedelta(days=1) for day in occurred})
    async with engine.connect() as connection:
        stored = await counting.indicators_body(connection)
        published = {(row["scope"], row["indicator"]): row["count"] for row in stored["indicators"]}
        published |= {(row["scope"], rules.VERIFIED[row["indicator"]]): row["verified"] for row in stored["indicators"] if row["verified"] is not None}
        assert published == everything, "indicator_count"
        assert await counting.live_counts(connection) == everything, "SQL over the region tables"
        for day in days:
            assert await counting.counts_as_of(connection, day) == folded(recorded, day), f"SQL over event_log as of {day}"
            assert at_most_their_counts(folded(recorded, day)), f"a verified count above its count on {day}"
        stored_claims = {claim_id: state for claim_id, state in await connection.execute(select(tables.claim.c.claim_event_id, tables.claim.c.state))}
        assert stored_claims == claim_states(recorded), "the claims' states"

        history = await monthly.history(connection, days[-1])
        for month, point in enumerate(history["series"][0]["points"]):
            day = dt.date.fromisoformat(point["as_of"])
            assert history_counts(history["series"], month) == folded(recorded, day), f"history at {day}"
        live = (await monthly.history(connection))["series"]
        assert history_counts(live, -1) == everything, "the history as it stands"

        assert await region_rows.all_rows(connection) == rows_on(recorded, None), "rows as they stand"
        for day in days:
            assert await region_rows.all_rows(connection, as_of=day) == rows_on(recorded, day), f"rows on {day}"
        for on in [None, *days]:  # the regions behind each count are as many as it says, with the events the rules name
            for key in everything:
                behind = await lineage.regions_counted(connection, key, on)
                assert {region["region_code"]: region["event_ids"] for region in behind} == lineage_on(recorded, key, on), f"lineage of {key} on {on}"
                assert all(region_of[event["event_id"]] == region["region_code"] for region in behind for event in region["events"])


class LoopThread:
    """An event loop in a thread of its own, so that hypothesis can drive async code example by example."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def run(self, coroutine, timeout: float = 120):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)


def test_the_fold_the_projector_the_sql_and_the_history_give_the_same_counts_on_every_day(database_url):
    loop = LoopThread()
    engine = create_engine(database_url)
    loop.run(migrate(engine))
    writer = Writer(engine)
    dialect = engine.dialect.name

    @settings(max_examples=EXAMPLES[dialect], deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(story)
    @example(WITHDRAWN_FIRST_OF_TWO_PLANS)
    @example(VERIFIED_THEN_WITHDRAWN)
    def agree(generated_story):
        loop.run(check_story(engine, writer, *generated_story))

    try:
        agree()
    finally:
        loop.run(writer.close())
        loop.run(engine.dispose())
        loop.loop.call_soon_threadsafe(loop.loop.stop)
