"""A deciding service: a durable pull consumer on its inbox subjects, taken with nats-py directly (one span,
a few metrics and one log line per decision, nothing more per message), a FastStream app for the connection
and the health subject, and an HTTP side for probes and metrics.

The acknowledgement rule, stated once: a submission whose outcome is published is acknowledged; a
transient failure (NATS, a concurrent writer, an outcome not there yet) is redelivered after a delay and
never terminated; any other failure is retried a few times, then answered `unprocessable` and acknowledged,
so one bad submission never blocks the inbox. Should answering it fail too for a reason other than NATS, the
last resort answers it from its subject, its sequence and the id read so far alone (Intake.answer_last), so
that only NATS itself can keep a submission from its outcome. FastStream's NATS default (terminate on
error) would lose it.
"""

import asyncio
import logging
import time

import nats.errors
import nats.js.errors
from fastapi import FastAPI
from faststream import FastStream
from faststream.nats import NatsBroker
from faststream.nats.opentelemetry import NatsTelemetryMiddleware
from faststream.nats.prometheus import NatsPrometheusMiddleware
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy

from shared import streams, subjects, telemetry
from shared.http_middleware import HardenedHttp
from shared.inbox_order import InboxOrder
from shared.intake import Inbound, Intake, ServiceSpec, Transient
from shared.metrics import ServiceMetrics
from shared.nats_health import NatsServerHealth
from shared.natsconn import broker_options
from shared.probes import probe_routes
from shared.settings import Settings

log = logging.getLogger("ogi.service")

ATTEMPTS_BEFORE_GIVING_UP = 5
ACK_WAIT_SECONDS = 30
# A replica that has received nothing for this long while its consumer has work subscribes again (below).
INBOX_WATCH_SECONDS = 5.0
INBOX_STALL_SECONDS = 10.0
INBOX_BATCH = 256  # submissions asked for in one pull request
DECIDING_AT_MOST = 512  # submissions being decided at once; more are fetched as these finish
FETCH_SECONDS = 1.0


def redelivery_delay(attempt: int) -> float:
    return min(0.25 * 2 ** (attempt - 1), 30.0)


def is_transient(error: Exception) -> bool:
    return isinstance(error, Transient | nats.errors.Error | asyncio.TimeoutError | OSError)


