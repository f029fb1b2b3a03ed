"""Evidence files (bukti dukung) in the JetStream object store OGI_EVIDENCE, each named by the lowercase hex
SHA-256 of its content.

Files are kept in the object store's own format, so that any object store client reads them (`nats object get
OGI_EVIDENCE <sha256>`, nats-py's `object_store`): the metadata, JSON, is the last message on
`$O.OGI_EVIDENCE.M.<base64url of the name>`, and the content is in chunks of 128 KiB on
`$O.OGI_EVIDENCE.C.<nuid>`, the nuid the metadata names. They are written and read here with plain JetStream
requests rather than with nats-py's object store, for two reasons:

- Least privilege. The metadata is read by a direct get of the last message on its subject, a request whose
  own subject names that subject, so a user can be allowed to read metadata and nothing else
  (`$JS.API.DIRECT.GET.OBJ_OGI_EVIDENCE.$O.OGI_EVIDENCE.M.>`, ogi/permissions.py). nats-py reads it with
  STREAM.MSG.GET, whose subject is in the body, where no permission can see it.
- Stored once, whole or not at all. A file's chunks and its metadata go as one JetStream atomic batch
  (nats-server 2.12 and later, a stream with `allow_atomic`), the metadata expecting no earlier message on its
  subject: of two uploads of one file at once the server stores one, and an upload cut short stores nothing.
  nats-py writes the chunks one by one and, when the name is there already, writes the file again and purges
  the old chunks, which no user but admin may. Where the stream takes no atomic batches, the chunks are
  published one by one and the metadata last, with the same expectation: a file is then readable only once
  whole, but an upload cut short or beaten by another leaves chunks that no metadata names (admin may purge
  them: `nats stream purge OBJ_OGI_EVIDENCE --subject '$O.OGI_EVIDENCE.C.<nuid>'`).
"""

import asyncio
import base64
import datetime as dt
import hashlib
import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass

from nats.aio.client import Client
from nats.js.api import Header
from nats.js.errors import APIError, NotFoundError
from nats.nuid import NUID

from shared import subjects
from shared.stream_reader import StreamReader

log = logging.getLogger("ogi.evidence")

CHUNK_BYTES = 128 * 1024  # what every object store client writes by default
CHUNKS_PER_READ = 8  # a download holds at most this many chunks (1 MiB) at once
WRONG_LAST_SEQUENCE = 10071  # JetStream's err_code: the metadata's subject had a message already
DIGEST_PREFIX = "SHA-256="


@dataclass(frozen=True, slots=True)
class StoredFile:
    sha256: str
    size: int
    media_type: str
    nuid: str


