"""The 514 kabupaten/kota (shared/data/regions.csv, attribution in shared/data/README.md).

A region is looked up by its current dotted code (`73.71`), its 2018 code (`91.01`, before the Papua split)
or either without the dot; it is always stored and published in its current form.
"""

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    kind: str
    province_code: str
    province_name: str
    code_2018: str
    province_code_2018: str
    province_name_2018: str
    autonomous: bool

    @property
    def token(self) -> str:
        """The code as it appears in NATS subjects: without the dot."""
        return self.code.replace(".", "")


@cache
def all_regions() -> tuple[Region, ...]:
    with files("shared").joinpath("data/regions.csv").open(encoding="utf-8") as f:
        return tuple(_region(row) for row in csv.DictReader(f))


def _region(row: dict[str, str]) -> Region:
    autonomous = row.pop("autonomous") == "true"
    return Region(**row, autonomous=autonomous)


@cache
def _index() -> dict[str, Region]:
    index: dict[str, Region] = {}
    for region in all_regions():
        for code in (region.code_2018, region.code):  # current codes win over 2018 ones
            index[code] = region
            index[code.replace(".", "")] = region
    return index


def find_region(code: str) -> Region | None:
    return _index().get(code.strip())
