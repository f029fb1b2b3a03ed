"""Each row of an upload as the import shows it: the preview (preview.py), and what the row got when it was sent
before, from OGI_OUTCOMES, so that a file uploaded again sends nothing twice.

A row accepted before is `recorded` (the preview sees its event); a row sent before and rejected is `sent_before`
with the code it got, rather than `ready` or `rejected` again: sending it again could only be answered
`duplicate`. Only a `ready` row that was never answered is sent.
"""

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

from services.gateway.workspace.preview import PreviewStatus, RegionHistory, RowPreview, preview, sending_order
from services.gateway.workspace.rows import SheetRow
from shared.contracts.outcomes import Outcome, Status

SENT_BEFORE = "sent_before"
OutcomesOf = Callable[[Iterable[str]], Awaitable[dict[str, Outcome]]]  # earlier outcomes by submission id


@dataclass(frozen=True)
class Judged:
    preview: RowPreview
    order: int  # the row's place in sending order
    earlier: Outcome | None = None  # what it got when sent before

    @property
    def row(self) -> SheetRow:
        return self.preview.row

    @property
    def status(self) -> str:
        if self.earlier is None:
            return self.preview.status.value
        return PreviewStatus.RECORDED.value if self.earlier.status == Status.ACCEPTED else SENT_BEFORE

    @property
    def sendable(self) -> bool:
        return self.status == PreviewStatus.READY

    def described(self) -> dict:
        """The row as the page shows it."""
        row = self.row
        return {
            "sheet": row.sheet,
            "row_number": row.row_number,
            "kind": row.kind,
            "submission_id": row.submission_id,
            "order": self.order,
            "status": self.status,
            **self.said(),
            "cells": row.shown_cells,
            "errors": [{"column": error.column, "message_id": error.message_id, "message": error.message} for error in row.errors],
        }

    def said(self) -> dict:
        """What is said of the row: `message_id` (a key of EXPLANATIONS), `message` (English), `code`, `event_id`."""
        earlier, found = self.earlier, self.preview
        if earlier is None:
            return {"message_id": found.message_id, "message": found.message, "code": found.code, "event_id": found.event_id}
        if earlier.status == Status.ACCEPTED:
            return {"message_id": "recorded", "message": f"accepted before as event {earlier.event_id}", "code": None, "event_id": earlier.event_id}
        code = earlier.code.value if earlier.code else earlier.status.value
        message = f"sent before: {earlier.status.value} ({code}) {earlier.message or ''}".strip()
        return {"message_id": SENT_BEFORE, "message": message, "code": code, "event_id": None}


async def judge(rows: Sequence[SheetRow], ministry: str, region_history: RegionHistory, outcomes_of: OutcomesOf) -> list[Judged]:
    """Each of `rows` judged, in the order of `rows`."""
    previews = await preview(rows, ministry, region_history)
    sent_maybe = (PreviewStatus.READY, PreviewStatus.REJECTED, PreviewStatus.RECORDED)
    asked = [p.row.submission_id for p in previews if p.status in sent_maybe and p.row.submission_id]
    earlier = await outcomes_of(asked)
    order = {id(row): position for position, row in enumerate(sending_order(rows))}
    return [Judged(p, order[id(p.row)], earlier.get(p.row.submission_id or "") if p.status in sent_maybe else None) for p in previews]
