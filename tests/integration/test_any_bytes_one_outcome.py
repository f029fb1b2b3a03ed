"""Whatever bytes a client publishes to whatever inbox subject, each stored submission gets exactly one
outcome and no service stops: after each hostile batch, valid submissions from another ministry, one for
each deciding service, are answered within a few seconds. One nats-server and one set of services serve
every example."""

import asyncio
import json
import os
import time
from collections import Counter

import nats
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ogi.embedded_nats import EmbeddedNats, free_port
from shared import subjects
from shared.ministries import RESPONSIBLE
from shared.settings import Settings
from shared.stream_reader import StreamReader
from tests.integration.test_hostile_input import LoopThread, any_json, nearly_valid, objects
from tests.support import new_id, running_system

EXAMPLES = int(os.environ.get("OGI_ANY_BYTES_EXAMPLES", 100))
LARGEST = 64 * 1024
OUTCOME_SECONDS = 15.0  # for every submission of an example to be answered
PROMPT_SECONDS = 5.0  # for the valid ones sent after the hostile batch


def bounded(body: bytes) -> bytes:
    return body[:LARGEST]


random_bytes = st.one_of(
    st.binary(max_size=512),
    st.tuples(st.binary(min_size=1, max_size=16), st.integers(1, LARGEST)).map(lambda piece: piece[0] * (piece[1] // len(piece[0]))),
)
nesting = st.tuples(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}"), (b'{"note": [', b"]}")]), st.integers(1, 20_000)).map(
    lambda nest: nest[0][0] * nest[1] + nest[0][1] * nest[1]
)
nested_in_a_submission = st.integers(30, 10_000).map(
    lambda depth: (
        b'{"submission_id": "'
        + new_id("deep").encode()
        + b'", "region_code": "73.71", "occurred_on": "2019-01-01", "note": '
        + b"[" * depth
        + b"]" * depth
        + b"}"
    )
)
encodings = st.tuples(objects, st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig", "latin-1", "cp1252"])).map(
    lambda encoded: json.dumps(encoded[0] | {"title": "Rencana aksi Kabupaten Ñ"}, ensure_ascii=False).encode(encoded[1], "replace")
)
huge_numbers = st.tuples(st.sampled_from(["participants", "unexpected", "submission_id", "sectors"]), st.integers(21, 60_000), st.booleans()).map(
    lambda number: (
        json.dumps({"submission_id": new_id("huge"), "region_code": "73.71", "occurred_on": "2019-01-01", "session_id": "s"}).encode()[:-1]
        + b', "'
        + number[0].encode()
        + b'": '
        + (b"-" if number[2] else b"")
        + b"9" * number[1]
        + b"}"
    )
)
near_valid = nearly_valid().map(lambda submission: submission[2])
random_json = any_json.map(lambda value: json.dumps(value).encode())
bodies = st.one_of(random_bytes, nesting, nested_in_a_submission, encodings, huge_numbers, near_valid, random_json).map(bounded)
message_ids = st.one_of(st.none(), st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True), st.text("ab.*> _-", min_size=1, max_size=70))
hostile = st.tuples(st.sampled_from(subjects.inbox_subjects()), bodies, message_ids)
batches = st.lists(hostile, min_size=1, max_size=4)


class Answers:
    """Every outcome published, counted by the inbox sequence it answers."""

    def __init__(self) -> None:
        self.count: Counter[int] = Counter()
        self.latest: dict[int, dict] = {}

    async def on_outcome(self, message) -> None:
        outcome = json.loads(message.data)
        self.count[outcome["submission_seq"]] += 1
        self.latest[outcome["submission_seq"]] = outcome

    async def all_of(self, seqs: list[int], timeout: float) -> list[dict]:
        deadline = time.monotonic() + timeout
        while missing := [seq for seq in seqs if seq not in self.latest]:
            if time.monotonic() > deadline:
                raise AssertionError(f"no outcome within {timeout:.0f} s for inbox sequences {missing}")
            await asyncio.sleep(0.02)
        return [self.latest[seq] for seq in seqs]


