"""The peer: the same regions written the `eventsourcing` library's way (9.x, SQLite persistence with the
library's defaults), run in one process.

Append: each event as a command on a Region aggregate (get from the repository, with its aggregate cache on;
call the method; save, which checks the aggregate's version).

Projection, the library's way: a `Projection` whose `process_event` hands each domain event to a view, a
`SQLiteTrackingRecorder` in its own SQLite file, which per event opens one transaction, adds to a count
(enrolled, trained, plans), records the tracking position and commits (WAL, SQLite's default synchronous).
A `ProjectionRunner` runs it over the application; timed from the runner's start to the last notification
processed. eventsourcing 9.5's SQLite recorder has no subscriptions (`subscribe` raises NotImplementedError;
only POPO and PostgreSQL have them), so the recorder here adds one: the library's own
`ListenNotifySubscription`, which reads what is recorded in batches of 500, as its PostgreSQL subscription
does, but is never told of new events — enough to catch up on a finished log, which is all this measures.

Projection by hand (`batched_projection_per_s`): the notification log read in batches of 500, counts written
once per batch with the position reached, by hand — the library's tracking rule without its per-event
transaction. Both are a smaller read model than ours (counts only, no event log or region rows).

The same peer on PostgreSQL is bench/peer_postgresql.py, sharing the classes and steps below."""

import functools
import sqlite3
import time
import uuid
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

from bench import load
from shared.contracts import events as ev

BATCH = 500
WAIT_SECONDS = 600


def measure(directory: Path, total: int) -> dict:
    try:
        library = classes()
    except ImportError:
        return {
            "append_per_s": None,
            "projection_per_s": None,
            "batched_projection_per_s": None,
            "note": "eventsourcing is not installed (pip install -e '.[bench]')",
        }
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(directory / "peer.db"),
        "AGGREGATE_CACHE_MAXSIZE": "1000",
        "APPLICATION_RECORDER_TOPIC": library.recorder_topic,
        "INDICATORCOUNTS_SQLITE_DBNAME": str(directory / "peer-view.db"),
    }
    application = library.Regions(env=env)
    append_seconds = append(application, library, total)
    last = application.recorder.max_notification_id()
    projection_seconds, counts = project(library, library.IndicatorCountsView, env, last)
    batched_seconds, batched_counts = _project_by_hand(application, directory / "peer-batched.db")
    application.close()
    if counts != batched_counts:
        raise RuntimeError(f"the peer's projections disagree: {counts} by the library, {batched_counts} by hand")
    return {
        "events": total,
        "append_per_s": round(total / append_seconds, 1),
        "projection_per_s": round(last / projection_seconds, 1),
        "batched_projection_per_s": round(last / batched_seconds, 1),
        "counts": counts,
        "library": f"eventsourcing {library_version()}",
    }


def append(application, library: SimpleNamespace, total: int) -> float:
    started = time.perf_counter()
    for one in load.events(total):
        aggregate_id = library.Region.create_id(one.region_code)
        if isinstance(one, ev.RegionEnrolled):
            try:
                region = application.repository.get(aggregate_id)
                region.enroll(one.ministry)
            except library.AggregateNotFoundError:  # the first enrolment of this region
                region = library.Region(one.region_code, one.ministry)
        else:
            region = application.repository.get(aggregate_id)
            if isinstance(one, ev.TrainingCompleted):
                region.complete_training(one.data.session_id, one.data.participants)
            elif isinstance(one, ev.PlanSubmitted):
                region.submit_plan(one.data.plan_id, one.data.title)
            elif isinstance(one, ev.RegionWithdrawn):
                region.withdraw(one.data.reason)
        application.save(region)
    return time.perf_counter() - started


def project(library: SimpleNamespace, view_class: type, env: dict, last: int) -> tuple[float, dict]:
    """The library's ProjectionRunner over `env`'s application into a `view_class` view, until the view has
    tracked notification `last`: the seconds from the runner's start to the last event processed, and the counts."""
    from eventsourcing.projection import ProjectionRunner

    started = time.perf_counter()
    with ProjectionRunner(application_class=library.Regions, projection_class=library.IndicatorCounts, view_class=view_class, env=env) as runner:
        runner.wait(last, timeout=WAIT_SECONDS)
        # wait() polls with a back-off of up to 0.8 s; the projection notes when it processed each event.
        seconds = runner.projection.processed_at - started  # type: ignore[attr-defined, unused-ignore]  # the runner's type names no projection subclass (Any without the bench extra)
        counts = runner.view.counts()
    runner.view.datastore.close()
    return seconds, counts


def _project_by_hand(application, path: Path) -> tuple[float, dict]:
    view = sqlite3.connect(path)
    view.execute("PRAGMA journal_mode=WAL")
    view.execute("PRAGMA synchronous=FULL")
    view.execute("CREATE TABLE counts (name TEXT PRIMARY KEY, count INTEGER)")
    view.execute("CREATE TABLE tracking (position INTEGER)")
    view.execute("INSERT INTO tracking VALUES (0)")
    view.commit()
    counts: Counter = Counter()
    position = 0
    started = time.perf_counter()
    while True:
        notifications = application.recorder.select_notifications(start=position + 1, limit=BATCH)
        if not notifications:
            break
        for notification in notifications:
            name, delta = COUNTED[type(application.mapper.to_domain_event(notification)).__name__]
            counts[name] += delta
        position = notifications[-1].id
        with view:
            view.executemany("INSERT OR REPLACE INTO counts VALUES (?, ?)", counts.items())
            view.execute("UPDATE tracking SET position = ?", (position,))
    seconds = time.perf_counter() - started
    view.close()
    return seconds, dict(counts)


