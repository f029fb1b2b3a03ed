"""Indicator values as KV `OGI_INDICATORS`, `ogi.indicators.*` and HTTP give them: a count with its target and,
for `trained` and `plans`, its verified count (`enrolled`: none)."""

import datetime as dt
from collections.abc import Iterable, Mapping

from services.indicators import rules
from shared.contracts.indicators import KEYS, TARGETS, Indicator, IndicatorValue, Scope

INDICATOR_OF_VERIFIED = {verified: indicator for indicator, verified in rules.VERIFIED.items()}


def indicator_of(key: rules.Key) -> rules.Key:
    """The indicator a count belongs to: itself, or for a verified count the one it restricts."""
    scope, indicator = key
    return scope, INDICATOR_OF_VERIFIED.get(indicator, indicator)


def verified_count(counts: Mapping[rules.Key, int], key: rules.Key) -> int | None:
    scope, indicator = key
    verified = rules.VERIFIED.get(indicator)
    return None if verified is None else counts.get((scope, verified), 0)


def indicator_values(counts: Mapping[rules.Key, int], keys: Iterable[rules.Key], as_of_seq: int, updated_at: dt.datetime) -> list[IndicatorValue]:
    """The values of `keys` (the contract's, in its order) from `counts`, which holds the verified counts too."""
    wanted = set(keys)
    return [
        IndicatorValue(
            scope=Scope(scope),
            indicator=Indicator(indicator),
            count=counts.get((scope, indicator), 0),
            verified=verified_count(counts, (scope, indicator)),
            target=TARGETS[Indicator(indicator)],
            as_of_seq=as_of_seq,
            updated_at=updated_at,
        )
        for scope, indicator in ((str(s), str(i)) for s, i in KEYS)
        if (scope, indicator) in wanted
    ]
