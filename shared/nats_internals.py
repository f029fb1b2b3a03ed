"""What OGI Tracker takes from nats-py below its public API, and the only module that reads nats-py's private
attributes. They are nats-py 2.16's (pyproject.toml pins that minor version for this module's sake), and
tests/unit/test_nats_internals.py checks each one against the installed nats-py, naming the attribute when a
release has changed it. The subjects come back None, and `takes_from_queue` and `answers_flow_control` say
False, when nats-py is not as expected: the callers then take the public API's way to the same result, which
is slower."""

import asyncio

from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js.client import JetStreamContext
from nats.js.kv import KeyValue


def api_prefix(js: JetStreamContext) -> str | None:
    """The prefix of the context's JetStream API subjects, which nats-py builds its own requests on
    (`JetStreamContext._prefix`): `$JS.API`, `$JS.<domain>.API` for a context made with a domain, or the
    prefix it was made with."""
    prefix = getattr(js, "_prefix", None)
    return prefix if isinstance(prefix, str) else None


def api_subject(js: JetStreamContext, *tokens: str) -> str | None:
    """A JetStream API subject under the context's prefix: `api_subject(js, "DIRECT.GET", "OGI_EVENTS")`."""
    prefix = api_prefix(js)
    return None if prefix is None else ".".join((prefix, *tokens))


def key_subject(kv: KeyValue, key: str) -> str | None:
    """The subject `key`'s values are stored under: the bucket's own prefix, `$KV.<bucket>.`, which nats-py's
    `put`, `create` and `update` publish to (`KeyValue._pre`), and the key."""
    prefix = getattr(kv, "_pre", None)
    return prefix + key if isinstance(prefix, str) else None


def takes_from_queue(subscription: Subscription) -> bool:
    """Whether `take` can read this subscription (a core one, or a JetStream push subscription, made without
    a callback): nats-py keeps what has arrived for it in `_pending_queue`, an asyncio.Queue, and the bytes
    of the payloads waiting there in `_pending_size`."""
    return isinstance(getattr(subscription, "_pending_queue", None), asyncio.Queue) and isinstance(getattr(subscription, "_pending_size", None), int)


async def take(subscription: Subscription, most: int, timeout: float | None = None) -> list[Msg]:
    """At least one message from the subscription's queue and at most `most`: all that wait there, up to that,
    with the bookkeeping nats-py's own `next_msg` does: the pending bytes (or the subscription would count as
    a slow consumer) and `task_done` (or a drain would never end). TimeoutError when none arrives within
    `timeout`."""
    queue = subscription._pending_queue
    run = [await (queue.get() if timeout is None else asyncio.wait_for(queue.get(), timeout))]
    while len(run) < most and not queue.empty():
        run.append(queue.get_nowait())
    for message in run:
        queue.task_done()
        subscription._pending_size -= len(message.data)
    return run


def answers_flow_control(subscription: JetStreamContext.PushSubscription) -> bool:
    """Whether `answer_flow_control` can answer for this JetStream push subscription: nats-py keeps its
    consumer's state in `_sub._jsi`, the flow-control request waiting for an answer in `_jsi._fcr` (None when
    there is none), how many messages were delivered before it in `_jsi._fcd`, how many have been taken from
    the queue in `_jsi.get_js_delivered()`, and the subscription's connection in `_conn`."""
    jsi = getattr(getattr(subscription, "_sub", None), "_jsi", None)
    return (
        jsi is not None
        and hasattr(jsi, "_fcr")
        and isinstance(getattr(jsi, "_fcd", None), int)
        and callable(getattr(jsi, "get_js_delivered", None))
        and callable(getattr(getattr(subscription, "_conn", None), "publish", None))
    )


async def answer_flow_control(subscription: JetStreamContext.PushSubscription) -> None:
    """Answer the consumer's flow-control request, if one waits and the messages delivered before it have been
    taken, as nats-py does after a callback or `next_msg` (for a subscription read otherwise it looks four
    times a second, and the server sends nothing meanwhile)."""
    jsi = subscription._sub._jsi
    if jsi is None or not jsi._fcr or jsi.get_js_delivered() < jsi._fcd:
        return
    reply, jsi._fcr = jsi._fcr, None
    await subscription._conn.publish(reply)