# Region event class name → (count, change).
COUNTED = {
    "Enrolled": ("enrolled", 1),
    "ReEnrolled": ("enrolled", 1),
    "Withdrawn": ("enrolled", -1),
    "TrainingCompleted": ("trained", 1),
    "PlanSubmitted": ("plans", 1),
}
# The same counts from the bench's own events (a first enrolment and a later one count alike).
COUNTED_EVENTS = {
    ev.RegionEnrolled: COUNTED["Enrolled"],
    ev.RegionWithdrawn: COUNTED["Withdrawn"],
    ev.TrainingCompleted: COUNTED["TrainingCompleted"],
    ev.PlanSubmitted: COUNTED["PlanSubmitted"],
}


def counts_of(total: int) -> dict:
    """What the peer's view must hold after the first `total` of the bench's events."""
    counts: dict[str, int] = {}
    for one in load.events(total):
        name, change = COUNTED_EVENTS[type(one)]
        counts[name] = counts.get(name, 0) + change
    return counts


@functools.cache
def classes() -> SimpleNamespace:
    """The peer's classes, made once per process: the library's topic registry refuses a second class under
    the same name, and the library is an optional extra, so nothing here runs at import."""
    from eventsourcing.application import AggregateNotFoundError, Application
    from eventsourcing.dispatch import singledispatchmethod
    from eventsourcing.domain import Aggregate, event
    from eventsourcing.persistence import ListenNotifySubscription, Tracking
    from eventsourcing.projection import Projection
    from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteTrackingRecorder
    from eventsourcing.utils import get_topic

    class Region(Aggregate):
        @staticmethod
        def create_id(code: str) -> uuid.UUID:
            return uuid.uuid5(uuid.NAMESPACE_URL, f"region/{code}")

        @event("Enrolled")
        def __init__(self, code: str, ministry: str) -> None:
            self.code, self.ministry, self.enrolled, self.trainings = code, ministry, True, 0
            self.plans: list[str] = []

        @event("ReEnrolled")
        def enroll(self, ministry: str) -> None:
            self.ministry, self.enrolled = ministry, True

        @event("TrainingCompleted")
        def complete_training(self, session_id: str, participants: int) -> None:
            self.trainings += 1

        @event("PlanSubmitted")
        def submit_plan(self, plan_id: str, title: str) -> None:
            self.plans.append(plan_id)

        @event("Withdrawn")
        def withdraw(self, reason: str) -> None:
            self.enrolled = False

    class Regions(Application[uuid.UUID]):
        pass

    class SubscribableSQLiteRecorder(SQLiteApplicationRecorder):
        def subscribe(self, gt: int | None = None, topics=()) -> ListenNotifySubscription:
            return ListenNotifySubscription(recorder=self, gt=gt, topics=topics)

    class IndicatorCountsView(SQLiteTrackingRecorder):
        def construct_create_table_statements(self) -> list[str]:
            return [*super().construct_create_table_statements(), "CREATE TABLE IF NOT EXISTS indicator_counts (name TEXT PRIMARY KEY, count INTEGER NOT NULL)"]

        def add(self, name: str, change: int, tracking: Tracking) -> None:
            with self.datastore.transaction(commit=True) as cursor:
                cursor.execute("INSERT INTO indicator_counts VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET count = count + excluded.count", (name, change))
                self._insert_tracking(cursor, tracking)

        def counts(self) -> dict:
            with self.datastore.transaction(commit=False) as cursor:
                cursor.execute("SELECT name, count FROM indicator_counts")
                return {row["name"]: row["count"] for row in cursor.fetchall()}

    class IndicatorCounts(Projection[IndicatorCountsView]):
        processed_at = 0.0

        @singledispatchmethod
        def process_event(self, domain_event, tracking: Tracking) -> None:
            self.view.insert_tracking(tracking)
            self.processed_at = time.perf_counter()

        @process_event.register(Region.Enrolled)  # type: ignore[attr-defined, unused-ignore]  # made by eventsourcing from @event's names (Any without the bench extra)
        @process_event.register(Region.ReEnrolled)  # type: ignore[attr-defined, unused-ignore]  # as above
        def enrolled(self, _, tracking: Tracking) -> None:
            self.count("enrolled", 1, tracking)

        @process_event.register(Region.Withdrawn)  # type: ignore[attr-defined, unused-ignore]  # as above
        def withdrawn(self, _, tracking: Tracking) -> None:
            self.count("enrolled", -1, tracking)

        @process_event.register(Region.TrainingCompleted)  # type: ignore[attr-defined, unused-ignore]  # as above
        def trained(self, _, tracking: Tracking) -> None:
            self.count("trained", 1, tracking)

        @process_event.register(Region.PlanSubmitted)  # type: ignore[attr-defined, unused-ignore]  # as above
        def planned(self, _, tracking: Tracking) -> None:
            self.count("plans", 1, tracking)

        def count(self, name: str, change: int, tracking: Tracking) -> None:
            self.view.add(name, change, tracking)
            self.processed_at = time.perf_counter()

    return SimpleNamespace(
        Region=Region,
        Regions=Regions,
        AggregateNotFoundError=AggregateNotFoundError,
        IndicatorCounts=IndicatorCounts,
        IndicatorCountsView=IndicatorCountsView,
        recorder_topic=get_topic(SubscribableSQLiteRecorder),
    )


def library_version() -> str:
    from importlib.metadata import version

    return version("eventsourcing")
