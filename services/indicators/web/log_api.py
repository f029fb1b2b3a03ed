"""The transparency log over HTTP (CONTRACT.md 1.1, "A public record anyone can verify"): the latest signed
checkpoint and every one before it, the verifier key, RFC 6962 inclusion and consistency proofs (base64
hashes) for any size the tree has reached, and the leaves' bodies: the event payloads as OGI_EVENTS stores
them. Anyone can check a published count with these alone (`ogi verify`). Every parameter is bounded."""

import base64
from collections.abc import Callable

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse
from nats.aio.client import Client
from nats.js.errors import NotFoundError
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine

from services.indicators.readmodel import checkpoint, quarantined, tree
from services.indicators.tlog.checkpoint import Checkpoint, open_checkpoint
from services.indicators.tlog.cosignature import CosignatureVerifier, cosigned_by
from services.indicators.tlog.keys import Ed25519Verifier
from services.indicators.tlog.note import NoteError, parse_note
from services.indicators.web.params import invalid
from shared import subjects
from shared.contracts.log import COSIGNED_NOTE_BYTES
from shared.stream_reader import StreamReader

ENTRIES_AT_ONCE = 1000
QUARANTINED_AT_ONCE = 1000
CHECKPOINTS_AT_ONCE = 100
LARGEST = 2**63 - 1


def sequence(description: str):
    return Query(ge=1, le=LARGEST, description=description)


NOTE = "text/plain; charset=utf-8"


