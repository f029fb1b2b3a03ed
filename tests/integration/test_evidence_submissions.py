"""A ministry names its evidence in a training or a plan: the files must be in OGI_EVIDENCE first, and the
accepted event carries the list; a file that is not there is `evidence_missing`, checked after
`not_permitted` and before the kind's own rules; a malformed list is `invalid`, naming the field."""

import hashlib

import pytest

from shared import subjects
from shared.contracts.events import PlanSubmitted
from shared.eventstore import EventStore
from shared.evidence_store import EvidenceStore
from tests import evidence_files
from tests.support import new_id

MAKASSAR = "73.71"


async def stored(system, content: bytes, media_type: str) -> str:
    file, _ = await EvidenceStore(system.nc).put(content, media_type)
    return file.sha256


def training(region: str = MAKASSAR, **fields) -> dict:
    return {"submission_id": new_id(), "region_code": region, "occurred_on": "2019-04-02", "session_id": "tot-1", "participants": 32, **fields}


@pytest.fixture
async def makassar(sqlite_system):
    assert (await sqlite_system.ministry("kemendagri").enroll(MAKASSAR)).status == "accepted"
    return sqlite_system


async def test_a_training_with_two_files_is_accepted_and_its_event_names_them(makassar):
    attendance = await stored(makassar, evidence_files.xlsx(), evidence_files.XLSX)
    photo = await stored(makassar, evidence_files.jpeg(), evidence_files.JPEG)
    evidence = [
        {"sha256": attendance, "name": "daftar-hadir-tot-makassar.xlsx", "public": False},
        {"sha256": photo, "name": "foto kegiatan (1).jpg", "public": True},
    ]
    outcome = await makassar.ministry("kemendagri").submit("training.complete", training(evidence=evidence))
    assert outcome.status == "accepted", outcome

    history = await EventStore(makassar.nc).read(subjects.region_history(MAKASSAR))
    event = next(stored.event for stored in history.events if stored.event.event_id == outcome.event_id)
    assert event.event_type == "TrainingCompleted" and event.schema_version == 2
    assert [ref.model_dump() for ref in event.data.evidence] == evidence

    plan = {
        "submission_id": new_id(),
        "region_code": MAKASSAR,
        "occurred_on": "2019-08-20",
        "plan_id": "ra-makassar-2019",
        "title": "Rencana Aksi Keterbukaan Pemerintah Kota Makassar",
        "sectors": ["pendidikan"],
        "evidence": [{"sha256": await stored(makassar, evidence_files.pdf(), evidence_files.PDF), "name": "rencana-aksi.pdf", "public": True}],
    }
    submitted = await makassar.ministry("kominfo").submit("plan.submit", plan)
    assert submitted.status == "accepted", submitted
    history = await EventStore(makassar.nc).read(subjects.region_history(MAKASSAR))
    plan_event = history.events[-1].event
    assert isinstance(plan_event, PlanSubmitted) and plan_event.data.evidence[0].name == "rencana-aksi.pdf"


async def test_a_file_not_uploaded_is_evidence_missing_after_not_permitted_and_before_the_rules(sqlite_system):
    absent = hashlib.sha256(b"never uploaded").hexdigest()
    present = await stored(sqlite_system, evidence_files.png(), evidence_files.PNG)
    evidence = [{"sha256": present, "name": "foto.png", "public": True}, {"sha256": absent, "name": "daftar-hadir.pdf", "public": False}]

    # Tana Toraja is not enrolled: the missing file decides first.
    missing = await sqlite_system.ministry("kemendagri").submit("training.complete", training("73.18", evidence=evidence))
    assert (missing.status, missing.code) == ("rejected", "evidence_missing")
    assert [(error.field, error.type) for error in missing.errors or []] == [("evidence.1.sha256", "evidence_missing")]

    # A related ministry may not submit at all, whatever its evidence.
    related = await sqlite_system.ministry("ksp").submit("training.complete", training("73.18", evidence=evidence))
    assert related.code == "not_permitted"

    # With every file there, the kind's own rules decide.
    evidence[1]["sha256"] = await stored(sqlite_system, evidence_files.pdf(), evidence_files.PDF)
    complete = await sqlite_system.ministry("kemendagri").submit("training.complete", training("73.18", evidence=evidence))
    assert complete.code == "not_enrolled"


async def test_malformed_evidence_is_invalid_naming_each_field(sqlite_system):
    kemendagri = sqlite_system.ministry("kemendagri")
    good = {"sha256": "a" * 64, "name": "foto.jpg", "public": True}
    cases = {
        "evidence.0.sha256": [{**good, "sha256": "A" * 64}],
        "evidence.0.public": [{**good, "public": "true"}],
        "evidence.0.name": [{**good, "name": "daftar\nhadir.pdf"}],
        "evidence.0.size": [{**good, "size": 12}],
        "evidence": [good, {**good, "name": "again.jpg"}],
    }
    for field, evidence in cases.items():
        outcome = await kemendagri.submit("training.complete", training(evidence=evidence))
        assert outcome.code == "invalid" and field in {error.field for error in outcome.errors or []}, (field, outcome)
    too_many = [{**good, "sha256": f"{index:064x}"} for index in range(11)]
    outcome = await kemendagri.submit("training.complete", training(evidence=too_many))
    assert outcome.code == "invalid" and [error.field for error in outcome.errors or []] == ["evidence"]
