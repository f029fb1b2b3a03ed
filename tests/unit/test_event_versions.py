"""Events keep their shape forever: every stored version-1 event reads, on every read path, as its type's
current version; a version this release does not know is refused, never read as another one."""

import datetime as dt
import json
from typing import get_args

import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from pydantic import ValidationError

from services.indicators.projector import transaction
from services.indicators.projector.receiver import _read as received
from services.indicators.projector.recorded import read_directly
from shared.contracts import events as ev
from shared.contracts.versions import CURRENT_VERSIONS, UnknownEventVersion, upcast
from shared.eventstore import History, StoredEvent
from shared.region_state import fold
from tests.golden_events import as_version_1, event_type, future, stored

V1, V2 = stored(1), stored(2)
GAINED_EVIDENCE = {"TrainingCompleted", "PlanSubmitted"}
MODELS = {model.model_fields["event_type"].default: model for model in get_args(get_args(ev.AnyEvent)[0])}
REPLY = "$JS.ACK.OGI_EVENTS.projector.1.{seq}.{seq}.1732780800000000000.0"


def as_current(body: bytes) -> dict:
    """What a stored version-1 body says, as the current version says it."""
    event = json.loads(body)
    if event["event_type"] in GAINED_EVIDENCE:
        event["schema_version"], event["data"]["evidence"] = 2, []
    return event


def read_by_the_receiver(body: bytes, seq: int = 7):
    _, _, event, data_json, _, _ = received(Msg(Client(), reply=REPLY.format(seq=seq), data=body))
    return event, data_json


def test_the_golden_files_hold_each_event_type_at_each_of_its_versions():
    assert {event_type(name) for name in V1} == set(CURRENT_VERSIONS)
    assert {event_type(name) for name in V2} == GAINED_EVIDENCE == {t for t, version in CURRENT_VERSIONS.items() if version == 2}
    assert all(json.loads(body)["schema_version"] == 1 for body in V1.values())
    assert all(json.loads(body)["schema_version"] == 2 for body in V2.values())


@pytest.mark.parametrize("name", V1)
def test_a_stored_version_1_event_reads_as_the_current_version_through_the_models(name):
    event = ev.decode_event(V1[name])
    assert event.schema_version == CURRENT_VERSIONS[event_type(name)]
    assert event.model_dump(mode="json") == as_current(V1[name])
    if event_type(name) in GAINED_EVIDENCE:
        assert isinstance(event, ev.TrainingCompleted | ev.PlanSubmitted)
        assert event.data.evidence == []
    else:  # unchanged: it would be written again byte for byte
        assert ev.encode_event(event) == V1[name]


@pytest.mark.parametrize("name", V1)
def test_a_stored_version_1_event_reads_as_the_current_version_in_the_projector(name):
    expected = as_current(V1[name])
    for event, data_json in (read_directly(V1[name]), read_by_the_receiver(V1[name])):
        assert event == expected
        # event_log stores the data read: as recorded when that is what was read, else encoded again
        assert data_json is None or json.loads(data_json) == expected["data"]
        if event_type(name) not in GAINED_EVIDENCE:
            assert data_json == json.dumps(expected["data"], separators=(",", ":"), ensure_ascii=False)
    recorded = transaction.read(41, V1[name])
    assert (recorded.seq, recorded.event) == (41, expected)


def test_a_region_history_of_version_1_events_decides_as_it_did():
    order = ["RegionEnrolled", "TrainingCompleted", "PlanSubmitted", "PlanWithdrawn"]
    history = History(tuple(StoredEvent(seq, ev.decode_event(V1[name])) for seq, name in enumerate(order, start=1)), len(order))
    state = fold(history)
    assert state.enrolled and state.ministry == "kemendagri"
    assert state.plans == {"RA-2019-01": False}
    training = state.recorded[("kominfo", "training-7371-1")].event
    assert isinstance(training, ev.TrainingCompleted) and training.data.evidence == []


@pytest.mark.parametrize("name", V2)
def test_a_version_2_event_reads_as_written_on_every_path(name):
    event = ev.decode_event(V2[name])
    assert ev.encode_event(event) == V2[name]
    recorded_data = json.dumps(json.loads(V2[name])["data"], separators=(",", ":"), ensure_ascii=False)
    for read, data_json in (read_directly(V2[name]), read_by_the_receiver(V2[name])):
        assert read == json.loads(V2[name]) == event.model_dump(mode="json")
        assert data_json == recorded_data
    assert transaction.read(3, V2[name]).event == json.loads(V2[name])


