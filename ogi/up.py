"""`ogi up`: the whole system on one machine. NATS (embedded unless a URL is given: a server or a cluster,
whose streams get --replicas copies), then one process per service, supervised: if one dies, everything
stops; Ctrl-C or SIGTERM stops it all cleanly."""

import asyncio
import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from ogi import accounts, permissions
from ogi import credentials as credential_files
from ogi.embedded_nats import EmbeddedNats, NatsStartError, port_is_free
from ogi.observer_users import ObserverUsers, ObserverWatch
from ogi.orphans import stop_with_parent
from ogi.storage_watch import StorageWatch
from services.indicators.readmodel.db import async_url
from shared import account_mirrors, streams, subjects
from shared.natsconn import CREDENTIALS_VARIABLE, connect
from shared.observers import ObserverRegistry
from shared.settings import Settings

SERVICES = ("registry", "training", "plans", "verification", "indicators", "gateway")
# Each service's HTTP side (probes, /metrics; the gateway's API) listens on the HTTP port plus this offset.
HTTP_PORT_OFFSETS = {"indicators": 0, "registry": 1, "training": 2, "plans": 3, "gateway": 4, "verification": 5}
LOCK_FILE = "ogi-up.lock"
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


class UpError(RuntimeError):
    """Something a person can act on; printed as one line, no traceback."""


@dataclass
class Running:
    nats_url: str
    dashboard_url: str
    gateway_url: str
    workspace_url: str
    embedded: EmbeddedNats | None
    children: dict[str, subprocess.Popen]
    demo: subprocess.Popen | None = None
    credentials: Path | None = None  # with --secure: one file per NATS user
    lock: IO | None = None  # held while this `ogi up` runs on its data dir
    observer_users: ObserverUsers | None = None  # with --secure on the embedded server

    def credentials_of(self, user: str) -> dict[str, str]:
        """The environment that makes a child connect as `user` (nothing without --secure)."""
        if self.credentials is None:
            return {}
        return {CREDENTIALS_VARIABLE: str(credential_files.credentials_file(self.credentials, user).resolve())}


