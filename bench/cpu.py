"""Processor time of the system's processes over a measurement, so that a figure says what bound it: on a
machine whose cores nats-server, five services and the load generator share, a rate is bound by the
processor when their total comes near the number of cores, and by something else (the disk's syncs) when
it does not. Read from /proc (Linux); elsewhere nothing is reported."""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ogi.up import Running

LOAD_GENERATOR = "load generator"
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def processes_of(running: Running) -> dict[str, int]:
    """The process ids of a running system (`ogi up`) and of this process, the load generator."""
    found = {name: child.pid for name, child in running.children.items()}
    if running.embedded is not None and running.embedded.process is not None:
        found["nats-server"] = running.embedded.process.pid
    return found | {LOAD_GENERATOR: os.getpid()}


def seconds_used(pid: int) -> float | None:
    """User and system time of a process so far, or None when it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND  # utime and stime, fields 14 and 15


@contextmanager
def cores_used(processes: dict[str, int]) -> Iterator[dict[str, float]]:
    """Fills the dict it yields, when the block ends, with the cores each process kept busy on average
    over the block (1.0: one core all the time) and their `total`."""
    before = {name: seconds_used(pid) for name, pid in processes.items()}
    started = time.perf_counter()
    used: dict[str, float] = {}
    yield used
    elapsed = time.perf_counter() - started
    for name, pid in processes.items():
        after, at_start = seconds_used(pid), before[name]
        if after is not None and at_start is not None and elapsed > 0:
            used[name] = round((after - at_start) / elapsed, 3)
    if used:
        used["total"] = round(sum(used.values()), 3)
