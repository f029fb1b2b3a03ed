"""The event store: JetStream stream OGI_EVENTS, one subject per aggregate.

Appends are guarded twice: `Nats-Expected-Last-Subject-Sequence` (with `-Subject`) makes two writers on one
aggregate unable to both win, and `Nats-Msg-Id` (the event id) makes a retried append land once. Reads go
straight to the stream with batched direct gets. On a replicated stream any replica may answer those, and a
follower can lag: that is safe for an append, which the leader checks, but a decision that appends nothing
(a rejection) is confirmed with `last_seq`, which only the stream's leader answers.
"""

from dataclasses import dataclass

from nats.aio.client import Client
from nats.js.errors import APIError, NotFoundError

from shared import subjects, telemetry
from shared.atomic_batches import AtomicBatcher
from shared.contracts.events import AnyEvent, decode_event, encode_event
from shared.stream_reader import Stored, StreamReader

WRONG_LAST_SEQUENCE = 10071
EXPECTED_LAST_SEQ = "Nats-Expected-Last-Subject-Sequence"
EXPECTED_LAST_SUBJECT = "Nats-Expected-Last-Subject-Sequence-Subject"
NEWS_AT_MOST = 8  # new events found one by one from the last back; more are read in one request


class ConcurrencyConflict(Exception):
    """Someone appended to the aggregate since it was read: read again and decide again."""


@dataclass(frozen=True, slots=True)
class StoredEvent:
    seq: int
    event: AnyEvent


@dataclass(frozen=True, slots=True)
class History:
    """The events under one subject filter, and the stream sequence of the last one (0: none yet)."""

    events: tuple[StoredEvent, ...]
    last_seq: int


class EventStore:
    def __init__(self, nc: Client, timeout: float = 5.0, long_lived: bool = False) -> None:
        """`long_lived`: many reads will be made (see StreamReader)."""
        self._nc = nc
        self._js = nc.jetstream(timeout=timeout)
        self._appends = AtomicBatcher(nc, subjects.EVENTS_STREAM, timeout)
        self._reader = StreamReader(nc, subjects.EVENTS_STREAM, timeout, long_lived=long_lived, js=self._js)

    async def append(self, event: AnyEvent, expected_last_seq: int, boundary: str) -> int:
        """Append `event` if nothing matching `boundary` was appended after `expected_last_seq`.
        Returns the event's stream sequence (the original one when this event id was appended already)."""
        subject = subjects.event(subjects.EVENT_SERVICE[event.event_type], event.region_code, event.event_type)
        attributes = telemetry.ogi_attributes(event.reported_by, event.region_code, event.submission_id)
        with telemetry.publishing(subject, **attributes) as trace_headers:
            headers = {
                **trace_headers,
                "Nats-Msg-Id": event.event_id,
                EXPECTED_LAST_SEQ: str(expected_last_seq),
                EXPECTED_LAST_SUBJECT: boundary,
            }
            try:
                ack = await self._appends.publish(subject, encode_event(event), headers, key=boundary)
            except APIError as error:
                if error.err_code == WRONG_LAST_SEQUENCE:
                    raise ConcurrencyConflict(boundary) from error
                raise
        return ack.seq

    async def read(self, filter_subject: str, after_seq: int = 0) -> History:
        """Every event matching `filter_subject` after `after_seq`, in stream order."""
        events = tuple(_decoded(message) for message in await self._reader.read(filter_subject, after_seq))
        return History(events, events[-1].seq if events else after_seq)

    async def news(self, filter_subject: str, after_seq: int) -> History:
        """What was appended under `filter_subject` after `after_seq`. Each append under the filter names the
        one before it under the filter (`Nats-Expected-Last-Subject-Sequence`, which the server checked), so
        the new events are found from the last one back, one direct get each, down to `after_seq`: no read
        that scans the stream from `after_seq`. When a link is missing (an event appended under another
        guard, or without one) or there are more than NEWS_AT_MOST, the read is made instead."""
        last = await self._reader.last(filter_subject)
        if last is None or last.seq <= after_seq:
            return History((), after_seq)
        found = [last]
        while len(found) <= NEWS_AT_MOST:
            before = _appended_after(found[-1], filter_subject)
            if before == after_seq:
                return History(tuple(_decoded(message) for message in reversed(found)), last.seq)
            if before is None or before < after_seq:
                break
            message = await self._reader.at(before)
            if message is None:
                break
            found.append(message)
        return await self.read(filter_subject, after_seq)

    async def last(self, filter_subject: str) -> StoredEvent | None:
        message = await self._reader.last(filter_subject)
        return _decoded(message) if message else None

    async def last_seq(self, filter_subject: str) -> int:
        """The stream sequence of the last event matching `filter_subject` (0: none yet), as the stream's
        leader knows it: every write acknowledged so far is counted."""
        try:
            message = await self._js.get_msg(subjects.EVENTS_STREAM, subject=filter_subject)
        except NotFoundError:
            return 0
        if message.seq is None:
            raise ValueError(f"{subjects.EVENTS_STREAM} answered without the sequence of its last {filter_subject}")
        return message.seq


def _appended_after(message: Stored, filter_subject: str) -> int | None:
    """The sequence `message` was appended after under `filter_subject`, if it was guarded by that filter."""
    if message.headers.get(EXPECTED_LAST_SUBJECT) != filter_subject:
        return None
    expected = message.headers.get(EXPECTED_LAST_SEQ)
    return int(expected) if expected is not None and expected.isdigit() else None


def _decoded(message: Stored) -> StoredEvent:
    return StoredEvent(seq=message.seq, event=decode_event(message.data))
