"""A table of an upload (a sheet of a workbook, or a CSV) read by its header row into rows, within bounds.

A table is either a sheet named for a kind (its Indonesian or English name, or the kind itself) holding that
kind's columns, or a table with a `Jenis` column whose rows each name their kind (a CSV always is one). Row 1
holds the headers; rows without any value are passed over; the result sheet's own columns
(columns.RESULT_COLUMNS) are passed over too, so that a result sheet, corrected, can be uploaded again.
Anything else a file holds that is not understood refuses the whole file, with words saying what and where.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from services.gateway.workspace.cells import is_blank, shown
from services.gateway.workspace.columns import (
    COLUMN,
    KIND,
    MIXED_COLUMNS,
    OCCURRED_ON,
    REGION,
    SHEETS,
    Sheet,
    column_headed,
    is_result_header,
    sheet_named,
)
from services.gateway.workspace.rows import SheetRow, read_row

MAX_ROWS = 5_000  # rows with data in one file
MAX_COLUMNS = 64  # read of each row; the widest table has 14
LAST_SPREADSHEET_ROW = 1_048_576  # Excel's: a sheet claiming rows beyond it is not one Excel wrote
_PASSED_OVER = ""  # a result column's place in a layout


@dataclass(frozen=True, slots=True)
class FileError:
    """Why a whole file is refused; `message_id` is a key of explanations.EXPLANATIONS."""

    message_id: str
    message: str  # what exactly, in English
    sheet: str | None = None


class FileProblem(Exception):
    def __init__(self, message_id: str, message: str, sheet: str | None = None) -> None:
        super().__init__(message)
        self.error = FileError(message_id, message, sheet)


class RowBudget:
    """The rows with data a file may still hold."""

    def __init__(self, rows: int = MAX_ROWS) -> None:
        self.left = rows

    def take(self, table: str) -> None:
        self.left -= 1
        if self.left < 0:
            raise FileProblem("too_many_rows", f"the file holds more than {MAX_ROWS:,} rows with data: split it into several files", table)


def read_table(name: str, rows: Iterable[Sequence[object]], ministry: str, budget: RowBudget, mixed_only: bool = False) -> list[SheetRow]:
    """The rows of the table `name` (`rows`: its rows' cell values, the header first). `mixed_only`: the
    table must have a `Jenis` column (a CSV, which has no sheet name)."""
    lines = iter(rows)
    header = next(lines, ())
    if all(is_blank(value) for value in header):
        if next(_with_values(lines, name), None) is not None:
            if sheet_named(name) is None and not mixed_only:
                raise FileProblem("unknown_sheet", f"{name!r} is not a sheet of the template: {_sheet_names()}", name)
            raise FileProblem("no_header", "row 1 must hold the column headers, as in the template", name)
        return []  # an empty sheet
    layout, sheet = _layout(name, header, mixed_only)
    found = []
    for row_number, values in _with_values(lines, name):
        budget.take(name)
        unnamed = [position for position, value in enumerate(values) if not is_blank(value) and (position >= len(layout) or layout[position] is None)]
        if unnamed:
            raise FileProblem("unnamed_column", f"row {row_number} has values in a column without a header (column {unnamed[0] + 1})", name)
        cells = {column: values[position] if position < len(values) else None for position, column in enumerate(layout) if column}
        found.append(read_row(name, sheet, row_number, cells, ministry))
    return found


def _with_values(lines: Iterable[Sequence[object]], name: str) -> Iterator[tuple[int, Sequence[object]]]:
    """The rows below the header that hold a value, with their numbers."""
    for row_number, values in enumerate(lines, start=2):
        if row_number > LAST_SPREADSHEET_ROW:
            raise FileProblem("too_many_rows", f"the sheet goes on beyond row {LAST_SPREADSHEET_ROW:,}", name)
        # Counting empty cells first keeps the million empty rows a sheet may claim quick to pass over.
        if values.count(None) + values.count("") != len(values) and not all(is_blank(value) for value in values):
            yield row_number, values


def _layout(name: str, header: Sequence[object], mixed_only: bool) -> tuple[list[str | None], Sheet | None]:
    """The column id of each position of the header (None: no header; _PASSED_OVER: a result column), and
    the sheet the table is (None: one that names each row's kind)."""
    layout: list[str | None] = []
    unknown = []
    for value in header:
        text = shown(value)
        column = column_headed(text) if text else None
        if column is None and text and not is_result_header(text):
            unknown.append(text)
        layout.append(column.id if column else _PASSED_OVER if text else None)
    mixed = KIND.id in layout
    sheet = None if mixed else sheet_named(name)
    if not mixed and sheet is None and not mixed_only:
        raise FileProblem("unknown_sheet", f"{name!r} is not a sheet of the template ({_sheet_names()}) and has no {KIND.label['id']!r} column", name)
    expected = MIXED_COLUMNS if sheet is None else sheet.columns
    unknown += [COLUMN[column].label["id"] for column in layout if column and column not in {column.id for column in expected}]
    if unknown:
        names = ", ".join(repr(column.label["id"]) for column in expected)
        raise FileProblem("unknown_column", f"unknown column {', '.join(map(repr, unknown))}; the columns of this sheet are {names}", name)
    if not mixed and mixed_only:
        raise FileProblem("missing_column", f"the column {KIND.label['id']!r} ({KIND.label['en']}) is missing: it names each row's kind", name)
    named = [column for column in layout if column]
    repeated = sorted({column for column in named if named.count(column) > 1})
    if repeated:
        raise FileProblem("repeated_column", f"the column {COLUMN[repeated[0]].label['id']!r} appears twice", name)
    required = (KIND, REGION, OCCURRED_ON) if sheet is None else tuple(column for column in sheet.columns if column.required)
    missing = [column.label["id"] for column in required if column.id not in named]
    if missing:
        raise FileProblem("missing_column", f"the column {', '.join(map(repr, missing))} is missing", name)
    return layout, sheet


def _sheet_names() -> str:
    return ", ".join(repr(sheet.name["id"]) for sheet in SHEETS)
