"""`ogi` run as a person runs it: a real process tree, its output read line by line."""

import subprocess
import sys
import threading
import time
from pathlib import Path

from ogi.embedded_nats import free_port, port_is_free
from ogi.up import HTTP_PORT_OFFSETS

OGI = str(Path(sys.executable).parent / "ogi")


def free_http_port() -> int:
    """A port from which `ogi up`'s five HTTP ports (this one and the next four) are all free."""
    for _ in range(100):
        base = free_port()
        if all(port_is_free("127.0.0.1", base + offset) for offset in HTTP_PORT_OFFSETS.values()):
            return base
    raise RuntimeError("no run of five free ports")


class Ogi:
    """`ogi` run as a person would run it, its output collected line by line."""

    # What the fixture that started it knows of it: where its servers listen, its credentials, a token.
    nats_url: str
    http: str
    credentials: Path
    token: str
    indicators: str
    gateway: str

    def __init__(self, *args: str, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen([OGI, *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout or ():
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def line_starting(self, prefix: str) -> str | None:
        return next((line for line in self.lines if line.startswith(prefix)), None)

    def wait_for(self, prefix: str, timeout: float = 60) -> None:
        """Until a line starting with `prefix` is printed; fails if the process ends or time runs out."""
        deadline = time.monotonic() + timeout
        while self.line_starting(prefix) is None:
            assert self.process.poll() is None, self.output
            assert time.monotonic() < deadline, self.output
            time.sleep(0.05)


def run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([OGI, *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=60)
