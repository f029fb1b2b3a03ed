"""The projector's spans. A batch is one span: its parent is the trace of the batch's last event, and it
links to the traces of (some of) the others. In a small batch, which is live traffic, each event's own span
sits in the trace of the submission that made it, linked to the batch."""

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext

from opentelemetry import trace
from opentelemetry.util.types import AttributeValue

from services.indicators.projector.recorded import Recorded
from shared import subjects, telemetry

# A batch this small is live traffic: each event gets a span in its submission's trace. A larger one is
# a projector catching up: one span for the batch, linked to a bounded number of the events' traces.
TRACED_EVENTS = 64
LINKS = 32

SpanFor = Callable[[int], AbstractContextManager]


def untraced(_index: int) -> AbstractContextManager:
    return nullcontext()


class BatchSpan:
    """The span of one batch (`with`), and `span_for(i)`: what wraps the application of its i-th event."""

    def __init__(self, events: Sequence[Recorded], headers: Sequence[dict[str, str] | None]) -> None:
        self._events = events
        self._small = len(events) <= TRACED_EVENTS
        self._contexts = [telemetry.extract(each) for each in (headers if self._small else [*headers[: LINKS - 1], headers[-1]])]
        self.span_for: SpanFor = untraced

    def __enter__(self) -> "BatchSpan":
        links = [trace.Link(context) for context in _span_contexts(self._contexts[:-1])]
        attributes: dict[str, AttributeValue] = {
            telemetry.MESSAGING_SYSTEM: "nats",
            telemetry.DESTINATION: subjects.EVENTS_STREAM,
            telemetry.OPERATION_TYPE: "process",
            "messaging.batch.message_count": len(self._events),
        }
        self._span = telemetry.tracer.start_as_current_span(
            "process OGI_EVENTS", context=self._contexts[-1], kind=trace.SpanKind.CONSUMER, links=links, attributes=attributes
        )
        span = self._span.__enter__()
        if self._small:
            self.span_for = _traced(self._events, self._contexts, trace.Link(span.get_span_context()))
        return self

    def __exit__(self, *exc_info) -> None:
        self._span.__exit__(*exc_info)


def _span_contexts(contexts) -> list[trace.SpanContext]:
    found = (trace.get_current_span(context).get_span_context() for context in contexts)
    return [span_context for span_context in found if span_context.is_valid]


def _traced(events: Sequence[Recorded], contexts, batch: trace.Link) -> SpanFor:
    """For each event, a span in the trace that produced it, linked to the batch that applies it."""

    def span_for(index: int):
        event = events[index].event
        return telemetry.tracer.start_as_current_span(
            f"apply {event['event_type']}",
            context=contexts[index],
            links=[batch],
            attributes=telemetry.ogi_attributes(event["reported_by"], event["region_code"], event["submission_id"])
            | {"ogi.event_seq": events[index].seq, "ogi.event_id": event["event_id"]},
        )

    return span_for
