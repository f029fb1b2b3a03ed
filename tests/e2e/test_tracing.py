"""`ogi up --otlp`: a submission sent with a traceparent arrives at the collector as one trace that spans
the deciding service and the indicators service, and `ogi trace` finds it."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import nats
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest, ExportTraceServiceResponse

from ogi.embedded_nats import free_port
from tests.e2e.conftest import Ogi, free_http_port, run
from tests.support import eventually

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
TRACEPARENT = f"00-{TRACE_ID}-b7ad6b7169203331-01"


class Collector:
    """An OTLP/HTTP endpoint that keeps (service name, span name, trace id) of every span it receives."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, str, str]] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                request = ExportTraceServiceRequest.FromString(self.rfile.read(int(self.headers["Content-Length"])))
                for resource_spans in request.resource_spans:
                    service = next(a.value.string_value for a in resource_spans.resource.attributes if a.key == "service.name")
                    for scope_spans in resource_spans.scope_spans:
                        collector.spans.extend((service, span.name, span.trace_id.hex()) for span in scope_spans.spans)
                body = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def services_in(self, trace_id: str) -> set[str]:
        return {service for service, _, trace in self.spans if trace == trace_id}

    def names_in(self, trace_id: str) -> set[str]:
        return {name for _, name, trace in self.spans if trace == trace_id}


@pytest.fixture
def collector():
    running = Collector()
    yield running
    running.server.shutdown()


async def test_one_trace_reaches_the_collector_and_ogi_trace_finds_it(tmp_path, collector, monkeypatch):
    monkeypatch.setenv("OGI_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "100")  # export within a tenth of a second
    nats_port, http_port = free_port(), free_http_port()
    ogi = Ogi("up", "--data-dir", str(tmp_path / "data"), "--nats-port", str(nats_port), "--http-port", str(http_port), "--otlp", collector.url, cwd=tmp_path)
    try:
        await eventually(lambda: ogi.line_starting("Dashboard") or ogi.process.poll() is not None, timeout=60)
        assert ogi.line_starting("Dashboard"), ogi.output
        nc = await nats.connect(f"nats://127.0.0.1:{nats_port}")
        body = {"submission_id": "kdn-trace-1", "region_code": "73.71", "occurred_on": "2019-01-01"}
        await nc.jetstream().publish("ogi.inbox.kemendagri.region.enroll", json.dumps(body).encode(), headers={"traceparent": TRACEPARENT})
        await nc.close()

        # Each service exports its spans in batches of its own: wait for the very spans, not only for the services.
        await eventually(lambda: {"ogi-registry", "ogi-indicators"} <= collector.services_in(TRACE_ID), timeout=30)
        await eventually(lambda: {"decide region.enroll", "apply RegionEnrolled"} <= collector.names_in(TRACE_ID), timeout=30)

        api = f"http://127.0.0.1:{http_port}"
        await eventually(
            lambda: "in the indicators" in run("trace", "kdn-trace-1", "--nats-url", f"nats://127.0.0.1:{nats_port}", "--api-url", api, cwd=tmp_path).stdout
        )
        traced = run("trace", "kdn-trace-1", "--nats-url", f"nats://127.0.0.1:{nats_port}", "--api-url", api, "--json", cwd=tmp_path)
        assert traced.returncode == 0, traced.stderr
        (trail,) = json.loads(traced.stdout)
        assert trail["trace_id"] == TRACE_ID and trail["ministry"] == "kemendagri"
        assert [step["step"] for step in trail["path"]] == ["stored", "decided", "recorded", "answered", "counted"]
        assert trail["outcome"]["status"] == "accepted"
        by_event = run("trace", trail["outcome"]["event_id"], "--nats-url", f"nats://127.0.0.1:{nats_port}", "--api-url", api, "--json", cwd=tmp_path)
        assert json.loads(by_event.stdout)[0]["trace_id"] == TRACE_ID
        missing = run("trace", "no-such-id", "--nats-url", f"nats://127.0.0.1:{nats_port}", "--api-url", api, cwd=tmp_path)
        assert missing.returncode == 1 and "no submission 'no-such-id'" in missing.stderr
    finally:
        ogi.process.terminate()
        ogi.process.wait(30)
