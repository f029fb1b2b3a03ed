"""A full disk under `ogi up`: nothing is said to be stored that was not, every service says so on /readyz
and in a metric, operators get one line from each command, and once space is freed the system takes
submissions again without anyone restarting it. What was acknowledged before is all still there.

The data dir is a small tmpfs of the test's own (mounting needs root, as CI runs)."""

import json
import os
import subprocess
from pathlib import Path

import httpx
import nats
import pytest

from ogi.embedded_nats import free_port
from tests.e2e.conftest import OGI, Ogi, free_http_port
from tests.support import eventually

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]

DISK_MB = 48


@pytest.fixture
def small_disk(tmp_path):
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("the disk-full test mounts a tmpfs, which needs root (as CI runs)")
        pytest.skip("mounting a tmpfs needs root")
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(mount_point)], check=True)
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path) -> Path:
    """Everything the disk has left, in one file."""
    junk = disk / "junk"
    with open(junk, "wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 65536)
        except OSError:
            pass
    return junk


def submit(nats_url: str, body: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [OGI, "submit", "region.enroll", "--ministry", "kominfo", "--json", "-", "--nats-url", nats_url, "--timeout", "5"],
        input=json.dumps(body),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


def enrolment(number: int, code: str) -> dict:
    return {"submission_id": f"disk-{number}", "region_code": code, "occurred_on": "2019-05-02"}


async def test_a_full_disk_is_reported_and_the_system_takes_submissions_again_once_space_is_back(small_disk, tmp_path, figures):
    nats_port, http_port = free_port(), free_http_port()
    ogi = Ogi("up", "--data-dir", str(small_disk / "data"), "--nats-port", str(nats_port), "--http-port", str(http_port), cwd=tmp_path)
    nats_url, api, registry = f"nats://127.0.0.1:{nats_port}", f"http://127.0.0.1:{http_port}", f"http://127.0.0.1:{http_port + 1}"
    try:
        ogi.wait_for("Ready")
        before = submit(nats_url, enrolment(1, "32.73"), tmp_path)
        assert before.returncode == 0 and json.loads(before.stdout)["status"] == "accepted", before.stderr

        junk = fill(small_disk)
        # Writes may still find room in pages the store holds already: large ones use them up.
        stored = 1 + await _publish_until_refused(nats_url)
        refused = submit(nats_url, enrolment(2, "35.78"), tmp_path)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "most likely not stored" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1 and "Traceback" not in refused.stderr

        async def registry_says_nats_cannot_write() -> bool:
            response = httpx.get(f"{registry}/readyz", timeout=5)
            return response.status_code == 503 and "no space left" in response.json()["checks"].get("nats server", "")

        await eventually(registry_says_nats_cannot_write, timeout=30)
        assert "ogi_nats_server_healthy 0.0" in httpx.get(f"{registry}/metrics", timeout=5).text
        token = subprocess.run([OGI, "token", "create", "--ministry", "kominfo", "--nats-url", nats_url], capture_output=True, text=True, timeout=60)
        assert token.returncode == 1 and len(token.stderr.strip().splitlines()) == 1 and "Traceback" not in token.stderr, token.stderr
        await eventually(lambda: ogi.line_starting("NATS cannot write to") is not None, timeout=30)

        junk.unlink()
        await eventually(lambda: ogi.line_starting("space is back: restarting NATS") is not None, timeout=60)

        async def takes_submissions_again() -> bool:
            again = submit(nats_url, enrolment(100, "36.01"), tmp_path)  # the same each time: once stored, a resend is its duplicate
            return again.returncode == 0 and json.loads(again.stdout)["status"] in ("accepted", "duplicate")

        await eventually(takes_submissions_again, timeout=90, interval=1)
        # The one stored before the disk filled and the one after (the large ones are malformed): nothing stored is lost.
        await eventually(lambda: _enrolled(api) == 2, timeout=60)
        assert ogi.process.poll() is None, ogi.output
        figures.append(f"disk full: {stored} stored, then one refused in one line and reported on /readyz; taken again after NATS restarted by itself")
    finally:
        ogi.process.terminate()
        ogi.process.wait(30)


async def _publish_until_refused(nats_url: str) -> int:
    """Large bodies into an inbox until NATS stops storing them; how many it stored."""
    nc = await nats.connect(nats_url)
    try:
        for stored in range(500):
            try:
                await nc.jetstream().publish("ogi.inbox.kominfo.region.enroll", b" " * 60_000, timeout=2)
            except nats.errors.Error:
                return stored
        raise AssertionError("NATS stored 500 large bodies on a full disk")
    finally:
        await nc.close()


def _enrolled(api: str) -> int:
    rows = httpx.get(f"{api}/api/v1/indicators", timeout=5).json()["indicators"]
    return next(row["count"] for row in rows if (row["scope"], row["indicator"]) == ("national", "enrolled"))
