"""Faults of production on production's topology (tests/faults/harness.py): what was acknowledged to a
ministry is never lost, is decided once, and is counted once."""

import asyncio
import time

import pytest

from shared import subjects
from tests.faults.harness import (
    Publishing,
    activity,
    applied,
    applied_by,
    check_projection,
    decisions,
    enrolments,
    publish,
    region_codes,
    wait_for_outcomes,
)
from tests.support import eventually

# Each test waits on its own deadlines; pytest's 300 s default would cut the leader-kill one short on a
# loaded machine.
pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]

SETTLE_TIMEOUT = 240.0


async def enrol(cluster, tally, prefix: str, regions: list[str]) -> Publishing:
    enrolled = await publish(cluster.urls, enrolments(prefix, regions))
    assert not enrolled.unacknowledged
    await wait_for_outcomes(tally, enrolled.acknowledged, timeout=60)
    return enrolled


async def settle(topology, observer, rebuild_url, *publishings: Publishing, timeout: float = SETTLE_TIMEOUT) -> str:
    """Every acknowledged submission answered, the read model caught up and equal to a rebuild; the figures."""
    nc, tally = observer
    acknowledged = {key: seq for publishing in publishings for key, seq in publishing.acknowledged.items()}
    await wait_for_outcomes(tally, acknowledged, timeout)
    last_event = (await nc.jetstream().stream_info(subjects.EVENTS_STREAM)).state.last_seq
    projection = await check_projection(nc, topology, rebuild_url, last_event, timeout)
    lost = tally.missing(acknowledged)
    twice = tally.counted_twice(acknowledged)
    not_accepted = sorted(
        {outcome["status"] + "/" + str(outcome.get("code")) for key in acknowledged for outcome in tally.decided(key) if outcome["status"] != "accepted"}
    )
    outcomes = sum(len(tally.decided(key)) for key in acknowledged)
    resent = sum(len(tally.outcomes[key]) for key in acknowledged) - outcomes
    events = sum(len(tally.events[key]) for key in acknowledged)
    unacknowledged = sum(len(publishing.unacknowledged) for publishing in publishings)
    retried = sum(publishing.failed_attempts for publishing in publishings)
    figures = (
        f"{len(acknowledged)} submissions acknowledged to the publisher ({retried} failed publishes retried, "
        f"{unacknowledged} never acknowledged), {outcomes} outcomes, {events} events, {resent} retries stored twice "
        f"and answered duplicate; {projection.line()}; "
        f"lost {len(lost)}, duplicated {len(twice)}"
    )
    assert not lost and not twice, figures
    assert not not_accepted, f"{figures}; not accepted: {not_accepted}"
    assert outcomes == events == len(acknowledged), figures
    assert projection.event_log_in_order and projection.events == last_event, figures
    assert not projection.differing_tables and projection.live_counts == projection.rebuilt_counts, figures
    return figures


async def acknowledged_at_least(publishing: Publishing, count: int, timeout: float = 120.0) -> None:
    await eventually(lambda: len(publishing.acknowledged) >= count, timeout=timeout, interval=0.05)


async def test_killing_the_stream_leader_while_publishing_loses_and_doubles_nothing(cluster, topology, observer, rebuild_url, figures):
    started = time.monotonic()
    nc, tally = observer
    regions = region_codes()
    enrolled = await enrol(cluster, tally, "leader", regions)
    work = Publishing()
    # Killed after 2,000 of 8,000: the publishers' retries across the failover were 3,200-4,400 with 20,000.
    publishing = asyncio.create_task(publish(cluster.urls, activity("leader", 8_000, regions), publishers=4, in_flight=32, deadline=300, into=work))
    await acknowledged_at_least(work, 2_000)
    leader = cluster.wait_for_stream_leader(subjects.INBOX_STREAM)
    leader.kill()
    killed_at = len(work.acknowledged)
    await publishing
    leader.start()
    result = await settle(topology, observer, rebuild_url, enrolled, work)
    figures.append(
        f"fault 1, {subjects.INBOX_STREAM} leader {leader.name} SIGKILLed after {killed_at} acknowledged: {result}; {time.monotonic() - started:.0f} s"
    )


async def test_killing_one_replica_mid_batch_leaves_the_work_to_the_other(cluster, topology, observer, rebuild_url, figures):
    started = time.monotonic()
    nc, tally = observer
    regions = region_codes()
    enrolled = await enrol(cluster, tally, "replica", regions)
    work = Publishing()
    publishing = asyncio.create_task(publish(cluster.urls, activity("replica", 3_000, regions), into=work))
    await eventually(lambda: sum(1 for key in work.acknowledged if tally.outcomes.get(key)) >= 500, timeout=120, interval=0.05)
    training, indicators = topology.replicas("training")[0], topology.replicas("indicators")[0]
    training.kill()
    indicators.kill()
    decided_at = sum(1 for key in work.acknowledged if tally.outcomes.get(key))
    await publishing
    result = await settle(topology, observer, rebuild_url, enrolled, work)
    assert not training.running and not indicators.running
    figures.append(f"fault 2, {training.label} and {indicators.label} SIGKILLed after {decided_at} decided: {result}; {time.monotonic() - started:.0f} s")


