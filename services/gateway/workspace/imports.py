"""Spreadsheet import: the templates, the preview of an upload, sending its ready rows, and the result sheet.

`GET /workspace/template.xlsx` and `/workspace/template.csv` give the template to anyone (it holds no data).
The rest is for a signed-in person, with the session's CSRF token; the body of each is the file itself
(at most sheets.MAX_FILE_BYTES), its name in `?name=`:

- `POST /workspace/api/import/preview` → every row as it would fare (judged.py), with counts by status;
- `POST /workspace/api/import/submit?id=…&id=…` sends the ready rows among the submission ids named (at most
  MAX_BATCH, in sending order) and answers what became of each (sending.py);
- `POST /workspace/api/import/result` → the result workbook, each row with the outcome it got.

The gateway keeps nothing of an upload between requests: each one reads the file again and judges its rows
against the events and outcomes recorded now, so any replica can answer, and a row sent by an earlier batch is
`recorded` or `sent_before` by the next one, never sent again. A file that cannot be read is answered 422
`{"detail", "code", "errors"}`, `code` being the first file error's message id (`not_a_spreadsheet`, …).
"""

import asyncio
import logging
import re
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import Counter as Metric

from services.gateway.http import Context, Refusal, bounded_body
from services.gateway.workspace.auth import PATH, SignedIn, changing
from services.gateway.workspace.columns import MIXED_COLUMNS
from services.gateway.workspace.earlier import EarlierOutcomes
from services.gateway.workspace.judged import Judged, judge
from services.gateway.workspace.preview import result_xlsx
from services.gateway.workspace.sending import send_rows
from services.gateway.workspace.sheets import MAX_FILE_BYTES, MAX_ROWS, Upload, read_upload, template_csv, template_xlsx
from shared import subjects, telemetry
from shared.eventstore import EventStore, History
from shared.organisations import Role

MAX_BATCH = 50  # rows sent by one request
IMPORTS_AT_ONCE = 4  # uploads read and judged at the same time, each holding its file and rows in memory
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_NAME = "templat-ogi-tracker"
SUBMISSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
COLUMN_LABELS = {column.id: column.label for column in MIXED_COLUMNS}
log = logging.getLogger(__name__)
FileName = Annotated[str, Query(alias="name", max_length=200)]


