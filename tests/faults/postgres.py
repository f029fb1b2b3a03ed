"""A PostgreSQL server of the test's own, from this machine's PostgreSQL binaries, so a test may stop it
without touching the PostgreSQL other tests use. PostgreSQL refuses to run as root: as root, every
command runs as the `postgres` OS user on a directory that user owns."""

import asyncio
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import asyncpg

from ogi.embedded_nats import free_port

OS_USER = "postgres"


class PostgresMissing(RuntimeError):
    pass


def binaries() -> Path:
    candidates = []
    if pg_config := shutil.which("pg_config"):
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        candidates.append(found)
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for directory in candidates:
        if directory and all((Path(directory) / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(directory)
    raise PostgresMissing("no PostgreSQL server binaries (initdb, pg_ctl, postgres): install the postgresql package")


class PrivatePostgres:
    def __init__(self) -> None:
        self.bin = binaries()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            try:
                self.owner = pwd.getpwnam(OS_USER)
            except KeyError as error:
                raise PostgresMissing(f"running as root needs the {OS_USER!r} OS user to run PostgreSQL") from error
        # Not under pytest's tmp_path: that is private to root, and the server's user must reach its directory.
        self.directory = Path(tempfile.mkdtemp(prefix="ogi-faults-pg-"))
        self.data = self.directory / "data"
        self.log = self.directory / "postgres.log"
        self.port = free_port()

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str, timeout: float = 60.0) -> None:
        prefix = ["runuser", "-u", OS_USER, "--"] if self.as_root else []
        result = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {result.stdout}{result.stderr}\n{self.log_tail()}")

    def initialise(self) -> None:
        if self.as_root:
            os.chown(self.directory, self.owner.pw_uid, self.owner.pw_gid)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=on -c max_connections=100"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "30", "start")

    def stop(self) -> None:
        """A fast shutdown: open connections are cut, as when a database server goes away."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def destroy(self) -> None:
        if self.running():
            try:
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except RuntimeError:
                pass
        shutil.rmtree(self.directory, ignore_errors=True)

    async def create_database(self, name: str) -> str:
        deadline = time.monotonic() + 15
        while True:
            try:
                connection = await asyncpg.connect(self.admin_url, timeout=5)
                break
            except (OSError, asyncpg.PostgresError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        return self.url(name)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
