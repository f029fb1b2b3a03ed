"""How the projector reads deliveries: the stream sequence from the reply subject, and the bounded buffer."""

import asyncio

import pytest
from nats.aio.msg import Msg

from services.indicators.projector.arrivals import Buffer, arrival, stored_at

REPLIES = [
    "$JS.ACK.OGI_EVENTS.consumer.1.4711.12.1732780800000000000.3",  # the 9-token form
    "$JS.ACK.hub.ACCOUNTHASH.OGI_EVENTS.consumer.1.4711.12.1732780800000000000.3.token",  # domain and account hash
    "$JS.ACK.hub.ACCOUNTHASH.OGI_EVENTS.consumer.1.4711.12.1732780800000000000.3",
]


@pytest.mark.parametrize("reply", REPLIES)
def test_the_stream_sequence_and_time_are_the_ones_nats_py_reads(reply):
    seq, stored_ns, data, _, headers = arrival(Msg(None, reply=reply, data=b"{}"), {"traceparent": "00-x"})
    metadata = Msg.Metadata._from_reply(reply)
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
