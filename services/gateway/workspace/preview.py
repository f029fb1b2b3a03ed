"""What sending an upload's rows would do, before anything is sent.

Each row is decided as the platform would (shared/intake.py `check`, then the deciding services' own
rules, the same pure functions) against its region's recorded events: the schema and an unknown region are
the row's cell errors (rows.py), then `not_permitted` for a ministry that does not submit, then the kind's
rules. Rows are decided in the order they are sent (`sending_order`), and each row that would be accepted
changes the region's state for the rows after it, so a file that enrols a region and reports a training
there previews both as ready. The spreadsheet names no evidence, so `evidence_missing` never arises.

A preview is what would happen now: the outcomes of sending are the platform's, and may differ when
another submission for the same region is decided in between. The preview sees the events recorded, not
the submissions rejected earlier: a resent row of those is `rejected` here and `duplicate` there.
"""

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from services.gateway.workspace.columns import COLUMN, SHEETS
from services.gateway.workspace.explanations import EXPLANATIONS, Explanation
from services.gateway.workspace.result import ResultLine, result_workbook
from services.gateway.workspace.rows import SheetRow
from services.plans.domain import DECIDERS as PLAN_DECIDERS
from services.registry.domain import DECIDERS as REGISTRY_DECIDERS
from services.training.domain import DECIDERS as TRAINING_DECIDERS
from shared.contracts.outcomes import Code, Outcome, Rejection, Status
from shared.decisions import Decider
from shared.eventstore import History
from shared.intake import event_of
from shared.observers import observer
from shared.organisations import Organisation, is_ministry, of_ministry
from shared.region_state import RegionState, apply, fold
from shared.regions import find_region

__all__ = ["EXPLANATIONS", "Explanation", "PreviewStatus", "RegionHistory", "RowPreview", "preview", "result_xlsx", "sending_order"]

DECIDERS: dict[str, Decider] = REGISTRY_DECIDERS | TRAINING_DECIDERS | PLAN_DECIDERS
READ_CONCURRENCY = 16  # region histories read at once
RegionHistory = Callable[[str], Awaitable[History]]  # a region's recorded events, by its current code


class PreviewStatus(StrEnum):
    READY = "ready"  # would be accepted
    REJECTED = "rejected"  # with the contract's rejection code
    INVALID = "invalid"  # cell errors: SheetRow.errors
    DUPLICATE_ROW = "duplicate_row"  # identical to an earlier row of the file: sent once
    RECORDED = "recorded"  # sent and accepted before (the same submission id): the platform answers `duplicate`


@dataclass(frozen=True)
class RowPreview:
    row: SheetRow
    status: PreviewStatus
    message_id: str  # a key of EXPLANATIONS: the status, or for `rejected` the rejection code
    message: str  # what exactly, in English
    code: Code | None = None  # the rejection code, for `rejected`
    event_id: str | None = None  # for `recorded`: the event the submission recorded


def sending_order(rows: Iterable[SheetRow]) -> list[SheetRow]:
    """The order to send rows in, and to preview them in: by sheet, in the order of columns.SHEETS
    (enrolments, trainings, plans, plan withdrawals, region withdrawals), and within a sheet in file order."""
    return sorted(rows, key=_sending_rank)  # a stable sort: file order within a kind


async def preview(rows: Sequence[SheetRow], ministry: str, region_history: RegionHistory) -> list[RowPreview]:
    """Each row's preview, in the order of `rows`. Reads each region's history once, at most
    READ_CONCURRENCY at a time; an error reading one is raised. `ministry` is the submitting organisation's id:
    one that is not a ministry is an observer, whose rows are all `not_permitted`."""
    reporter = of_ministry(ministry) if is_ministry(ministry) else observer(ministry, ministry)
    states = await _region_states({row.submission.region_code for row in rows if row.submission is not None}, region_history)
    decided: dict[int, RowPreview] = {}
    for position in sorted(range(len(rows)), key=lambda position: _sending_rank(rows[position])):
        decided[position] = _decide(rows[position], reporter, states)
    return [decided[position] for position in range(len(rows))]


_RANKS = {sheet.kind: rank for rank, sheet in enumerate(SHEETS)}


def _sending_rank(row: SheetRow) -> int:
    return _RANKS.get(row.kind or "", len(SHEETS))


async def _region_states(codes: set[str], region_history: RegionHistory) -> dict[str, RegionState]:
    gate = asyncio.Semaphore(READ_CONCURRENCY)

    async def state_of(code: str) -> tuple[str, RegionState]:
        async with gate:
            return code, fold(await region_history(code))

    return dict(await asyncio.gather(*(state_of(code) for code in codes)))