FUTURE = {
    "a newer version": (future(V2["TrainingCompleted"], 3), "TrainingCompleted schema_version 3 is newer than this release reads (highest known: 2)"),
    "a newer version of a type still at 1": (
        future(V1["RegionEnrolled"], 2),
        "RegionEnrolled schema_version 2 is newer than this release reads (highest known: 1)",
    ),
    "version 0": (future(V1["PlanWithdrawn"], 0), "PlanWithdrawn schema_version 0 is not a version of it (highest known: 1)"),
    "no version": (V1["RegionWithdrawn"].replace(b'"schema_version":1,', b""), "RegionWithdrawn schema_version None is not a version of it (highest known: 1)"),
    "a version as text": (
        V1["TrainingCompleted"].replace(b'"schema_version":1', b'"schema_version":"1"'),
        "TrainingCompleted schema_version '1' is not a version of it (highest known: 2)",
    ),
    "an unknown type": (
        V1["RegionEnrolled"].replace(b'"RegionEnrolled"', b'"RegionMerged"'),
        "event type 'RegionMerged' (schema_version 1) is not known to this release",
    ),
}


@pytest.mark.parametrize("case", FUTURE)
def test_an_event_of_an_unknown_version_or_type_is_refused_on_every_read_path_saying_why(case):
    body, message = FUTURE[case]
    for read in (ev.decode_event, read_directly, lambda body: transaction.read(9, body)):
        with pytest.raises(UnknownEventVersion, match=message.replace("(", r"\(").replace(")", r"\)")):
            read(body)
    # The receiving process hands it on unread; the projector reads it and stops there (loop.py).
    _, _, unread, data_json, _, _ = received(Msg(Client(), reply=REPLY.format(seq=9), data=body))
    assert (unread, data_json) == (body, None)


def test_the_error_names_the_type_the_version_and_the_highest_known():
    with pytest.raises(UnknownEventVersion) as refused:
        ev.decode_event(future(V1["PlanSubmitted"], 5))
    assert (refused.value.event_type, refused.value.version, refused.value.highest_known) == ("PlanSubmitted", 5, 2)


def test_a_model_is_its_types_current_version_and_refuses_any_other():
    envelope = dict(
        event_id="e",
        region_code="73.71",
        ministry="kominfo",
        reported_by="kominfo",
        occurred_on=dt.date(2021, 3, 1),
        recorded_at=dt.datetime(2021, 3, 1, tzinfo=dt.UTC),
        submission_id="s",
    )
    training = ev.TrainingCompletedData(session_id="s1", participants=3)
    assert ev.TrainingCompleted.model_validate(envelope | {"data": training}).schema_version == 2
    assert ev.RegionWithdrawn.model_validate(envelope | {"data": ev.RegionWithdrawnData(reason="r")}).schema_version == 1
    for version in (1, 3):
        with pytest.raises(ValidationError, match="schema_version"):
            ev.TrainingCompleted.model_validate(envelope | {"schema_version": version, "data": training})
    with pytest.raises(ValidationError, match="schema_version"):
        ev.RegionWithdrawn.model_validate(envelope | {"schema_version": 2, "data": ev.RegionWithdrawnData(reason="r")})
    assert {name: model.model_fields["schema_version"].default for name, model in MODELS.items()} == CURRENT_VERSIONS


def test_evidence_names_at_most_ten_files_by_their_sha256():
    good = {"sha256": "ab" * 32, "name": "daftar-hadir.pdf", "public": False}
    assert ev.TrainingCompletedData.model_validate({"session_id": "s", "participants": 1, "evidence": [good] * 10}).evidence[0].public is False
    for wrong in ([good] * 11, [good | {"sha256": "AB" * 32}], [good | {"name": ""}], [good | {"name": "x" * 201}], [{"sha256": "ab" * 32, "name": "f"}]):
        with pytest.raises(ValidationError):
            ev.PlanSubmittedData.model_validate({"plan_id": "p", "title": "t", "sectors": ["sosial"], "evidence": wrong})


def test_upcasting_leaves_the_stored_event_as_it_was():
    stored_event = json.loads(V1["PlanSubmitted"])
    kept = json.loads(V1["PlanSubmitted"])
    assert upcast(stored_event)["data"]["evidence"] == []
    assert stored_event == kept


@pytest.mark.parametrize("name", V1)
def test_the_tests_store_events_as_the_version_1_code_did(name):
    assert as_version_1(ev.decode_event(V1[name])) == V1[name]
