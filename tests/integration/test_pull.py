"""The receiving process's pull consumer: it waits at the stream's end for as long as the server is there
(its requests expiring and asked again), and gives up when the server falls silent, or at once when nats-py
does not tell the API prefix its requests go under."""

import asyncio
import signal
from contextlib import aclosing

import pytest

from services.indicators.projector import arrivals, pull
from shared import nats_internals
from tests.scenario import append_all, region_histories


def sequence(message) -> int:
    return arrivals.arrival(message, None)[0]


@pytest.fixture
def quick_pulls(monkeypatch):
    """Requests that expire within a second, heartbeats five times a second."""
    monkeypatch.setattr(pull, "REQUEST_EXPIRES", 0.5)
    monkeypatch.setattr(pull, "HEARTBEAT", 0.1)
    monkeypatch.setattr(pull, "STALLED_AFTER", 0.4)


async def received_until(runs, last: int) -> list[int]:
    received: list[int] = []
    while not received or received[-1] < last:
        received += [sequence(message) for message in await anext(runs)]
    return received


async def test_a_pull_at_the_end_of_the_stream_waits_and_takes_what_is_appended_later(nc, quick_pulls):
    histories = region_histories(seed=1, rounds=1)
    last = await append_all(nc, histories[:10])
    async with aclosing(pull.runs(nc, 1, most=100)) as runs:
        assert await received_until(runs, last) == list(range(1, last + 1))
        waiting = asyncio.ensure_future(anext(runs))
        await asyncio.sleep(4 * pull.STALLED_AFTER)  # a quiet stream: requests expire, heartbeats only
        assert not waiting.done()
        later = await append_all(nc, histories[10:11])
        taken = [sequence(message) for message in await asyncio.wait_for(waiting, 10)]
        if taken[-1] < later:
            taken += await received_until(runs, later)
        assert taken == list(range(last + 1, later + 1))


async def test_a_pull_that_hears_nothing_from_the_server_gives_up(nc, nats_server, quick_pulls):
    last = await append_all(nc, region_histories(seed=1, rounds=1)[:10])
    async with aclosing(pull.runs(nc, 1, most=100)) as runs:
        await received_until(runs, last)
        nats_server.process.send_signal(signal.SIGSTOP)
        try:
            with pytest.raises(pull.PullFailed, match="nothing from the server"):
                await asyncio.wait_for(received_until(runs, last + 1), 10)
        finally:
            nats_server.process.send_signal(signal.SIGCONT)


async def test_a_pull_whose_api_subject_nats_py_cannot_tell_gives_up_at_once(nc, monkeypatch):
    monkeypatch.setattr(nats_internals, "api_prefix", lambda js: None)
    with pytest.raises(pull.PullFailed, match="API prefix"):
        async with aclosing(pull.runs(nc, 1, most=100)) as runs:
            await anext(runs)
