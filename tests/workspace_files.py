"""Spreadsheets as officers fill them, made from the template here, and region histories to preview against."""

import asyncio
import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import openpyxl

from services.gateway.workspace.columns import KIND, MIXED_COLUMNS, SHEET_OF_KIND, SHEETS
from services.gateway.workspace.sheets import template_xlsx
from shared.contracts import events as ev
from shared.contracts.submissions import Sector
from shared.eventstore import History, StoredEvent
from shared.ministries import Ministry

Row = Mapping[str, Any]  # a row's cells by column id


def filled_workbook(rows: Mapping[str, Sequence[Row]], template: bytes | None = None) -> bytes:
    """The template (`template`, as downloaded, or as made here) with, on each kind's sheet, its rows from row 2
    down in place of the example (a sheet not in `rows` keeps its example)."""
    workbook = openpyxl.load_workbook(io.BytesIO(template or template_xlsx()))
    for kind, kind_rows in rows.items():
        sheet = SHEET_OF_KIND[kind]
        worksheet = workbook[sheet.name["id"]]
        worksheet.delete_rows(2)
        position = {column.id: index for index, column in enumerate(sheet.columns, start=1)}
        for row_number, cells in enumerate(kind_rows, start=2):
            for column, value in cells.items():
                worksheet.cell(row_number, position[column], value)
    written = io.BytesIO()
    workbook.save(written)
    return written.getvalue()


def only(rows: Mapping[str, Sequence[Row]], template: bytes | None = None) -> bytes:
    """A workbook holding `rows` and nothing else: the sheets of other kinds emptied of their example."""
    return filled_workbook({sheet.kind: rows.get(sheet.kind, ()) for sheet in SHEETS}, template)


def filled_csv(rows: Sequence[Row], delimiter: str = ",", encoding: str = "utf-8-sig") -> bytes:
    """One CSV table; each row names its kind (column `kind`, the sheet's Indonesian name by default)."""
    written = io.StringIO()
    writer = csv.writer(written, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([column.label["id"] for column in MIXED_COLUMNS])
    writer.writerows([_csv_text(row.get(column.id)) for column in MIXED_COLUMNS] for row in rows)
    return written.getvalue().encode(encoding)


def _csv_text(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def kind_named(kind: str) -> dict[str, object]:
    return {KIND.id: SHEET_OF_KIND[kind].name["id"]}


def recorded(event_type, region_code: str, data, ministry: Ministry = Ministry.KEMENDAGRI, submission_id: str = "earlier") -> ev.AnyEvent:
    return event_type(
        event_id=ev.event_id_for(ministry, submission_id),
        region_code=region_code,
        ministry=ministry,
        reported_by=ministry,
        occurred_on=dt.date(2018, 6, 1),
        recorded_at=dt.datetime(2018, 6, 1, tzinfo=dt.UTC),
        submission_id=submission_id,
        data=data,
    )


def enrolled(region_code: str, ministry: Ministry = Ministry.KEMENDAGRI) -> ev.AnyEvent:
    return recorded(ev.RegionEnrolled, region_code, ev.RegionEnrolledData(), ministry, f"enrol-{region_code}")


def plan_submitted(region_code: str, plan_id: str) -> ev.AnyEvent:
    data = ev.PlanSubmittedData(plan_id=plan_id, title="Rencana aksi 2018", sectors=[Sector.SOSIAL])
    return recorded(ev.PlanSubmitted, region_code, data, submission_id=f"plan-{region_code}-{plan_id}")


class Histories:
    """A fake of the event store's `read(region_history(code))`: the events given, by region, and how each
    region was read."""

    def __init__(self, *events: ev.AnyEvent) -> None:
        self.events: dict[str, list[ev.AnyEvent]] = defaultdict(list)
        for event in events:
            self.events[event.region_code].append(event)
        self.reads: Counter[str] = Counter()
        self.reading = 0
        self.most_at_once = 0

    async def __call__(self, region_code: str) -> History:
        self.reads[region_code] += 1
        self.reading += 1
        self.most_at_once = max(self.most_at_once, self.reading)
        await asyncio.sleep(0)  # let other reads begin, as a real one would
        self.reading -= 1
        events = self.events.get(region_code, [])
        return History(tuple(StoredEvent(seq, event) for seq, event in enumerate(events, start=1)), len(events))
