"""`ogi up --secure` from the outside: each ministry and service its own NATS user, its credentials in a
private file; a ministry with its file submits and reads its outcomes, every ministry watches the indicators,
a stranger cannot connect."""

import json
import os
import subprocess

import httpx
import pytest

from ogi.embedded_nats import free_port
from shared.natsconn import NatsUnreachable, connect
from tests.e2e.conftest import OGI, Ogi, free_http_port
from tests.support import eventually

USERS = ("admin", "kemendagri", "kominfo", "kemenpanrb", "bappenas", "ksp", "registry", "training", "plans", "indicators", "gateway")


@pytest.fixture
def secure_up(tmp_path):
    nats_port, http_port = free_port(), free_http_port()
    ogi = Ogi("up", "--secure", "--data-dir", str(tmp_path / "data"), "--nats-port", str(nats_port), "--http-port", str(http_port), cwd=tmp_path)
    ogi.wait_for("Ready")
    ogi.nats_url = f"nats://127.0.0.1:{nats_port}"
    ogi.credentials = tmp_path / "data" / "credentials"
    ogi.gateway = f"http://127.0.0.1:{http_port + 4}"
    yield ogi
    ogi.process.terminate()
    ogi.process.wait(30)


def national_enrolled(watching: Ogi) -> int | None:
    """The latest national count of enrolled regions `ogi indicators --watch --json` printed."""
    assert watching.process.poll() is None, watching.output
    values = [json.loads(line) for line in watching.lines if line.startswith("{")]
    counts = [value["count"] for value in values if (value["scope"], value["indicator"]) == ("national", "enrolled")]
    return counts[-1] if counts else None