def import_routes(context: Context) -> APIRouter:
    router = APIRouter(include_in_schema=False)  # the pages' own, not for integrators
    person_changing = changing(context)
    rows_counted = Metric(
        "ogi_gateway_import_rows", "Spreadsheet rows, by ministry, step (preview, submit) and status", ["ministry", "step", "status"], registry=context.registry
    )
    at_once = asyncio.Semaphore(IMPORTS_AT_ONCE)
    readers = _Readers(context)

    async def judged(upload: Upload, ministry: str, only_regions: set[str] | None = None) -> list[Judged]:
        events, outcomes = readers()

        async def region_history(region_code: str) -> History:
            return await events.read(subjects.region_history(region_code))

        rows = [row for row in upload.rows if only_regions is None or (row.submission is not None and row.submission.region_code in only_regions)]
        return await judge(rows, ministry, region_history, lambda ids: outcomes.of(ministry, ids))

    async def uploaded(request: Request, name: str, signed: SignedIn) -> Upload:
        data = await bounded_body(request, MAX_FILE_BYTES)
        return await asyncio.to_thread(read_upload, data, name, str(signed.person.organisation))

    @router.get(f"{PATH}/template.xlsx")
    async def workbook_template() -> Response:
        return Response(template_xlsx(), media_type=XLSX, headers=_attachment(f"{TEMPLATE_NAME}.xlsx"))

    @router.get(f"{PATH}/template.csv")
    async def csv_template(delimiter: Annotated[str, Query(pattern="^[,;]$")] = ",") -> Response:
        return Response(template_csv(delimiter), media_type="text/csv; charset=utf-8", headers=_attachment(f"{TEMPLATE_NAME}.csv"))

    @router.post(f"{PATH}/api/import/preview")
    async def preview_upload(request: Request, name: FileName = "", signed: SignedIn = Depends(person_changing)) -> JSONResponse:
        """Every row of the file as it would fare if sent now."""
        ministry = str(signed.person.organisation)
        async with at_once:
            with telemetry.step("import preview", {"ogi.ministry": ministry}) as span:
                upload = await uploaded(request, name, signed)
                if not upload.ok:
                    return _unreadable(upload)
                rows = await judged(upload, ministry)
                counts = Counter(row.status for row in rows)
                span.set_attribute("ogi.import.rows", len(rows))
        for status, count in counts.items():
            rows_counted.labels(ministry, "preview", status).inc(count)
        log.info("import preview for %s: %d rows, %s", ministry, len(rows), dict(counts))
        shown = sorted(rows, key=lambda row: (row.status in ("ready", "recorded"), row.order))  # rows with problems first
        return JSONResponse(
            {
                "format": upload.format,
                "counts": dict(counts),
                "total": len(rows),
                "max_rows": MAX_ROWS,
                "max_batch": MAX_BATCH,
                "columns": COLUMN_LABELS,
                "rows": [row.described() for row in shown],
            }
        )

    @router.post(f"{PATH}/api/import/submit")
    async def submit_rows(
        request: Request, name: FileName = "", ids: Annotated[list[str] | None, Query(alias="id")] = None, signed: SignedIn = Depends(person_changing)
    ) -> JSONResponse:
        """Send the ready rows among those named by their submission ids, in sending order."""
        organisation = signed.organisation
        ministry = str(organisation)
        if organisation.role != Role.RESPONSIBLE:
            raise Refusal(403, "not_permitted", f"{organisation} follows this action read-only and does not submit")
        ids = ids or []
        if not 1 <= len(ids) <= MAX_BATCH or not all(SUBMISSION_ID.match(submission_id) for submission_id in ids):
            raise Refusal(400, "invalid_parameter", f"name from 1 to {MAX_BATCH} rows by their submission ids (?id=…&id=…)")
        async with at_once:
            with telemetry.step("import submit", {"ogi.ministry": ministry, "ogi.import.named": len(ids)}) as span:
                upload = await uploaded(request, name, signed)
                if not upload.ok:
                    return _unreadable(upload)
                named = set(ids)
                regions = {row.submission.region_code for row in upload.rows if row.submission_id in named and row.submission is not None}
                chosen = sorted(
                    (row for row in await judged(upload, ministry, regions) if row.row.submission_id in named and row.row.duplicate_of is None),
                    key=lambda row: row.order,
                )
                sent = {id(result.judged): result for result in await send_rows(context, ministry, signed.person.id, [row for row in chosen if row.sendable])}
                span.set_attribute("ogi.import.sent", len(sent))
        answers = [sent[id(row)].described() if id(row) in sent else _not_sent(row) for row in chosen]
        for answer in answers:
            rows_counted.labels(ministry, "submit", answer["status"]).inc()
        missing = named - {answer["submission_id"] for answer in answers}
        log.info("import submit for %s: %d rows named, %d sent", ministry, len(ids), len(sent))
        return JSONResponse({"rows": answers, "not_in_file": sorted(missing)})

    @router.post(f"{PATH}/api/import/result")
    async def result_sheet(request: Request, name: FileName = "", signed: SignedIn = Depends(person_changing)) -> Response:
        """The file's rows, each with the outcome it got (or why it was not sent), as a workbook."""
        ministry = str(signed.person.organisation)
        async with at_once:
            with telemetry.step("import result", {"ogi.ministry": ministry}) as span:
                upload = await uploaded(request, name, signed)
                if not upload.ok:
                    return _unreadable(upload)
                rows = await judged(upload, ministry)
                outcomes = {row.row.submission_id: row.earlier for row in rows if row.earlier is not None and row.row.submission_id}
                workbook = await asyncio.to_thread(result_xlsx, [row.preview for row in rows], outcomes)
                span.set_attribute("ogi.import.rows", len(rows))
        log.info("import result for %s: %d rows, %d with outcomes", ministry, len(rows), len(outcomes))
        return Response(workbook, media_type=XLSX, headers=_attachment(f"hasil-{_stem(name)}.xlsx"))

    return router


class _Readers:
    """The event store and the outcomes, read through readers made once connected and then kept (each one's
    reads share one reply subscription)."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self._made: tuple[object, EventStore, EarlierOutcomes] | None = None

    def __call__(self) -> tuple[EventStore, EarlierOutcomes]:
        nc = self._context.running().nc
        if self._made is None or self._made[0] is not nc:  # a gateway started again has a new connection
            self._made = nc, EventStore(nc, long_lived=True), EarlierOutcomes(nc)
        return self._made[1], self._made[2]


def _unreadable(upload: Upload) -> JSONResponse:
    first = upload.errors[0]
    errors = [{"message_id": error.message_id, "message": error.message, "sheet": error.sheet} for error in upload.errors]
    return JSONResponse({"detail": first.message, "code": first.message_id, "errors": errors}, status_code=422)


def _not_sent(row: Judged) -> dict:
    return {"sheet": row.row.sheet, "row_number": row.row.row_number, "submission_id": row.row.submission_id, "sent": False, "status": row.status, **row.said()}


def _stem(name: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")[:100] or "lembar-kerja"


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
