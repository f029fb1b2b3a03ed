"""OGI_EVENTS from a sequence on, read by a receiving process with a pull consumer of its own, asking for
PULL_BATCH events at a time with at most two requests' worth outstanding: what the server sends ahead of
the reader is bounded by that, whatever the reader's pace. An ordered (push) consumer lets the server send
ahead as much as its flow control allows, 32 MB, which a receiving process held back by its projector kept
as some 70 MB of nats-py messages.

The consumer is ephemeral, acknowledges nothing, and is removed by the server once unused. Its requests go
to the consumer's API subject under the JetStream context's prefix (shared/nats_internals.py). Whatever stops
the reading (a request the server refuses, the consumer gone, nothing heard for STALLED_AFTER while a
request is outstanding, as when the server restarted and forgot it, a nats-py that does not tell the API
prefix) raises PullFailed: the projector then receives in its own process from where the receiving process
got to."""

import json
from collections.abc import AsyncGenerator

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from services.indicators.projector import arrivals
from shared import nats_internals, subjects

PULL_BATCH = 1000
REQUEST_EXPIRES = 30.0  # seconds a request waits for events before the server ends it (408)
HEARTBEAT = 5.0  # seconds: the server says it is there this often while a request waits
STALLED_AFTER = 3 * HEARTBEAT
UNUSED_FOR = 300.0  # seconds without requests after which the server removes the consumer

STATUS, DESCRIPTION, PENDING_MESSAGES = "Status", "Description", "Nats-Pending-Messages"
HEARTBEAT_STATUS, EXPIRED_STATUS = "100", "408"


class PullFailed(Exception):
    """The pull consumer cannot go on."""


async def runs(nc: Client, first: int, most: int) -> AsyncGenerator[list[Msg], None]:
    """The stream's events from `first` on, as many at a time as have arrived (at most `most`)."""
    js = nc.jetstream()
    api = nats_internals.api_prefix(js)
    if api is None:
        raise PullFailed("nats-py does not tell its JetStream API prefix (shared/nats_internals.py)")
    consumer = await js.add_consumer(
        subjects.EVENTS_STREAM,
        ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=first,
            ack_policy=AckPolicy.NONE,
            filter_subject="ogi.events.>",
            mem_storage=True,
            inactive_threshold=UNUSED_FOR,
        ),
    )
    inbox = nc.new_inbox()
    subscription = await nc.subscribe(inbox, pending_msgs_limit=4 * PULL_BATCH)
    next_events = f"{api}.CONSUMER.MSG.NEXT.{subjects.EVENTS_STREAM}.{consumer.name}"
    request = json.dumps({"batch": PULL_BATCH, "expires": _ns(REQUEST_EXPIRES), "idle_heartbeat": _ns(HEARTBEAT)}).encode()
    owed = 0  # events the outstanding requests may still bring

    async def ask_ahead() -> None:
        """Ask until the outstanding requests may bring more than one PULL_BATCH (at most two)."""
        nonlocal owed
        while owed <= PULL_BATCH:
            await nc.publish(next_events, request, reply=inbox)
            owed += PULL_BATCH

    await ask_ahead()
    while True:
        try:
            arrived = await arrivals.taken(subscription, most, timeout=STALLED_AFTER)
        except TimeoutError:
            raise PullFailed(f"nothing from the server for {STALLED_AFTER:g} s") from None
        run = []
        for message in arrived:
            headers = message.headers or {}
            status = headers.get(STATUS) if not message.data else None
            if status is None:
                run.append(message)
                owed -= 1
            elif status == EXPIRED_STATUS:
                owed = max(0, owed - int(headers.get(PENDING_MESSAGES, PULL_BATCH)))
            elif status != HEARTBEAT_STATUS:
                description = headers.get(DESCRIPTION, "").split("\n")[0]
                raise PullFailed(f"the server answered {status} {description}".rstrip())
        await ask_ahead()
        if run:
            yield run


def _ns(seconds: float) -> int:
    return int(seconds * 1e9)