async def test_secure_up_gives_each_user_a_private_file_and_refuses_strangers(secure_up):
    directory = secure_up.credentials
    assert secure_up.line_starting("NATS users") == f"NATS users {directory.resolve()}/<user>.json (OGI_NATS_CREDENTIALS)"
    assert directory.stat().st_mode & 0o777 == 0o700
    for user in USERS:
        path = directory / f"{user}.json"
        assert path.stat().st_mode & 0o777 == 0o600, user
        assert set(json.loads(path.read_text())) == {"user", "password"}

    with pytest.raises(NatsUnreachable, match="refused"):
        await connect(secure_up.nats_url, "stranger", timeout=1)

    nc = await connect(secure_up.nats_url, "kemendagri-system", credentials=directory / "kemendagri.json")
    try:
        outcome = await nc.subscribe("ogi.outcome.kemendagri.kdn-secure-1")
        body = {"submission_id": "kdn-secure-1", "region_code": "73.71", "occurred_on": "2019-03-14"}
        ack = await nc.jetstream().publish("ogi.inbox.kemendagri.region.enroll", json.dumps(body).encode(), stream="OGI_INBOX")
        received = json.loads((await outcome.next_msg(timeout=15)).data)
        assert (received["status"], received["submission_seq"]) == ("accepted", ack.seq)
    finally:
        await nc.close()

    # A related ministry watches the indicators change as a responsible one submits.
    as_ksp = {**os.environ, "OGI_NATS_CREDENTIALS": str(directory / "ksp.json")}
    watching = Ogi("indicators", "--watch", "--json", "--nats-url", secure_up.nats_url, cwd=directory.parent, env=as_ksp)
    try:
        await eventually(lambda: national_enrolled(watching) == 1, timeout=30)
        # `ogi submit` and `ogi outcomes` need no more than a ministry's own rights.
        as_kominfo = {**os.environ, "OGI_NATS_CREDENTIALS": str(directory / "kominfo.json")}
        submitted = subprocess.run(
            [OGI, "submit", "region.enroll", "--ministry", "kominfo", "--json", "-", "--nats-url", secure_up.nats_url],
            input='{"submission_id": "kmf-secure-1", "region_code": "32.73", "occurred_on": "2019-05-02"}',
            env=as_kominfo,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert submitted.returncode == 0, submitted.stderr
        assert json.loads(submitted.stdout)["status"] == "accepted"
        await eventually(lambda: national_enrolled(watching) == 2, timeout=30)
    finally:
        watching.process.terminate()
        watching.process.wait(10)
    recent = subprocess.run(
        [OGI, "outcomes", "--ministry", "kominfo", "--json", "--nats-url", secure_up.nats_url], env=as_kominfo, capture_output=True, text=True, timeout=30
    )
    assert recent.returncode == 0, recent.stderr
    assert [json.loads(line)["submission_id"] for line in recent.stdout.splitlines()] == ["kmf-secure-1"]

    # An operator command with a related ministry's file reads the indicators, and without one is refused.
    env = {**os.environ, "OGI_NATS_CREDENTIALS": str(directory / "bappenas.json")}
    command = [OGI, "indicators", "--nats-url", secure_up.nats_url, "--json"]
    shown = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
    assert shown.returncode == 0, shown.stderr
    assert "enrolled" in shown.stdout
    env.pop("OGI_NATS_CREDENTIALS")
    refused = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
    assert refused.returncode == 1 and "refused these credentials" in refused.stderr


async def test_an_officer_works_in_the_workspace_of_a_secure_system(secure_up):
    """The workspace under --secure: the operator makes an account with admin's file, and the gateway's own NATS
    user is enough for everything the officer then does."""
    as_admin = {**os.environ, "OGI_NATS_CREDENTIALS": str(secure_up.credentials / "admin.json")}
    made = subprocess.run(
        [OGI, "user", "add", "--org", "kominfo", "--email", "dewi@kominfo.go.id", "--json", "--nats-url", secure_up.nats_url],
        env=as_admin,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert made.returncode == 0, made.stderr
    code = json.loads(made.stdout)["code"]
    async with httpx.AsyncClient(base_url=secure_up.gateway, timeout=20) as browser:
        activated = await browser.post("/workspace/api/activation", json={"email": "dewi@kominfo.go.id", "code": code, "password": "a passphrase of hers"})
        assert activated.status_code == 200, activated.text
        csrf = {"X-CSRF-Token": activated.json()["csrf"]}
        uploaded = await browser.put("/workspace/api/evidence", content=b"%PDF-1.4\n% daftar hadir\n", headers={**csrf, "Content-Type": "application/pdf"})
        assert uploaded.status_code in (200, 201), uploaded.text
        body = {"submission_id": "ws-secure-1", "region_code": "73.72", "occurred_on": "2019-05-02"}
        accepted = await browser.post("/workspace/api/submissions/region.enroll", json=body, headers=csrf)
        assert accepted.status_code == 201, accepted.text
        mine = await browser.get("/workspace/api/outcomes")
        assert mine.status_code == 200, mine.text
        listed = [(o["submission_id"], o["region"]["name"]) for o in mine.json()["outcomes"]]
        assert ("ws-secure-1", "Kota Parepare") in listed


async def test_an_observer_registered_while_it_runs_gets_a_nats_user_of_its_own(secure_up, tmp_path):
    """The operator registers an observer with admin's file; `ogi up` makes its NATS user and reloads the server,
    and the observer's system disputes over NATS with the file it is given. A made-up observer cannot connect."""
    as_admin = {**os.environ, "OGI_NATS_CREDENTIALS": str(secure_up.credentials / "admin.json")}
    added = subprocess.run(
        [OGI, "observer", "add", "tii", "--name", "Transparency International Indonesia", "--nats-url", secure_up.nats_url],
        env=as_admin,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert added.returncode == 0, added.stderr
    credentials = secure_up.credentials / "tii.json"
    await eventually(lambda: secure_up.line_starting("observer tii:"), timeout=30)
    assert secure_up.line_starting("observer tii:") == f"observer tii: NATS user made, credentials {credentials.resolve()}"
    assert credentials.stat().st_mode & 0o777 == 0o600

    nc = await connect(secure_up.nats_url, "tii-system", credentials=credentials)
    try:
        outcome = await nc.subscribe("ogi.outcome.tii.tii-secure-1")
        body = {
            "submission_id": "tii-secure-1",
            "region_code": "73.71",
            "occurred_on": "2019-03-14",
            "claim_event_id": "00000000-0000-4000-8000-000000000000",
            "reason": "peserta lebih sedikit dari yang dilaporkan",
        }
        ack = await nc.jetstream().publish("ogi.inbox.tii.claim.dispute", json.dumps(body).encode(), stream="OGI_INBOX")
        received = json.loads((await outcome.next_msg(timeout=15)).data)
        assert (received["status"], received["code"], received["submission_seq"]) == ("rejected", "claim_not_found", ack.seq)
    finally:
        await nc.close()

    stranger = tmp_path / "infid.json"
    stranger.write_text(json.dumps({"user": "infid", "password": "made up"}))
    with pytest.raises(NatsUnreachable, match="refused"):
        await connect(secure_up.nats_url, "stranger", timeout=1, credentials=stranger)
