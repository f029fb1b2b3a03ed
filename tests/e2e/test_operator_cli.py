"""The operator's command line against a running `ogi up`: simulate, look, follow, rebuild; and one clear
line, not a traceback, when something is wrong."""

import json
import subprocess
import sys
import time

import httpx
import nats
import pytest

from ogi.embedded_nats import free_port, nats_server_binary
from tests.e2e.conftest import OGI, Ogi, free_http_port, run
from tests.support import eventually

# Every command that speaks to NATS.
COMMANDS = [
    ["indicators"],
    ["indicators", "--watch"],
    ["region", "73.71"],
    ["tail"],
    ["outcomes", "--ministry", "kominfo"],
    ["simulate", "--speed", "0"],
    ["trace", "kdn-1"],
    ["submit", "region.enroll", "--ministry", "kominfo", "--json", "-"],
    ["token", "create", "--ministry", "kominfo"],
    ["token", "list"],
    ["user", "add", "--org", "kominfo", "--email", "sari@kominfo.go.id"],
    ["user", "list"],
]


def ogi_json(*args, cwd):
    result = run(*args, "--json", cwd=cwd)
    assert result.returncode == 0, result.stderr + result.stdout
    return json.loads(result.stdout)


def counts_of(rows) -> dict:
    return {f"{row['scope']}.{row['indicator']}": row["count"] for row in rows}


def test_simulate_then_look_into_the_system(ogi_up, tmp_path):
    nats_url, api = ["--nats-url", ogi_up.nats_url], ["--api-url", ogi_up.http]
    summary = ogi_json("simulate", "--seed", "11", "--speed", "0", *nats_url, *api, cwd=tmp_path)
    final = counts_of(summary["indicators"])
    assert final["national.trained"] >= 100 and final["national.plans"] >= 50

    assert counts_of(ogi_json("indicators", *nats_url, cwd=tmp_path)) == final
    early = counts_of(ogi_json("indicators", "--as-of", "2018-12-31", *api, cwd=tmp_path))
    assert 0 < early["national.enrolled"] < final["national.enrolled"] + 5 and early["national.plans"] < final["national.plans"]

    rejected = run("outcomes", "--ministry", "kemendagri", "--rejected", "--json", *nats_url, cwd=tmp_path).stdout.splitlines()
    rejected += run("outcomes", "--ministry", "kominfo", "--rejected", "--json", *nats_url, cwd=tmp_path).stdout.splitlines()
    codes = {json.loads(line)["code"] for line in rejected}
    assert {"invalid", "malformed"} <= codes

    rebuilt = ogi_json("rebuild", "--data-dir", str(tmp_path / "data"), *nats_url, *api, cwd=tmp_path)
    applied = httpx.get(f"{ogi_up.http}/api/v1/indicators").json()["as_of_seq"]
    assert rebuilt["equal"] is True and rebuilt["position"] == applied and rebuilt["differing_tables"] == []
    assert not list((tmp_path / "data").glob("*.rebuild.db*")), "the copy compared is not left behind"

    events = ogi_json("region", "73.71", *nats_url, cwd=tmp_path)
    assert events["name"] == "Kota Makassar"
    assert [event["seq"] for event in events["events"]] == sorted(event["seq"] for event in events["events"])


async def test_tail_shows_an_event_as_it_is_recorded(ogi_up, tmp_path):
    tail = subprocess.Popen([OGI, "tail", "--json", "--limit", "1", "--nats-url", ogi_up.nats_url], cwd=tmp_path, stdout=subprocess.PIPE, text=True)
    nc = await nats.connect(ogi_up.nats_url)
    try:
        sent: list[str] = []
        regions = iter(["11.01", "11.02", "11.03", "11.04", "11.05", "11.06", "11.07", "11.08", "11.09", "11.10"] * 10)

        async def enrol_until_tail_prints():
            if tail.poll() is not None:
                return True
            code = next(regions)
            body = {"submission_id": f"tail-{len(sent)}", "region_code": code, "occurred_on": "2019-01-01"}
            await nc.jetstream().publish("ogi.inbox.kominfo.region.enroll", json.dumps(body).encode())
            sent.append(body["submission_id"])
            return False

        await eventually(enrol_until_tail_prints, timeout=30, interval=0.2)
    finally:
        await nc.close()
    assert tail.stdout is not None
    event = json.loads(tail.stdout.readline())
    assert event["event_type"] == "RegionEnrolled" and event["submission_id"] in sent and event["reported_by"] == "kominfo"
    assert tail.wait(10) == 0


