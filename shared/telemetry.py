"""Tracing: the W3C trace context rides in NATS headers on every hop, so one trace covers a submission
from the ministry's publish to the dashboard's notification.

Exporters come from the standard variables: `OTEL_TRACES_EXPORTER` (`otlp`, `console`, `none`; default
`none`), `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`.

A process that exports nothing records no span of a trace that starts in it (nothing would read it, and
recording cost a deciding service about a sixth of its CPU), but still gives the trace an id, which logs,
events and outcomes carry; a trace sampled upstream stays sampled. `OTEL_TRACES_SAMPLER` overrides this.
"""

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased

tracer = trace.get_tracer("ogi-tracker")

MESSAGING_SYSTEM = "messaging.system"
DESTINATION = "messaging.destination.name"
OPERATION_TYPE = "messaging.operation.type"
OPERATION_NAME = "messaging.operation.name"


def configure(service: str) -> None:
    """Install the process's tracer provider, exporting as the OTEL_* variables say."""
    names = (name.strip() for name in os.environ.get("OTEL_TRACES_EXPORTER", "none").split(","))
    exporters = [exporter for exporter in map(_exporter, names) if exporter is not None]
    # No sampler given: the provider takes OTEL_TRACES_SAMPLER, or records every trace.
    sampler = ParentBased(ALWAYS_OFF) if not exporters and "OTEL_TRACES_SAMPLER" not in os.environ else None
    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", f"ogi-{service}")})
    provider = TracerProvider(resource=resource, sampler=sampler)
    for exporter in exporters:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    install(provider)


_installed = False


def install(provider: TracerProvider) -> None:
    """Make `provider` the process's tracer provider (OpenTelemetry takes one once per process)."""
    global _installed
    trace.set_tracer_provider(provider)
    _installed = isinstance(trace.get_tracer_provider(), TracerProvider)


def _exporter(name: str):
    if name == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    if name == "console":
        return ConsoleSpanExporter()
    if name not in ("", "none"):
        logging.getLogger("ogi.telemetry").warning("OTEL_TRACES_EXPORTER: %r is not otlp, console or none; ignored", name)
    return None


def shutdown() -> None:
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.shutdown()


def ogi_attributes(ministry: str | None = None, region: str | None = None, submission_id: str | None = None) -> dict[str, str]:
    attributes = {"ogi.ministry": ministry, "ogi.region": region, "ogi.submission_id": submission_id}
    return {key: value for key, value in attributes.items() if value is not None}


def _records_nothing() -> bool:
    """Whether a span made now would record nothing: the current span belongs to a trace that is not being
    recorded, or there is no trace and no tracer provider is installed (a client that never called
    `configure`). Then none is made: two or three spans per decision cost a deciding service a sixth of its
    CPU even unrecorded, and a client appending events a fifth of its own. (Asking OpenTelemetry for its
    provider each time costs as much: it looks in the environment until one is set.)"""
    current = trace.get_current_span()
    if current.get_span_context().is_valid:
        return not current.is_recording()
    return not _installed


@contextmanager
def step(name: str, attributes: Mapping[str, str | int] | None = None, kind: trace.SpanKind = trace.SpanKind.INTERNAL) -> Iterator[trace.Span]:
    """A span for one step inside the current trace (or starting one); where it would record nothing, the
    current span itself."""
    if _records_nothing():
        yield trace.get_current_span()
        return
    with tracer.start_as_current_span(name, kind=kind, attributes=attributes) as span:
        yield span


@contextmanager
def publishing(destination: str, **attributes) -> Iterator[dict[str, str]]:
    """A producer span for one publish (a `step`); yields the headers that carry its context onward."""
    attributes = {MESSAGING_SYSTEM: "nats", DESTINATION: destination, OPERATION_TYPE: "send", OPERATION_NAME: "publish", **attributes}
    with step(f"send {destination}", attributes, kind=trace.SpanKind.PRODUCER):
        headers: dict[str, str] = {}
        propagate.inject(headers)
        yield headers


@contextmanager
def consuming(destination: str, headers: Mapping[str, str]) -> Iterator[None]:
    """The consumer span of one message taken from `destination`, in the trace its headers carry."""
    with tracer.start_as_current_span(
        f"process {destination}",
        context=extract(headers),
        kind=trace.SpanKind.CONSUMER,
        attributes={MESSAGING_SYSTEM: "nats", DESTINATION: destination, OPERATION_TYPE: "process", OPERATION_NAME: "process"},
    ):
        yield


def extract(headers: Mapping[str, str] | None) -> context.Context:
    """The trace context `headers` carry; none when they carry none or one that cannot be read: a client's
    headers never stop its submission from being processed."""
    try:
        return propagate.extract(dict(headers or {}))
    except Exception:
        return context.Context()


def current_trace_id() -> str | None:
    span_context = trace.get_current_span().get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else None
