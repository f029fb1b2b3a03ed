"""What every string and number of every kind may hold: `invalid`, with the field named, for text that is not
text a person wrote, for lengths and counts beyond what the action can have, for codes in no documented form."""

import pytest

from shared.contracts.outcomes import Rejection
from tests.door import COMMON, VALID, accepted, check, inbound, invalid_fields

TEXT_FIELDS = [(kind, field) for kind, body in VALID.items() for field, value in body.items() if isinstance(value, str)] + [
    (kind, "note") for kind in VALID if kind != "region.enroll"
]


@pytest.mark.parametrize(("kind", "field"), TEXT_FIELDS)
@pytest.mark.parametrize("spoiled", ["a\u0000b", "a\u0007b", "a\u001bb", "a\u007fb", "a\u0085b", "a\ud800b", "\udfff"])
def test_no_string_field_takes_control_characters_or_lone_surrogates(kind, field, spoiled):
    assert invalid_fields(kind, VALID[kind] | {field: spoiled}) == {field}


@pytest.mark.parametrize(("kind", "field"), TEXT_FIELDS)
def test_every_string_field_has_a_length_limit(kind, field):
    assert invalid_fields(kind, VALID[kind] | {field: "a" * 1001}) == {field}


@pytest.mark.parametrize(("kind", "field"), [("region.enroll", "note"), ("region.withdraw", "reason"), ("plan.withdraw", "reason")])
def test_free_text_may_hold_tabs_and_line_breaks(kind, field):
    assert not isinstance(check(inbound(kind, VALID[kind] | {field: "first line\r\nsecond\tline"})), Rejection)


@pytest.mark.parametrize(("kind", "field"), [("training.complete", "session_id"), ("plan.submit", "title")])
def test_names_are_one_line(kind, field):
    assert invalid_fields(kind, VALID[kind] | {field: "first line\nsecond"}) == {field}


@pytest.mark.parametrize("code", [" 73.71", "73.71 ", "7371", "73-71", "٧٣.٧١", "73.7", "073.71"])
def test_region_codes_are_taken_only_in_their_dotted_forms(code):
    assert invalid_fields("region.enroll", COMMON | {"region_code": code}) == {"region_code"}


def test_the_2018_dotted_code_is_taken_and_stored_as_the_current_one():
    assert accepted("region.enroll", COMMON | {"region_code": "91.01"}).region_code == "93.01"


@pytest.mark.parametrize(
    "sectors",
    [["kesehatan"] * 60_000, ["kesehatan", "kesehatan"], ["pendidikan", "kesehatan", "pekerjaan_umum", "perumahan", "trantibum", "sosial", "sosial"]],
    ids=["sixty thousand", "a repeat", "seven"],
)
def test_sectors_are_at_most_the_six_without_repeats(sectors):
    assert invalid_fields("plan.submit", VALID["plan.submit"] | {"sectors": sectors}) == {"sectors"}


@pytest.mark.parametrize("participants", [10**30, 10_001, 0])
def test_participants_are_as_many_as_a_training_can_have(participants):
    assert invalid_fields("training.complete", VALID["training.complete"] | {"participants": participants}) == {"participants"}
