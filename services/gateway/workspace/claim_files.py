"""The evidence files of claims that a signed-in person may open in the workspace: every file the claim's event
and its amendments and disputes name (shared/evidence_index.py), public ones for anyone, private ones for the
organisation that named them and the secretariat. The public claims API counts private files only; these come
with their names, their type and size (from OGI_EVIDENCE), so the page previews them."""

import asyncio

from shared.evidence_index import EvidenceIndex, Naming, may_read
from shared.evidence_store import EvidenceStore, StoredFile


async def readable_files(index: EvidenceIndex, store: EvidenceStore, claim_event_ids: list[str], reader: str) -> dict[str, list[dict]]:
    """Per claim, the files `reader` may open, in the order the events named them (each file once per event)."""
    namings = await index.of_claims(claim_event_ids)
    chosen = {claim: _distinct(naming for naming in named if may_read(naming, reader)) for claim, named in namings.items()}
    hashes = sorted({naming.sha256 for named in chosen.values() for naming in named})
    stored = dict(zip(hashes, await asyncio.gather(*(store.info(sha256) for sha256 in hashes)), strict=True))
    return {claim: [_described(naming, file) for naming in named if (file := stored[naming.sha256]) is not None] for claim, named in chosen.items()}


def _distinct(namings) -> list[Naming]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for naming in namings:
        if (naming.event_id, naming.sha256) not in seen:
            seen.add((naming.event_id, naming.sha256))
            kept.append(naming)
    return kept


def _described(naming: Naming, stored: StoredFile) -> dict:
    return {
        "sha256": naming.sha256,
        "name": naming.name,
        "public": naming.public,
        "event_id": naming.event_id,
        "media_type": stored.media_type,
        "size": stored.size,
    }
