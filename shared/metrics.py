"""Prometheus metrics of a deciding service, in a registry of its own (one per app, so tests can read
exactly what one service counted)."""

from faststream.prometheus.container import MetricsContainer
from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics

from shared import subjects

# The *_created series only clutter dashboards.
disable_created_metrics()


class ServiceMetrics:
    def __init__(self, service: str, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.submissions = Counter(
            "ogi_submissions",
            "Submissions decided, by ministry, kind, outcome status and rejection code",
            ["service", "ministry", "kind", "status", "code"],
            registry=self.registry,
        )
        self.events_appended = Counter("ogi_events_appended", "Events appended to OGI_EVENTS", ["service", "event_type"], registry=self.registry)
        self.concurrency_retries = Counter(
            "ogi_concurrency_retries", "Decisions taken again after a concurrent append to the same region", ["service"], registry=self.registry
        )
        self.redeliveries = Counter("ogi_redeliveries", "Submissions delivered more than once", ["service"], registry=self.registry)
        self.handler_seconds = Histogram(
            "ogi_submission_handling_seconds",
            "Time from receiving a submission to its acknowledgement",
            ["service", "kind"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.service = service
        # The inbox is consumed with nats-py directly; its consumer metrics keep FastStream's names and labels.
        consumer = MetricsContainer(self.registry, custom_label_names=())
        inbox = {"app_name": f"ogi-{service}", "broker": "nats", "handler": subjects.inbox_filter(service)}
        self.inbox_received = consumer.received_messages_total.labels(**inbox)
        self.inbox_received_bytes = consumer.received_messages_size_bytes.labels(**inbox)
        self.inbox_processed = {
            acked: consumer.received_processed_messages_total.labels(**inbox, status="acked" if acked else "nacked") for acked in (True, False)
        }
        self.inbox_processed_seconds = consumer.received_processed_messages_duration_seconds.labels(**inbox)
