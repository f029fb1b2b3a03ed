"""Two replicas of a deciding service share its durable pull consumer: both take submissions, and every
submission is decided by one of them, once."""

import asyncio

from shared import subjects
from shared.regions import all_regions


def decided_by(service) -> float:
    return sum(sample.value for metric in service.metrics.submissions.collect() for sample in metric.samples if sample.name.endswith("_total"))


async def test_two_registry_replicas_share_the_inbox_and_decide_each_submission_once(sqlite_system):
    await sqlite_system.start_deciding(["registry"])
    registries = [service for service in sqlite_system.deciding if service.spec.name == "registry"]
    assert len(registries) == 2
    kemendagri = sqlite_system.ministry("kemendagri")
    regions = [region.code for region in all_regions()[:120]]

    outcomes = await asyncio.gather(*(kemendagri.enroll(code) for code in regions))

    assert [outcome.status for outcome in outcomes] == ["accepted"] * len(regions)
    shares = [decided_by(registry) for registry in registries]
    assert sum(shares) == len(regions)
    assert all(share > 0 for share in shares), shares
    info = await sqlite_system.nc.jetstream().stream_info(subjects.EVENTS_STREAM)
    assert info.state.messages == len(regions)
