"""Prometheus metrics of the projector."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics

# The *_created series only clutter dashboards.
disable_created_metrics()


class ProjectorMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.events_applied = Counter("ogi_projector_events_applied", "Events applied to the read model", ["event_type"], registry=self.registry)
        self.batch_seconds = Histogram(
            "ogi_projector_batch_seconds",
            "Time to apply one batch of events and commit it",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )
        self.lag_events = Gauge("ogi_projector_lag_events", "Events in OGI_EVENTS not applied yet", registry=self.registry)
        self.lag_seconds = Gauge("ogi_projector_lag_seconds", "Age difference between the stream's last event and the last one applied", registry=self.registry)
        self.events_quarantined = Counter(
            "ogi_projector_events_quarantined", "Events skipped because they could not be applied (see quarantined_event)", registry=self.registry
        )
        self.position = Gauge("ogi_projector_position", "Stream sequence of the last event applied", registry=self.registry)
        self.indicator = Gauge("ogi_indicator_count", "The indicator counts as last published", ["scope", "indicator"], registry=self.registry)
