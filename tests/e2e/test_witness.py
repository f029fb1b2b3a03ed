"""A witness, run by anyone over HTTP: registered by the operator, it cosigns each new checkpoint once it has
checked that it extends the last one it saw, the log shows its cosignatures, and a checkpoint that forks
from the one it saw is refused."""

from pathlib import Path

import httpx
import nats

from services.indicators.tlog.checkpoint import Checkpoint, sign_checkpoint
from services.indicators.tlog.keys import Ed25519Signer
from shared import subjects
from tests.e2e.conftest import run
from tests.e2e.test_verify import checkpoint, submit_story


def witness(api: str, state: Path, cwd: Path, *args: str):
    return run("log", "witness", "--url", api, "--state", str(state), "--once", *args, cwd=cwd)


async def cosignatures_kept(nats_url: str) -> int:
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jetstream().stream_info(subjects.LOG_STREAM, subjects_filter=subjects.log_cosignature("*"))
        return sum((info.state.subjects or {}).values())
    finally:
        await nc.close()


async def test_a_registered_witness_cosigns_what_extends_what_it_saw_and_refuses_a_fork(ogi_up, tmp_path):
    state = tmp_path / "witness"
    submit_story(ogi_up.nats_url, tmp_path, "a")
    checkpoint(ogi_up.nats_url, tmp_path)

    unregistered = witness(ogi_up.http, state, tmp_path, "--name", "tii.or.id/witness")
    assert unregistered.returncode == 1 and "no cosignature of a registered witness" in unregistered.stderr, unregistered.stderr
    vkey = unregistered.stdout.split("ogi log witnesses add ", 1)[1].split("`")[0]
    assert run("log", "witnesses", "add", vkey, "--nats-url", ogi_up.nats_url, cwd=tmp_path).returncode == 0

    first = witness(ogi_up.http, state, tmp_path)
    assert first.returncode == 0 and "cosigned the checkpoint of 4 events" in first.stdout, first.stdout + first.stderr
    shown = httpx.get(f"{ogi_up.http}/api/v1/log/cosignatures").json()["witnesses"]
    assert [(entry["name"], entry["at"] is not None) for entry in shown] == [("tii.or.id/witness", True)]
    for _ in range(3):  # posted again, by anyone: taken, and kept once
        again = httpx.post(f"{ogi_up.http}/api/v1/log/cosignatures", content=shown[0]["cosigned"].encode())
        assert again.status_code == 201 and again.json()["cosigned_by"].keys() == {"tii.or.id/witness"}
    assert await cosignatures_kept(ogi_up.nats_url) == 1

    submit_story(ogi_up.nats_url, tmp_path, "b")
    size = int(checkpoint(ogi_up.nats_url, tmp_path).split("\n")[1])
    grown = witness(ogi_up.http, state, tmp_path)
    assert grown.returncode == 0 and f"cosigned the checkpoint of {size} events" in grown.stdout, grown.stdout + grown.stderr
    assert witness(ogi_up.http, state, tmp_path).stdout.strip().endswith(f"nothing new at the checkpoint of {size} events")

    # The log signs another history of the same size (its key taken): what the witness saw proves the fork.
    signer = Ed25519Signer.from_private_key((tmp_path / "data" / "log-signing.key").read_text().strip())
    (state / "checkpoint").write_text(sign_checkpoint(Checkpoint(signer.name, size, b"\x01" * 32), signer))
    forked = witness(ogi_up.http, state, tmp_path)
    assert forked.returncode == 1 and f"refused: the log forked: two checkpoints of {size} events with different roots" in forked.stderr
    (kept,) = httpx.get(f"{ogi_up.http}/api/v1/log/cosignatures").json()["witnesses"]
    assert kept["cosigned"].split("\n")[1] == str(size)  # the log still shows the last one it cosigned
