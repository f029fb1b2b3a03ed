"""`ogi verify`: a citizen's own check, over the public HTTP API alone, that the published counts follow from an
unaltered event history. In order, each named in the report:

1. the latest checkpoint is signed by the log's key (the one given with --key, or the one the log serves);
2. the leaves the log committed to make the checkpoint's root (RFC 6962), recomputed here;
3. every event the store holds now is the one the log committed to: its payload's hash is its leaf (a
   sequence the store no longer holds, or holds changed, is named);
4. the checkpoint kept from an earlier check (--checkpoint) is a prefix of this one (a consistency proof);
5. the nine published counts, and the verified counts of `trained` and `plans`, are what the counting rules
   (services/indicators/rules.py, the projector's own) give over the events, leaving out those the projector
   quarantined.

The first that does not hold ends the check."""

import base64
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from ogi.log_http import answer
from services.indicators import rules
from services.indicators.projector.recorded import read_directly
from services.indicators.tlog import merkle
from services.indicators.tlog.checkpoint import Checkpoint, open_checkpoint
from services.indicators.tlog.frontier import Frontier
from services.indicators.tlog.keys import Ed25519Verifier
from services.indicators.tlog.note import NoteError

PAGE = 1000  # entries per request, the API's most


class CheckFailed(Exception):
    """What does not hold, said so that a person can act on it."""


@dataclass
class Report:
    checkpoint: Checkpoint | None = None
    note: str = ""
    held: list[str] = field(default_factory=list)  # what was checked and holds, in order
    counts: dict[rules.Key, int] = field(default_factory=dict)


