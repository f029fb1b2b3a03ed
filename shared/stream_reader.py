"""Reading a stream straight from the server with direct gets: the last message under a subject filter, the
message at a sequence, or every message under a filter in batches (one round trip for up to READ_BATCH).

The last message and the message at a sequence are nats-py's own direct gets. A batch, which nats-py does not
offer, is asked for on the stream's direct-get API subject under the JetStream context's prefix
(shared/nats_internals.py); should nats-py not tell that prefix, a batch is one message, read by nats-py's
own direct get.

A reader made for many reads (`long_lived`) takes the replies to its batches on one wildcard subscription,
opened at its first read and kept as long as the connection, each read on an inbox of its own below it;
any other reader subscribes for each batch and unsubscribes after it, leaving nothing behind."""

import asyncio
import itertools
import json
from dataclasses import dataclass

from nats.aio.client import Client
from nats.js.api import RawStreamMsg
from nats.js.client import JetStreamContext
from nats.js.errors import APIError, NotFoundError

from shared import nats_internals

READ_BATCH = 256


@dataclass(frozen=True, slots=True)
class Stored:
    seq: int
    subject: str
    data: bytes
    headers: dict


class StreamReader:
    def __init__(
        self, nc: Client, stream: str, timeout: float = 5.0, long_lived: bool = False, js: JetStreamContext | None = None, batch: int = READ_BATCH
    ) -> None:
        """`js`: the JetStream context to read through (by default one with the usual API prefix); `batch`: the
        most messages one round trip reads (fewer for large messages: the reply is held whole)."""
        self._nc = nc
        self._batch = batch
        self._js = js or nc.jetstream(timeout=timeout)
        self._stream = stream
        self._long_lived = long_lived
        self._timeout = timeout
        self._direct_get = nats_internals.api_subject(self._js, "DIRECT.GET", stream)
        self._replies_base: str | None = None
        self._opening = asyncio.Lock()
        self._tokens = itertools.count()
        self._waiting: dict[str, asyncio.Queue] = {}

    async def last(self, filter_subject: str) -> Stored | None:
        """The last message matching `filter_subject` (None: there is none)."""
        return await self._get(subject=filter_subject)

    async def at(self, seq: int) -> Stored | None:
        """The message at stream sequence `seq` (None: there is none)."""
        return await self._get(seq=seq)

    async def _get(self, **which) -> Stored | None:
        try:
            message = await self._js.get_msg(self._stream, direct=True, **which)
        except NotFoundError:
            return None
        return _stored_message(message)

    async def read(self, filter_subject: str, after_seq: int = 0, limit: int | None = None) -> list[Stored]:
        """Every message matching `filter_subject` after `after_seq`, in stream order (the first `limit`)."""
        messages: list[Stored] = []
        start = after_seq + 1
        while limit is None or len(messages) < limit:
            batch, more = await self._read_batch(filter_subject, start)
            messages.extend(batch)
            if batch:
                start = batch[-1].seq + 1
            if not more:
                break
        return messages if limit is None else messages[:limit]

    async def _read_batch(self, filter_subject: str, start: int) -> tuple[list[Stored], bool]:
        if self._direct_get is None:
            return await self._read_one(filter_subject, start)
        request = json.dumps({"batch": self._batch, "next_by_subj": filter_subject, "seq": start}).encode()
        if not self._long_lived:
            inbox = self._nc.new_inbox()
            subscription = await self._nc.subscribe(inbox)
            try:
                await self._nc.publish(self._direct_get, request, reply=inbox)
                return await self._collect(lambda: subscription.next_msg(timeout=self._timeout))
            finally:
                await subscription.unsubscribe()
        base = await self._replies()
        token = str(next(self._tokens))
        replies = self._waiting[token] = asyncio.Queue()
        try:
            await self._nc.publish(self._direct_get, request, reply=f"{base}.{token}")
            return await self._collect(lambda: self._next(replies))
        finally:
            del self._waiting[token]

    async def _read_one(self, filter_subject: str, start: int) -> tuple[list[Stored], bool]:
        try:
            message = await self._js.get_msg(self._stream, seq=start, subject=filter_subject, direct=True, next=True)
        except NotFoundError:
            return [], False
        return [_stored_message(message)], True

    async def _collect(self, next_reply) -> tuple[list[Stored], bool]:
        batch: list[Stored] = []
        while True:
            reply = await next_reply()
            status = _status(reply)
            if status == "404":
                return batch, False
            if status == "204":  # end of batch
                return batch, int(reply.headers.get("Nats-Num-Pending", "0")) > 0
            _raise_for_status(reply)
            batch.append(_stored(reply))

    async def _next(self, replies: asyncio.Queue):
        if not replies.empty():
            return replies.get_nowait()
        async with asyncio.timeout(self._timeout):
            return await replies.get()

    async def _replies(self) -> str:
        if self._replies_base is not None:
            return self._replies_base
        async with self._opening:
            if self._replies_base is None:
                base = self._nc.new_inbox()
                await self._nc.subscribe(f"{base}.*", cb=self._on_reply)
                self._replies_base = base
        return self._replies_base

    async def _on_reply(self, reply) -> None:
        waiting = self._waiting.get(reply.subject.rpartition(".")[2])
        if waiting is not None:  # else a late reply to a read that timed out
            waiting.put_nowait(reply)


def _status(reply) -> str | None:
    return reply.headers.get("Status") if reply.headers and not reply.data else None


def _raise_for_status(reply) -> None:
    status = _status(reply)
    if status:
        raise APIError(code=int(status), description=reply.headers.get("Description"))


def _stored(reply) -> Stored:
    return Stored(int(reply.headers["Nats-Sequence"]), reply.headers["Nats-Subject"], reply.data, dict(reply.headers))


def _stored_message(message: RawStreamMsg) -> Stored:
    if message.seq is None or message.subject is None or message.headers is None:
        raise ValueError(f"a direct get answered without the message's sequence, subject or headers: {message}")
    return Stored(message.seq, message.subject, message.data or b"", dict(message.headers))
