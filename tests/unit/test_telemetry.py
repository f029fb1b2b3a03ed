"""What a service's tracer records, by the OTEL_* variables (each case in a process of its own: a tracer
provider is set once per process)."""

import json
import os
import subprocess
import sys

import pytest

from shared import telemetry

REPORT = """
import json
from opentelemetry import propagate
from shared import telemetry
telemetry.configure("probe")
sampled_parent = propagate.extract({"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"})
with telemetry.tracer.start_as_current_span("root") as root:
    seen = {"root_recorded": root.is_recording(), "trace_id": telemetry.current_trace_id()}
with telemetry.tracer.start_as_current_span("child", context=sampled_parent) as child:
    seen |= {"child_recorded": child.is_recording(), "child_trace_id": telemetry.current_trace_id()}
with telemetry.publishing("ogi.x") as headers:
    seen["root_publish"] = headers.get("traceparent")
with telemetry.tracer.start_as_current_span("unrecorded", context=propagate.extract(
        {"traceparent": "00-1af7651916cd43dd8448eb211c80319c-c7ad6b7169203331-00"})) as unrecorded:
    with telemetry.publishing("ogi.x") as headers:
        seen |= {"inner_publish": headers.get("traceparent"), "inner_span_id": format(unrecorded.get_span_context().span_id, "016x")}
    with telemetry.step("decide") as step:
        seen["inner_step_is_current"] = step is unrecorded
print("seen", json.dumps(seen), flush=True)
"""


def report(**variables) -> dict:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("OTEL_")} | variables
    result = subprocess.run([sys.executable, "-c", REPORT], env=environment, capture_output=True, text=True, timeout=60, check=True)
    return json.loads(next(line for line in result.stdout.splitlines() if line.startswith("seen "))[5:])


def test_without_an_exporter_a_trace_starting_here_is_not_recorded_but_has_an_id():
    seen = report()
    assert seen["root_recorded"] is False
    assert seen["trace_id"] is not None and len(seen["trace_id"]) == 32 and int(seen["trace_id"], 16) != 0
    # A trace a ministry sampled stays sampled, in the same trace.
    assert seen["child_recorded"] is True
    assert seen["child_trace_id"] == "0af7651916cd43dd8448eb211c80319c"


@pytest.mark.parametrize("variables", [{"OTEL_TRACES_EXPORTER": "console"}, {"OTEL_TRACES_SAMPLER": "always_on"}], ids=["exporter", "sampler"])
def test_an_exporter_or_a_chosen_sampler_records_every_trace(variables):
    seen = report(**variables)
    assert seen["root_recorded"] is True and seen["child_recorded"] is True


@pytest.mark.parametrize("variables", [{}, {"OTEL_TRACES_EXPORTER": "console"}], ids=["no exporter", "exporter"])
def test_every_publish_carries_a_trace_context_onward_and_an_unrecorded_trace_gets_no_child_spans(variables):
    seen = report(**variables)
    # A publish outside any trace starts one.
    assert seen["root_publish"] and int(seen["root_publish"].split("-")[1], 16) != 0
    # Inside a trace that is not recorded, the publish carries that trace on, naming its current span.
    assert seen["inner_publish"] == f"00-1af7651916cd43dd8448eb211c80319c-{seen['inner_span_id']}-00"
    # ... and a step of it is that span too, not a child that nothing records.
    assert seen["inner_step_is_current"] is True


def test_headers_no_propagator_can_read_leave_a_message_outside_any_trace(monkeypatch):
    def unreadable(carrier, *args, **kwargs):
        raise ValueError("a propagator that fails on what a client sent")

    monkeypatch.setattr(telemetry.propagate, "extract", unreadable)
    processed = False
    with telemetry.consuming("ogi.inbox.kominfo.region.enroll", {"traceparent": "00-zz"}):
        processed = True
    assert processed
