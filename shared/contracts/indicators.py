"""Indicator values as dashboards read them: KV `OGI_INDICATORS`, `ogi.indicators.*` and HTTP."""

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel


class Scope(StrEnum):
    NATIONAL = "national"
    KEMENDAGRI = "kemendagri"
    KOMINFO = "kominfo"


class Indicator(StrEnum):
    ENROLLED = "enrolled"
    TRAINED = "trained"
    PLANS = "plans"


TARGETS = {Indicator.ENROLLED: 100, Indicator.TRAINED: 100, Indicator.PLANS: 50}

KEYS = tuple((scope, indicator) for scope in Scope for indicator in Indicator)


class IndicatorValue(BaseModel):
    scope: Scope
    indicator: Indicator
    count: int
    verified: int | None = None  # contract 1.1: `trained` and `plans` only, the count restricted to verified claims
    target: int
    as_of_seq: int
    updated_at: dt.datetime

    @property
    def key(self) -> str:
        return f"{self.scope}.{self.indicator}"
