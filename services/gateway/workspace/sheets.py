"""The spreadsheet a ministry officer fills and uploads: its templates, and reading an upload into rows.

`template_xlsx()` and `template_csv()` give the template (template.py); `read_upload` reads what comes back,
a workbook or a CSV told apart by the file's own bytes, into rows (`SheetRow`, rows.py) each with its
submission or its errors, or refuses the whole file with a `FileError` saying why. Any bytes give one or the
other, in time and memory bounded by the file's size and MAX_ROWS. The layout is the table in columns.py.
"""

from dataclasses import dataclass

from services.gateway.workspace.columns import COLUMN, MIXED_COLUMNS, SHEET_OF_KIND, SHEETS, Column, Sheet
from services.gateway.workspace.csv_reading import csv_rows
from services.gateway.workspace.rows import CellError, SheetRow, flag_repeats
from services.gateway.workspace.tables import MAX_ROWS, FileError, FileProblem
from services.gateway.workspace.template import template_csv, template_xlsx
from services.gateway.workspace.xlsx_reading import xlsx_rows

__all__ = [
    "COLUMN",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MIXED_COLUMNS",
    "SHEETS",
    "SHEET_OF_KIND",
    "CellError",
    "Column",
    "FileError",
    "Sheet",
    "SheetRow",
    "Upload",
    "read_upload",
    "template_csv",
    "template_xlsx",
]

MAX_FILE_BYTES = 10 * 1024 * 1024
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # an archive's first entry, or an empty archive
# An OLE2 compound file: a workbook saved with a password (Excel encrypts it into one), or an old .xls.
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Upload:
    """An uploaded file read: its rows, or, when the file cannot be taken as a whole, why (`errors`)."""

    filename: str
    ministry: str
    format: str  # "xlsx" or "csv", as the bytes say
    rows: tuple[SheetRow, ...]
    errors: tuple[FileError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def read_upload(data: bytes, filename: str, ministry: str) -> Upload:
    """The rows of an uploaded XLSX or CSV, as `ministry` would submit them (`filename` is only kept)."""
    spreadsheet = "xlsx" if data.startswith(ZIP_SIGNATURES) else "csv"
    try:
        rows = _rows(data, spreadsheet, ministry)
    except FileProblem as problem:
        return Upload(filename, ministry, spreadsheet, (), (problem.error,))
    return Upload(filename, ministry, spreadsheet, tuple(flag_repeats(rows)))


def _rows(data: bytes, spreadsheet: str, ministry: str) -> list[SheetRow]:
    if not data.strip():
        raise FileProblem("empty_file", "the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem("too_large", f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB")
    if data.startswith(OLE2_SIGNATURE):
        raise FileProblem("encrypted", "the file is protected by a password, or an old Excel 97-2003 file (.xls): save it as .xlsx without a password")
    rows = xlsx_rows(data, ministry) if spreadsheet == "xlsx" else csv_rows(data, ministry)
    if not rows:
        raise FileProblem("no_rows", "the file holds no row with data below its headers")
    return rows
