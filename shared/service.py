"""A deciding service: a FastStream app with a durable pull consumer on its inbox subjects, and an HTTP side
for probes and metrics.

The acknowledgement rule, stated once: a submission whose outcome is published is acknowledged; a
transient failure (NATS, a concurrent writer, an outcome not there yet) is redelivered after a delay and
never terminated; any other failure is retried a few times, then answered `unprocessable` and acknowledged,
so one bad submission never blocks the inbox. FastStream's NATS default (terminate on error) would lose it.
"""

import asyncio
import logging
import time

import nats.errors
import nats.js.errors
from fastapi import FastAPI
from faststream import AckPolicy, FastStream
from faststream.nats import ConsumerConfig, DeliverPolicy, JStream, NatsBroker, NatsMessage, PullSub
from faststream.nats.opentelemetry import NatsTelemetryMiddleware
from faststream.nats.prometheus import NatsPrometheusMiddleware

from shared import streams, subjects
from shared.intake import Inbound, Intake, ServiceSpec, Transient
from shared.metrics import ServiceMetrics
from shared.natsconn import broker_options
from shared.probes import probe_routes
from shared.settings import Settings

log = logging.getLogger("ogi.service")

ATTEMPTS_BEFORE_GIVING_UP = 5
ACK_WAIT_SECONDS = 30
# A pull consumer that has submissions waiting and has delivered none for this long is subscribed again.
INBOX_WATCH_SECONDS = 5.0
INBOX_STALL_SECONDS = 20.0
INBOX_BATCH = 256  # submissions asked for in one pull request and decided at once


def redelivery_delay(attempt: int) -> float:
    return min(0.25 * 2 ** (attempt - 1), 30.0)


async def _as_received(msg: NatsMessage) -> NatsMessage:
    return msg


def is_transient(error: Exception) -> bool:
    return isinstance(error, Transient | nats.errors.Error | asyncio.TimeoutError | OSError)


