"""Reading a stream straight from the server with direct gets: the last message under a subject filter, or
every message under it in batches (one round trip for up to READ_BATCH messages)."""

import json
from dataclasses import dataclass

from nats.aio.client import Client
from nats.js.errors import APIError

READ_BATCH = 256


@dataclass(frozen=True, slots=True)
class Stored:
    seq: int
    subject: str
    data: bytes
    headers: dict


class StreamReader:
    def __init__(self, nc: Client, stream: str, timeout: float = 5.0) -> None:
        self._nc = nc
        self._timeout = timeout
        self._direct_get = f"$JS.API.DIRECT.GET.{stream}"

    async def last(self, filter_subject: str) -> Stored | None:
        request = json.dumps({"last_by_subj": filter_subject}).encode()
        reply = await self._nc.request(self._direct_get, request, timeout=self._timeout)
        if _status(reply) == "404":
            return None
        _raise_for_status(reply)
        return _stored(reply)

    async def read(self, filter_subject: str, after_seq: int = 0) -> list[Stored]:
        """Every message matching `filter_subject` after `after_seq`, in stream order."""
        messages: list[Stored] = []
        start = after_seq + 1
        while True:
            batch, more = await self._read_batch(filter_subject, start)
            messages.extend(batch)
            if batch:
                start = batch[-1].seq + 1
            if not more:
                return messages

    async def _read_batch(self, filter_subject: str, start: int) -> tuple[list[Stored], bool]:
        inbox = self._nc.new_inbox()
        subscription = await self._nc.subscribe(inbox)
        try:
            request = {"batch": READ_BATCH, "next_by_subj": filter_subject, "seq": start}
            await self._nc.publish(self._direct_get, json.dumps(request).encode(), reply=inbox)
            batch: list[Stored] = []
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


def _stored(reply) -> Stored:
    return Stored(int(reply.headers["Nats-Sequence"]), reply.headers["Nats-Subject"], reply.data, dict(reply.headers))
