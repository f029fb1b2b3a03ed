"""`ogi verify` as a citizen runs it, against `ogi up` over HTTP alone: it passes on an honest system, and
fails naming the sequence or the count when a stored event's bytes are altered on disk, when an event is
removed from the store, or when a published count is altered in the read model."""

import asyncio
import json
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import nats

from ogi.embedded_nats import free_port
from shared import subjects
from tests.e2e.conftest import OGI, Ogi, free_http_port, run

STORY: list[tuple[str, str, dict[str, object]]] = [
    ("kemendagri", "region.enroll", {"region_code": "73.71", "occurred_on": "2019-03-14"}),
    ("kominfo", "region.enroll", {"region_code": "32.73", "occurred_on": "2019-04-01"}),
    ("kemendagri", "training.complete", {"region_code": "73.71", "occurred_on": "2019-04-02", "session_id": "tot-1", "participants": 30}),
    ("kemendagri", "plan.submit", {"region_code": "73.71", "occurred_on": "2019-08-20", "plan_id": "ra-1", "title": "Rencana aksi", "sectors": ["kesehatan"]}),
]


def submit_story(nats_url: str, cwd: Path, prefix: str) -> None:
    for number, (ministry, kind, fields) in enumerate(STORY):
        body = json.dumps({"submission_id": f"{prefix}-{number}", **fields})
        result = run("submit", kind, "--ministry", ministry, "--json", "-", "--nats-url", nats_url, cwd=cwd, stdin=body)
        assert result.returncode in (0, 2), result.stderr  # 2: rejected (a second enrolment), still an event-free outcome


