"""`ogi up` from the outside, as a ministry system and an operator meet it: a real process tree, raw
nats-py on the inbox, outcomes from OGI_OUTCOMES, counts from HTTP and the KV bucket."""

import json
import signal
import socket

import httpx
import nats
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy

from ogi.embedded_nats import free_port
from tests.e2e.conftest import free_http_port, run
from tests.support import eventually


async def test_a_ministry_scenario_over_raw_nats_gives_the_contracts_counts(ogi_up, tmp_path):
    assert ogi_up.line_starting("NATS") == f"NATS       {ogi_up.nats_url}"
    assert ogi_up.line_starting("Dashboard") == f"Dashboard  {ogi_up.http}/"
    assert httpx.get(f"{ogi_up.http}/healthz").status_code == 200

    nc = await nats.connect(ogi_up.nats_url)
    js = nc.jetstream()
    outcomes = {}

    async def on_outcome(message):
        outcome = json.loads(message.data)
        outcomes[outcome["submission_seq"]] = outcome
        await message.ack()

    await js.subscribe("ogi.outcome.>", stream="OGI_OUTCOMES", cb=on_outcome, config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL))

    async def send(ministry: str, kind: str, body: dict) -> dict:
        ack = await js.publish(f"ogi.inbox.{ministry}.{kind}", json.dumps(body).encode(), headers={"Nats-Msg-Id": body["submission_id"]})
        return await eventually(lambda: outcomes.get(ack.seq))

    def region(code, n, **extra):
        return {"submission_id": f"{code.replace('.', '')}-{n}", "region_code": code, "occurred_on": f"2019-05-0{n}", **extra}

    for code in ("73.71", "91.01", "11.01"):
        assert (await send("kemendagri", "region.enroll", region(code, 1, ppid_established=True)))["status"] == "accepted"
    assert (await send("kominfo", "region.enroll", region("32.73", 1)))["status"] == "accepted"
    for code, ministry in (("73.71", "kemendagri"), ("91.01", "kominfo"), ("32.73", "kominfo")):
        assert (await send(ministry, "training.complete", region(code, 2, session_id="tot-1", participants=30)))["status"] == "accepted"
    plan = await send("kominfo", "plan.submit", region("32.73", 3, plan_id="ra-2019", title="Rencana aksi OGI", sectors=["kesehatan"]))
    withdrawn = await send("kemendagri", "region.withdraw", region("11.01", 4, reason="moved to next cycle"))
    rejected = await send("ksp", "region.enroll", region("35.78", 1))
    assert (plan["status"], withdrawn["status"], rejected["code"]) == ("accepted", "accepted", "not_permitted")

    expected = {
        "national.enrolled": 3,
        "national.trained": 3,
        "national.plans": 1,
        "kemendagri.enrolled": 2,
        "kemendagri.trained": 2,
        "kemendagri.plans": 0,
        "kominfo.enrolled": 1,
        "kominfo.trained": 1,
        "kominfo.plans": 1,
    }

    def http_counts():
        body = httpx.get(f"{ogi_up.http}/api/v1/indicators").json()
        return {f"{row['scope']}.{row['indicator']}": row["count"] for row in body["indicators"]}

    await eventually(lambda: http_counts() == expected)
    bucket = await js.key_value("OGI_INDICATORS")
    for key, count in expected.items():
        assert json.loads((await bucket.get(key)).value or b"")["count"] == count
    await nc.close()

    printed = run("indicators", "--nats-url", ogi_up.nats_url, "--json", cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert {f"{row['scope']}.{row['indicator']}": row["count"] for row in json.loads(printed.stdout)} == expected

    ogi_up.process.send_signal(signal.SIGTERM)
    assert ogi_up.process.wait(30) == 0, ogi_up.output
    assert "Traceback" not in ogi_up.output
    assert ogi_up.lines[-1] == "stopped"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(ogi_up.nats_url.rsplit(":", 1)[1])), timeout=1)


def test_ogi_submit_prints_the_outcome(ogi_up, tmp_path):
    body = json.dumps({"submission_id": "cli-1", "region_code": "73.71", "occurred_on": "2019-01-01"})
    accepted = run("submit", "region.enroll", "--ministry", "kemendagri", "--json", "-", "--nats-url", ogi_up.nats_url, cwd=tmp_path, stdin=body)
    assert accepted.returncode == 0, accepted.stderr
    assert json.loads(accepted.stdout)["status"] == "accepted"
    duplicate = run("submit", "region.enroll", "--ministry", "kemendagri", "--json", "-", "--nats-url", ogi_up.nats_url, cwd=tmp_path, stdin=body)
    assert json.loads(duplicate.stdout)["status"] == "duplicate"  # the same file again, at once
    invalid = run(
        "submit", "training.complete", "--ministry", "kominfo", "--json", "-", "--nats-url", ogi_up.nats_url, cwd=tmp_path, stdin='{"submission_id": "cli-2"}'
    )
    assert invalid.returncode == 2
    assert json.loads(invalid.stdout)["code"] == "invalid"


def test_a_taken_port_is_one_clear_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for flag in ("--http-port", "--nats-port"):
            other = "--nats-port" if flag == "--http-port" else "--http-port"
            spare = free_http_port() if other == "--http-port" else free_port()
            result = run("up", "--data-dir", str(tmp_path), flag, str(port), other, str(spare), cwd=tmp_path)
            assert result.returncode == 1
            assert f"port {port}" in result.stderr and "is already in use" in result.stderr
            assert "Traceback" not in result.stderr + result.stdout


def test_unreachable_nats_is_one_clear_line(tmp_path):
    result = run("up", "--data-dir", str(tmp_path), "--nats-url", f"nats://127.0.0.1:{free_port()}", "--http-port", str(free_http_port()), cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot reach NATS" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    indicators = run("indicators", "--nats-url", f"nats://127.0.0.1:{free_port()}", cwd=tmp_path)
    assert indicators.returncode == 1 and "cannot reach NATS" in indicators.stderr


def test_a_second_ogi_up_on_the_same_data_dir_is_refused_in_one_line(ogi_up, tmp_path):
    second = run("up", "--data-dir", str(tmp_path / "data"), "--nats-port", str(free_port()), "--http-port", str(free_http_port()), cwd=tmp_path)
    assert second.returncode == 1, second.stdout + second.stderr
    assert f"another `ogi up` (pid {ogi_up.process.pid}) runs on {tmp_path / 'data'}" in second.stderr
    assert len(second.stderr.strip().splitlines()) == 1 and "Traceback" not in second.stderr
    assert httpx.get(f"{ogi_up.http}/healthz").status_code == 200  # the first one goes on, its NATS configuration untouched
