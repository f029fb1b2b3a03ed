"""Scratch systems for one measurement each: a nats-server with `ogi up`'s settings on a free port with a
temporary store, the services as `ogi up` runs them, and scratch PostgreSQL databases."""

import os
import platform
import subprocess
import tempfile
import time
import uuid
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import asyncpg
import nats
from sqlalchemy.engine import make_url

from ogi import up
from ogi.embedded_nats import EmbeddedNats, free_port, nats_server_binary, port_is_free
from shared import streams
from shared.settings import Settings


def free_http_base(host: str = "127.0.0.1") -> int:
    """A port p with p .. p+4 free (one per `ogi up` service)."""
    while True:
        base = free_port(host)
        if base < 65000 and all(port_is_free(host, base + offset) for offset in range(5)):
            return base


@contextmanager
def scratch_nats():
    """An embedded nats-server as `ogi up` starts it (JetStream, `sync_interval: always`), streams declared."""
    with tempfile.TemporaryDirectory(prefix="ogi-bench-") as directory:
        server = EmbeddedNats(Path(directory) / "nats", free_port())
        server.start()
        try:
            yield server, Path(directory)
        finally:
            server.kill()


async def declare_streams(url: str) -> None:
    nc = await nats.connect(url)
    try:
        await streams.declare(nc)
    finally:
        await nc.close()


@contextmanager
def scratch_system(database_url: str | None = None):
    """`ogi up` itself (embedded NATS, one process per service) on free ports in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="ogi-bench-") as directory:
        settings = Settings(data_dir=Path(directory), nats_port=free_port(), http_port=free_http_base(), database_url=database_url)
        with services_output_to(Path(directory) / "services.log"):
            running = up.start(settings)
            try:
                yield running
            finally:
                up.stop(running)


@contextmanager
def services_output_to(log: Path):
    """The services inherit stdout and stderr and log every submission: send that to a file, not the table."""
    saved = os.dup(1), os.dup(2)
    with log.open("ab") as file:
        os.dup2(file.fileno(), 1)
        os.dup2(file.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


@asynccontextmanager
async def scratch_postgresql(admin_url: str):
    """A fresh database next to `admin_url`'s, dropped afterwards."""
    admin = make_url(admin_url).set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)
    name = f"ogi_bench_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        connection = await asyncpg.connect(dsn, timeout=5)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


def machine() -> dict:
    """What the machine is, and how fast its processor and its disk's syncs are at the moment: machines of
    one kind have run the same code at rates far apart, one bound by the processor, another by the disk."""
    version = subprocess.run([nats_server_binary(), "--version"], capture_output=True, text=True).stdout.strip()
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return {
        "cores": os.cpu_count(),
        "memory_mb": memory_kb // 1024,
        "python": platform.python_version(),
        "nats_server": version,
        "platform": platform.platform(),
        "python_loop_seconds": python_loop_seconds(),
        "synced_writes_per_s": synced_writes_per_s(Path(tempfile.gettempdir())),
    }


def python_loop_seconds(steps: int = 10_000_000) -> float:
    """Seconds for an empty Python loop of `steps` steps."""
    started = time.perf_counter()
    for _ in range(steps):
        pass
    return round(time.perf_counter() - started, 3)


def synced_writes_per_s(directory: Path, most: int = 2000, within: float = 1.0) -> int:
    """Writes of 400 bytes, each synced to disk before the next (what `sync_interval: always` asks of
    nats-server for each stored message), per second in `directory`, where the benchmarks keep their stores."""
    with tempfile.NamedTemporaryFile(dir=directory, prefix="ogi-bench-sync-") as file:
        done, started = 0, time.perf_counter()
        while done < most and time.perf_counter() - started < within:
            os.write(file.fileno(), b"x" * 400)
            os.fsync(file.fileno())
            done += 1
        return round(done / (time.perf_counter() - started))