class EvidenceStore:
    def __init__(self, nc: Client, timeout: float = 5.0) -> None:
        self._nc = nc
        self._js = nc.jetstream(timeout=timeout)
        self._timeout = timeout
        self._atomic: bool | None = None
        self._nuid = NUID()

    async def info(self, sha256: str) -> StoredFile | None:
        """The stored file named `sha256`; None when there is none (or it was deleted)."""
        try:
            message = await self._js.get_msg(subjects.EVIDENCE_STREAM, subject=subjects.evidence_meta(sha256), direct=True)
        except NotFoundError:
            return None
        return _stored_file(sha256, message.data or b"")

    async def missing(self, sha256s: Iterable[str]) -> list[str]:
        """Those of `sha256s` that are not stored, in the order given."""
        wanted = list(dict.fromkeys(sha256s))
        found = await asyncio.gather(*(self.info(sha256) for sha256 in wanted))
        return [sha256 for sha256, stored in zip(wanted, found, strict=True) if stored is None]

    async def put(self, content: bytes, media_type: str, sha256: str | None = None) -> tuple[StoredFile, bool]:
        """Store `content` under its SHA-256 (`sha256`, when the caller has it already), unless a file is stored
        under it already: the stored file, and whether this call stored it."""
        sha256 = sha256 or hashlib.sha256(content).hexdigest()
        existing = await self.info(sha256)
        if existing is not None:
            return existing, False
        stored = StoredFile(sha256, len(content), media_type, self._nuid.next().decode())
        chunks = [content[start : start + CHUNK_BYTES] for start in range(0, len(content), CHUNK_BYTES)]
        meta = _meta(stored, len(chunks))
        try:
            if await self._takes_atomic_batches():
                await self._commit(stored, chunks, meta)
            else:
                await self._publish_one_by_one(stored, chunks, meta)
        except APIError as error:
            if error.err_code != WRONG_LAST_SEQUENCE:
                raise
            winner = await self.info(sha256)  # the same file, stored by another upload meanwhile
            if winner is None:
                raise
            return winner, False
        return stored, True

    async def content(self, stored: StoredFile) -> AsyncIterator[bytes]:
        """The file's bytes, a few chunks at a time; raises ValueError when they are not the file named."""
        reader = StreamReader(self._nc, subjects.EVIDENCE_STREAM, timeout=self._timeout, batch=CHUNKS_PER_READ)
        digest, size, after = hashlib.sha256(), 0, 0
        while True:
            messages = await reader.read(subjects.evidence_chunks(stored.nuid), after_seq=after, limit=CHUNKS_PER_READ)
            for message in messages:
                digest.update(message.data)
                size += len(message.data)
                yield message.data
            if len(messages) < CHUNKS_PER_READ:
                break
            after = messages[-1].seq
        if size != stored.size or digest.hexdigest() != stored.sha256:
            raise ValueError(f"evidence {stored.sha256}: the stored chunks are not the file ({size} bytes read of {stored.size})")

    async def _takes_atomic_batches(self) -> bool:
        if self._atomic is None:
            self._atomic = bool((await self._js.stream_info(subjects.EVIDENCE_STREAM)).config.allow_atomic)
        return self._atomic

    async def _commit(self, stored: StoredFile, chunks: list[bytes], meta: bytes) -> None:
        batch_id = uuid.uuid4().hex
        chunk_subject = subjects.evidence_chunks(stored.nuid)
        for number, chunk in enumerate(chunks, start=1):
            headers = {Header.BATCH_ID.value: batch_id, Header.BATCH_SEQUENCE.value: str(number)}
            await self._nc.publish(chunk_subject, chunk, headers=headers)
        headers = {
            Header.BATCH_ID.value: batch_id,
            Header.BATCH_SEQUENCE.value: str(len(chunks) + 1),
            Header.BATCH_COMMIT.value: "1",
            Header.EXPECTED_LAST_SUBJECT_SEQUENCE.value: "0",
        }
        reply = await self._nc.request(subjects.evidence_meta(stored.sha256), meta, headers=headers, timeout=self._timeout)
        answer = json.loads(reply.data)
        if "error" in answer:
            APIError.from_error(answer["error"])  # raises the error's own class, as js.publish does

    async def _publish_one_by_one(self, stored: StoredFile, chunks: list[bytes], meta: bytes) -> None:
        for chunk in chunks:
            await self._js.publish(subjects.evidence_chunks(stored.nuid), chunk, stream=subjects.EVIDENCE_STREAM)
        headers = {Header.EXPECTED_LAST_SUBJECT_SEQUENCE.value: "0"}
        await self._js.publish(subjects.evidence_meta(stored.sha256), meta, stream=subjects.EVIDENCE_STREAM, headers=headers)


def _meta(stored: StoredFile, chunks: int) -> bytes:
    """The metadata as every object store client writes it (ObjectInfo): headers as lists of values, as Go's."""
    digest = base64.urlsafe_b64encode(bytes.fromhex(stored.sha256)).decode()
    return json.dumps(
        {
            "name": stored.sha256,
            "bucket": subjects.EVIDENCE_BUCKET,
            "nuid": stored.nuid,
            "size": stored.size,
            "mtime": dt.datetime.now(dt.UTC).isoformat(),
            "chunks": chunks,
            "digest": DIGEST_PREFIX + digest,
            "headers": {"Content-Type": [stored.media_type]},
            "options": {"max_chunk_size": CHUNK_BYTES},
        }
    ).encode()


def _stored_file(sha256: str, meta: bytes) -> StoredFile | None:
    """The file the metadata describes, if it is the file named `sha256` and not deleted."""
    try:
        info = json.loads(meta)
        digest = base64.urlsafe_b64decode(info["digest"].removeprefix(DIGEST_PREFIX)).hex()
        media_type = (info.get("headers") or {}).get("Content-Type") or ["application/octet-stream"]
        stored = StoredFile(sha256, int(info["size"]), media_type[0] if isinstance(media_type, list) else media_type, info["nuid"])
    except (ValueError, KeyError, TypeError, AttributeError):
        log.warning("evidence %s: its metadata cannot be read", sha256)
        return None
    if info.get("deleted"):
        return None
    if digest != sha256 or info.get("name") != sha256:
        log.warning("evidence %s: its metadata names other content (%s)", sha256, digest)
        return None
    return stored
