"""Anyone downloads a public evidence file from the indicators service; a private one (an attendance list)
only the ministry that named it and the secretariat, with their gateway tokens; to anyone else it is the same
404 as a file that does not exist. Files named by an amendment or a dispute are read the same way, by the
organisation that named them. The public read API shows a private file without its name."""

import base64
import hashlib

import pytest

from shared.evidence_store import EvidenceStore
from shared.observers import ObserverRegistry
from shared.tokens import TokenStore
from tests import evidence_files
from tests.support import eventually, new_id

MAKASSAR = "73.71"
ATTENDANCE = "Daftar hadir ToT — Budi Santoso dkk.xlsx"
PHOTO = "foto kegiatan (1).jpg"


@pytest.fixture
async def trained(sqlite_system):
    """Makassar trained by Kemendagri, naming a public photo and a private attendance list."""
    store = EvidenceStore(sqlite_system.nc)
    photo, attendance = evidence_files.jpeg(), evidence_files.xlsx()
    await store.put(photo, evidence_files.JPEG)
    await store.put(attendance, evidence_files.XLSX)
    kemendagri = sqlite_system.ministry("kemendagri")
    assert (await kemendagri.enroll(MAKASSAR)).status == "accepted"
    evidence = [
        {"sha256": hashlib.sha256(photo).hexdigest(), "name": PHOTO, "public": True},
        {"sha256": hashlib.sha256(attendance).hexdigest(), "name": ATTENDANCE, "public": False},
    ]
    training = {"submission_id": new_id(), "region_code": MAKASSAR, "occurred_on": "2019-04-02", "session_id": "tot-1", "participants": 30}
    outcome = await kemendagri.submit("training.complete", {**training, "evidence": evidence})
    assert outcome.status == "accepted", outcome
    sqlite_system.photo, sqlite_system.attendance, sqlite_system.training = photo, attendance, outcome
    return sqlite_system


async def bearer(system, organisation: str) -> dict:
    _, token = await TokenStore(system.nc).create(organisation)
    return {"Authorization": f"Bearer {token}"}


async def test_a_public_file_downloads_for_anyone_with_its_type_length_and_name(trained):
    response = await trained.http.get(f"/api/v1/evidence/{hashlib.sha256(trained.photo).hexdigest()}")
    assert response.status_code == 200, response.text
    assert response.content == trained.photo
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Content-Length"] == str(len(trained.photo))
    assert response.headers["Content-Disposition"] == "attachment; filename=\"foto kegiatan (1).jpg\"; filename*=UTF-8''foto%20kegiatan%20%281%29.jpg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    head = await trained.http.head(f"/api/v1/evidence/{hashlib.sha256(trained.photo).hexdigest()}")
    assert (head.status_code, head.content, head.headers["Content-Length"]) == (200, b"", str(len(trained.photo)))


async def test_a_private_file_is_the_naming_ministrys_and_the_secretariats_and_nobody_elses(trained):
    private = f"/api/v1/evidence/{hashlib.sha256(trained.attendance).hexdigest()}"
    for reader in ("kemendagri", "bappenas"):
        response = await trained.http.get(private, headers=await bearer(trained, reader))
        assert response.status_code == 200 and response.content == trained.attendance, reader
        assert "filename*=UTF-8''Daftar%20hadir%20ToT%20%E2%80%94%20Budi%20Santoso%20dkk.xlsx" in response.headers["Content-Disposition"]
        assert response.headers["Cache-Control"] == "private, no-store"

    nonexistent = await trained.http.get(f"/api/v1/evidence/{hashlib.sha256(b'never stored').hexdigest()}")
    uploaded_but_never_named = await EvidenceStore(trained.nc).put(evidence_files.pdf(), evidence_files.PDF)
    refusals = [
        await trained.http.get(private),
        await trained.http.get(private, headers=await bearer(trained, "kominfo")),
        await trained.http.get(private, headers=await bearer(trained, "ksp")),
        await trained.http.get(f"/api/v1/evidence/{uploaded_but_never_named[0].sha256}"),
    ]
    assert nonexistent.status_code == 404
    for refused in refusals:
        assert (refused.status_code, refused.content) == (404, nonexistent.content)
        assert sorted(refused.headers.items()) == sorted(nonexistent.headers.items())

    wrong = await trained.http.get(private, headers={"Authorization": "Bearer ogi_000000000000_" + "x" * 43})
    assert wrong.status_code == 401
    assert (await trained.http.get("/api/v1/evidence/NOT-A-SHA256")).status_code == 422