def start(settings: Settings, otlp: str | None = None, secure: bool = False) -> Running:
    """Start everything and wait until it is ready; `otlp` is a collector URL to export traces to.
    `secure`: NATS accounts and users with least privilege (docs/security.md), credentials under <data-dir>/credentials."""
    if settings.replicas > 1 and settings.nats_url is None:
        raise UpError(
            f"--replicas {settings.replicas} needs a NATS cluster of at least {settings.replicas} servers: "
            "give them with --nats-url nats://a:4222,nats://b:4222,… (the embedded server is a single node)"
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lock = _lock(settings.data_dir)
    for service, offset in HTTP_PORT_OFFSETS.items():
        port = settings.http_port + offset
        if not port_is_free(settings.http_host, port):
            raise UpError(f"HTTP port {port} (for the {service} service) is already in use: choose another with --http-port")
    embedded = None
    credentials = settings.data_dir / "credentials" if secure else None
    authorization = _authorization(credentials, generate=settings.nats_url is None) if credentials is not None else None
    if settings.nats_url is None:
        embedded = EmbeddedNats(settings.data_dir / "nats", settings.nats_port, authorization=authorization)
        if not port_is_free(embedded.host, embedded.port):
            raise UpError(
                f"NATS port {settings.nats_port} is already in use (another NATS server?): choose another with --nats-port, or use that server with --nats-url"
            )
        embedded.start()
    base = f"http://{settings.http_host}"
    gateway_base = f"{base}:{settings.http_port + HTTP_PORT_OFFSETS['gateway']}"
    dashboard = f"{base}:{settings.http_port}/"
    running = Running(
        settings.resolved_nats_url,
        dashboard,
        f"{gateway_base}/api/v1/submissions/",
        f"{gateway_base}/workspace/",
        embedded,
        {},
        credentials=credentials,
        lock=lock,
    )
    try:
        admin = credential_files.credentials_file(credentials, permissions.ADMIN) if credentials else None
        registered = asyncio.run(_prepare_streams(settings, admin))
        if embedded is not None and credentials is not None:
            running.observer_users = ObserverUsers(embedded, credentials)
            running.observer_users.add(registered)
        monitor = {"OGI_NATS_MONITOR_URL": embedded.monitor_url} if embedded is not None else {}
        # The workspace links a region to its page on the dashboard, and reads the claims from the indicators API.
        links = {"OGI_GATEWAY_DASHBOARD_URL": dashboard, "OGI_GATEWAY_INDICATORS_URL": dashboard.rstrip("/")}
        for name in SERVICES:
            running.children[name] = _spawn(name, settings, otlp, running.credentials_of(name) | monitor | links)
        _wait_until_ready(running, settings)
    except BaseException:
        stop(running)
        raise
    return running


def _lock(data_dir: Path) -> IO:
    """One `ogi up` per data dir: a second would rewrite the first's NATS configuration and run a second
    server on its store. The lock goes with the process, however it ends."""
    handle = open(data_dir / LOCK_FILE, "a+")  # held open for the life of the process
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise UpError(f"another `ogi up` (pid {holder}) runs on {data_dir}: stop it first, or give this one another --data-dir") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def _authorization(directory: Path, generate: bool) -> str:
    """The server's accounts and users, their files made on first start; a server of its own (--nats-url)
    must already run with them (deploy/nats/auth.conf)."""
    if not generate and not credential_files.credentials_file(directory, permissions.ADMIN).exists():
        raise UpError(f"no NATS credentials in {directory}: make them with `python -m ogi.credentials {directory}`")
    return accounts.server_config(credential_files.ensure(directory))


async def _prepare_streams(settings: Settings, admin: Path | None) -> list[str]:
    """Declare the streams and the ministries' mirrors; return the registered observers' ids."""
    try:
        nc = await connect(settings.resolved_nats_url, name="ogi-up", credentials=admin)
    except Exception as error:
        raise UpError(str(error)) from error
    try:
        await streams.declare(nc, settings.replicas, settings.duplicate_window)
        await account_mirrors.declare(nc, settings.replicas)
        return [observer.id for observer in await ObserverRegistry(nc).all()]
    except streams.StreamMismatch as error:
        raise UpError(str(error)) from error
    finally:
        await nc.close()


def _spawn(service: str, settings: Settings, otlp: str | None, environment: dict[str, str]) -> subprocess.Popen:
    tracing = {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": otlp} if otlp else {}
    env = {
        **os.environ,
        **tracing,
        **environment,
        "OTEL_SERVICE_NAME": f"ogi-{service}",
        "OGI_DATA_DIR": str(settings.data_dir.resolve()),
        "OGI_NATS_URL": settings.resolved_nats_url,
        "OGI_DATABASE_URL": async_url(settings.resolved_database_url),
        "OGI_HTTP_HOST": settings.http_host,
        "OGI_HTTP_PORT": str(settings.http_port + HTTP_PORT_OFFSETS[service]),
        "OGI_REPLICAS": str(settings.replicas),
        "OGI_DUPLICATE_WINDOW": str(settings.duplicate_window),
    }
    # A session of its own: Ctrl-C reaches `ogi up` alone, which stops the services before NATS.
    # -P: the working directory stays off sys.path, so a folder named like a package there cannot shadow it.
    return subprocess.Popen([sys.executable, "-P", "-m", f"services.{service}"], env=env, start_new_session=True, preexec_fn=stop_with_parent)


def _wait_until_ready(running: Running, settings: Settings) -> None:
    """Ready when the indicators service (which checks the deciding services) and the gateway both are."""
    deadline = time.monotonic() + READY_TIMEOUT
    base = f"http://{settings.http_host}"
    waiting = [f"{base}:{settings.http_port + HTTP_PORT_OFFSETS[name]}/healthz" for name in ("indicators", "gateway")]
    while waiting and time.monotonic() < deadline:
        _check_children(running)
        try:
            if httpx.get(waiting[0], timeout=1.0).status_code == 200:
                waiting.pop(0)
                continue
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    if waiting:
        raise UpError(f"the services were not ready within {READY_TIMEOUT:.0f} s ({waiting[0]})")


def _check_children(running: Running) -> None:
    for name, child in running.children.items():
        if child.poll() is not None:
            raise UpError(f"the {name} service exited with status {child.returncode}")


def start_demo(running: Running) -> None:
    """`ogi simulate` against this system, in a process of its own that may end before the system does."""
    command = [sys.executable, "-P", "-m", "ogi", "simulate", "--nats-url", running.nats_url, "--api-url", running.dashboard_url.rstrip("/")]
    env = {**os.environ, **running.credentials_of(permissions.ADMIN)}
    running.demo = subprocess.Popen(command, env=env, start_new_session=True, preexec_fn=stop_with_parent)


def supervise(running: Running, say: Callable[[str], None]) -> None:
    """Block until SIGINT/SIGTERM or a service dies; then stop everything. Meanwhile the embedded NATS
    server's store is watched (storage_watch.py), and `say` tells what happened to it; under --secure, each
    observer registered meanwhile gets its NATS user (observer_users.py), told in one line."""
    stopping = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.append(True))
    storage = StorageWatch(running.embedded, say) if running.embedded is not None else None
    observers = _watch_observers(running)
    try:
        while not stopping:
            _check_children(running)
            if storage is not None:
                storage.tick()
            if observers is not None and running.observer_users is not None:
                _give_observers_users(observers, running.observer_users, say)
            time.sleep(0.2)
    finally:
        if observers is not None:
            observers.stop()
        stop(running)


def _watch_observers(running: Running) -> ObserverWatch | None:
    if running.observer_users is None or running.credentials is None:
        return None
    watch = ObserverWatch(running.nats_url, credential_files.credentials_file(running.credentials, permissions.ADMIN))
    watch.start()
    return watch


def _give_observers_users(watch: ObserverWatch, users: ObserverUsers, say: Callable[[str], None]) -> None:
    if watch.failure is not None:
        say(f"observers: cannot follow KV {subjects.OBSERVERS_BUCKET} ({watch.failure}); one registered from now on gets its NATS user at the next start")
        watch.failure = None
    try:
        for line in users.add(watch.registered()):
            say(line)
    except NatsStartError as error:  # the server runs on with the users it had
        say(f"observers: {error}")


def stop(running: Running) -> None:
    if running.demo is not None and running.demo.poll() is None:
        running.demo.terminate()
    for child in running.children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in running.children.values():
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    if running.embedded is not None:
        running.embedded.stop()
    if running.lock is not None:
        running.lock.close()
