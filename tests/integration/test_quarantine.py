"""An event the projector cannot apply never stops it: an event the counting rules cannot apply, one that is
not JSON, one whose text PostgreSQL refuses (a NUL, which the store may hold from before the door refused
it): each is quarantined (skipped, listed, counted nowhere), reported on /readyz and in a metric, and the
events after it are applied. A rebuild quarantines the same ones and equals the live read model."""

import json

import nats
import pytest

from ogi.embedded_nats import free_port
from services.indicators.projector.rebuild import rebuild
from shared import subjects
from shared.settings import Settings
from shared.streams import declare
from tests.golden_events import stored
from tests.integration.test_event_versions import publish
from tests.support import running_system


def with_data(body: bytes, **changes) -> bytes:
    event = json.loads(body)
    event["data"] = {key: value for key, value in (event["data"] | changes).items() if value is not None}
    event["event_id"] = f"{event['event_id'][:30]}-{len(json.dumps(changes))}"
    return json.dumps(event).encode()


async def publish_raw(nc, body: bytes) -> int:
    subject = subjects.event("plans", "7371", "PlanSubmitted")
    return (await nc.jetstream().publish(subject, body, stream=subjects.EVENTS_STREAM)).seq


async def quarantined_report(system) -> dict:
    response = await system.http.get("/readyz")
    assert response.status_code == 200, response.text
    return response.json().get("notes", {}).get("quarantined_events", {})


async def test_events_that_cannot_be_applied_are_quarantined_and_the_rest_goes_on(system, settings):
    v2 = stored(2)
    plan = v2["PlanSubmitted"]
    await publish(system.nc, [stored(1)["RegionEnrolled"]])
    no_title = await publish_raw(system.nc, with_data(plan, title=None))  # the rules need a title
    not_json = await publish_raw(system.nc, b"\xff not an event")
    last = await publish(system.nc, [v2["TrainingCompleted"]])
    await system.projected(last)

    counts = await system.counts()
    assert counts["national.enrolled"] == 1 and counts["national.trained"] == 1 and counts["national.plans"] == 0
    report = await quarantined_report(system)
    assert report["count"] == 2 and [entry["seq"] for entry in report["first"]] == [no_title, not_json]
    assert "KeyError('title')" in report["first"][0]["reason"]
    metrics = (await system.http.get("/metrics")).text
    assert "ogi_projector_events_quarantined_total 2.0" in metrics

    comparison = await rebuild(system.nc, settings.resolved_database_url, f"sqlite:///{settings.data_dir / 'rebuilt.db'}")
    assert comparison.equal, comparison.differing_tables


@pytest.mark.postgresql
async def test_a_nul_that_postgresql_refuses_is_quarantined_and_the_other_events_of_its_batch_applied(postgresql_url, tmp_path, nats_server):
    nc = await nats.connect(nats_server.url)
    await declare(nc)
    v1 = stored(1)
    plan = v1["PlanSubmitted"]
    # Stored before the projector starts, so that they arrive as one batch.
    await publish(nc, [v1["RegionEnrolled"]])
    refused = await publish_raw(nc, with_data(plan, title="a\u0000b"))
    after = await publish_raw(nc, with_data(plan, plan_id="RA-2019-02"))
    await nc.close()

    settings = Settings(data_dir=tmp_path / "data", nats_url=nats_server.url, database_url=postgresql_url, http_port=free_port())
    async with running_system(settings) as system:
        await system.projected(after)
        assert (await system.counts())["national.plans"] == 1
        report = await quarantined_report(system)
        assert [entry["seq"] for entry in report["first"]] == [refused]
        assert "0x00" in report["first"][0]["reason"]
        region = (await system.http.get("/api/v1/regions/73.71")).json()
        assert [plan["plan_id"] for plan in region["plan_list"]] == ["RA-2019-02"]
        assert system.projector.running


@pytest.mark.postgresql
def test_no_text_in_a_stored_event_stops_the_postgresql_projector(postgresql_url, tmp_path, nats_server, figures):
    """Random text (NUL, control characters, lone surrogates, anything) in every text field of stored
    events: the projector applies or quarantines each one, and reaches the stream's end."""
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hypothesis_settings
    from hypothesis import strategies as st

    from tests.integration.test_rules_agree import LoopThread

    anything = st.text(st.one_of(st.sampled_from("\x00\ud800\udfff\x1b\u202e\ufeff"), st.characters(exclude_categories=())), max_size=60)
    texts = st.lists(st.tuples(st.sampled_from(["title", "note", "plan_id", "session_id"]), anything), min_size=1, max_size=3)
    generated: list[list[tuple[str, str]]] = []

    @hypothesis_settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(texts)
    def generate(fields):
        generated.append(fields)

    generate()
    v2 = stored(2)
    bodies = [stored(1)["RegionEnrolled"]]
    for index, fields in enumerate(generated):
        template = v2["PlanSubmitted"] if index % 2 else v2["TrainingCompleted"]
        event = json.loads(template)
        event["event_id"] = f"random-text-{index}"
        event["data"] |= ({"plan_id": f"p{index}"} if "plan_id" in event["data"] else {}) | dict(fields)
        bodies.append(json.dumps(event).encode())  # ASCII escapes: lone surrogates survive as \ud800

    loop = LoopThread()
    settings = Settings(data_dir=tmp_path / "data", nats_url=nats_server.url, database_url=postgresql_url, http_port=free_port())
    context = running_system(settings)
    system = loop.run(context.__aenter__())
    try:
        last = loop.run(publish(system.nc, bodies))
        loop.run(system.projected(last), timeout=120)
        assert system.projector.running
        report = loop.run(quarantined_report(system))
        applied = loop.run(system.http.get("/api/v1/regions/73.71/events")).json()["events"]
        assert len(applied) + report.get("count", 0) == len(bodies)
        figures.append(f"random text on PostgreSQL: {len(bodies)} events, {len(applied)} applied, {report.get('count', 0)} quarantined")
    finally:
        loop.run(context.__aexit__(None, None, None))