def verify(api: str, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([OGI, "verify", "--url", api, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def checkpoint(nats_url: str, cwd: Path) -> str:
    result = run("log", "checkpoint", "--nats-url", nats_url, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_verify_passes_on_an_honest_system_and_names_an_altered_count(ogi_up, tmp_path):
    submit_story(ogi_up.nats_url, tmp_path, "v")
    note = checkpoint(ogi_up.nats_url, tmp_path)
    assert note.startswith("ogi-tracker.local/log\n4\n") or note.split("\n")[1].isdigit()
    kept = tmp_path / "kept.txt"
    honest = verify(ogi_up.http, tmp_path, "--save", str(kept))
    assert honest.returncode == 0, honest.stdout + honest.stderr
    assert "the nine published counts and their verified counts are what the counting rules give" in honest.stdout and kept.read_text() == note

    submit_story(ogi_up.nats_url, tmp_path, "w")  # the same story again: duplicates and refusals, and more events
    checkpoint(ogi_up.nats_url, tmp_path)
    extended = verify(ogi_up.http, tmp_path, "--checkpoint", str(kept))
    assert extended.returncode == 0 and "is a prefix of the latest" in extended.stdout, extended.stdout

    database = sqlite3.connect(tmp_path / "data" / "ogi.db")
    with database:
        database.execute("UPDATE indicator_count SET count = count + 1 WHERE scope = 'national' AND indicator = 'enrolled'")
    altered = verify(ogi_up.http, tmp_path)
    assert altered.returncode == 1
    assert "fails  national.enrolled: published 3, but the events up to" in altered.stdout and "give 2" in altered.stdout, altered.stdout


def verify_claim(nats_url: str, api: str, region: str) -> None:
    """The secretariat verifies the region's pending training claim (over NATS, as its system would), and the
    verification is projected."""

    async def publish() -> None:
        claim = next(c for c in httpx.get(f"{api}/api/v1/claims", params={"region": region}).json()["claims"] if c["kind"] == "training")
        body = {
            "submission_id": f"verify-{region.replace('.', '')}",
            "region_code": region,
            "occurred_on": "2019-09-02",
            "claim_event_id": claim["claim_event_id"],
        }
        connection = await nats.connect(nats_url)
        try:
            outcome = await connection.subscribe(f"ogi.outcome.bappenas.{body['submission_id']}")
            await connection.jetstream().publish(subjects.inbox("bappenas", "claim.verify"), json.dumps(body).encode())
            answer = json.loads((await outcome.next_msg(timeout=30)).data)
            assert answer["status"] == "accepted", answer
        finally:
            await connection.close()

    asyncio.run(publish())
    deadline = time.monotonic() + 30
    while not httpx.get(f"{api}/api/v1/claims", params={"state": "verified", "region": region}).json()["claims"]:
        assert time.monotonic() < deadline, "the verification was not projected"
        time.sleep(0.05)


def test_verify_recomputes_the_verified_counts_and_names_an_altered_one(ogi_up, tmp_path):
    submit_story(ogi_up.nats_url, tmp_path, "c")
    verify_claim(ogi_up.nats_url, ogi_up.http, "73.71")
    trained = {row["scope"]: row["verified"] for row in httpx.get(f"{ogi_up.http}/api/v1/indicators").json()["indicators"] if row["indicator"] == "trained"}
    assert trained == {"national": 1, "kemendagri": 1, "kominfo": 0}
    checkpoint(ogi_up.nats_url, tmp_path)
    honest = verify(ogi_up.http, tmp_path)
    assert honest.returncode == 0, honest.stdout + honest.stderr
    assert "their verified counts are what the counting rules give" in honest.stdout

    database = sqlite3.connect(tmp_path / "data" / "ogi.db")
    with database:
        database.execute("UPDATE indicator_count SET count = count + 1 WHERE scope = 'kominfo' AND indicator = 'trained.verified'")
    altered = verify(ogi_up.http, tmp_path)
    assert altered.returncode == 1
    assert "kominfo.trained verified: published 1, but the events up to" in altered.stdout and "give 0" in altered.stdout, altered.stdout


def up(data: Path, cwd: Path) -> tuple[Ogi, str, str]:
    """`ogi up` on `data`, on ports of its own (those of a stopped one may still be held a while)."""
    nats_port, http_port = free_port(), free_http_port()
    ogi = Ogi("up", "--data-dir", str(data), "--nats-port", str(nats_port), "--http-port", str(http_port), cwd=cwd)
    return ogi, f"nats://127.0.0.1:{nats_port}", f"http://127.0.0.1:{http_port}"


def test_verify_names_the_sequence_of_an_event_altered_on_disk_and_of_one_removed(tmp_path):
    ogi, nats_url, api = up(tmp_path / "data", tmp_path)
    try:
        ogi.wait_for("Ready")
        submit_story(nats_url, tmp_path, "d")
        checkpoint(nats_url, tmp_path)
        assert verify(api, tmp_path).returncode == 0
    finally:
        stop(ogi)

    blocks = sorted((tmp_path / "data" / "nats" / "jetstream").glob("*/streams/OGI_EVENTS/msgs/*.blk"))
    original = blocks[-1].read_bytes()
    store = bytearray(original)
    training = store.find(b'"submission_id":"d-2"')  # the third event: the training
    store[training + 20] ^= 0x01
    blocks[-1].write_bytes(bytes(store))

    ogi, nats_url, api = up(tmp_path / "data", tmp_path)
    try:
        ogi.wait_for("Ready")
        altered = verify(api, tmp_path)
        assert altered.returncode == 1
        assert "fails  sequence 3: the event store no longer holds this event" in altered.stdout, altered.stdout
    finally:
        stop(ogi)

    plan = original.rfind(b'"submission_id":"d-3"')  # the fourth and last event: the plan
    record = original.rfind(b"ogi.events.", 0, plan) - 22  # a record's length, sequence, time and subject length come first
    blocks[-1].write_bytes(original[:record])  # the store as it was, but cut before the plan

    ogi, nats_url, api = up(tmp_path / "data", tmp_path)
    try:
        ogi.wait_for("Ready")
        removed = verify(api, tmp_path)
        assert removed.returncode == 1
        assert "fails  sequence 4: the event store no longer holds this event" in removed.stdout, removed.stdout
        assert httpx.get(f"{api}/livez").status_code == 200
    finally:
        stop(ogi)


def stop(ogi: Ogi) -> None:
    ogi.process.terminate()
    ogi.process.wait(30)