def log_routes(engine: AsyncEngine, nats: Callable[[], Client | None]) -> APIRouter:
    router = APIRouter(prefix="/api/v1/log", tags=["transparency log"])

    def connected() -> Client:
        nc = nats()
        if nc is None or not nc.is_connected:
            raise HTTPException(503, "NATS is not connected: try again shortly")
        return nc

    def jetstream():
        return connected().jetstream()

    async def last_on(subject: str) -> str:
        try:
            return (await jetstream().get_last_msg(subjects.LOG_STREAM, subject, direct=True)).data.decode()
        except NotFoundError:
            raise HTTPException(404, "the log has no checkpoint yet" if subject == subjects.LOG_CHECKPOINT else "no log key yet") from None

    @router.get("/checkpoint", response_class=PlainTextResponse)
    async def latest_checkpoint() -> PlainTextResponse:
        """The latest checkpoint: a C2SP tlog-checkpoint signed note (origin, tree size, base64 root, signature)."""
        return PlainTextResponse(await last_on(subjects.LOG_CHECKPOINT), media_type=NOTE)

    @router.get("/checkpoints")
    async def checkpoints(after: int = Query(0, ge=0, le=LARGEST, description="stream position in OGI_LOG to list after")) -> dict:
        """Every checkpoint ever made, oldest first, CHECKPOINTS_AT_ONCE at a time (`next` goes on)."""
        found = await StreamReader(connected(), subjects.LOG_STREAM).read(subjects.LOG_CHECKPOINT, after_seq=after, limit=CHECKPOINTS_AT_ONCE)
        listed = [{"position": message.seq, "note": message.data.decode()} for message in found]
        return {"checkpoints": listed, "next": listed[-1]["position"] if len(listed) == CHECKPOINTS_AT_ONCE else None}

    @router.get("/key", response_class=PlainTextResponse)
    async def key() -> PlainTextResponse:
        """The log's verifier key, in the signed-note `vkey` form."""
        return PlainTextResponse(await last_on(subjects.LOG_KEY), media_type=NOTE)

    async def tree_size() -> int:
        async with engine.connect() as connection:
            return await checkpoint.position(connection)

    @router.get("/proof/inclusion")
    async def inclusion(seq: int = sequence("the event's stream sequence"), size: int = sequence("the tree's size")) -> dict:
        """That the event at `seq` is leaf `seq - 1` of the tree of `size` leaves."""
        largest = await tree_size()
        if not seq <= size <= largest:
            invalid("size", f"seq must be at most size, and size at most the tree's size ({largest})", size)
        async with engine.connect() as connection:
            hashes = await tree.inclusion_proof(connection, seq - 1, size)
        return {"seq": seq, "leaf_index": seq - 1, "tree_size": size, "hashes": _base64(hashes)}

    @router.get("/proof/consistency")
    async def consistency(from_size: int = Query(alias="from", ge=1, le=LARGEST), to_size: int = Query(alias="to", ge=1, le=LARGEST)) -> dict:
        """That the tree of `to` leaves extends the tree of `from` leaves."""
        largest = await tree_size()
        if not from_size <= to_size <= largest:
            invalid("to", f"from must be at most to, and to at most the tree's size ({largest})", to_size)
        async with engine.connect() as connection:
            hashes = await tree.consistency_proof(connection, from_size, to_size)
        return {"from": from_size, "to": to_size, "hashes": _base64(hashes)}

    @router.get("/entries")
    async def entries(start: int = sequence("the first sequence"), end: int = sequence("the last sequence")) -> dict:
        """The leaves from `start` to `end` (stream sequences, both included, at most ENTRIES_AT_ONCE): each
        event's payload as OGI_EVENTS stores it now (`body`, base64; null for a sequence it does not hold)
        beside the leaf hash the log committed to when the event was projected (`leaf_hash`; null beyond
        the tree). A body whose hash is not its leaf hash was changed after it was logged."""
        if not start <= end < start + ENTRIES_AT_ONCE:
            invalid("end", f"end must be from start to start + {ENTRIES_AT_ONCE - 1}", end)
        found = await StreamReader(connected(), subjects.EVENTS_STREAM).read("ogi.events.>", after_seq=start - 1, limit=end - start + 1)
        bodies = {message.seq: message.data for message in found if message.seq <= end}
        async with engine.connect() as connection:
            committed = await tree.leaves(connection, start - 1, end - 1)
        return {"entries": [{"seq": seq, "body": _encoded(bodies.get(seq)), "leaf_hash": _encoded(committed.get(seq - 1))} for seq in range(start, end + 1)]}

    @router.get("/quarantined")
    async def quarantined_events(after: int = Query(0, ge=0, le=LARGEST)) -> dict:
        """The events the projector could not apply and counts nowhere (they stay leaves of the log), after
        the sequence `after`, QUARANTINED_AT_ONCE at a time: a recount from the entries leaves them out."""
        async with engine.connect() as connection:
            listed = await quarantined.after(connection, after, QUARANTINED_AT_ONCE)
        return {"quarantined": listed, "next": listed[-1]["seq"] if len(listed) == QUARANTINED_AT_ONCE else None}

    @router.post(
        "/cosignatures",
        status_code=201,
        openapi_extra={"requestBody": {"required": True, "content": {"text/plain": {"schema": {"type": "string"}}}}},
        responses={413: {"model": Problem}, 422: {"model": Problem}},
    )
    async def take_cosignature(request: Request) -> dict:
        """A registered witness's cosignature (C2SP tlog-cosignature): a checkpoint the log signed, with the
        witness's line added. Kept as that witness's latest."""
        body = await request.body()
        if len(body) > COSIGNED_NOTE_BYTES:
            raise HTTPException(413, f"a cosigned checkpoint is at most {COSIGNED_NOTE_BYTES} bytes")
        witnesses = await registered_witnesses()
        try:
            open_checkpoint(body, Ed25519Verifier.from_vkey(await last_on(subjects.LOG_KEY)))
            cosigned = cosigned_by(body.decode(), witnesses.values())
        except (NoteError, ValueError) as error:
            raise HTTPException(422, f"not a checkpoint signed by this log, cosigned by a registered witness: {error}") from None
        if not cosigned:
            raise HTTPException(422, "no cosignature of a registered witness (`ogi log witnesses add` registers one)")
        size = Checkpoint.from_text(parse_note(body).text).size
        for key_id, witness in witnesses.items():
            if witness.name in cosigned and await kept_size(key_id) < size:  # only what moves a witness on is kept
                await jetstream().publish(subjects.log_cosignature(key_id), body, stream=subjects.LOG_STREAM)
        return {"cosigned_by": cosigned}

    async def kept_size(key_id: str) -> int:
        """The size of the checkpoint a witness's kept cosignature is on (-1: none kept)."""
        try:
            kept = await jetstream().get_last_msg(subjects.LOG_STREAM, subjects.log_cosignature(key_id), direct=True)
        except NotFoundError:
            return -1
        return Checkpoint.from_text(parse_note(kept.data or b"").text).size

    @router.get("/cosignatures")
    async def cosignatures() -> dict:
        """Each registered witness, with the latest checkpoint it cosigned (null: none yet)."""
        listed = []
        for key_id, witness in (await registered_witnesses()).items():
            try:
                note = (await jetstream().get_last_msg(subjects.LOG_STREAM, subjects.log_cosignature(key_id), direct=True)).data.decode()
            except NotFoundError:
                note = None
            listed.append(
                {"name": witness.name, "vkey": witness.vkey(), "cosigned": note, "at": cosigned_by(note, [witness]).get(witness.name) if note else None}
            )
        return {"witnesses": listed}

    async def registered_witnesses() -> dict[str, CosignatureVerifier]:
        found = await StreamReader(connected(), subjects.LOG_STREAM).read(subjects.log_witness("*"))
        latest = {message.subject.rsplit(".", 1)[1]: message.data.decode() for message in found}
        return {key_id: CosignatureVerifier.from_vkey(vkey) for key_id, vkey in latest.items()}

    return router


class Problem(BaseModel):
    detail: str


def _base64(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(value).decode() for value in hashes]


def _encoded(value: bytes | None) -> str | None:
    return None if value is None else base64.b64encode(value).decode()