class Verifier:
    def __init__(self, client: httpx.Client, key: str | None = None, progress: Callable[[int, int], None] = lambda done, total: None) -> None:
        """`client`: the log's API (base URL set). `key`: its verifier key as published elsewhere; without it
        the key the log serves is trusted, which the report says."""
        self._client = client
        self._key = key
        self._progress = progress
        self.report = Report()

    def run(self, kept: str | None = None) -> Report:
        verifier = self._verifier()
        checkpoint = self._checkpoint(verifier)
        payloads = self._entries_and_root(checkpoint)
        if kept is not None:
            self._consistent_with(kept, checkpoint, verifier)
        self._counts(payloads)
        return self.report

    def _verifier(self) -> Ed25519Verifier:
        served = self._get("/api/v1/log/key").text.strip()
        key = self._key or served
        try:
            verifier = Ed25519Verifier.from_vkey(key)
        except ValueError as error:
            raise CheckFailed(f"the log's key {key!r} cannot be read: {error}") from None
        if self._key is not None and served != self._key:
            raise CheckFailed(f"the log serves another key ({served}) than the one given ({self._key})")
        self.report.held.append(f"key {verifier.name}" + ("" if self._key else " (as the log serves it: compare it with the one the secretariat publishes)"))
        return verifier

    def _checkpoint(self, verifier: Ed25519Verifier) -> Checkpoint:
        note = self._get("/api/v1/log/checkpoint").text
        try:
            checkpoint = open_checkpoint(note, verifier)
        except (NoteError, ValueError) as error:
            raise CheckFailed(f"the latest checkpoint is not signed by the log's key: {error}") from None
        self.report.checkpoint, self.report.note = checkpoint, note
        self.report.held.append(f"checkpoint signed: {checkpoint.size} events, root {base64.b64encode(checkpoint.root_hash).decode()}")
        return checkpoint

    def _entries_and_root(self, checkpoint: Checkpoint) -> dict[int, bytes]:
        """Every entry up to the checkpoint's size, checked against its leaf; the leaves against the root."""
        frontier, payloads = Frontier(), {}
        for start in range(1, checkpoint.size + 1, PAGE):
            end = min(start + PAGE - 1, checkpoint.size)
            for entry in self._get("/api/v1/log/entries", start=start, end=end).json()["entries"]:
                seq, leaf = entry["seq"], _decoded(entry["leaf_hash"])
                if leaf is None:
                    raise CheckFailed(f"sequence {seq}: the log has no leaf for it, though its checkpoint covers {checkpoint.size} events")
                frontier.append(leaf)
                body = _decoded(entry["body"])
                if body is None:
                    raise CheckFailed(
                        f"sequence {seq}: the event store no longer holds this event, which the log committed to (removed, or altered and dropped)"
                    )
                if merkle.leaf_hash(body) != leaf:
                    raise CheckFailed(f"sequence {seq}: the stored event is not the one the log committed to (altered)")
                payloads[seq] = body
            self._progress(end, checkpoint.size)
        if frontier.root() != checkpoint.root_hash:
            raise CheckFailed(f"the log's {checkpoint.size} leaves do not make the root its checkpoint signs")
        self.report.held.append(f"all {checkpoint.size} events are the ones logged, and make the signed root")
        return payloads

    def _consistent_with(self, kept: str, latest: Checkpoint, verifier: Ed25519Verifier) -> None:
        try:
            earlier = open_checkpoint(kept, verifier)
        except (NoteError, ValueError) as error:
            raise CheckFailed(f"the kept checkpoint is not signed by the log's key: {error}") from None
        if earlier.size > latest.size:
            raise CheckFailed(f"the log shrank: the kept checkpoint has {earlier.size} events, the latest {latest.size}")
        if earlier.size == latest.size and earlier.root_hash != latest.root_hash:
            raise CheckFailed(f"the log forked: two checkpoints of {latest.size} events with different roots")
        if 0 < earlier.size < latest.size:
            proof = self._get("/api/v1/log/proof/consistency", **{"from": earlier.size, "to": latest.size}).json()["hashes"]
            try:
                merkle.verify_consistency(earlier.size, latest.size, [base64.b64decode(h) for h in proof], earlier.root_hash, latest.root_hash)
            except merkle.InvalidProof as error:
                raise CheckFailed(f"the latest checkpoint does not extend the kept one ({earlier.size} events): {error}") from None
        self.report.held.append(f"the kept checkpoint ({earlier.size} events) is a prefix of the latest")

    def _counts(self, payloads: dict[int, bytes]) -> None:
        published = self._get("/api/v1/indicators").json()
        as_of_seq = published["as_of_seq"]
        for start in range(max(payloads, default=0) + 1, as_of_seq + 1, PAGE):  # projected after the checkpoint
            for entry in self._get("/api/v1/log/entries", start=start, end=min(start + PAGE - 1, as_of_seq)).json()["entries"]:
                body, leaf = _decoded(entry["body"]), _decoded(entry["leaf_hash"])
                if body is not None and leaf is not None and merkle.leaf_hash(body) != leaf:
                    raise CheckFailed(f"sequence {entry['seq']}: the stored event is not the one the log committed to (altered)")
                if body is not None:
                    payloads[entry["seq"]] = body
        skipped = self._quarantined()
        facts = []
        for seq in sorted(payloads):
            if seq > as_of_seq or seq in skipped:
                continue
            try:
                event, _ = read_directly(payloads[seq])
            except Exception as error:
                raise CheckFailed(f"sequence {seq}: the event cannot be read here ({error!r}), though the projector counted it") from None
            facts.append(
                (
                    seq,
                    event["event_id"],
                    event["region_code"],
                    event["event_type"],
                    event["ministry"],
                    dt.date.fromisoformat(event["occurred_on"]),
                    event["data"],
                )
            )
        counted = rules.counts(rules.fold(facts).values())
        for row in published["indicators"]:
            key = (row["scope"], row["indicator"])
            if row["count"] != counted[key]:
                raise CheckFailed(f"{key[0]}.{key[1]}: published {row['count']}, but the events up to #{as_of_seq} give {counted[key]}")
            verified = rules.VERIFIED.get(key[1])
            if verified is not None and row.get("verified") != counted[(key[0], verified)]:
                given = counted[(key[0], verified)]
                raise CheckFailed(f"{key[0]}.{key[1]} verified: published {row.get('verified')}, but the events up to #{as_of_seq} give {given}")
        self.report.counts = counted
        left_out = f", leaving out {len(skipped)} quarantined" if skipped else ""
        self.report.held.append(f"the nine published counts and their verified counts are what the counting rules give over events 1 to {as_of_seq}{left_out}")

    def _quarantined(self) -> set[int]:
        found, after = set(), 0
        while True:
            page = self._get("/api/v1/log/quarantined", after=after).json()
            found |= {entry["seq"] for entry in page["quarantined"]}
            if page["next"] is None:
                return found
            after = page["next"]

    def _get(self, path: str, **params) -> httpx.Response:
        return answer(self._client, path, CheckFailed, **params)


def _decoded(value: str | None) -> bytes | None:
    return None if value is None else base64.b64decode(value)
