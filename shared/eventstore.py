"""The event store: JetStream stream OGI_EVENTS, one subject per aggregate.

Appends are guarded twice: `Nats-Expected-Last-Subject-Sequence` (with `-Subject`) makes two writers on one
aggregate unable to both win, and `Nats-Msg-Id` (the event id) makes a retried append land once. Reads go
straight to the stream with batched direct gets, so a decision always sees the latest events.
"""

import json
from dataclasses import dataclass

from nats.aio.client import Client
from nats.js.errors import APIError

from shared import subjects, telemetry
from shared.contracts.events import AnyEvent, decode_event, encode_event

WRONG_LAST_SEQUENCE = 10071
READ_BATCH = 256


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
    def __init__(self, nc: Client, timeout: float = 5.0) -> None:
        self._nc = nc
        self._js = nc.jetstream(timeout=timeout)
        self._timeout = timeout
        self._direct_get = f"$JS.API.DIRECT.GET.{subjects.EVENTS_STREAM}"

    async def append(self, event: AnyEvent, expected_last_seq: int, boundary: str) -> int:
        """Append `event` if nothing matching `boundary` was appended after `expected_last_seq`.
        Returns the event's stream sequence (the original one when this event id was appended already)."""
        subject = subjects.event(subjects.EVENT_SERVICE[event.event_type], event.region_code, event.event_type)
        attributes = telemetry.ogi_attributes(event.reported_by, event.region_code, event.submission_id)
        with telemetry.publishing(subject, **attributes) as trace_headers:
            headers = {
                **trace_headers,
                "Nats-Msg-Id": event.event_id,
                "Nats-Expected-Last-Subject-Sequence": str(expected_last_seq),
                "Nats-Expected-Last-Subject-Sequence-Subject": boundary,
            }
            try:
                ack = await self._js.publish(subject, encode_event(event), headers=headers, stream=subjects.EVENTS_STREAM)
            except APIError as error:
                if error.err_code == WRONG_LAST_SEQUENCE:
                    raise ConcurrencyConflict(boundary) from error
                raise
        return ack.seq

    async def read(self, filter_subject: str, after_seq: int = 0) -> History:
        """Every event matching `filter_subject` after `after_seq`, in stream order."""
        events: list[StoredEvent] = []
        last_seq, start = after_seq, after_seq + 1
        while True:
            batch, more = await self._read_batch(filter_subject, start)
            events.extend(batch)
            if batch:
                last_seq = batch[-1].seq
                start = last_seq + 1
            if not more:
                return History(tuple(events), last_seq)

    async def last(self, filter_subject: str) -> StoredEvent | None:
        request = json.dumps({"last_by_subj": filter_subject}).encode()
        reply = await self._nc.request(self._direct_get, request, timeout=self._timeout)
        if _status(reply) == "404":
            return None
        _raise_for_status(reply)
        return _stored(reply)

    async def _read_batch(self, filter_subject: str, start: int) -> tuple[list[StoredEvent], bool]:
        inbox = self._nc.new_inbox()
        subscription = await self._nc.subscribe(inbox)
        try:
            request = {"batch": READ_BATCH, "next_by_subj": filter_subject, "seq": start}
            await self._nc.publish(self._direct_get, json.dumps(request).encode(), reply=inbox)
            batch: list[StoredEvent] = []
            while True:
                reply = await subscription.next_msg(timeout=self._timeout)
                status = _status(reply)
                if status == "404":
                    return batch, False
                if status == "204":  # end of batch
                    return batch, int(reply.headers.get("Nats-Num-Pending", "0")) > 0
                _raise_for_status(reply)
                batch.append(_stored(reply))
        finally:
            await subscription.unsubscribe()


def _status(reply) -> str | None:
    return reply.headers.get("Status") if reply.headers and not reply.data else None


def _raise_for_status(reply) -> None:
    status = _status(reply)
    if status:
        raise APIError(code=int(status), description=reply.headers.get("Description"))


def _stored(reply) -> StoredEvent:
    return StoredEvent(seq=int(reply.headers["Nats-Sequence"]), event=decode_event(reply.data))
