"""What an operator sees of a submission: one trace across services, exact metrics, logs with trace ids."""

import io
import json
import logging

from shared.logs import JsonFormatter
from tests.support import eventually, new_id

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
MINISTRY_SPAN = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{MINISTRY_SPAN}-01"


def in_trace(exporter, trace_id: str) -> list:
    return [span for span in exporter.get_finished_spans() if format(span.context.trace_id, "032x") == trace_id]


async def finished(exporter, predicate):
    """The finished span matching `predicate`: spans end after the work the test waits for returns."""
    return await eventually(lambda: next((span for span in exporter.get_finished_spans() if predicate(span)), None))


def ancestors(span, by_id) -> list[str]:
    """Names of the span's ancestors within the exported spans, nearest first; the last parent id too."""
    chain = []
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        chain.append(span.name)
    chain.append(format(span.parent.span_id, "016x") if span.parent else None)
    return chain


async def test_one_trace_runs_from_the_ministrys_publish_through_the_projector(sqlite_system, spans):
    kemendagri = sqlite_system.ministry("kemendagri")
    body = {"submission_id": new_id(), "region_code": "73.71", "occurred_on": "2019-01-01"}
    outcome = await kemendagri.submit("region.enroll", body, headers={"traceparent": TRACEPARENT})
    assert outcome.status == "accepted" and outcome.trace_id == TRACE_ID
    await sqlite_system.projected(outcome.event_seq)
    for name in ("decide region.enroll", "process OGI_EVENTS"):  # the outermost spans end last
        await finished(spans, lambda span, name=name: span.name == name and format(span.context.trace_id, "032x") == TRACE_ID)

    trace_spans = in_trace(spans, TRACE_ID)
    by_id = {span.context.span_id: span for span in trace_spans}
    named = {span.name: span for span in trace_spans}
    decide = named["decide region.enroll"]
    assert decide.attributes["ogi.ministry"] == "kemendagri"
    assert decide.attributes["ogi.region"] == "73.71"
    assert decide.attributes["ogi.submission_id"] == body["submission_id"]
    consume = by_id[decide.parent.span_id]
    assert consume.attributes["messaging.system"] == "nats"
    assert format(consume.parent.span_id, "016x") == MINISTRY_SPAN  # joined the ministry's trace

    append = named["send ogi.events.registry.7371.RegionEnrolled"]
    assert append.attributes["messaging.destination.name"] == "ogi.events.registry.7371.RegionEnrolled"
    assert ancestors(append, by_id)[0] == "decide region.enroll"
    assert ancestors(named["send ogi.outcome.kemendagri." + body["submission_id"]], by_id)[0] == "decide region.enroll"

    apply = named["apply RegionEnrolled"]
    assert ancestors(apply, by_id)[:2] == ["send ogi.events.registry.7371.RegionEnrolled", "decide region.enroll"]
    batch = await finished(spans, lambda span: span.name == "process OGI_EVENTS" and apply.links[0].context.span_id == span.context.span_id)
    assert batch.attributes["messaging.batch.message_count"] >= 1
    notify = [span for span in trace_spans if span.name == "send ogi.indicators.national.enrolled"]
    assert notify and ancestors(notify[0], by_id)[0] == "process OGI_EVENTS"

    event = json.loads((await sqlite_system.nc.jetstream().get_msg("OGI_EVENTS", outcome.event_seq)).data)
    assert event["trace_id"] == TRACE_ID


async def test_a_rejected_submissions_trace_shows_the_rejection_code(sqlite_system, spans):
    outcome = await sqlite_system.ministry("kominfo").train("73.71")
    assert outcome.code == "not_enrolled"
    decide = await finished(spans, lambda span: span.name == "decide training.complete" and format(span.context.trace_id, "032x") == outcome.trace_id)
    assert (decide.attributes["ogi.outcome.status"], decide.attributes["ogi.rejection.code"]) == ("rejected", "not_enrolled")