async def test_files_named_by_an_amendment_or_a_dispute_are_read_by_whoever_named_them(trained):
    await ObserverRegistry(trained.nc).add("tii", "Transparency International Indonesia")
    store = EvidenceStore(trained.nc)
    amended, disputed = evidence_files.pdf(), evidence_files.png()
    await store.put(amended, evidence_files.PDF)
    await store.put(disputed, evidence_files.PNG)
    claim = {"region_code": MAKASSAR, "occurred_on": "2019-05-01", "claim_event_id": trained.training.event_id}

    def private(content: bytes, name: str) -> list[dict]:
        return [{"sha256": hashlib.sha256(content).hexdigest(), "name": name, "public": False}]

    steps: list[tuple[str, str, dict]] = [
        ("bappenas", "claim.return", {"reason": "the attendance list is unsigned"}),
        ("kemendagri", "claim.amend", {"evidence": private(amended, "daftar hadir bertanda tangan.pdf")}),
        ("tii", "claim.dispute", {"reason": "fewer came", "evidence": private(disputed, "foto ruangan.png")}),
    ]
    for organisation, kind, fields in steps:
        outcome = await trained.ministry(organisation).submit(kind, {"submission_id": new_id(), **claim, **fields})
        assert outcome.status == "accepted", outcome

    for content, readers, others in ((amended, ("kemendagri", "bappenas"), ("tii", "kominfo")), (disputed, ("tii", "bappenas"), ("kemendagri",))):
        path = f"/api/v1/evidence/{hashlib.sha256(content).hexdigest()}"
        for reader in readers:
            response = await trained.http.get(path, headers=await bearer(trained, reader))
            assert (response.status_code, response.content) == (200, content), reader
        for other in (*others, None):
            response = await trained.http.get(path, headers=await bearer(trained, other) if other else None)
            assert response.status_code == 404, other


async def test_the_public_read_api_shows_a_private_file_without_its_name(trained):
    await trained.projected(trained.training.event_seq)
    event = (await trained.http.get(f"/api/v1/events/{trained.training.event_id}")).json()
    region = (await trained.http.get(f"/api/v1/regions/{MAKASSAR}/events")).json()
    for shown in (event["data"]["evidence"], region["events"][-1]["data"]["evidence"]):
        assert shown == [
            {"sha256": hashlib.sha256(trained.photo).hexdigest(), "name": PHOTO, "public": True},
            {"sha256": hashlib.sha256(trained.attendance).hexdigest(), "public": False},
        ]
    for path in ("/api/v1/open-data/regions.csv", "/api/v1/indicators/national/trained/regions", f"/api/v1/regions/{MAKASSAR}"):
        assert "Budi" not in (await trained.http.get(path)).text, path

    # The transparency log publishes each stored event as it is (CONTRACT.md 1.1): the private file's name
    # with it. The integrator's guide says so (docs/integration.md): a name must never name a person.
    seq = trained.training.event_seq
    entries = await eventually(lambda: _entries(trained, seq))
    assert "Budi" in base64.b64decode(entries[0]["body"]).decode()


async def _entries(system, seq):
    response = await system.http.get("/api/v1/log/entries", params={"start": seq, "end": seq})
    return response.json()["entries"] if response.status_code == 200 and response.json()["entries"][0]["body"] else None
