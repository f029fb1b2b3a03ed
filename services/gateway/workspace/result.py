"""The result workbook an officer downloads: the uploaded rows, each on its own sheet and row as uploaded,
with the result columns (columns.RESULT_COLUMNS) added on the right.

What the result columns say is preview.py's; this module only writes them. Every value is written as the
value it is: a text beginning with `=` stays text (never a formula an uploaded file could plant), and the
characters a workbook cannot hold are left out.
"""

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from services.gateway.workspace.columns import MIXED_COLUMNS, RESULT_COLUMNS

DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
RESULT_FILL = PatternFill("solid", fgColor="FFF2CC")
RESULT_WIDTHS = (46, 14, 18, 70, 38)


@dataclass(frozen=True)
class ResultLine:
    sheet: str
    row_number: int
    cells: Mapping[str, object]  # by column id, as uploaded
    result: tuple[str, str, str, str, str]  # in the order of RESULT_COLUMNS


def result_workbook(lines: Sequence[ResultLine]) -> bytes:
    workbook = Workbook()
    if workbook.active is not None:
        workbook.remove(workbook.active)
    tables: dict[str, list[ResultLine]] = {}
    for line in lines:
        tables.setdefault(line.sheet, []).append(line)
    for name, table in tables.items():
        worksheet = workbook.create_sheet(name)
        columns = [column for column in MIXED_COLUMNS if any(column.id in line.cells for line in table)]
        for position, label in enumerate([column.label["id"] for column in columns] + [words["id"] for words in RESULT_COLUMNS], start=1):
            header = worksheet.cell(1, position, label)
            header.font, header.fill = Font(bold=True), RESULT_FILL if position > len(columns) else HEADER_FILL
        for line in table:
            values = [line.cells.get(column.id) for column in columns] + list(line.result)
            for position, value in enumerate(values, start=1):
                _put(worksheet.cell(line.row_number, position), value)
        for position, width in enumerate([column.width for column in columns] + list(RESULT_WIDTHS), start=1):
            worksheet.column_dimensions[get_column_letter(position)].width = width
        worksheet.freeze_panes = "A2"
    written = io.BytesIO()
    workbook.save(written)
    return written.getvalue()


def _put(cell: Cell, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool | int | float | dt.date | dt.time):
        cell.value = value
        if isinstance(value, dt.date) and (not isinstance(value, dt.datetime) or value.time() == dt.time()):
            cell.number_format = DATE_FORMAT
        return
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell.value = text
    cell.data_type = "s"  # as written, even when it begins with "="
    if "\n" in text:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
