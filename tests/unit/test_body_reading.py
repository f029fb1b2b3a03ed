"""How a stored body is read at the door: `malformed` when it is not a UTF-8 JSON object, in bounded time
whatever it holds, and the submission id read wherever it can be."""

import json

import pytest

from shared.contracts.outcomes import Code, Rejection
from shared.intake import readable_submission_id
from shared.submission_json import MAX_DEPTH, NotJson, read_json
from tests.door import COMMON, VALID, check, inbound, invalid_fields, rejection


@pytest.mark.parametrize("kind", VALID)
def test_every_kind_passes_the_door_with_its_fields(kind):
    assert not isinstance(check(inbound(kind, VALID[kind])), Rejection)


def test_deep_nesting_is_malformed_before_any_parser_recurses():
    deep = b"[" * 2000 + b"]" * 2000
    assert (rejection("training.complete", deep).code, readable_submission_id(inbound("training.complete", deep))) == (Code.MALFORMED, None)
    nested_value = b'{"submission_id": "deep-1", "note": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    checked = rejection("region.enroll", nested_value, {"Nats-Msg-Id": "deep-1"})
    assert checked.code == Code.MALFORMED and "nested" in checked.message
    assert readable_submission_id(inbound("region.enroll", nested_value, {"Nats-Msg-Id": "deep-1"})) == "deep-1"


def test_nesting_is_counted_outside_strings_only():
    assert read_json(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) == eval("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert isinstance(read_json(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)), NotJson)
    in_strings = b'{"note": "' + b"[{" * 100 + b'\\\\", "reason": "\\"' + b"[" * 100 + b'"}'
    assert isinstance(read_json(in_strings), dict)


@pytest.mark.parametrize(
    "encoded",
    [
        json.dumps(VALID["region.enroll"]).encode("utf-16"),
        json.dumps(VALID["region.enroll"]).encode("utf-16-le"),
        json.dumps(VALID["region.enroll"]).encode("utf-32"),
        b"\xef\xbb\xbf" + json.dumps(VALID["region.enroll"]).encode(),
        json.dumps(VALID["region.enroll"] | {"note": "a\ud800b"}, ensure_ascii=False).encode("utf-8", "surrogatepass"),
        json.dumps(VALID["region.enroll"]).encode().replace(b'"ok"', b"NaN"),
    ],
    ids=["utf-16", "utf-16-le", "utf-32", "utf-8 bom", "encoded lone surrogate", "NaN"],
)
def test_a_body_that_is_not_utf8_json_is_malformed(encoded):
    assert rejection("region.enroll", encoded).code == Code.MALFORMED


def test_a_huge_number_spoils_only_its_own_field():
    body = json.dumps(VALID["training.complete"]).encode().replace(b"25", b"9" * 5000)
    assert readable_submission_id(inbound("training.complete", body)) == "row-1"
    assert invalid_fields("training.complete", body) == {"participants"}
    assert invalid_fields("region.enroll", COMMON | {"unexpected": 10**30}) == {"unexpected"}


def test_an_id_ending_in_a_line_break_is_not_read_as_an_id():
    body = VALID["region.enroll"] | {"submission_id": "row-1\n"}
    assert readable_submission_id(inbound("region.enroll", body)) is None
    assert invalid_fields("region.enroll", body) == {"submission_id"}


def test_a_rejection_lists_a_bounded_number_of_field_errors():
    unknown = {f"field-{number}-" + "x" * 1000: number for number in range(1000)}
    checked = rejection("plan.submit", VALID["plan.submit"] | unknown)
    assert checked.code == Code.INVALID and len(checked.errors) == 20 and "980 more" in checked.message
    assert all(len(error.field) <= 100 for error in checked.errors)
