"""The read API's parameters, each bounded: a request's size and cost never depend on what a client asks for
beyond them. A date outside its bounds is answered 422 as FastAPI answers any invalid parameter."""

import datetime as dt
from typing import NoReturn

from fastapi import Path, Query
from fastapi.exceptions import RequestValidationError

EARLIEST_AS_OF = dt.date(2000, 1, 1)


def as_of_day(
    as_of: dt.date | None = Query(None, description="the state on this day: only events that occurred on or before it (2000-01-01 to tomorrow)"),
) -> dt.date | None:
    """No day after tomorrow: events occur no later than that (CONTRACT.md), so a later day asks for
    nothing more, only for a longer history."""
    if as_of is None:
        return None
    latest = dt.date.today() + dt.timedelta(days=1)
    if not EARLIEST_AS_OF <= as_of <= latest:
        invalid("as_of", f"as_of must be a day from {EARLIEST_AS_OF} to {latest}", as_of.isoformat())
    return as_of


def invalid(name: str, message: str, value: object) -> NoReturn:
    """A query parameter refused as FastAPI refuses any invalid one: 422 with the parameter named."""
    raise RequestValidationError([{"type": "value_error", "loc": ("query", name), "msg": message, "input": value}])


REGION_CODE = Path(max_length=16, description="a kabupaten/kota code, current (73.71) or 2018 (91.01)")
PROVINCE = Query(None, pattern=r"^\d{2}$", description="a province code (73)")
EVENT_ID = Path(max_length=64)
