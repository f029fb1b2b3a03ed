"""CONTRACT.md's counting rules, as two ministries report and a dashboard reads them (SQLite and PostgreSQL)."""

import json

from shared import subjects
from tests.support import eventually

MAKASSAR, MERAUKE, MERAUKE_2018, BANDUNG = "73.71", "93.01", "91.01", "32.73"


async def settle(system, *outcomes):
    for outcome in outcomes:
        assert outcome.status == "accepted", outcome
    await system.projected(max(outcome.event_seq for outcome in outcomes))


async def test_a_region_counts_once_nationally_and_for_its_ministry(system):
    kemendagri, kominfo = system.ministry("kemendagri"), system.ministry("kominfo")
    await settle(
        system,
        await kemendagri.enroll(MAKASSAR),
        await kominfo.enroll(BANDUNG),
        await kemendagri.train(MAKASSAR),
        await kominfo.train(MAKASSAR),  # either responsible ministry may report a training
        await kemendagri.train(MAKASSAR),  # a second training of the same region
        await kominfo.train(BANDUNG),
        await kominfo.submit_plan(MAKASSAR, "rencana-1"),
        await kemendagri.submit_plan(MAKASSAR, "rencana-2"),
    )
    counts = await system.counts()
    assert counts == {
        "national.enrolled": 2,
        "national.trained": 2,
        "national.plans": 1,
        "kemendagri.enrolled": 1,
        "kemendagri.trained": 1,
        "kemendagri.plans": 1,
        "kominfo.enrolled": 1,
        "kominfo.trained": 1,
        "kominfo.plans": 0,
    }


async def test_events_carry_the_responsible_ministry_and_the_reporter(system):
    kemendagri, kominfo = system.ministry("kemendagri"), system.ministry("kominfo")
    await kemendagri.enroll(MAKASSAR)
    trained = await kominfo.train(MAKASSAR)
    await settle(system, trained)
    response = await system.http.get(f"/api/v1/regions/{MAKASSAR}")
    assert response.json()["trained_by"] == ["kemendagri"]
    message = await system.nc.jetstream().get_msg(subjects.EVENTS_STREAM, trained.event_seq)
    event = json.loads(message.data)
    assert (event["ministry"], event["reported_by"]) == ("kemendagri", "kominfo")
    assert message.subject == "ogi.events.training.7371.TrainingCompleted"


async def test_withdrawal_keeps_trained_and_reenrolment_moves_the_region(system):
    kemendagri, kominfo = system.ministry("kemendagri"), system.ministry("kominfo")
    await settle(system, await kemendagri.enroll(MAKASSAR), await kemendagri.train(MAKASSAR))
    await settle(system, await kemendagri.withdraw(MAKASSAR))
    counts = await system.counts()
    assert counts["kemendagri.enrolled"] == 0 and counts["national.enrolled"] == 0
    assert counts["kemendagri.trained"] == 1 and counts["national.trained"] == 1

    await settle(system, await kominfo.enroll(MAKASSAR, occurred_on="2020-01-10"), await kominfo.train(MAKASSAR, occurred_on="2020-02-01"))
    counts = await system.counts()
    assert counts["kominfo.enrolled"] == 1 and counts["kemendagri.enrolled"] == 0
    assert counts["kominfo.trained"] == 1 and counts["kemendagri.trained"] == 1
    assert counts["national.trained"] == 1  # one region, however many ministries trained it
    region = (await system.http.get(f"/api/v1/regions/{MAKASSAR}")).json()
    assert region["ministry"] == "kominfo" and region["enrolled"] is True


async def test_a_withdrawn_plan_stops_counting_and_another_plan_keeps_the_region(system):
    kemendagri = system.ministry("kemendagri")
    await settle(system, await kemendagri.enroll(MAKASSAR), await kemendagri.submit_plan(MAKASSAR, "a"), await kemendagri.submit_plan(MAKASSAR, "b"))
    await settle(system, await kemendagri.withdraw_plan(MAKASSAR, "a"))
    assert (await system.counts())["kemendagri.plans"] == 1
    await settle(system, await kemendagri.withdraw_plan(MAKASSAR, "b"))
    counts = await system.counts()
    assert counts["kemendagri.plans"] == 0 and counts["national.plans"] == 0