class DecidingService:
    def __init__(self, spec: ServiceSpec, settings: Settings) -> None:
        self.spec, self.settings = spec, settings
        self.metrics = ServiceMetrics(spec.name)
        connection = broker_options(settings.nats_credentials)
        # Pull requests are answered on this prefix: under least privilege, the only inbox the service may read.
        self._inbox_prefix = f"{connection.get('inbox_prefix', '_INBOX')}.".encode()
        self.broker = NatsBroker(
            settings.resolved_nats_url.split(","),
            name=f"ogi-{spec.name}",
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            # FastStream's own line per message would be written outside the message's trace; the intake
            # writes one line per decision, inside it.
            logger=None,
            middlewares=(
                NatsTelemetryMiddleware(),
                NatsPrometheusMiddleware(registry=self.metrics.registry, app_name=f"ogi-{spec.name}"),
            ),
            **connection,
        )
        self.intake: Intake | None = None
        self.app = FastStream(self.broker, logger=logging.getLogger(f"ogi.{spec.name}.app"))
        self.app.on_startup(self._prepare)
        self.app.after_startup(self._start_watching_inbox)
        self._watch: asyncio.Task | None = None
        self._subscribe()
        self.http = FastAPI(title=f"OGI Tracker {spec.name}", version="1")
        self.http.include_router(probe_routes(self.readiness, self.metrics.registry))

    async def start(self) -> None:
        await self.app.start()

    async def stop(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            await asyncio.gather(self._watch, return_exceptions=True)
        await self.app.stop()

    async def readiness(self) -> dict[str, str]:
        connected = self.intake is not None and self.broker.connection.is_connected
        return {"nats": "ok" if connected else "disconnected", "inbox consumer": "ok" if self.intake else "not started"}

    async def _prepare(self) -> None:
        await self.broker.connect()
        await streams.declare(self.broker.connection.jetstream(), self.settings.replicas, self.settings.duplicate_window)
        self.intake = Intake(self.spec, self.broker.connection, self.metrics)

    def _subscribe(self) -> None:
        spec = self.spec

        @self.broker.subscriber(
            subjects.inbox_filter(spec.name),
            stream=JStream(subjects.INBOX_STREAM, declare=False),
            durable=spec.name,
            # Each fetched batch is decided concurrently, in step (so their writes share socket flushes);
            # two on one region are kept apart by the append's expected-sequence check, not by order.
            pull_sub=PullSub(batch_size=INBOX_BATCH, timeout=1.0),
            # The handler takes the message as it came, undecoded (and without a context parameter, which
            # FastDepends resolves in a worker thread).
            decoder=_as_received,
            inbox_prefix=self._inbox_prefix,
            ack_policy=AckPolicy.MANUAL,
            config=ConsumerConfig(ack_wait=ACK_WAIT_SECONDS, max_deliver=-1, max_ack_pending=1024, deliver_policy=DeliverPolicy.ALL),
            title=f"{spec.name} inbox",
            description=f"Submissions of kinds {', '.join(spec.deciders)} from every ministry.",
        )
        async def on_submission(msg):  # noqa: ANN001 - the NatsMessage itself, see _as_received
            await self._on_submission(msg)

        @self.broker.subscriber(subjects.health(spec.name), include_in_schema=False)
        async def on_health() -> str:
            return "consuming"

    async def _on_submission(self, msg: NatsMessage) -> None:
        started = time.perf_counter()
        raw = msg.raw_message
        ministry, kind = subjects.parse_inbox(raw.subject)
        inbound = Inbound(ministry, kind, raw.metadata.sequence.stream, raw.data, raw.headers or {})
        attempt = raw.metadata.num_delivered
        if attempt > 1:
            self.metrics.redeliveries.labels(self.spec.name).inc()
        try:
            await self.intake.handle(inbound)
        except Exception as error:
            if is_transient(error) or attempt < ATTEMPTS_BEFORE_GIVING_UP:
                log.warning("submission %s not decided (attempt %s): %r", inbound.seq, attempt, error)
                await msg.nack(delay=redelivery_delay(attempt))
                return
            try:
                await self.intake.give_up(inbound, error)
            except Exception as publish_error:
                log.warning("outcome of submission %s not published: %r", inbound.seq, publish_error)
                await msg.nack(delay=redelivery_delay(attempt))
                return
        await msg.ack()
        self.metrics.handler_seconds.labels(self.spec.name, kind).observe(time.perf_counter() - started)

    # The inbox watchdog. After every NATS server restarts, a nats.py pull subscription can stop receiving
    # for good (its durable consumer lost, or fetches no longer answered) while the connection itself looks
    # healthy. Seen from the stream: submissions are waiting, yet the consumer's delivered position does not
    # move. Then this replica subscribes again, which also re-creates a lost durable consumer.

    async def _start_watching_inbox(self) -> None:
        self._watch = asyncio.create_task(self._watch_inbox(), name=f"{self.spec.name} inbox watchdog")

    def _inbox_subscriber(self):
        wanted = subjects.inbox_filter(self.spec.name)
        return next(subscriber for subscriber in self.broker.subscribers if getattr(getattr(subscriber, "subject", None), "broker_address", None) == wanted)

    async def _watch_inbox(self) -> None:
        delivered, since = None, time.monotonic()
        while True:
            await asyncio.sleep(INBOX_WATCH_SECONDS)
            try:
                info = await self.broker.connection.jetstream().consumer_info(subjects.INBOX_STREAM, self.spec.name)
                waiting, now_delivered = info.num_pending > 0, info.delivered.stream_seq
            except nats.js.errors.NotFoundError:
                waiting, now_delivered = True, None
            except Exception:  # NATS away: nothing to judge yet
                continue
            if not waiting or now_delivered != delivered:
                delivered, since = now_delivered, time.monotonic()
                continue
            if time.monotonic() - since < INBOX_STALL_SECONDS:
                continue
            log.warning("inbox consumer %s has submissions waiting and delivered none for %.0f s: subscribing again", self.spec.name, time.monotonic() - since)
            try:
                subscriber = self._inbox_subscriber()
                await subscriber.stop()
                await subscriber.start()
            except Exception as error:
                log.warning("subscribing again to inbox consumer %s failed: %r", self.spec.name, error)
            delivered, since = None, time.monotonic()
