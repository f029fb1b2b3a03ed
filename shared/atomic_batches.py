"""Writes to one stream grouped into JetStream atomic batches (ADR-50; nats-server 2.12 and later, on a stream
with `allow_atomic`).

With `sync_interval: always` the server syncs each stored write to disk before acknowledging it, and a
submission is several such writes in sequence, which is what bounds a deciding service under load. A batch
takes a few synced writes however many messages it holds (nats-server stages it on disk first: four syncs
and about 2 ms here, where a single write takes one sync and 0.4 ms). So writes asked for while earlier
ones are being stored wait and go together in the next batch; a write asked for alone is sent at once, as
an ordinary publish, and so are a few that waited together (fewer than BATCH_AT_LEAST), side by side.

A batch is all or nothing, and the server refuses all of it for one write it would refuse (a duplicate
message id, an expected last sequence not met). Then each of its writes is made again on its own, so each
gets the answer it would have had without batching: an acknowledgement, a duplicate's, or its own error.
On a stream without `allow_atomic` (an older server) every write is an ordinary publish.

The server checks an expected last sequence under a subject filter (`Nats-Expected-Last-Subject-Sequence-
Subject`) against the stream as it was before the batch, not counting the batch's own earlier writes: two
appends guarded by one filter in one batch would both pass. So writes given the same `key` (the guard) never
share a batch; the next batch takes the later one, which the server then checks against the first.
"""

import asyncio
import json
import uuid
from dataclasses import dataclass, field

from nats.aio.client import Client
from nats.js.api import Header, PubAck
from nats.js.errors import APIError

# The server takes batches of up to 1,000 messages; a batch this size already shares its synced write
# among as many writes as a service has in flight at once, most of the time.
BATCH_AT_MOST = 100
BATCH_AT_LEAST = 16  # fewer go alone: a batch costs about four synced writes (above)


@dataclass(slots=True)
class _Write:
    subject: str
    payload: bytes
    headers: dict[str, str]
    key: str | None = None
    done: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class AtomicBatcher:
    def __init__(self, nc: Client, stream: str, timeout: float = 5.0) -> None:
        self._nc, self._stream, self._timeout = nc, stream, timeout
        self._js = nc.jetstream(timeout=timeout)
        self._waiting: list[_Write] = []
        self._sending: asyncio.Task | None = None
        self._atomic: asyncio.Task | None = None  # whether the stream takes atomic batches: asked once

    async def publish(self, subject: str, payload: bytes, headers: dict[str, str], key: str | None = None) -> PubAck:
        """Store one message in the stream; the same answer, and the same errors, as `js.publish`. Writes with
        the same `key` go in different batches, in the order asked."""
        if not await self._takes_batches():
            return await self._alone(_Write(subject, payload, headers))
        write = _Write(subject, payload, headers, key)
        self._waiting.append(write)
        if self._sending is None or self._sending.done():
            self._sending = asyncio.create_task(self._send_waiting(), name=f"batches to {self._stream}")
        return await write.done  # a caller cancelled meanwhile: its write is stored all the same

    async def _takes_batches(self) -> bool:
        """Asked of the server once, the first writes sharing the question; asked again after a failure."""
        if self._atomic is None:
            self._atomic = asyncio.ensure_future(self._js.stream_info(self._stream))
        try:
            info = await asyncio.shield(self._atomic)
        except Exception:
            self._atomic = None
            raise
        return bool(info.config.allow_atomic)

    async def _send_waiting(self) -> None:
        while self._waiting:
            batch = self._next_batch()
            if len(batch) < BATCH_AT_LEAST:
                await asyncio.gather(*(self._settle_alone(write) for write in batch))
                continue
            try:
                first_seq = await self._commit(batch)
            except APIError:  # one write the server refuses: each on its own, for its own answer
                await asyncio.gather(*(self._settle_alone(write) for write in batch))
                continue
            except Exception as error:  # not known to be stored or not: each caller retries as after a publish
                for write in batch:
                    _settle(write.done, error=error)
                continue
            for index, write in enumerate(batch):
                _settle(write.done, PubAck(stream=self._stream, seq=first_seq + index))

    def _next_batch(self) -> list[_Write]:
        """The writes waiting longest, at most BATCH_AT_MOST, no two with the same key."""
        batch: list[_Write] = []
        later: list[_Write] = []
        keys: set[str] = set()
        for write in self._waiting:
            if len(batch) == BATCH_AT_MOST or (write.key is not None and write.key in keys):
                later.append(write)
                continue
            batch.append(write)
            if write.key is not None:
                keys.add(write.key)
        self._waiting = later
        return batch

    async def _commit(self, batch: list[_Write]) -> int:
        """Send `batch` as one atomic batch; returns the stream sequence of its first message."""
        batch_id = uuid.uuid4().hex
        last = len(batch)
        for number, write in enumerate(batch, start=1):
            headers = {
                **write.headers,
                Header.EXPECTED_STREAM.value: self._stream,
                Header.BATCH_ID.value: batch_id,
                Header.BATCH_SEQUENCE.value: str(number),
            }
            if number < last:
                await self._nc.publish(write.subject, write.payload, headers=headers)
                continue
            headers[Header.BATCH_COMMIT.value] = "1"
            reply = await self._nc.request(write.subject, write.payload, headers=headers, timeout=self._timeout)
        answer = json.loads(reply.data)
        if "error" in answer:
            APIError.from_error(answer["error"])  # raises the error's own class, as js.publish does
        return answer["seq"] - answer["count"] + 1

    async def _settle_alone(self, write: _Write) -> None:
        try:
            _settle(write.done, await self._alone(write))
        except Exception as error:
            _settle(write.done, error=error)

    async def _alone(self, write: _Write) -> PubAck:
        return await self._js.publish(write.subject, write.payload, stream=self._stream, headers=write.headers)


def _settle(done: asyncio.Future, ack: PubAck | None = None, error: Exception | None = None) -> None:
    if done.done():
        return
    if error is not None:
        done.set_exception(error)
    else:
        done.set_result(ack)
