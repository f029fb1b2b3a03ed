"""A submission as stored in OGI_INBOX, and the id it carries."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TypeGuard

from shared.contracts.submissions import RESERVED_ID
from shared.submission_json import NotJson, read_json

_IDENTIFIER = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Set by the gateway's workspace on what a signed-in person submits: their pseudonymous id, which the event keeps.
SUBMITTED_BY = "Ogi-Submitted-By"


def is_submission_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value != RESERVED_ID and _IDENTIFIER.fullmatch(value) is not None


def header_submission_id(headers: Mapping[str, str]) -> str | None:
    value = headers.get("Nats-Msg-Id")
    return value if is_submission_id(value) else None


@dataclass(frozen=True)
class Inbound:
    ministry: str
    kind: str
    seq: int
    body: bytes
    headers: Mapping[str, str]

    @cached_property
    def json_body(self) -> object | NotJson:
        """The body read as JSON once, for every check that looks at it (shared/submission_json.py)."""
        return read_json(self.body)

    @cached_property
    def submission_id(self) -> str | None:
        """From the body if it holds a valid one, else from the Nats-Msg-Id header."""
        body = self.json_body
        candidate = body.get("submission_id") if isinstance(body, dict) else None
        return candidate if is_submission_id(candidate) else header_submission_id(self.headers)

    @property
    def submission_id_read(self) -> str | None:
        """The submission id as read so far, without reading the body: what a last-resort answer names."""
        return self.__dict__.get("submission_id") or header_submission_id(self.headers)
