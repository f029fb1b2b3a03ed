"""An XLSX upload's rows, read with openpyxl (read-only, cached values of formulas) within bounds checked
before anything is decompressed.

The archive's directory is read first: too many parts, or more XML than a workbook of MAX_ROWS rows could
need, refuse the file. The sizes it declares bound what is read, since Python's zipfile stops each part at
its declared size. Whatever else a damaged or hostile archive does to openpyxl ends as a file error.
"""

import io
import warnings
import zipfile

import openpyxl

from services.gateway.workspace.columns import INSTRUCTIONS, normalized
from services.gateway.workspace.rows import SheetRow
from services.gateway.workspace.tables import MAX_COLUMNS, FileProblem, RowBudget, read_table

MAX_PARTS = 1_000
MAX_XML_BYTES = 32 * 1024 * 1024  # uncompressed; a full 5,000-row workbook holds a few MiB
MAX_SHEETS = 10
_XML_PARTS = (".xml", ".rels", ".vml")
_ENCRYPTED = 0x1  # a ZIP entry's general purpose flag


def xlsx_rows(data: bytes, ministry: str) -> list[SheetRow]:
    _check_archive(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's notes on features it leaves out, such as extensions
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a hostile file may fail any way inside openpyxl: each is a file error
        raise FileProblem("not_xlsx", f"the file is not a workbook Excel can open ({type(error).__name__})") from None
    try:
        worksheets = workbook.worksheets
        if len(worksheets) > MAX_SHEETS:
            raise FileProblem("too_many_sheets", f"the workbook has {len(worksheets)} sheets; the template has 6")
        budget, rows = RowBudget(), []
        instructions = {normalized(name) for name in INSTRUCTIONS.values()}
        for worksheet in worksheets:
            if normalized(worksheet.title) not in instructions:
                rows += read_table(worksheet.title, worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), ministry, budget)
        return rows
    except FileProblem:
        raise
    except Exception as error:  # rows are parsed as they are read: a damaged sheet fails here
        raise FileProblem("not_xlsx", f"a sheet of the workbook cannot be read ({type(error).__name__})") from None
    finally:
        workbook.close()


def _check_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError, KeyError):
        raise FileProblem("not_xlsx", "the file is a damaged ZIP archive, not a workbook Excel can open") from None
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts if part.filename.endswith(_XML_PARTS)) > MAX_XML_BYTES:
        raise FileProblem("too_large", "the workbook is larger than any of at most 5,000 rows")
    if any(part.flag_bits & _ENCRYPTED for part in parts):
        raise FileProblem("encrypted", "the workbook is protected by a password: save it without one")
    if "xl/workbook.xml" not in {part.filename for part in parts}:
        raise FileProblem("not_xlsx", "the file is a ZIP archive, but not a workbook (.xlsx)")
