"""A CSV upload's rows: one table whose `Jenis` column names each row's kind.

UTF-8, with or without a byte-order mark; failing that Windows-1252, which Excel's plain "CSV" writes on
Indonesian and English Windows alike. Fields are separated by `,` or `;` (Excel's list separator where the
decimal mark is a comma, as in Indonesia), or tabs: whichever the header row holds most of; a first line
`sep=;`, which Excel writes and hides, names it outright.
"""

import csv
import io
from collections.abc import Iterator

from services.gateway.workspace.columns import MIXED_TABLE
from services.gateway.workspace.rows import SheetRow
from services.gateway.workspace.tables import FileProblem, RowBudget, read_table

DELIMITERS = (",", ";", "\t")
MAX_LINE_CHARACTERS = 128 * 1024  # a row of the template, every cell at its longest, is a few thousand


def csv_rows(data: bytes, ministry: str) -> list[SheetRow]:
    text = _text(data)
    first_line, _, rest = text.partition("\n")
    marker = first_line.rstrip("\r")
    if marker.lower().startswith("sep=") and marker[4:] in DELIMITERS:
        delimiter, text = marker[4:], rest
    else:
        delimiter = max(DELIMITERS, key=first_line.count)
    reader = csv.reader(_bounded_lines(text), delimiter=delimiter)
    try:
        return read_table(MIXED_TABLE["id"], reader, ministry, RowBudget(), mixed_only=True)
    except csv.Error as error:  # such as a field longer than the csv module reads (131,072 characters)
        raise FileProblem("not_a_spreadsheet", f"the file is not a CSV table that can be read: {error}") from None


def _bounded_lines(text: str) -> Iterator[str]:
    """The text's lines, refused beyond a length no row of the template comes near: the csv module builds a
    row whole, and a line of nothing but separators would make millions of fields."""
    for line in io.StringIO(text, newline=""):
        if len(line) > MAX_LINE_CHARACTERS:
            raise FileProblem("not_a_spreadsheet", f"a line of the file is longer than {MAX_LINE_CHARACTERS:,} characters: it is no table of the template")
        yield line


def _text(data: bytes) -> str:
    if b"\x00" in data:
        raise FileProblem("not_a_spreadsheet", "the file is neither a workbook (.xlsx) nor a CSV text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileProblem("not_a_spreadsheet", "the file is neither a workbook (.xlsx) nor a CSV text in UTF-8") from None
