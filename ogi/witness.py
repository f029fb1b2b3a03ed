"""A witness of the transparency log, run by anyone (a civil-society organisation, a journalist): it keeps the
last checkpoint it saw, and cosigns a newer one (C2SP tlog-cosignature) only once it has checked, over the
log's HTTP API alone, that the new one is signed by the log's key and extends the one it saw (an RFC 6962
consistency proof). A checkpoint that forks from it, or a log that shrank, is refused and reported, and the
witness keeps what it saw: that is the evidence.

Its state directory holds its own key (`witness.key`, made on first run), the log's key it trusts
(`log.vkey`, pinned on first run) and the last checkpoint it saw (`checkpoint`)."""

import base64
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from ogi.log_http import answer
from services.indicators.tlog import merkle
from services.indicators.tlog.checkpoint import Checkpoint, open_checkpoint
from services.indicators.tlog.cosignature import Cosigner, cosign
from services.indicators.tlog.keys import Ed25519Signer, Ed25519Verifier
from services.indicators.tlog.note import NoteError


class Refused(Exception):
    """The log showed something a witness must not sign; the message says what."""


@dataclass(frozen=True)
class Witnessed:
    size: int
    cosigned: bool  # False: nothing new since the last checkpoint seen


class Witness:
    def __init__(self, state: Path, name: str | None, client: httpx.Client) -> None:
        self._state = state
        self._client = client
        state.mkdir(parents=True, exist_ok=True)
        self.cosigner = _own_key(state / "witness.key", name)
        self._log_key_file = state / "log.vkey"
        self._seen_file = state / "checkpoint"

    def once(self) -> Witnessed:
        """Look at the log's latest checkpoint; cosign it if it is new and extends the one seen before."""
        log_key = self._log_key()
        note = self._get("/api/v1/log/checkpoint").text
        try:
            latest = open_checkpoint(note, log_key)
        except (NoteError, ValueError) as error:
            raise Refused(f"the latest checkpoint is not signed by the log's key {log_key.vkey()}: {error}") from None
        seen = self._seen(log_key)
        if seen is not None:
            self._extends(seen, latest)
            if seen.size == latest.size:
                return Witnessed(latest.size, cosigned=False)
        cosigned = cosign(note, self.cosigner, int(time.time()))
        response = self._client.post("/api/v1/log/cosignatures", content=cosigned.encode(), headers={"Content-Type": "text/plain"})
        if response.status_code != 201:
            raise Refused(f"the log did not take the cosignature ({response.status_code}): {response.text[:200]}")
        self._seen_file.write_text(note)
        return Witnessed(latest.size, cosigned=True)

    def _extends(self, seen: Checkpoint, latest: Checkpoint) -> None:
        if latest.size < seen.size:
            raise Refused(f"the log shrank: it showed {seen.size} events before, and {latest.size} now")
        if latest.size == seen.size:
            if latest.root_hash != seen.root_hash:
                raise Refused(f"the log forked: two checkpoints of {seen.size} events with different roots")
            return
        if seen.size == 0:
            return
        proof = self._get("/api/v1/log/proof/consistency", **{"from": seen.size, "to": latest.size}).json()["hashes"]
        try:
            merkle.verify_consistency(seen.size, latest.size, [base64.b64decode(h) for h in proof], seen.root_hash, latest.root_hash)
        except merkle.InvalidProof as error:
            raise Refused(f"the checkpoint of {latest.size} events does not extend the one of {seen.size} seen before: {error}") from None

    def _log_key(self) -> Ed25519Verifier:
        if not self._log_key_file.exists():
            self._log_key_file.write_text(self._get("/api/v1/log/key").text.strip() + "\n")
        return Ed25519Verifier.from_vkey(self._log_key_file.read_text().strip())

    def _seen(self, log_key: Ed25519Verifier) -> Checkpoint | None:
        if not self._seen_file.exists():
            return None
        return open_checkpoint(self._seen_file.read_text(), log_key)

    def _get(self, path: str, **params) -> httpx.Response:
        return answer(self._client, path, Refused, **params)


def _own_key(path: Path, name: str | None) -> Cosigner:
    if path.exists():
        return Cosigner.from_signer(Ed25519Signer.from_private_key(path.read_text().strip()))
    if name is None:
        raise Refused(f"no witness key in {path.parent} yet: give this witness a name with --name (your organisation's, e.g. tii.or.id/witness)")
    signer = Ed25519Signer.generate(name)
    path.touch(mode=0o600)
    path.write_text(signer.private_key() + "\n")
    return Cosigner.from_signer(signer)
