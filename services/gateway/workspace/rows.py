"""One spreadsheet row as a submission: its cells read (cells.py), its id, and every error on the column it is in.

A row is checked by the same model the platform checks a submission with (SUBMISSION_MODELS), so a row found
valid here is never `invalid` there. Its submission id is the officer's own when the row has one; otherwise
it is made from the ministry, the kind and the row's values as read, so that the same row uploaded again is
the same submission (the platform answers `duplicate`, nothing is recorded twice) and a changed row a new one.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError

from services.gateway.workspace.cells import CellProblem, JsonValue, cell_value, is_blank, shown
from services.gateway.workspace.columns import COLUMN, KIND, SUBMISSION_ID, CellType, Sheet, sheet_named
from shared.contracts.submissions import SUBMISSION_MODELS, Submission

DERIVED_ID_PREFIX = "xl-"
DERIVED_ID_HEX_DIGITS = 40

# What a schema error of the submission's model is called here, by pydantic's error type; where the same
# type means different things, by the column's type too.
_SCHEMA_MESSAGE_IDS = {
    "missing": "required",
    "string_too_short": "required",
    "too_short": "required",
    "date_format": "date_format",
    "greater_than_equal": "number_out_of_range",
    "less_than_equal": "number_out_of_range",
    "string_too_long": "too_long",
    "too_long": "too_long",
    "string_pattern_mismatch": "bad_identifier",
    "value_error": "bad_identifier",  # a submission id that is reserved
    "text_control_character": "control_characters",
    "text_surrogate": "control_characters",
    "sectors_repeated": "sectors_repeated",
}
_SCHEMA_MESSAGE_IDS_BY_COLUMN_TYPE: dict[tuple[str, CellType | None], str] = {
    ("value_error", CellType.DATE): "date_out_of_range",
    ("string_pattern_mismatch", CellType.SHA256): "bad_sha256",
}


@dataclass(frozen=True, slots=True)
class CellError:
    column: str  # the column's id
    message_id: str  # a key of explanations.EXPLANATIONS
    message: str  # what exactly, in English


@dataclass(frozen=True)
class SheetRow:
    """A row with data. `cells` holds every column of its table by id, as the file holds it (text, numbers,
    booleans, dates and times from a workbook; text from a CSV); `body` is the submission to send, in JSON
    types exactly as the contract wants them, or None when the row has errors."""

    sheet: str  # the sheet's name in the file; a CSV's one table is "Data"
    kind: str | None  # None only for a row whose `Jenis` names no kind
    row_number: int  # as the officer sees it: the header is row 1
    cells: dict[str, object]
    body: dict[str, Any] | None
    submission_id: str | None  # that of `body`
    errors: tuple[CellError, ...] = ()
    # An identical row before it (same kind, same values, hence the same submission id): (sheet, row number).
    duplicate_of: tuple[str, int] | None = None
    submission: Submission | None = field(default=None, repr=False, compare=False)  # `body`, validated

    @property
    def shown_cells(self) -> dict[str, str]:
        """The cells as a person reads them, for a page."""
        return {column: shown(value) for column, value in self.cells.items()}


def read_row(table: str, sheet: Sheet | None, row_number: int, cells: Mapping[str, object], ministry: str) -> SheetRow:
    """The row of `table` (of `sheet`'s kind; of the kind in its `Jenis` cell when `sheet` is None)."""
    row = SheetRow(table, sheet.kind if sheet else None, row_number, dict(cells), None, None)
    if sheet is None:
        sheet = sheet_named(shown(cells.get(KIND.id)))
        if sheet is None:
            named = shown(cells.get(KIND.id))
            message = f"{named!r} names no kind of submission: write a sheet name such as Pelatihan" if named else "the kind of the row is missing"
            return replace(row, errors=(CellError(KIND.id, "unknown_kind", message),))
        row = replace(row, kind=sheet.kind)
    errors = _misplaced(sheet, cells)
    values: dict[str, JsonValue] = {}
    for column in sheet.columns:
        value = cells.get(column.id)
        if is_blank(value):
            continue
        try:
            values[column.id] = cell_value(column.type, value)
        except CellProblem as problem:
            errors.append(CellError(column.id, problem.message_id, problem.message))
    own_id = values.pop(SUBMISSION_ID.id, None)
    submission_id = str(own_id) if own_id is not None else derived_submission_id(ministry, sheet.kind, values)
    body = {SUBMISSION_ID.id: submission_id, **values}
    try:
        submission = SUBMISSION_MODELS[sheet.kind].model_validate(body)
    except ValidationError as error:
        flagged = {cell_error.column for cell_error in errors}
        errors += [cell_error for cell_error in _schema_errors(error) if cell_error.column not in flagged]
        return replace(row, errors=tuple(errors))
    if errors:
        return replace(row, errors=tuple(errors))
    return replace(row, body=body, submission_id=submission_id, submission=submission)


def derived_submission_id(ministry: str, kind: str, values: Mapping[str, JsonValue]) -> str:
    """`xl-` and 40 hexadecimal digits of the SHA-256 of the ministry, the kind and the row's values."""
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(f"{ministry}\n{kind}\n{canonical}".encode()).hexdigest()
    return DERIVED_ID_PREFIX + digest[:DERIVED_ID_HEX_DIGITS]


def flag_repeats(rows: Iterable[SheetRow]) -> list[SheetRow]:
    """A row identical to an earlier one is marked its duplicate (it is not sent twice); a row that reuses an
    earlier row's submission id for something else is an error (the platform would drop it as a duplicate)."""
    first: dict[str, SheetRow] = {}
    flagged = []
    for row in rows:
        if row.submission_id is not None:
            earlier = first.setdefault(row.submission_id, row)
            if earlier is not row and (earlier.kind, earlier.body) == (row.kind, row.body):
                row = replace(row, duplicate_of=(earlier.sheet, earlier.row_number))
            elif earlier is not row:
                message = f"{row.submission_id!r} is the ID of row {earlier.row_number} of {earlier.sheet!r} already: give each row its own"
                row = replace(row, body=None, submission_id=None, submission=None, errors=(CellError(SUBMISSION_ID.id, "submission_id_repeated", message),))
        flagged.append(row)
    return flagged


def _misplaced(sheet: Sheet, cells: Mapping[str, object]) -> list[CellError]:
    """Values in columns of another kind (in a table that holds every kind): never dropped silently."""
    own = {column.id for column in sheet.columns} | {KIND.id}
    return [
        CellError(column, "not_for_this_kind", f"a {sheet.kind} has no {COLUMN[column].label['en']!r}: leave it empty or move the row")
        for column, value in cells.items()
        if column not in own and not is_blank(value)
    ]


def _schema_errors(error: ValidationError) -> list[CellError]:
    found = []
    for detail in error.errors(include_url=False, include_context=False, include_input=False):
        column = str(detail["loc"][0]) if detail["loc"] else SUBMISSION_ID.id
        column_type = COLUMN[column].type if column in COLUMN else None
        message_id = _SCHEMA_MESSAGE_IDS_BY_COLUMN_TYPE.get((detail["type"], column_type)) or _SCHEMA_MESSAGE_IDS.get(detail["type"], "invalid_value")
        found.append(CellError(column, message_id, detail["msg"].removeprefix("Value error, ")))
    return found
