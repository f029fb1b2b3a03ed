"""The processor time `ogi bench` reports beside its figures (bench/cpu.py)."""

import os
import subprocess
import time

from bench import cpu


def busy_for(seconds: float) -> None:
    """Keep this process's processor busy until it has used `seconds` more of it (with a deadline)."""
    start, deadline = _seconds_used(os.getpid()), time.monotonic() + 30
    while _seconds_used(os.getpid()) - start < seconds and time.monotonic() < deadline:
        sum(range(10_000))


def _seconds_used(pid: int) -> float:
    used = cpu.seconds_used(pid)
    assert used is not None, f"no processor time read for {pid}"
    return used


def test_a_busy_process_counts_and_an_idle_one_does_not():
    idle = subprocess.Popen(["sleep", "60"])
    try:
        processes = {"busy": os.getpid(), "idle": idle.pid}
        with cpu.cores_used(processes) as cores:
            busy_for(0.2)
    finally:
        idle.kill()
        idle.wait()
    assert cores["busy"] > 0.2
    assert cores["idle"] < 0.05
    assert cores["total"] == round(cores["busy"] + cores["idle"], 3)


def test_a_process_gone_before_the_end_is_left_out():
    gone = subprocess.Popen(["true"])
    with cpu.cores_used({"here": os.getpid(), "gone": gone.pid}) as cores:
        gone.wait()
        busy_for(0.05)
    assert set(cores) == {"here", "total"}
