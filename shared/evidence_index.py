"""Which accepted events name which evidence file, and who may therefore read it: what the indicators service's
`GET /api/v1/evidence/<sha256>` (services/indicators/web/evidence.py) and the workspace's
`GET /workspace/api/evidence/<sha256>` (services/gateway/workspace/evidence_files.py) decide on.

The index is read from the event store itself, never from the request, and kept in memory: every
`TrainingCompleted`, `PlanSubmitted`, `ClaimAmended` and `ClaimDisputed` event that names evidence, as
(sequence, the organisation that named it — a ministry or an observer —, the file name, public or not) per
file. It reads those event types alone, by batched direct gets under their
subjects (shared/stream_reader.py), from where it last read; before every answer it reads what is new (one
round trip each when nothing is), so a file can be downloaded as soon as the event naming it is accepted,
whatever the projector's lag. At start it reads the whole history once, in the background.

Why not a lookup in the read model. `event_log` holds each event's `data`, but nothing indexes a file's
SHA-256 in it: a `LIKE` over the data of the training and plan events for one SHA-256 took 80 ms among
200,000 events (SQLite in memory, this project's 2-core machine), growing with the history, on every
download, an anonymous one included. A table of evidence fed by the projector would be a lookup, but it would
add writes to every batch of the projector and a migration to the read model, for a question the event store
answers directly. Held here, a download's lookup, with its read of what is new, took 0.26 ms; the costs are
the memory of the events that name evidence (a few hundred bytes a file named) and reading the naming events
once per start: 100,000 in 3 s (33,000 a second, half of them naming a file, on the same machine).
"""

import asyncio
import json
import logging
from dataclasses import dataclass

from nats.aio.client import Client
from pydantic import ValidationError

from shared import subjects
from shared.contracts.evidence import EvidenceRef
from shared.contracts.versions import UnknownEventVersion, upcast
from shared.ministries import SECRETARIAT
from shared.organisations import is_ministry, is_observer_id
from shared.stream_reader import StreamReader

log = logging.getLogger("ogi.evidence")

# The events that carry `evidence` (a training's and a plan's from schema_version 2 on), under their subjects in
# every region.
NAMING_EVENTS = (
    subjects.event("training", "*", "TrainingCompleted"),
    subjects.event("plans", "*", "PlanSubmitted"),
    subjects.event("verification", "*", "ClaimAmended"),
    subjects.event("verification", "*", "ClaimDisputed"),
)
_NAMES_A_FILE = b'"sha256"'  # in a stored event's JSON only where its evidence names a file (no other key ends so)


@dataclass(frozen=True, slots=True)
class Naming:
    """One accepted event naming a file as evidence."""

    seq: int
    reported_by: str  # the organisation that named it (the submitting ministry or observer)
    name: str
    public: bool
    sha256: str = ""
    event_id: str = ""
    claim_event_id: str = ""  # the claim the event is or acts on: a training's or plan's own id, an amendment's claim


def may_read(naming: Naming, reader: str | None) -> bool:
    """Whether the naming lets `reader` (None: anyone without a token) have the file: a public one, or, for the
    organisation that named it privately, its own, or for the secretariat any."""
    return naming.public or (reader is not None and (reader == SECRETARIAT or naming.reported_by == reader))


def readable_naming(namings: list[Naming], reader: str | None) -> Naming | None:
    """The first naming (in stream order) that lets `reader` download the file. Its file name is the one the
    download carries. None: to this reader the file does not exist."""
    for naming in sorted(namings, key=lambda naming: naming.seq):
        if may_read(naming, reader):
            return naming
    return None


class EvidenceIndex:
    def __init__(self, nc: Client) -> None:
        self._readers = {subject: StreamReader(nc, subjects.EVENTS_STREAM, long_lived=True) for subject in NAMING_EVENTS}
        self._read_up_to = dict.fromkeys(NAMING_EVENTS, 0)
        self._files: dict[str, list[Naming]] = {}
        self._claims: dict[str, list[Naming]] = {}
        self._reading = asyncio.Lock()
        self.events_read = 0

    async def namings(self, sha256: str) -> list[Naming]:
        """Every accepted event naming the file, up to the last one stored now."""
        await self.catch_up()
        return list(self._files.get(sha256, ()))

    async def of_claims(self, claim_event_ids: list[str]) -> dict[str, list[Naming]]:
        """Per claim, every file its event and the amendments and disputes of it name, in stream order."""
        await self.catch_up()
        return {claim: list(self._claims.get(claim, ())) for claim in claim_event_ids}

    async def catch_up(self) -> None:
        """Read the naming events stored since the last read (requests at once share the lock, each reading
        after the previous one's read, so none answers on a read older than its own arrival)."""
        async with self._reading:
            for subject, reader in self._readers.items():
                for message in await reader.read(subject, after_seq=self._read_up_to[subject]):
                    self._read_up_to[subject] = message.seq
                    self.events_read += 1
                    if _NAMES_A_FILE in message.data:
                        self._add(message.seq, message.data)

    def _add(self, seq: int, body: bytes) -> None:
        try:
            event = upcast(json.loads(body))
            files = [EvidenceRef.model_validate(item) for item in event["data"]["evidence"]]
            reported_by = _organisation(event["reported_by"])
            event_id = str(event["event_id"])
            claim_event_id = str(event["data"].get("claim_event_id", event_id))
        except UnknownEventVersion as unknown:  # a newer release's event: no access is given on it
            log.warning("event %s names evidence in a form this release does not read: %s", seq, unknown)
            return
        except (ValueError, KeyError, TypeError, ValidationError) as error:
            log.warning("event %s: its evidence cannot be read (%s)", seq, type(error).__name__)
            return
        for file in files:
            naming = Naming(seq, reported_by, file.name, file.public, file.sha256, event_id, claim_event_id)
            self._files.setdefault(file.sha256, []).append(naming)
            self._claims.setdefault(claim_event_id, []).append(naming)


def _organisation(reported_by: object) -> str:
    if isinstance(reported_by, str) and (is_ministry(reported_by) or is_observer_id(reported_by)):
        return reported_by
    raise ValueError(f"{reported_by!r} is neither a ministry nor an observer")