def _decide(row: SheetRow, reporter: Organisation, states: dict[str, RegionState]) -> RowPreview:
    submission = row.submission
    if submission is None or row.kind is None:
        message = "; ".join(f"{error.column}: {error.message}" for error in row.errors)
        return RowPreview(row, PreviewStatus.INVALID, "invalid", message)
    if row.duplicate_of is not None:
        sheet, row_number = row.duplicate_of
        return RowPreview(row, PreviewStatus.DUPLICATE_ROW, "duplicate_row", f"identical to row {row_number} of {sheet!r}: sent once")
    if not reporter.may_submit(row.kind):
        return _rejected(row, Rejection(code=Code.NOT_PERMITTED, message=f"{reporter} follows this action but does not submit to it"))
    state = states[submission.region_code]
    recorded = state.recorded.get((reporter.id, submission.submission_id))
    if recorded is not None:
        message = f"recorded already by event {recorded.event.event_id} ({recorded.event.event_type})"
        return RowPreview(row, PreviewStatus.RECORDED, "recorded", message, event_id=recorded.event.event_id)
    region = find_region(submission.region_code)
    assert region is not None  # rows.py takes only known regions
    decision = DECIDERS[row.kind](submission, reporter, region, state)
    if isinstance(decision, Rejection):
        return _rejected(row, decision)
    apply(state, event_of(decision, submission, reporter))
    return RowPreview(row, PreviewStatus.READY, "ready", "would be accepted")


def _rejected(row: SheetRow, rejection: Rejection) -> RowPreview:
    return RowPreview(row, PreviewStatus.REJECTED, rejection.code.value, rejection.message, code=rejection.code)


def result_xlsx(previews: Sequence[RowPreview], outcomes_by_submission_id: Mapping[str, Outcome]) -> bytes:
    """The result sheet to download: the uploaded rows, each on its sheet and row as uploaded, with the columns
    ID pengajuan (the submission id sent), Hasil (diterima, duplikat, ditolak, tidak valid or belum dikirim),
    Kode (the rejection code or message id), Keterangan (what it means and what to do, in Bahasa Indonesia,
    with the platform's own words) and ID peristiwa (the event recorded). A row without an outcome in
    `outcomes_by_submission_id` was not sent: its preview says why, or that it is still to send."""
    lines = []
    for row_preview in previews:
        row = row_preview.row
        outcome = outcomes_by_submission_id.get(row.submission_id) if row.submission_id else None
        result, code, explanation, event_id = _result(row_preview, outcome)
        lines.append(ResultLine(row.sheet, row.row_number, row.cells, (row.submission_id or "", result, code, explanation, event_id)))
    return result_workbook(lines)


def _result(row_preview: RowPreview, outcome: Outcome | None) -> tuple[str, str, str, str]:
    """Hasil, Kode, Keterangan and ID peristiwa of one row."""
    match row_preview.status, outcome:
        case PreviewStatus.DUPLICATE_ROW, _:  # its submission id is its original's, whose outcome is not its own
            return "duplikat", "duplicate_row", _said("duplicate_row", row_preview.message), ""
        case PreviewStatus.INVALID, _:
            cells = "; ".join(f"{COLUMN[error.column].label['id']}: {_said(error.message_id, error.message)}" for error in row_preview.row.errors)
            return "tidak valid", "invalid", cells, ""
        case PreviewStatus.RECORDED, None:
            return "duplikat", "recorded", _said("recorded"), row_preview.event_id or ""
        case _, None:
            return "belum dikirim", row_preview.message_id, f"{_said('not_sent')} {_said(row_preview.message_id, row_preview.message)}", ""
        case _, Outcome(status=Status.ACCEPTED):
            return "diterima", "accepted", _said("accepted"), outcome.event_id or ""
        case _, Outcome(status=Status.DUPLICATE):
            return "duplikat", "duplicate", _said("duplicate"), outcome.event_id or ""
    assert outcome is not None and outcome.code is not None  # rejected
    fields = "; ".join(f"{error.field}: {error.message}" for error in outcome.errors or ())
    return "ditolak", outcome.code.value, _said(outcome.code.value, " ".join(filter(None, (outcome.message, fields)))), ""


def _said(message_id: str, detail: str = "") -> str:
    """The Indonesian explanation, and the exact words in English after it."""
    known = EXPLANATIONS.get(message_id)
    explanation = known.text("id") if known else message_id
    return f"{explanation} ({detail})" if detail else explanation
