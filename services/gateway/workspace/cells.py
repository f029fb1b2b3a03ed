"""From a spreadsheet cell to the JSON value the contract wants, taking what spreadsheets typically hold.

A cell comes as openpyxl reads it (text, a number, a boolean, a date or time) or as a CSV holds it (text).
A date may be a date cell or text written 2019-03-05 or 05/03/2019 (day first, the Indonesian order); a whole
number may come as 25.0; yes and no as ya/tidak, yes/no, true/false, benar/salah (Excel's own words in
Indonesian), 1/0; sectors by id or name, separated by commas; a region by its current or 2018 code, with or
without the dot, or its full name. The contract's own rules (ranges, lengths, patterns) are left to the
submission's model, so that there is one statement of each.
"""

import datetime as dt
import re
from collections.abc import Callable
from functools import cache

from services.gateway.workspace.columns import SECTOR_NAMES, CellType, normalized, sector_named
from shared.regions import Region, all_regions, find_region

JsonValue = str | int | bool | list[str]

_ISO_DATE = re.compile(r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})")
_DAY_FIRST_DATE = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_DIGITS = re.compile(r"\+?[0-9]{1,15}")  # longer would be out of any range, and slow to read
_DECIMAL_COMMA_CODE = re.compile(r"([0-9]{2}),([0-9]{2})")
_SECTOR_SEPARATORS = re.compile(r"[,;\n]")
YES = frozenset({"ya", "y", "yes", "true", "1", "benar", "sudah"})
NO = frozenset({"tidak", "n", "no", "false", "0", "salah", "belum"})


class CellProblem(Exception):
    """A cell that holds no value of its column's type."""

    def __init__(self, message_id: str, message: str) -> None:
        super().__init__(message)
        self.message_id = message_id
        self.message = message


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_value(column_type: CellType, value: object) -> JsonValue:
    """The JSON value of a cell that is not blank; raises CellProblem."""
    return _READERS[column_type](value)


def shown(value: object) -> str:
    """A cell as a person reads it in the spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _text(value: object) -> str:
    return shown(value)


def _region(value: object) -> str:
    if isinstance(value, float):
        text = f"{value:.2f}"  # 73.71 typed into a cell that is not text becomes a number
    else:
        text = shown(value)
        text = _DECIMAL_COMMA_CODE.sub(r"\1.\2", text) if _DECIMAL_COMMA_CODE.fullmatch(text) else text
    region = find_region(text) or _regions_by_name().get(normalized(text))
    if region is None:
        raise CellProblem("unknown_region", f"{text!r} is neither the code nor the full name of a kabupaten/kota")
    return region.code


@cache
def _regions_by_name() -> dict[str, Region]:
    return {normalized(region.name): region for region in all_regions()}


def _date(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = shown(value)
    day: dt.date | None = None
    if match := _ISO_DATE.fullmatch(text):
        day = _calendar_date(int(match[1]), int(match[2]), int(match[3]))
    elif match := _DAY_FIRST_DATE.fullmatch(text):
        day = _calendar_date(int(match[3]), int(match[2]), int(match[1]))
    if day is None:
        raise CellProblem("date_format", f"{text!r} is not a date: write it 2019-03-05 (YYYY-MM-DD) or 05/03/2019 (DD/MM/YYYY)")
    return day.isoformat()


def _calendar_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _whole_number(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = shown(value)
    # Only digits: "1.000" is a thousand in Indonesian and one in English, so a separator is never guessed.
    if isinstance(value, str) and _DIGITS.fullmatch(text):
        return int(text)
    raise CellProblem("not_a_whole_number", f"{text!r} is not a whole number: write digits only, such as 25")


def _yes_no(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = normalized(shown(value))
    if word in YES:
        return True
    if word in NO:
        return False
    raise CellProblem("not_yes_no", f"{shown(value)!r} is neither yes nor no: write ya or tidak")


def _sectors(value: object) -> list[str]:
    names = [name.strip() for name in _SECTOR_SEPARATORS.split(shown(value)) if name.strip()]
    unknown = [name for name in names if sector_named(name) is None]
    if unknown:
        known = ", ".join(words["id"] for words in SECTOR_NAMES.values())
        raise CellProblem("unknown_sector", f"{', '.join(map(repr, unknown))} is not one of the six sectors: {known}")
    return [str(sector_named(name)) for name in names]


_READERS: dict[CellType, Callable[[object], JsonValue]] = {
    CellType.TEXT: _text,
    CellType.IDENTIFIER: _text,
    CellType.SHA256: _text,
    CellType.REGION: _region,
    CellType.DATE: _date,
    CellType.WHOLE_NUMBER: _whole_number,
    CellType.YES_NO: _yes_no,
    CellType.SECTORS: _sectors,
}
