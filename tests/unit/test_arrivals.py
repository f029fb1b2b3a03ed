"""How the projector reads deliveries: in runs taken from nats-py's queue (or by its public API, which gives the
same), the stream sequence from the reply subject, and the bounded buffer."""

import asyncio
from contextlib import aclosing

import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy

from services.indicators.projector import arrivals
from services.indicators.projector.arrivals import Buffer, arrival, stored_at
from shared import nats_internals, subjects
from tests.scenario import append_all, region_histories
from tests.support import eventually

REPLIES = [
    "$JS.ACK.OGI_EVENTS.consumer.1.4711.12.1732780800000000000.3",  # the 9-token form
    "$JS.ACK.hub.ACCOUNTHASH.OGI_EVENTS.consumer.1.4711.12.1732780800000000000.3.token",  # domain and account hash
    "$JS.ACK.hub.ACCOUNTHASH.OGI_EVENTS.consumer.1.4711.12.1732780800000000000.3",
]


@pytest.mark.parametrize("reply", REPLIES)
def test_the_stream_sequence_and_time_are_the_ones_nats_py_reads(reply):
    seq, stored_ns, data, _, headers, _ = arrival(Msg(Client(), reply=reply, data=b"{}"), {"traceparent": "00-x"})
    metadata = Msg(Client(), reply=reply).metadata
    assert seq == metadata.sequence.stream == 4711
    assert stored_at(stored_ns) == metadata.timestamp
    assert (data, headers) == (b"{}", {"traceparent": "00-x"})


async def test_the_buffer_holds_its_limit_and_hands_out_at_most_what_is_asked():
    buffer = Buffer(limit=3)
    adding = asyncio.create_task(buffer.add([1, 2, 3, 4]))
    await asyncio.sleep(0)
    assert not adding.done()  # four waiting, over the limit of three: the adder waits
    assert await buffer.take(2) == [1, 2]
    await asyncio.wait_for(adding, timeout=5)
    assert await buffer.take(10) == [3, 4]
    taking = asyncio.create_task(buffer.take(10))
    await asyncio.sleep(0)
    assert not taking.done()  # nothing waiting: the taker waits for the next add
    await buffer.add([5])
    assert await asyncio.wait_for(taking, timeout=5) == [5]


async def received_runs(nc, last: int) -> list[list[arrivals.Arrival]]:
    """Every event of OGI_EVENTS by arrivals.runs, in the runs it gave, once all of them have arrived."""
    subscription = await nc.jetstream().subscribe(
        "ogi.events.>",
        stream=subjects.EVENTS_STREAM,
        ordered_consumer=True,
        config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL),
    )
    await eventually(lambda: subscription.pending_msgs == last)
    received = []
    async with aclosing(arrivals.runs(subscription, most=50)) as runs:
        async for run in runs:
            received.append([arrival(message, message.headers) for message in run])
            if received[-1][-1][0] == last:
                break
    await subscription.unsubscribe()
    return received


@pytest.fixture
async def appended(nc) -> int:
    return await append_all(nc, region_histories(seed=3)[:40])


async def test_runs_by_the_public_api_give_the_same_events_one_at_a_time(nc, appended, monkeypatch):
    taken_from_queue = await received_runs(nc, appended)
    monkeypatch.setattr(nats_internals, "takes_from_queue", lambda subscription: False)
    one_by_one = await received_runs(nc, appended)

    assert len(taken_from_queue[0]) == 50  # all had arrived: a run of the most it may be
    assert set(map(len, one_by_one)) == {1}
    flat = [delivery for run in taken_from_queue for delivery in run]
    assert flat == [delivery for run in one_by_one for delivery in run]
    assert [seq for seq, *_ in flat] == list(range(1, appended + 1))


async def test_taken_by_the_public_api_gives_the_same_messages(nc, monkeypatch):
    async def taken_twice() -> tuple[list[bytes], list[bytes]]:
        subscription = await nc.subscribe("waiting")
        for number in range(5):
            await nc.publish("waiting", b"message %d" % number)
        await eventually(lambda: subscription.pending_msgs == 5)
        first, rest = await arrivals.taken(subscription, 3), await arrivals.taken(subscription, 10)
        with pytest.raises(TimeoutError):
            await arrivals.taken(subscription, 1, timeout=0.05)
        assert (subscription.pending_msgs, subscription.pending_bytes) == (0, 0)
        await subscription.unsubscribe()
        return [message.data for message in first], [message.data for message in rest]

    from_queue = await taken_twice()
    monkeypatch.setattr(nats_internals, "takes_from_queue", lambda subscription: False)
    assert await taken_twice() == from_queue == ([b"message 0", b"message 1", b"message 2"], [b"message 3", b"message 4"])
