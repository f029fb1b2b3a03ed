"""Each nats-py internal that shared/nats_internals.py relies on, checked against the installed nats-py (and a
real nats-server where it takes one). A failure names the attribute that a nats-py release has changed."""

import asyncio

import nats
import pytest
from nats.aio.client import Client
from nats.js.api import ConsumerConfig, DeliverPolicy, StreamConfig

from shared import nats_internals
from tests.support import eventually

ATTRIBUTES_CHANGED = "nats-py changed {}: shared/nats_internals.py must follow it (or its callers take the public API)"


@pytest.fixture
async def connection(nats_server):
    nc = await nats.connect(nats_server.url)
    yield nc
    await nc.close()


@pytest.mark.parametrize(
    ("options", "prefix"),
    [({}, "$JS.API"), ({"domain": "hub"}, "$JS.hub.API"), ({"prefix": "ops.JS.API"}, "ops.JS.API")],
)
def test_api_subjects_are_built_on_the_contexts_own_prefix(options, prefix):
    js = Client().jetstream(**options)
    assert nats_internals.api_prefix(js) == prefix, ATTRIBUTES_CHANGED.format("JetStreamContext._prefix")
    assert nats_internals.api_subject(js, "DIRECT.GET", "OGI_EVENTS") == f"{prefix}.DIRECT.GET.OGI_EVENTS"


def test_a_context_without_a_prefix_nats_py_keeps_gives_no_api_subject():
    js = Client().jetstream()
    del js._prefix
    assert nats_internals.api_subject(js, "DIRECT.GET", "OGI_EVENTS") is None


async def test_a_keys_subject_is_the_one_the_buckets_own_writes_use(connection):
    js = connection.jetstream()
    kv = await js.create_key_value(bucket="CLAIMS")
    subject = nats_internals.key_subject(kv, "kemendagri.s-1")
    assert subject == "$KV.CLAIMS.kemendagri.s-1", ATTRIBUTES_CHANGED.format("KeyValue._pre")
    await js.publish(subject, b"claimed")
    assert (await kv.get("kemendagri.s-1")).value == b"claimed"


async def test_take_hands_out_what_waits_in_order_and_leaves_nothing_counted(connection):
    subscription = await connection.subscribe("waiting")
    assert nats_internals.takes_from_queue(subscription), ATTRIBUTES_CHANGED.format(
        "Subscription._pending_queue (an asyncio.Queue) or Subscription._pending_size (an int)"
    )
    for number in range(5):
        await connection.publish("waiting", b"message %d" % number)
    await eventually(lambda: subscription.pending_msgs == 5)

    first = await nats_internals.take(subscription, 3)
    assert [message.data for message in first] == [b"message 0", b"message 1", b"message 2"]
    assert subscription.pending_bytes == 2 * len(b"message 3"), ATTRIBUTES_CHANGED.format("Subscription._pending_size")
    rest = await nats_internals.take(subscription, 10)
    assert [message.data for message in rest] == [b"message 3", b"message 4"]
    assert (subscription.pending_msgs, subscription.pending_bytes) == (0, 0)
    with pytest.raises(TimeoutError):
        await nats_internals.take(subscription, 1, timeout=0.05)
    # Every message taken is marked done in the queue: a drain waits for that.
    await asyncio.wait_for(subscription.drain(), 5)


async def test_a_flow_control_request_is_answered_once_the_messages_before_it_are_taken(connection, monkeypatch):
    js = connection.jetstream()
    await js.add_stream(StreamConfig(name="BULK", subjects=["bulk.>"]))
    payload = b"x" * 1024
    total = 6000  # some 6 MB: over the window the server sends before it asks for flow control
    await asyncio.gather(*[await js.publish_async("bulk.one", payload) for _ in range(total)])
    subscription = await js.subscribe(
        "bulk.>",
        stream="BULK",
        ordered_consumer=True,
        config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL),
        pending_msgs_limit=total,
        pending_bytes_limit=0,
    )
    assert nats_internals.answers_flow_control(subscription), ATTRIBUTES_CHANGED.format(
        "PushSubscription._sub._jsi, _JSI._fcr, _JSI._fcd, _JSI.get_js_delivered or PushSubscription._conn"
    )
    jsi = subscription._sub._jsi
    # nats-py keeps the request it has not answered yet, and how many messages came before it.
    request = await eventually(lambda: jsi._fcr, timeout=30)
    before = jsi._fcd
    assert isinstance(before, int) and 0 < before < total, ATTRIBUTES_CHANGED.format("_JSI._fcd")
    answered = []
    publish = connection.publish

    async def recorded(subject, *args, **kwargs):
        answered.append(subject)
        return await publish(subject, *args, **kwargs)

    monkeypatch.setattr(connection, "publish", recorded)

    taken = await nats_internals.take(subscription, before - 1)
    await nats_internals.answer_flow_control(subscription)
    assert answered == [], "answered before the messages delivered ahead of the request were taken"
    taken += await nats_internals.take(subscription, 1)
    await nats_internals.answer_flow_control(subscription)
    assert answered == [request], ATTRIBUTES_CHANGED.format("_JSI._fcr or _JSI.get_js_delivered")

    # The answer was the one the server waited for: it sends the rest.
    while len(taken) < total:
        taken += await nats_internals.take(subscription, total, timeout=30)
        await nats_internals.answer_flow_control(subscription)
    assert len(taken) == total
    await subscription.unsubscribe()