async def test_metrics_count_a_known_scenario_exactly(sqlite_system):
    kemendagri, kominfo = sqlite_system.ministry("kemendagri"), sqlite_system.ministry("kominfo")
    await kemendagri.enroll("73.71")
    await kominfo.enroll("73.71")  # already_enrolled
    await kominfo.train("73.71")
    await kominfo.train("32.73")  # not_enrolled
    duplicate = {"submission_id": new_id(), "region_code": "11.01", "occurred_on": "2019-01-01"}
    await kemendagri.submit("region.enroll", duplicate)
    await kemendagri.submit("region.enroll", duplicate, headers={"Nats-Msg-Id": new_id()})
    last = await kemendagri.submit_plan("73.71", "p1")
    await sqlite_system.projected(last.event_seq)

    def value(service, name, **labels):
        registry = next(s for s in sqlite_system.deciding if s.spec.name == service).metrics.registry
        return registry.get_sample_value(name, {"service": service, **labels}) or 0

    submissions = "ogi_submissions_total"
    assert value("registry", submissions, ministry="kemendagri", kind="region.enroll", status="accepted", code="") == 2
    assert value("registry", submissions, ministry="kemendagri", kind="region.enroll", status="duplicate", code="") == 1
    assert value("registry", submissions, ministry="kominfo", kind="region.enroll", status="rejected", code="already_enrolled") == 1
    assert value("training", submissions, ministry="kominfo", kind="training.complete", status="accepted", code="") == 1
    assert value("training", submissions, ministry="kominfo", kind="training.complete", status="rejected", code="not_enrolled") == 1
    assert value("registry", "ogi_events_appended_total", event_type="RegionEnrolled") == 2
    assert value("plans", "ogi_events_appended_total", event_type="PlanSubmitted") == 1
    assert value("registry", "ogi_submission_handling_seconds_count", kind="region.enroll") == 4

    response = await sqlite_system.http.get("/metrics")
    text = response.text
    assert 'ogi_projector_events_applied_total{event_type="RegionEnrolled"} 2.0' in text
    assert "ogi_projector_lag_events 0.0" in text
    assert 'ogi_indicator_count{indicator="plans",scope="kemendagri"} 1.0' in text

    registry = next(s for s in sqlite_system.deciding if s.spec.name == "registry")
    from httpx import ASGITransport, AsyncClient

    async with AsyncClient(transport=ASGITransport(app=registry.http), base_url="http://registry") as client:
        scraped = (await client.get("/metrics")).text
        assert 'ogi_submissions_total{code="",kind="region.enroll",ministry="kemendagri",service="registry",status="accepted"} 2.0' in scraped
        assert (await client.get("/livez")).status_code == 200
        ready = await client.get("/healthz")
        assert ready.status_code == 200 and ready.json()["checks"] == {"nats": "ok", "inbox consumer": "ok"}


async def test_health_names_what_is_not_ready_and_a_deciding_service_down_leaves_the_read_api_ready(sqlite_system):
    assert (await sqlite_system.http.get("/healthz")).status_code == 200
    training = next(s for s in sqlite_system.deciding if s.spec.name == "training")
    await training.stop()
    sqlite_system.deciding.remove(training)
    response = await sqlite_system.http.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["training"].startswith("not answering")
    assert (await sqlite_system.http.get("/livez")).status_code == 200
    ready = await sqlite_system.http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "projector": "ok"}


async def test_the_read_api_is_not_ready_without_its_projector(sqlite_system):
    await sqlite_system.indicators.projector.stop()
    response = await sqlite_system.http.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["projector"] == "stopped"


async def test_every_log_line_of_a_handled_submission_carries_its_trace_id(sqlite_system, spans):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.DEBUG)
    submission_id = new_id()

    def handled_lines() -> list[dict]:
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        return [line for line in lines if line["logger"].startswith(("ogi.intake", "ogi.registry"))]

    def decision_logged() -> bool:
        return any(line.get("submission_id") == submission_id and line.get("status") == "accepted" for line in handled_lines())

    try:
        body = {"submission_id": submission_id, "region_code": "73.71", "occurred_on": "2019-01-01"}
        outcome = await sqlite_system.ministry("kemendagri").submit("region.enroll", body, headers={"traceparent": TRACEPARENT})
        # The service logs its decision once the outcome is stored, which may be after the ministry has it.
        await eventually(decision_logged, timeout=10)
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
    handled = handled_lines()
    assert handled and all(line.get("trace_id") == TRACE_ID and len(line.get("span_id", "")) == 16 for line in handled), handled
    assert outcome.trace_id == TRACE_ID
