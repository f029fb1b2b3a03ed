"""Writes grouped into atomic batches (shared/atomic_batches.py), on a real nats-server: writes made together
share batches, yet each gets the answer it would have had alone — its own sequence, a duplicate's
acknowledgement, its own refusal — and appends under one guard are still checked one after another."""

import asyncio

import nats
import pytest
from nats.js.api import StreamConfig
from nats.js.errors import APIError

from shared import streams, subjects
from shared.atomic_batches import AtomicBatcher
from shared.eventstore import EXPECTED_LAST_SEQ, EXPECTED_LAST_SUBJECT, WRONG_LAST_SEQUENCE

BATCH_ID = "Nats-Batch-Id"


@pytest.fixture
async def js(nc):
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name="BATCHED", subjects=["batched.>"], allow_atomic=True))
    return js


async def stored(js, stream: str, seq: int):
    return await js.get_msg(stream, seq)


async def test_writes_made_together_share_batches_and_each_gets_its_own_sequence(nc, js):
    batcher = AtomicBatcher(nc, "BATCHED")
    acks = await asyncio.gather(*(batcher.publish(f"batched.{n}", f"{n}".encode(), {}) for n in range(300)))

    messages = [await stored(js, "BATCHED", ack.seq) for ack in acks]
    assert [message.subject for message in messages] == [f"batched.{n}" for n in range(300)]
    assert [message.data for message in messages] == [f"{n}".encode() for n in range(300)]
    batches = {message.headers.get(BATCH_ID) for message in messages if message.headers and BATCH_ID in message.headers}
    assert 0 < len(batches) < 300


async def test_a_write_the_server_refuses_fails_alone_and_the_rest_are_stored(nc, js):
    original = await js.publish("batched.original", b"first", headers={"Nats-Msg-Id": "once"})
    batcher = AtomicBatcher(nc, "BATCHED")

    others = [batcher.publish(f"batched.other.{n}", b"x", {}) for n in range(40)]
    answers = await asyncio.gather(
        batcher.publish("batched.again", b"second", {"Nats-Msg-Id": "once"}),
        batcher.publish("batched.original", b"x", {"Nats-Expected-Last-Subject-Sequence": "0"}),
        *others,
        return_exceptions=True,
    )
    duplicate, refused, rest = answers[0], answers[1], answers[2:]

    assert not isinstance(duplicate, BaseException) and duplicate.duplicate and duplicate.seq == original.seq
    assert isinstance(refused, APIError) and refused.err_code == WRONG_LAST_SEQUENCE
    acks = [ack for ack in rest if not isinstance(ack, BaseException)]
    assert len(acks) == len(rest), rest
    assert [(await stored(js, "BATCHED", ack.seq)).subject for ack in acks] == [f"batched.other.{n}" for n in range(40)]
    assert (await js.stream_info("BATCHED")).state.messages == 41


def guarded(region: int, expected: int) -> dict[str, str]:
    return {EXPECTED_LAST_SEQ: str(expected), EXPECTED_LAST_SUBJECT: f"batched.{region}.>"}


async def test_appends_under_one_guard_are_checked_one_after_another(nats_server, nc, js):
    """Two appends per region, each expecting the region to have nothing yet: exactly one of the two is
    stored, whether both are made by one batcher or by two on two connections."""
    other = await nats.connect(nats_server.url)
    try:
        one, two = AtomicBatcher(nc, "BATCHED"), AtomicBatcher(other, "BATCHED")
        for first, second, regions in ((one, one, range(0, 40)), (one, two, range(40, 80))):
            answers = await asyncio.gather(
                *(
                    batcher.publish(f"batched.{region}.{name}", b"x", guarded(region, 0), key=f"batched.{region}.>")
                    for region in regions
                    for batcher, name in ((first, "a"), (second, "b"))
                ),
                return_exceptions=True,
            )
            for region, pair in zip(regions, zip(answers[0::2], answers[1::2], strict=True), strict=True):
                refused = [answer for answer in pair if isinstance(answer, Exception)]
                assert len(refused) == 1, f"region {region}: {pair}"
                assert isinstance(refused[0], APIError) and refused[0].err_code == WRONG_LAST_SEQUENCE
                info = await js.stream_info("BATCHED", subjects_filter=f"batched.{region}.>")
                assert sum(info.state.subjects.values()) == 1
    finally:
        await other.close()


async def test_a_stream_without_atomic_batches_gets_ordinary_publishes(nc):
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name="PLAIN", subjects=["plain.>"]))
    batcher = AtomicBatcher(nc, "PLAIN")

    acks = await asyncio.gather(*(batcher.publish(f"plain.{n}", b"x", {}) for n in range(20)))

    messages = [await stored(js, "PLAIN", ack.seq) for ack in acks]
    assert [message.subject for message in messages] == [f"plain.{n}" for n in range(20)]
    assert not any(message.headers and BATCH_ID in message.headers for message in messages)


async def test_the_streams_deciding_services_write_take_atomic_batches(nc):
    js = nc.jetstream()
    for stream in (subjects.EVENTS_STREAM, subjects.OUTCOMES_STREAM, streams.bucket_stream(subjects.SUBMISSIONS_BUCKET)):
        assert (await js.stream_info(stream)).config.allow_atomic, stream


async def test_declaring_again_allows_atomic_batches_on_streams_made_without_them(nats_server):
    """Streams and buckets as a version before atomic batches declared them: the next declare allows them."""
    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        for config in streams.stream_configs(1, 120.0, atomic_batches=False):
            await js.add_stream(config)
        for bucket_config in streams.bucket_configs(1):
            await js.create_key_value(bucket_config)
        assert not (await js.stream_info(subjects.EVENTS_STREAM)).config.allow_atomic

        await streams.declare(nc)

        for stream in (subjects.EVENTS_STREAM, subjects.OUTCOMES_STREAM, streams.bucket_stream(subjects.SUBMISSIONS_BUCKET)):
            assert (await js.stream_info(stream)).config.allow_atomic, stream
    finally:
        await nc.close()
