"""A deciding process starting while the JetStream API does not answer in time (a cluster electing a leader,
a busy server) asks again where to read the inbox from, rather than exiting; past its attempts it says so."""

import pytest
from nats.aio.client import Client
from nats.errors import TimeoutError as NatsTimeout

from shared import inbox_order


@pytest.fixture
def no_waiting(monkeypatch):
    async def instantly(_seconds):
        return None

    monkeypatch.setattr(inbox_order.asyncio, "sleep", instantly)


def answering_after(timeouts: int, settled: int):
    calls = []

    async def settled_seq(_nc):
        calls.append(1)
        if len(calls) <= timeouts:
            raise NatsTimeout
        return settled

    return settled_seq, calls


async def test_the_start_asks_again_while_the_jetstream_api_times_out(monkeypatch, no_waiting):
    settled_seq, calls = answering_after(timeouts=3, settled=42)
    monkeypatch.setattr(inbox_order, "settled_seq", settled_seq)
    assert await inbox_order.InboxOrder(Client())._settled_when_answered() == 42
    assert len(calls) == 4


async def test_the_start_gives_up_after_its_attempts(monkeypatch, no_waiting):
    settled_seq, calls = answering_after(timeouts=inbox_order.START_ATTEMPTS, settled=42)
    monkeypatch.setattr(inbox_order, "settled_seq", settled_seq)
    with pytest.raises(NatsTimeout):
        await inbox_order.InboxOrder(Client())._settled_when_answered()
    assert len(calls) == inbox_order.START_ATTEMPTS