@pytest.fixture(scope="module")
def shared_system(tmp_path_factory):
    root = tmp_path_factory.mktemp("any-bytes")
    server = EmbeddedNats(root / "nats", free_port())
    server.start()
    loop = LoopThread()
    config = Settings(data_dir=root / "data", nats_url=server.url, database_url=f"sqlite:///{root / 'read-model.db'}", http_port=free_port())
    context = running_system(config)
    system = loop.run(context.__aenter__())
    answers = Answers()
    publisher = loop.run(nats.connect(server.url))
    loop.run(publisher.subscribe("ogi.outcome.>", cb=answers.on_outcome))
    loop.run(system.ministry("kemendagri").enroll("73.71"))
    yield loop, system, publisher, answers
    loop.run(publisher.close())
    loop.run(context.__aexit__(None, None, None))
    server.kill()


def valid_after(ministry: str) -> list[tuple[str, dict]]:
    """One valid submission for each deciding service."""
    common = {"region_code": "73.71", "occurred_on": "2019-06-01"}
    return [
        ("region.enroll", common | {"submission_id": new_id("after")}),  # already enrolled: rejected, an outcome all the same
        ("training.complete", common | {"submission_id": new_id("after"), "session_id": "tot", "participants": 20}),
        ("plan.submit", common | {"submission_id": new_id("after"), "plan_id": new_id("plan"), "title": "Rencana aksi", "sectors": ["sosial"]}),
    ]


async def _publish(js, subject: str, body: bytes, message_id: str | None) -> int:
    headers = {"Nats-Msg-Id": message_id} if message_id else None
    return (await js.publish(subject, body, headers=headers, stream=subjects.INBOX_STREAM)).seq


async def _one_example(publisher, answers: Answers, batch) -> None:
    js = publisher.jetstream()
    hostile_seqs = [await _publish(js, subject, body, message_id) for subject, body, message_id in batch]
    first_ministry, _ = subjects.parse_inbox(batch[0][0])
    other = next(str(ministry) for ministry in RESPONSIBLE if str(ministry) != first_ministry)
    sent_at = time.monotonic()
    valid_seqs = [await _publish(js, subjects.inbox(other, kind), json.dumps(body).encode(), None) for kind, body in valid_after(other)]
    valid = await answers.all_of(valid_seqs, PROMPT_SECONDS)
    assert all(outcome["status"] in ("accepted", "rejected") for outcome in valid), valid
    assert time.monotonic() - sent_at < PROMPT_SECONDS
    await answers.all_of(hostile_seqs, OUTCOME_SECONDS)
    twice = {seq: answers.count[seq] for seq in hostile_seqs + valid_seqs if answers.count[seq] != 1}
    assert not twice, f"answered more than once: {twice}"


def test_no_bytes_on_any_inbox_subject_leave_a_submission_unanswered_or_a_service_stopped(shared_system, figures):
    loop, system, publisher, answers = shared_system
    started = time.monotonic()

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(batches)
    def every_example_is_answered(batch):
        loop.run(_one_example(publisher, answers, batch), timeout=OUTCOME_SECONDS + PROMPT_SECONDS + 10)

    every_example_is_answered()
    stored = loop.run(system.nc.jetstream().stream_info(subjects.INBOX_STREAM)).state.messages
    outcomes = loop.run(StreamReader(system.nc, subjects.OUTCOMES_STREAM).read("ogi.outcome.>"))
    answered = Counter(json.loads(message.data)["submission_seq"] for message in outcomes)
    assert set(answered) == set(range(1, stored + 1)) and set(answered.values()) == {1}, "a stored submission without exactly one outcome"
    codes = Counter(outcome.get("code") or outcome["status"] for outcome in answers.latest.values())
    figures.append(
        f"any bytes: {EXAMPLES} examples, {stored} submissions stored and each answered once in {time.monotonic() - started:.1f} s; "
        f"by code {dict(sorted(codes.items()))}"
    )
