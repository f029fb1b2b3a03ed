"""The peer: the same regions written the `eventsourcing` library's way (9.x, SQLite persistence), run
synchronously in one process. Append: each event as a command on a Region aggregate (get from the
repository, with its aggregate cache on; call the method; save, which checks the aggregate's version).
Projection: the application's notification log read in batches of 500 from position 1, each batch's
counts written to a SQLite table in one transaction with the position reached (the library's tracking
rule) — a smaller read model than ours (counts only, no event log or region rows); the docs say so."""

import sqlite3
import time
import uuid
from collections import Counter
from pathlib import Path

from bench import load
from shared.contracts import events as ev

BATCH = 500


def measure(directory: Path, total: int) -> dict:
    try:
        from eventsourcing.application import AggregateNotFoundError, Application
        from eventsourcing.domain import Aggregate, event
    except ImportError:
        return {"append_per_s": None, "projection_per_s": None, "note": "eventsourcing is not installed (pip install -e '.[bench]')"}

    class Region(Aggregate):
        @staticmethod
        def create_id(code: str) -> uuid.UUID:
            return uuid.uuid5(uuid.NAMESPACE_URL, f"region/{code}")

        @event("Enrolled")
        def __init__(self, code: str, ministry: str) -> None:
            self.code, self.ministry, self.enrolled, self.trainings, self.plans = code, ministry, True, 0, []

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

    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(directory / "peer.db"), "AGGREGATE_CACHE_MAXSIZE": "1000"}
    application = Application(env=env)
    started = time.perf_counter()
    for one in load.events(total):
        aggregate_id = Region.create_id(one.region_code)
        if isinstance(one, ev.RegionEnrolled):
            try:
                region = application.repository.get(aggregate_id)
                region.enroll(one.ministry)
            except AggregateNotFoundError:  # the first enrolment of this region
                region = Region(one.region_code, one.ministry)
        else:
            region = application.repository.get(aggregate_id)
            if isinstance(one, ev.TrainingCompleted):
                region.complete_training(one.data.session_id, one.data.participants)
            elif isinstance(one, ev.PlanSubmitted):
                region.submit_plan(one.data.plan_id, one.data.title)
            else:
                region.withdraw(one.data.reason)
        application.save(region)
    append_seconds = time.perf_counter() - started

    view = sqlite3.connect(directory / "peer-view.db")
    view.execute("PRAGMA journal_mode=WAL")
    view.execute("PRAGMA synchronous=FULL")
    view.execute("CREATE TABLE counts (name TEXT PRIMARY KEY, count INTEGER)")
    view.execute("CREATE TABLE tracking (position INTEGER)")
    view.execute("INSERT INTO tracking VALUES (0)")
    view.commit()
    counts: Counter = Counter()
    position, applied = 0, 0
    started = time.perf_counter()
    while True:
        notifications = application.recorder.select_notifications(start=position + 1, limit=BATCH)
        if not notifications:
            break
        for notification in notifications:
            domain_event = application.mapper.to_domain_event(notification)
            name = type(domain_event).__name__
            if name in ("Enrolled", "ReEnrolled"):
                counts["enrolled"] += 1
            elif name == "Withdrawn":
                counts["enrolled"] -= 1
            elif name == "TrainingCompleted":
                counts["trained"] += 1
            else:
                counts["plans"] += 1
        position, applied = notifications[-1].id, applied + len(notifications)
        with view:
            view.executemany("INSERT OR REPLACE INTO counts VALUES (?, ?)", counts.items())
            view.execute("UPDATE tracking SET position = ?", (position,))
    projection_seconds = time.perf_counter() - started
    view.close()
    application.close()
    return {"events": total, "append_per_s": round(total / append_seconds, 1), "projection_per_s": round(applied / projection_seconds, 1),
            "library": f"eventsourcing {_version()}"}


def _version() -> str:
    from importlib.metadata import version

    return version("eventsourcing")
