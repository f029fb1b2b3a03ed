import asyncio
import contextlib
import os
import uuid

import nats
import pytest

from tests.cluster import running_cluster
from tests.faults.harness import StreamTally, Topology
from tests.faults.postgres import PostgresMissing, PrivatePostgres

CLOSE_TIMEOUT = 10.0


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def private_postgres():
    """One PostgreSQL server for the fault tests, of their own: a test may stop it."""
    try:
        server = PrivatePostgres()
        server.initialise()
        server.start()
    except (PostgresMissing, RuntimeError) as error:
        if os.environ.get("CI"):
            pytest.fail(f"the fault tests need a PostgreSQL server of their own: {error}")
        pytest.skip(f"no PostgreSQL server of the tests' own: {error}")
    yield server
    server.destroy()


@pytest.fixture
async def databases(private_postgres):
    """The live read model's database and an empty one to rebuild into."""
    if not private_postgres.running():
        private_postgres.start()  # a test that stopped it and failed before starting it again
    name = f"faults_{uuid.uuid4().hex[:8]}"
    return await private_postgres.create_database(name), await private_postgres.create_database(f"{name}_rebuild")


@pytest.fixture
def cluster(tmp_path):
    with running_cluster(tmp_path / "nats") as running:
        yield running


@pytest.fixture
async def topology(request, cluster, databases, tmp_path):
    live, _ = databases
    running = Topology(cluster, live, tmp_path)
    try:
        await running.start()
    except BaseException:
        print(f"\n===== service and NATS output (in {tmp_path})\n{running.report()}")
        running.stop()
        raise
    yield running
    call = getattr(request.node, "report_call", None)
    if call is not None and call.failed:
        print(f"\n===== service and NATS output (in {tmp_path})\n{running.report()}")
    running.stop()


@pytest.fixture
def rebuild_url(databases):
    return databases[1]


@pytest.fixture
async def observer(cluster):
    """The test's own NATS connection, and every outcome and event as they arrive."""
    nc = await nats.connect(cluster.urls, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
    tally = await StreamTally().start(nc)
    yield nc, tally
    # Each step bounded: after the faults a test makes, ending a reader or closing the connection was seen
    # to wait for minutes on a cluster that had gone away and come back.
    for closing in (tally.stop(), nc.close()):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(closing, CLOSE_TIMEOUT)