async def test_the_projector_waits_out_a_stopped_database(cluster, topology, observer, rebuild_url, private_postgres, figures):
    started = time.monotonic()
    nc, tally = observer
    regions = region_codes()
    enrolled = await enrol(cluster, tally, "database", regions)
    work = Publishing()
    publishing = asyncio.create_task(publish(cluster.urls, activity("database", 3_000, regions), into=work))
    readers = topology.replicas("indicators")
    projected_before = await eventually(
        lambda: max(applied(reader) for reader in readers) > len(regions) + 300 and max(applied(reader) for reader in readers), timeout=120, interval=0.05
    )
    private_postgres.stop()
    stopped = time.monotonic()
    await asyncio.sleep(10)  # the fault itself: the database is away this long
    events_meanwhile = (await nc.jetstream().stream_info(subjects.EVENTS_STREAM)).state.last_seq
    private_postgres.start()
    outage = time.monotonic() - stopped
    await publishing
    result = await settle(topology, observer, rebuild_url, enrolled, work)
    assert all(reader.running for reader in readers)
    figures.append(
        f"fault 3, PostgreSQL stopped {outage:.0f} s after event {projected_before} was projected "
        f"(event {events_meanwhile} stored when it came back): {result}; {time.monotonic() - started:.0f} s"
    )


async def test_services_resume_by_themselves_after_every_nats_node_restarts(cluster, topology, observer, rebuild_url, figures):
    started = time.monotonic()
    nc, tally = observer
    regions = region_codes()
    early, late = regions[:400], regions[400:]
    enrolled = await enrol(cluster, tally, "restart", early)
    before = await publish(cluster.urls, activity("restart", 1_500, early))
    await eventually(lambda: sum(1 for key in before.acknowledged if tally.outcomes.get(key)) >= 200, timeout=120, interval=0.05)
    for node in cluster.nodes:
        node.stop()
    for node in cluster.nodes:
        node.start()
    cluster.wait_until_ready()
    back = time.monotonic()
    decided = {service.label: decisions(service) for service in topology.services if service.name != "indicators"}
    readers = topology.replicas("indicators")
    projected = await applied_by(readers)
    late_work = enrolments("restart-late", late) + activity("restart-late", 600, early, seed=2)
    after = await publish(cluster.urls, late_work, deadline=60)

    # Every deciding service given work decides again, and every projector replica projects again. A deciding
    # replica is not required to decide again by itself: a pull request takes whatever arrives while it waits,
    # so this burst (114 enrolments) can all go to one healthy registry replica. A replica whose subscription
    # stalled is caught by the service's inbox watchdog once the other replica's deliveries show there is work.
    deciding_services = {service for service, kinds in subjects.SERVICE_KINDS.items() if any(s.kind in kinds for s in late_work)}

    async def every_service_consumes_again() -> bool:
        deciding = all(any(decisions(replica) > decided[replica.label] for replica in topology.replicas(name)) for name in deciding_services)
        now = await applied_by(readers)
        return deciding and all(now[label] > projected[label] for label in now)

    try:
        await eventually(every_service_consumes_again, timeout=30, interval=0.2)
    except AssertionError:
        now = {service.label: decisions(service) for service in topology.services if service.name != "indicators"}
        raise AssertionError(
            f"30 s after every NATS node restarted: decisions {decided} -> {now}, projected {projected} -> {await applied_by(readers)}"
        ) from None
    resumed = time.monotonic() - back
    result = await settle(topology, observer, rebuild_url, enrolled, before, after)
    figures.append(
        f"fault 4, every NATS node restarted: every service and projector consuming again {resumed:.0f} s after; {result}; {time.monotonic() - started:.0f} s"
    )


async def test_a_paused_stream_leader_loses_no_acknowledged_write(cluster, topology, observer, rebuild_url, figures):
    started = time.monotonic()
    nc, tally = observer
    regions = region_codes()
    enrolled = await enrol(cluster, tally, "pause", regions)
    work = Publishing()
    publishing = asyncio.create_task(publish(cluster.urls, activity("pause", 3_000, regions), deadline=150, into=work))
    await acknowledged_at_least(work, 500)
    leader = cluster.wait_for_stream_leader(subjects.INBOX_STREAM)
    leader.pause()
    paused_at = len(work.acknowledged)
    await asyncio.sleep(20)  # the fault itself: the node is silent this long
    leader.resume()
    await publishing
    result = await settle(topology, observer, rebuild_url, enrolled, work)
    figures.append(
        f"fault 5, {subjects.INBOX_STREAM} leader {leader.name} SIGSTOPped for 20 s after {paused_at} acknowledged: {result}; "
        f"{time.monotonic() - started:.0f} s"
    )