def test_ogi_up_demo_fills_the_system_by_itself(tmp_path):
    http_port = free_http_port()
    ogi = Ogi("up", "--demo", "--data-dir", str(tmp_path / "data"), "--nats-port", str(free_port()), "--http-port", str(http_port), cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert ogi.process.poll() is None and time.monotonic() < deadline, ogi.output
            try:
                national = counts_of(httpx.get(f"http://127.0.0.1:{http_port}/api/v1/indicators", timeout=1).json()["indicators"])
                if national["national.trained"] > 0:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
    finally:
        ogi.process.terminate()
        assert ogi.process.wait(30) == 0, ogi.output


@pytest.mark.parametrize("args", COMMANDS)
def test_an_unreachable_nats_is_one_clear_line(tmp_path, args):
    result = subprocess.run([OGI, *args, "--nats-url", f"nats://127.0.0.1:{free_port()}"], cwd=tmp_path, input="{}", capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: cannot reach NATS at nats://127.0.0.1:")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["indicators", "--as-of", "31-12-2019"], "'31-12-2019' is not a date"),
        (["region", "99.99"], "'99.99' is not a known kabupaten/kota code"),
        (["tail", "--region", "nowhere"], "'nowhere' is not a known kabupaten/kota code"),
        (["outcomes", "--ministry", "kemenkeu"], "unknown ministry 'kemenkeu'"),
        (["user", "add", "--org", "kemendagr", "--email", "a@kemendagri.go.id"], "unknown ministry 'kemendagr': did you mean kemendagri?"),
    ],
)
def test_mistakes_are_one_clear_line(tmp_path, args, message):
    result = subprocess.run([OGI, *args], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


@pytest.fixture(params=["with JetStream", "without JetStream"])
def foreign_nats(request, tmp_path):
    """A NATS server that is not an OGI system: nothing declared, and perhaps not even JetStream."""
    binary = nats_server_binary()
    port = free_port()
    args = [binary, "-a", "127.0.0.1", "-p", str(port)] + (["-js", "-sd", str(tmp_path / "js")] if request.param == "with JetStream" else [])
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"nats://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while subprocess.run([sys.executable, "-c", f"import socket; socket.create_connection(('127.0.0.1', {port}), 0.2)"], capture_output=True).returncode:
        assert time.monotonic() < deadline, "nats-server did not start"
    yield url
    process.kill()
    process.wait()


@pytest.mark.parametrize("args", COMMANDS)
def test_a_nats_that_is_not_an_ogi_system_is_one_clear_line(tmp_path, foreign_nats, args):
    result = subprocess.run([OGI, *args, "--nats-url", foreign_nats], cwd=tmp_path, input="{}", capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.strip().startswith(f"error: NATS at {foreign_nats} is not an OGI Tracker system"), result.stderr
    assert "--nats-url" in result.stderr and len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stdout + result.stderr


def test_rebuild_where_there_is_no_read_model_says_so_and_leaves_nothing_behind(tmp_path):
    result = subprocess.run([OGI, "rebuild", "--nats-url", f"nats://127.0.0.1:{free_port()}"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and f"no read model at {tmp_path / '.ogi'}" in result.stderr, result.stderr
    assert "--data-dir" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_misspelt_ministry_is_one_line_that_suggests_the_right_one(tmp_path):
    result = subprocess.run(
        [OGI, "submit", "region.enroll", "--ministry", "kemdagri", "--json", "-"], cwd=tmp_path, input="{}", capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1 and "unknown ministry 'kemdagri': did you mean kemendagri?" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_api_that_does_not_answer_names_the_option_that_points_at_it(tmp_path, ogi_up):
    nats_url, nowhere = ["--nats-url", ogi_up.nats_url], ["--api-url", f"http://127.0.0.1:{free_port()}"]
    enrolment = json.dumps({"submission_id": "kdn-api-1", "region_code": "73.71", "occurred_on": "2019-03-14"})
    assert (
        subprocess.run(
            [OGI, "submit", "region.enroll", "--ministry", "kemendagri", "--json", "-", *nats_url],
            cwd=tmp_path,
            input=enrolment,
            capture_output=True,
            text=True,
            timeout=60,
        ).returncode
        == 0
    )
    for args in (["trace", "kdn-api-1"], ["indicators", "--as-of", "2019-06-30"]):
        result = subprocess.run([OGI, *args, *nats_url, *nowhere], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert "did not answer" in result.stdout + result.stderr and "--api-url" in result.stdout + result.stderr, result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr


def test_an_operator_makes_an_account_and_the_person_signs_in_with_its_code(ogi_up, tmp_path):
    nats_url = ["--nats-url", ogi_up.nats_url]
    workspace = ogi_up.http.rsplit(":", 1)[0] + f":{int(ogi_up.http.rsplit(':', 1)[1]) + 4}/workspace/"
    made = ogi_json("user", "add", "--org", "kemendagri", "--email", "Rina@Kemendagri.go.id", "--workspace-url", workspace, *nats_url, cwd=tmp_path)
    assert made["email"] == "rina@kemendagri.go.id" and made["link"].startswith(f"{workspace}#aktivasi?email=rina%40kemendagri.go.id&kode=")
    unregistered = run("user", "add", "--org", "tii", "--email", "a@ti.or.id", *nats_url, cwd=tmp_path)
    assert unregistered.returncode == 1 and "'tii' is not a registered observer" in unregistered.stderr
    again = run("user", "add", "--org", "kominfo", "--email", "rina@kemendagri.go.id", *nats_url, cwd=tmp_path)
    assert again.returncode == 1 and "has an account already" in again.stderr and len(again.stderr.strip().splitlines()) == 1

    activation = {"email": made["email"], "code": made["code"], "password": "the officer's own passphrase"}
    signed_in = httpx.post(f"{workspace}api/activation", json=activation)
    assert signed_in.status_code == 200 and signed_in.json()["person"]["id"] == made["id"], signed_in.text
    listed = {person["id"]: person for person in ogi_json("user", "list", *nats_url, cwd=tmp_path)}
    assert listed[made["id"]]["state"] == "active" and listed[made["id"]]["organisation"] == "kemendagri"

    assert run("user", "disable", made["id"], *nats_url, cwd=tmp_path).returncode == 0
    session = httpx.get(f"{workspace}api/session", cookies=signed_in.cookies)
    assert session.status_code == 401, "a disabled account's sessions end at once"
    assert {person["id"]: person for person in ogi_json("user", "list", *nats_url, cwd=tmp_path)}[made["id"]]["state"] == "disabled"