async def test_a_plan_outlives_the_withdrawal_of_its_region(system):
    kemendagri = system.ministry("kemendagri")
    await settle(system, await kemendagri.enroll(MAKASSAR), await kemendagri.submit_plan(MAKASSAR, "a"))
    await settle(system, await kemendagri.withdraw(MAKASSAR))
    counts = await system.counts()
    assert counts["kemendagri.plans"] == 1 and counts["kemendagri.enrolled"] == 0


async def test_2018_codes_are_accepted_and_stored_in_current_form(system):
    kemendagri = system.ministry("kemendagri")
    enrolled = await kemendagri.enroll(MERAUKE_2018)
    await settle(system, enrolled)
    message = await system.nc.jetstream().get_msg(subjects.EVENTS_STREAM, enrolled.event_seq)
    assert json.loads(message.data)["region_code"] == MERAUKE
    assert message.subject == "ogi.events.registry.9301.RegionEnrolled"
    region = (await system.http.get(f"/api/v1/regions/{MERAUKE_2018}")).json()
    assert (region["code"], region["name"], region["province_name"], region["enrolled"]) == (MERAUKE, "Kabupaten Merauke", "Papua Selatan", True)


async def test_as_of_counts_only_what_had_occurred_by_that_day(system):
    kemendagri, kominfo = system.ministry("kemendagri"), system.ministry("kominfo")
    await settle(
        system,
        await kemendagri.enroll(MAKASSAR, occurred_on="2018-05-01"),
        await kemendagri.train(MAKASSAR, occurred_on="2018-06-01"),
        await kominfo.enroll(BANDUNG, occurred_on="2019-05-01"),
        await kemendagri.submit_plan(MAKASSAR, "a", occurred_on="2019-01-15"),
        await kemendagri.withdraw_plan(MAKASSAR, "a", occurred_on="2020-03-01"),
        await kemendagri.withdraw(MAKASSAR, occurred_on="2020-06-01"),
    )
    early = await system.counts(as_of="2018-05-31")
    assert (early["national.enrolled"], early["national.trained"], early["national.plans"]) == (1, 0, 0)
    mid = await system.counts(as_of="2019-12-31")
    assert (mid["national.enrolled"], mid["kominfo.enrolled"], mid["kemendagri.trained"], mid["kemendagri.plans"]) == (2, 1, 1, 1)
    late = await system.counts(as_of="2020-12-31")
    assert (late["national.enrolled"], late["national.trained"], late["national.plans"]) == (1, 1, 0)
    assert late == await system.counts()
    body = await system.indicators_json(as_of="2019-12-31")
    assert body["as_of"] == "2019-12-31" and len(body["indicators"]) == 9


async def test_the_three_publications_agree(system):
    kemendagri = system.ministry("kemendagri")
    enrolled = await kemendagri.enroll(MAKASSAR)
    received = []

    async def collect(message):
        received.append(json.loads(message.data))

    subscription = await system.nc.subscribe("ogi.indicators.>", cb=collect)
    await settle(system, enrolled, await kemendagri.train(MAKASSAR))
    bucket = await system.nc.jetstream().key_value(subjects.INDICATORS_BUCKET)
    http = await system.indicators_json()
    assert http["as_of_seq"] >= 2
    for row in http["indicators"]:
        stored = json.loads((await bucket.get(f"{row['scope']}.{row['indicator']}")).value)
        assert (stored["count"], stored["verified"], stored["target"]) == (row["count"], row["verified"], row["target"])
        assert (row["verified"] is None) == (row["indicator"] == "enrolled")
    await eventually(lambda: any(value["indicator"] == "trained" and value["count"] == 1 for value in received))
    assert set(received[0]) == {"scope", "indicator", "count", "verified", "target", "as_of_seq", "updated_at"}
    await subscription.unsubscribe()