class DecidingService:
    def __init__(self, spec: ServiceSpec, settings: Settings) -> None:
        self.spec, self.settings = spec, settings
        self.metrics = ServiceMetrics(spec.name)
        self.nats_server = NatsServerHealth(self.settings.nats_monitor_url, self.metrics.registry)
        connection = broker_options(settings.nats_credentials)
        # Pull requests are answered on this prefix: under least privilege, the only inbox the service may read.
        self._inbox_prefix = f"{connection.get('inbox_prefix', '_INBOX')}.".encode()
        self.broker = NatsBroker(
            settings.resolved_nats_url.split(","),
            name=f"ogi-{spec.name}",
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,  # type: ignore[arg-type]  # seconds: nats-py sleeps a float too, though it and FastStream annotate an int
            logger=None,
            middlewares=(
                NatsTelemetryMiddleware(),
                NatsPrometheusMiddleware(registry=self.metrics.registry, app_name=f"ogi-{spec.name}"),
            ),
            **connection,
        )
        self.intake: Intake | None = None
        self.order: InboxOrder | None = None
        self.app = FastStream(self.broker, logger=logging.getLogger(f"ogi.{spec.name}.app"))
        self.app.on_startup(self._prepare)
        self.app.after_startup(self._start_consuming)
        self._consuming: asyncio.Task | None = None
        self._subscription: JetStreamContext.PullSubscription | None = None
        self._watch: asyncio.Task | None = None
        self._subscribe_again = asyncio.Event()
        self._received_at = time.monotonic()  # when this replica last received submissions

        @self.broker.subscriber(subjects.health(spec.name), include_in_schema=False)
        async def on_health() -> str:
            return "consuming"

        self.http = FastAPI(title=f"OGI Tracker {spec.name}", version="1")
        self.http.add_middleware(HardenedHttp)
        self.http.include_router(probe_routes(self.readiness, self.metrics.registry))

    async def start(self) -> None:
        await self.app.start()

    async def stop(self) -> None:
        for task in (self._watch, self._consuming):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        # Ended before the connection is drained: a pull subscription's queue holds replies to expired
        # pull requests that a drain would wait on for ever.
        await self._end_subscription()
        if self.order is not None:
            await self.order.stop()
        await self.app.stop()

    async def readiness(self) -> dict[str, str]:
        connected = self.intake is not None and self.broker.connection.is_connected
        checks = {"nats": "ok" if connected else "disconnected", "inbox consumer": "ok" if self.intake else "not started"}
        return checks | await self.nats_server.checks()

    async def _prepare(self) -> None:
        await self.broker.connect()
        await streams.declare(self.broker.connection, self.settings.replicas, self.settings.duplicate_window)
        self.order = InboxOrder(self.broker.connection)
        await self.order.start()  # reading the inbox before deciding: no decision waits for it to begin
        self.intake = Intake(self.spec, self.broker.connection, self.metrics, self.order)

    def _started_intake(self) -> Intake:
        if self.intake is None:
            raise RuntimeError(f"{self.spec.name} decides submissions only once it has started")
        return self.intake

    async def _start_consuming(self) -> None:
        self._consuming = asyncio.create_task(self._consume(), name=f"{self.spec.name} inbox")
        self._watch = asyncio.create_task(self._watch_inbox(), name=f"{self.spec.name} inbox watchdog")

    async def _pull_subscription(self) -> JetStreamContext.PullSubscription:
        return await self.broker.connection.jetstream().pull_subscribe(
            subjects.inbox_filter(self.spec.name),
            durable=self.spec.name,
            stream=subjects.INBOX_STREAM,
            config=ConsumerConfig(ack_wait=ACK_WAIT_SECONDS, max_deliver=-1, max_ack_pending=1024, deliver_policy=DeliverPolicy.ALL),
            inbox_prefix=self._inbox_prefix,
        )

    async def _consume(self) -> None:
        """Fetch submissions while fewer than DECIDING_AT_MOST are being decided, and decide each as it comes:
        a slow write holds up only the decisions waiting on it. Two on one region are kept apart by the
        append's expected-sequence check."""
        deciding: set[asyncio.Task] = set()
        try:
            await self._fetch_while_room(deciding)
        finally:
            for task in deciding:
                task.cancel()
            await asyncio.gather(*deciding, return_exceptions=True)

    async def _fetch_while_room(self, deciding: set[asyncio.Task]) -> None:
        while True:
            room = DECIDING_AT_MOST - len(deciding)
            if room <= 0:
                await asyncio.wait(deciding, return_when=asyncio.FIRST_COMPLETED)
                continue
            try:
                if self._subscription is None or self._subscribe_again.is_set():
                    self._subscribe_again.clear()
                    await self._end_subscription()
                    self._subscription = await self._pull_subscription()
                messages = await self._subscription.fetch(min(room, INBOX_BATCH), timeout=FETCH_SECONDS)
                self._received_at = time.monotonic()
            except nats.errors.TimeoutError:
                continue
            except asyncio.CancelledError:
                raise
            except Exception as error:  # NATS away or the consumer lost: try again shortly
                log.debug("inbox %s not fetched: %r", self.spec.name, error)
                await asyncio.sleep(0.5)
                continue
            for message in messages:
                task = asyncio.create_task(self._on_submission(message))
                deciding.add(task)
                task.add_done_callback(deciding.discard)

    async def _on_submission(self, raw: Msg) -> None:
        """Decide one submission and settle it by the acknowledgement rule above; never raises."""
        started = time.perf_counter()
        metrics = self.metrics
        metrics.inbox_received.inc()
        metrics.inbox_received_bytes.observe(len(raw.data))
        try:
            acked = await self._settle(raw)
        except Exception as error:  # an acknowledgement lost with the connection: redelivered after ack_wait
            log.warning("submission not settled: %r", error)
            acked = False
        elapsed = time.perf_counter() - started
        metrics.inbox_processed[acked].inc()
        metrics.inbox_processed_seconds.observe(elapsed)

    async def _settle(self, raw: Msg) -> bool:
        ministry, kind = subjects.parse_inbox(raw.subject)
        metadata = raw.metadata
        headers = raw.headers or {}
        inbound = Inbound(ministry, kind, metadata.sequence.stream, raw.data, headers)
        attempt = metadata.num_delivered
        if attempt > 1:
            self.metrics.redeliveries.labels(self.spec.name).inc()
        started = time.perf_counter()
        with telemetry.consuming(raw.subject, headers):
            try:
                await self._started_intake().handle(inbound)
            except Exception as error:
                if is_transient(error) or attempt < ATTEMPTS_BEFORE_GIVING_UP:
                    log.warning("submission %s not decided (attempt %s): %r", inbound.seq, attempt, error)
                    await raw.nak(delay=redelivery_delay(attempt))
                    return False
                if not await self._give_up(inbound, error):
                    await raw.nak(delay=redelivery_delay(attempt))
                    return False
        await raw.ack()
        self.metrics.handler_seconds.labels(self.spec.name, kind).observe(time.perf_counter() - started)
        return True

    async def _give_up(self, inbound: Inbound, error: Exception) -> bool:
        """Answer `unprocessable`; whether the outcome is out."""
        try:
            await self._started_intake().give_up(inbound, error)
            return True
        except Exception as reporting_error:
            if is_transient(reporting_error):
                log.warning("outcome of submission %s not published: %r", inbound.seq, reporting_error)
                return False
            log.error("submission %s not answered (%r): answering it from its subject and sequence", inbound.seq, reporting_error)
        try:
            await self._started_intake().answer_last(inbound)
            return True
        except Exception as publish_error:  # NATS: the next delivery tries again
            log.warning("outcome of submission %s not published: %r", inbound.seq, publish_error)
            return False

    # The inbox watchdog. After every NATS server restarts, a nats.py pull subscription can stop receiving
    # for good (its durable consumer lost, or fetches no longer answered) while the connection itself looks
    # healthy. Seen from the stream: there is work (submissions waiting, or the consumer delivering to another
    # replica), yet this replica has received nothing for a while. Then it subscribes again, which also
    # re-creates a lost durable consumer. A healthy replica that merely lost the race for every fetch to the
    # other one subscribes again for nothing, which costs one request.

    async def _watch_inbox(self) -> None:
        delivered = None
        while True:
            await asyncio.sleep(INBOX_WATCH_SECONDS)
            try:
                info = await self.broker.connection.jetstream().consumer_info(subjects.INBOX_STREAM, self.spec.name)
                waiting, now_delivered = info.num_pending > 0, info.delivered.stream_seq
            except nats.js.errors.NotFoundError:
                waiting, now_delivered = True, None
            except Exception:  # NATS away: nothing to judge yet
                continue
            work = waiting or (delivered is not None and now_delivered != delivered)
            delivered = now_delivered
            idle = time.monotonic() - self._received_at
            if not work or idle < INBOX_STALL_SECONDS:
                continue
            log.warning("inbox consumer %s has work, yet this replica received none for %.0f s: subscribing again", self.spec.name, idle)
            self._received_at = time.monotonic()
            self._subscribe_again.set()

    async def _end_subscription(self) -> None:
        subscription, self._subscription = self._subscription, None
        if subscription is None:
            return
        try:
            await subscription.unsubscribe()
        except Exception as error:  # a subscription of a connection that was lost is gone already
            log.debug("inbox subscription not ended: %r", error)
