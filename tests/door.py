"""Submissions as the unit tests hand them to the door's checks (shared/intake.check): one valid body of each
kind, and what the checks make of a body."""

import json

from shared.contracts.outcomes import Code, Rejection
from shared.contracts.submissions import Submission
from shared.intake import Inbound
from shared.intake import check as check_as
from shared.organisations import of_ministry

COMMON: dict[str, object] = {"submission_id": "row-1", "region_code": "73.71", "occurred_on": "2019-03-01"}
VALID: dict[str, dict[str, object]] = {
    "region.enroll": COMMON | {"note": "ok", "ppid_established": True},
    "region.withdraw": COMMON | {"reason": "merged"},
    "training.complete": COMMON | {"session_id": "tot-1", "participants": 25},
    "plan.submit": COMMON | {"plan_id": "ra-1", "title": "Rencana aksi", "sectors": ["kesehatan", "pendidikan"]},
    "plan.withdraw": COMMON | {"plan_id": "ra-1", "reason": "replaced"},
}


def inbound(kind: str, body: bytes | dict, headers: dict | None = None) -> Inbound:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Inbound("kemendagri", kind, 7, raw, headers or {})


def check(inbound: Inbound):
    """The shared checks, for a submission from a ministry (every one in these tests is)."""
    return check_as(inbound, of_ministry(inbound.ministry))


def accepted(kind: str, body: bytes | dict) -> Submission:
    checked = check(inbound(kind, body))
    assert not isinstance(checked, Rejection), f"rejected: {checked}"
    submission, _reporter, _region = checked
    return submission


def rejection(kind: str, body: bytes | dict, headers: dict | None = None) -> Rejection:
    checked = check(inbound(kind, body, headers))
    assert isinstance(checked, Rejection), f"accepted: {checked}"
    return checked


def invalid_fields(kind: str, body: bytes | dict) -> set[str]:
    checked = rejection(kind, body)
    assert checked.code == Code.INVALID, checked
    return {error.field for error in checked.errors}
