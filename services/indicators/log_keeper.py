"""The transparency log's state of its own, kept by the indicators service: the signing key (a file, made on
first start) and the signed checkpoints, every one of them kept in the stream OGI_LOG, never in the read
model (which is rebuilt). A checkpoint signs the tree the read model holds (readmodel/tree.py) at the
projector's position: a new one when the tree has grown and CHECKPOINT_EVERY has passed since the last, and
at once when an operator asks (`ogi log checkpoint`, a request on ogi.control.log_checkpoint). Replicas of the
service may all try: a checkpoint is appended only after the one its maker read as the last, so each size
is signed once."""

import asyncio
import base64
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from nats.aio.client import Client
from nats.aio.subscription import Subscription
from nats.js.errors import APIError, NotFoundError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.indicators.readmodel import checkpoint, tree
from services.indicators.tlog.checkpoint import Checkpoint, sign_checkpoint
from services.indicators.tlog.keys import Ed25519Signer
from services.indicators.tlog.note import parse_note
from shared import subjects

log = logging.getLogger("ogi.log")

CHECKPOINT_EVERY = 3600.0  # seconds, at least, between two checkpoints the service makes by itself
LOOK_EVERY = 30.0  # seconds between two looks at whether one is due
WRONG_LAST_SEQUENCE = 10071  # JetStream: another checkpoint was appended meanwhile


class NoSigningKey(RuntimeError):
    """The operator named a key file that is not there: a new key would break every check made before."""


def signing_key(path: Path, origin: str, may_make: bool) -> Ed25519Signer:
    """The log's key from its file; made there (readable by its owner only) when there is none and
    `may_make` (a data dir of `ogi up`'s own). A key given by the operator (OGI_LOG_SIGNING_KEY_FILE) is
    never replaced: made anew, it would break every check citizens and witnesses made against the old one."""
    if path.exists():
        signer = Ed25519Signer.from_private_key(path.read_text().strip())
        if signer.name != origin:
            raise ValueError(f"the log's signing key in {path} is named {signer.name!r}, not for the origin {origin!r} (OGI_LOG_ORIGIN)")
        return signer
    if not may_make:
        raise NoSigningKey(f"no signing key for the transparency log at {path}: make one with `ogi log new-key {path} --origin {origin}`")
    signer = write_signing_key(path, origin)
    log.warning("made a new signing key for the transparency log in %s: publish its verifier key (`ogi log key`)", path)
    return signer


def write_signing_key(path: Path, origin: str) -> Ed25519Signer:
    signer = Ed25519Signer.generate(origin)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(signer.private_key() + "\n")
    return signer


class LogKeeper:
    def __init__(self, nc: Client, engine: AsyncEngine, signer: Ed25519Signer) -> None:
        self._nc = nc
        self._js = nc.jetstream()
        self._engine = engine
        self._signer = signer
        self._task: asyncio.Task | None = None
        self._subscription: Subscription | None = None

    async def start(self) -> None:
        await self._publish_key()
        self._subscription = await self._nc.subscribe(subjects.LOG_MAKE_CHECKPOINT, cb=self._on_request)
        self._task = asyncio.create_task(self._keep(), name="transparency log checkpoints")

    async def stop(self) -> None:
        if self._subscription is not None:
            await self._subscription.unsubscribe()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def checkpoint_now(self) -> str:
        """A checkpoint of the tree as it stands, unless the last one has that size already: the last one."""
        last = await self._last()
        async with self._engine.connect() as connection:
            position = await checkpoint.position(connection)
            root = await tree.root(connection, position)
        if last is not None and last.size >= position:
            return last.note
        signed = sign_checkpoint(Checkpoint(self._signer.name, position, root), self._signer)
        try:
            await self._js.publish(subjects.LOG_CHECKPOINT, signed.encode(), stream=subjects.LOG_STREAM, headers=_after(last))
        except APIError as error:
            if error.err_code != WRONG_LAST_SEQUENCE:
                raise
            newer = await self._last()  # another replica signed meanwhile: its checkpoint stands
            return newer.note if newer is not None else signed
        log.info("checkpoint of the transparency log at size %s, root %s", position, base64.b64encode(root).decode())
        return signed

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(LOOK_EVERY)
            try:
                last = await self._last()
                if last is None or time.time() - last.made_at >= CHECKPOINT_EVERY:
                    await self.checkpoint_now()
            except Exception as error:  # NATS or the database away: the next look tries again
                log.warning("no checkpoint made: %r", error)

    async def _on_request(self, message) -> None:
        try:
            answer = (await self.checkpoint_now()).encode()
        except Exception as error:
            answer = f"error: {error!r}".encode()
        await message.respond(answer)

    async def _publish_key(self) -> None:
        vkey = self._signer.verifier().vkey()
        try:
            current = ((await self._js.get_last_msg(subjects.LOG_STREAM, subjects.LOG_KEY, direct=True)).data or b"").decode()
        except NotFoundError:
            current = None
        if current != vkey:
            await self._js.publish(subjects.LOG_KEY, vkey.encode(), stream=subjects.LOG_STREAM)

    async def _last(self) -> "LastCheckpoint | None":
        try:
            stored = await self._js.get_last_msg(subjects.LOG_STREAM, subjects.LOG_CHECKPOINT, direct=True)
        except NotFoundError:
            return None
        note = (stored.data or b"").decode()
        made_at = stored.time.timestamp() if stored.time else 0.0
        return LastCheckpoint(note, stored.seq or 0, Checkpoint.from_text(parse_note(note).text).size, made_at)


@dataclass(frozen=True)
class LastCheckpoint:
    note: str
    seq: int  # in OGI_LOG
    size: int
    made_at: float  # seconds since the epoch


def _after(last: LastCheckpoint | None) -> dict[str, str]:
    """Appended only if the last checkpoint is still `last` (none yet: 0)."""
    return {"Nats-Expected-Last-Subject-Sequence": str(last.seq if last else 0)}
