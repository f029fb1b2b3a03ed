"""A projector far behind the stream catches up with a receiving process: the same read model as a
projection in one process, whatever happens to that process, and no process left behind."""

import logging
import os
import signal
import subprocess
import sys
import textwrap
from contextlib import asynccontextmanager
from pathlib import Path

from nats.js.api import AckPolicy

from services.indicators.projector.loop import MAX_BATCH, Projector
from services.indicators.projector.pull import PULL_BATCH
from services.indicators.projector.receiver import ReceiverProcess
from services.indicators.readmodel.db import create_engine, migrate
from shared import subjects
from tests.scenario import append_all, project, region_histories, snapshot
from tests.support import eventually


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


async def test_a_projector_far_behind_catches_up_in_a_receiving_process_then_receives_in_its_own(nc, nats_server, database_url, tmp_path, caplog):
    histories = region_histories(seed=5, rounds=2)
    behind = await append_all(nc, histories[:300])
    engine = create_engine(database_url)
    await migrate(engine)
    projector = Projector(nc, engine, batch_size=100, receiver=ReceiverProcess(nats_server.url), catch_up_min=1000)
    caplog.set_level(logging.INFO, logger="ogi.projector")
    try:
        await projector.start()
        pid = await eventually(lambda: projector.receiver_pid)
        await eventually(lambda: projector.position >= behind, timeout=60)
        await eventually(lambda: projector.receiver_pid is None and not running(pid))
        assert f"catching up from 1 to {behind} with a receiving process (pid {pid})" in caplog.text
        assert f"caught up to {behind}" in caplog.text

        last = await append_all(nc, histories[300:])
        await eventually(lambda: projector.position >= last, timeout=60)
        assert projector.receiver_pid is None
        assert await snapshot(engine) == await project(nc, f"sqlite:///{tmp_path / 'one-process.db'}", last)
    finally:
        await projector.stop()
        await engine.dispose()


async def test_a_projector_not_far_behind_receives_in_its_own_process(nc, nats_server, sqlite_url, caplog):
    last = await append_all(nc, region_histories(seed=5, rounds=1))
    engine = create_engine(sqlite_url)
    await migrate(engine)
    projector = Projector(nc, engine, receiver=ReceiverProcess(nats_server.url), catch_up_min=last + 1)
    caplog.set_level(logging.INFO, logger="ogi.projector")
    try:
        await projector.start()
        await eventually(lambda: projector.position >= last, timeout=60)
        assert "projecting from sequence 1" in caplog.text
        assert "receiving process" not in caplog.text
    finally:
        await projector.stop()
        await engine.dispose()


@asynccontextmanager
async def held_mid_catch_up(nc, nats_server, database_url: str, histories, at: int = 1000):
    """A projector far behind, catching up with a receiving process, held at `at`: with more events in the
    stream than a held projector and its receiving process take in (see the test of what a held receiving
    process is sent), the receiving process waits. Yields (projector, engine, the stream's last sequence)."""
    last = await append_all(nc, histories)
    engine = create_engine(database_url)
    await migrate(engine)
    projector = Projector(nc, engine, batch_size=100, receiver=ReceiverProcess(nats_server.url), catch_up_min=1)
    projector.limit = at
    try:
        await projector.start()
        await eventually(lambda: projector.position == at, timeout=60)
        yield projector, engine, last
    finally:
        await projector.stop()
        await engine.dispose()


async def receiving_consumer(nc):
    """The receiving process's pull consumer on OGI_EVENTS, once no request of its is waiting (the server
    has sent all it was asked for), else None."""
    pulls = [
        info
        for info in await nc.jetstream().consumers_info(subjects.EVENTS_STREAM)
        if info.config.ack_policy == AckPolicy.NONE and info.config.deliver_subject is None
    ]
    return pulls[0] if len(pulls) == 1 and pulls[0].num_waiting == 0 else None


async def test_a_receiving_process_killed_mid_catch_up_loses_nothing_and_counts_nothing_twice(nc, nats_server, database_url, tmp_path, caplog):
    async with held_mid_catch_up(nc, nats_server, database_url, region_histories(seed=3, rounds=7)) as (projector, engine, last):
        pid = projector.receiver_pid
        assert pid is not None and running(pid), "caught up before it was held"
        os.kill(pid, signal.SIGKILL)
        projector.limit = None
        await eventually(lambda: projector.position >= last, timeout=60)
        assert "the receiving process ended" in caplog.text
        assert await snapshot(engine) == await project(nc, f"sqlite:///{tmp_path / 'one-process.db'}", last)


async def test_a_receiving_process_held_back_by_its_projector_is_sent_a_bounded_number_of_events(nc, nats_server, sqlite_url):
    """However far behind a projector is, the server sends its receiving process only what it asks for: a
    projector held back (here at a limit) has a bounded number of events in memory, not the stream."""
    async with held_mid_catch_up(nc, nats_server, sqlite_url, region_histories(seed=7, rounds=14)) as (projector, _, last):
        consumer = await eventually(lambda: receiving_consumer(nc), timeout=30)
        # Held: the projector's buffer and the run it is adding, a run in the pipe, what was asked for ahead.
        assert consumer.delivered.stream_seq <= 1000 + MAX_BATCH + 4 * PULL_BATCH < last
        projector.limit = None
        await eventually(lambda: projector.position >= last, timeout=60)


async def test_a_receiving_process_whose_consumer_is_removed_hands_over_and_nothing_is_lost(nc, nats_server, sqlite_url, tmp_path, caplog):
    async with held_mid_catch_up(nc, nats_server, sqlite_url, region_histories(seed=3, rounds=7)) as (projector, engine, last):
        consumer = await eventually(lambda: receiving_consumer(nc), timeout=30)
        await nc.jetstream().delete_consumer(subjects.EVENTS_STREAM, consumer.name)
        projector.limit = None
        await eventually(lambda: projector.position >= last, timeout=60)
        assert "the receiving process ended" in caplog.text
        assert await snapshot(engine) == await project(nc, f"sqlite:///{tmp_path / 'one-process.db'}", last)


async def test_stopping_a_projector_mid_catch_up_ends_its_receiving_process(nc, nats_server, sqlite_url):
    async with held_mid_catch_up(nc, nats_server, sqlite_url, region_histories(seed=3, rounds=7)) as (projector, _, _):
        pid = projector.receiver_pid
        assert pid is not None and running(pid)
    assert not running(pid)
    assert projector.receiver_pid is None


RECEIVING_PARENT = textwrap.dedent("""
    import asyncio, sys
    from services.indicators.projector.receiver import ReceiverProcess

    async def main():
        receiving = await ReceiverProcess(sys.argv[1]).start(1)
        print(receiving.process.pid, flush=True)
        await asyncio.sleep(3600)

    asyncio.run(main())
""")


async def test_a_receiving_process_ends_when_its_projector_is_killed(nc, nats_server):
    parent = subprocess.Popen([sys.executable, "-c", RECEIVING_PARENT, nats_server.url], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        await eventually(lambda: running(pid))
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        await eventually(lambda: not running(pid), timeout=10)
    finally:
        parent.kill()
        parent.wait()
