"""A deciding service as a FastStream app: a durable pull consumer on its inbox subjects.

The acknowledgement rule, stated once: a submission whose outcome is published is acknowledged; a
transient failure (NATS, a concurrent writer, an outcome not there yet) is redelivered after a delay and
never terminated; any other failure is retried a few times, then answered `unprocessable` and acknowledged,
so one bad submission never blocks the inbox. FastStream's NATS default (terminate on error) would lose it.
"""

import asyncio
import logging

import nats.errors
from faststream import AckPolicy, FastStream
from faststream.nats import ConsumerConfig, DeliverPolicy, JStream, NatsBroker, NatsMessage, PullSub

from shared import streams, subjects
from shared.intake import Inbound, Intake, ServiceSpec, Transient
from shared.settings import Settings

log = logging.getLogger("ogi.service")

ATTEMPTS_BEFORE_GIVING_UP = 5
ACK_WAIT_SECONDS = 30


def redelivery_delay(attempt: int) -> float:
    return min(0.25 * 2 ** (attempt - 1), 30.0)


def is_transient(error: Exception) -> bool:
    return isinstance(error, Transient | nats.errors.Error | asyncio.TimeoutError | OSError)


def build_app(spec: ServiceSpec, settings: Settings) -> FastStream:
    broker = NatsBroker(
        settings.resolved_nats_url.split(","),
        name=f"ogi-{spec.name}",
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        log_level=logging.DEBUG,  # one line per message is for debugging; decisions are logged by the intake
    )
    intake: Intake | None = None

    @broker.subscriber(
        subjects.inbox_filter(spec.name),
        stream=JStream(subjects.INBOX_STREAM, declare=False),
        durable=spec.name,
        pull_sub=PullSub(batch_size=32, timeout=1.0),
        ack_policy=AckPolicy.MANUAL,
        config=ConsumerConfig(
            ack_wait=ACK_WAIT_SECONDS,
            max_deliver=-1,
            max_ack_pending=1024,
            deliver_policy=DeliverPolicy.ALL,
        ),
        title=f"{spec.name} inbox",
        description=f"Submissions of kinds {', '.join(spec.deciders)} from every ministry.",
    )
    async def on_submission(msg: NatsMessage) -> None:
        raw = msg.raw_message
        ministry, kind = subjects.parse_inbox(raw.subject)
        inbound = Inbound(ministry, kind, raw.metadata.sequence.stream, raw.data, raw.headers or {})
        attempt = raw.metadata.num_delivered
        try:
            await intake.handle(inbound)
        except Exception as error:
            if is_transient(error) or attempt < ATTEMPTS_BEFORE_GIVING_UP:
                log.warning("submission %s not decided (attempt %s): %r", inbound.seq, attempt, error)
                await msg.nack(delay=redelivery_delay(attempt))
                return
            try:
                await intake.give_up(inbound, error)
            except Exception as publish_error:
                log.warning("outcome of submission %s not published: %r", inbound.seq, publish_error)
                await msg.nack(delay=redelivery_delay(attempt))
                return
        await msg.ack()

    @broker.subscriber(subjects.health(spec.name), include_in_schema=False)
    async def on_health() -> str:
        return "consuming"

    app = FastStream(broker)

    @app.on_startup
    async def prepare() -> None:
        nonlocal intake
        await broker.connect()
        await streams.declare(broker.connection.jetstream(), settings.replicas, settings.duplicate_window)
        intake = Intake(spec, broker.connection)

    return app
