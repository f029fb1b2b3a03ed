"""A stored body read as JSON, in time and memory bounded by its size, never raising.

A submission is UTF-8 (no byte-order mark, no other encoding) holding standard JSON: no `NaN` or
`Infinity`, and nested at most MAX_DEPTH deep, which is measured before any parser runs, so no parser
recurses on what a client sent. An integer of more than INTEGER_DIGITS digits is read as one just
beyond that size, so that such a number spoils only its own field and the rest of the body, its
submission id among it, is still read.
"""

import json
import re
from dataclasses import dataclass
from itertools import accumulate

MAX_DEPTH = 32
INTEGER_DIGITS = 20
_BEYOND = 10**INTEGER_DIGITS

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = bytes(byte for byte in range(256) if byte not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


@dataclass(frozen=True, slots=True)
class NotJson:
    """Why a body is not a submission's JSON."""

    reason: str


def _integer(text: str) -> int:
    if len(text.lstrip("-")) <= INTEGER_DIGITS:
        return int(text)
    return -_BEYOND if text.startswith("-") else _BEYOND


def _not_a_number(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


_decoder = json.JSONDecoder(parse_int=_integer, parse_constant=_not_a_number)


def nesting_depth(body: bytes) -> int:
    """How deep arrays and objects nest in `body`, brackets inside strings aside."""
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return MAX_DEPTH  # at most: the exact depth is not needed
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKET)
    return max(accumulate(_STEP[byte] for byte in brackets), default=0)


def read_json(body: bytes) -> object | NotJson:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return NotJson(f"body is not UTF-8: {error.reason} at byte {error.start}")
    if nesting_depth(body) > MAX_DEPTH:
        return NotJson(f"body is nested deeper than {MAX_DEPTH} levels")
    try:
        return _decoder.decode(text)
    except (ValueError, RecursionError) as error:  # RecursionError only if the depth bound were wrong
        return NotJson(f"body is not JSON: {error}")
