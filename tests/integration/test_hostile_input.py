"""Hostile input through real NATS: ten thousand generated submissions, each stored one answered exactly
once with a stable code, nothing recorded for what is invalid, and the consumers still keep up afterwards."""

import asyncio
import datetime as dt
import json
import threading
import time

import nats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ogi.embedded_nats import free_port
from shared import subjects
from shared.contracts.outcomes import Code, Status
from shared.ministries import Ministry
from shared.settings import Settings
from shared.submitting import publish_submission
from tests.support import running_system

EXAMPLES = int(__import__("os").environ.get("OGI_HOSTILE_EXAMPLES", 10_000))
MAX_PAYLOAD = 1024 * 1024 - 4096  # the server's 1 MiB, less room for headers
STABLE_CODES = {str(code) for code in Code}

weird_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8", categories=("Cc", "Cs", "Zs", "So")), max_size=20),
    st.sampled_from(["", " ", "*", ">", "a.b", "ogi.>", "_unparsed", "\x00", "x" * 65, "73.71", "91.01", "7371", "99.99"]),
    st.integers(0, 200_000).map(lambda n: "x" * n),
)
any_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | weird_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=8,
)
dates = st.one_of(st.dates().map(str), st.sampled_from(["2019-02-30", "2018-01-01", "2017-12-31", "2999-01-01", "01/03/2019", ""]), any_json)
FIELDS = [
    "submission_id",
    "region_code",
    "occurred_on",
    "note",
    "commitment_letter_on",
    "ppid_established",
    "reason",
    "session_id",
    "participants",
    "plan_id",
    "title",
    "sectors",
    "document_sha256",
]
valid_values = {
    "submission_id": st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True),
    "region_code": st.sampled_from(["73.71", "91.01", "32.73", "11.01", "99.99"]),
    "occurred_on": st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2020, 12, 31)).map(str),
    "participants": st.integers(-5, 100),
    "sectors": st.lists(st.sampled_from(["pendidikan", "kesehatan", "sosial", "pariwisata"]), max_size=3),
}
objects = st.fixed_dictionaries(
    {},
    optional={field: st.one_of(valid_values.get(field, weird_text), any_json, weird_text, dates) for field in FIELDS} | {"unexpected": any_json},
)
bodies = st.one_of(
    objects.map(lambda body: json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")),
    st.binary(max_size=300),
    any_json.map(lambda value: json.dumps(value).encode()),
    st.integers(100_000, MAX_PAYLOAD).map(lambda size: b'{"submission_id": "big", "note": "' + b"x" * size + b'"}'),
)
KIND_FIELDS: dict[str, dict[str, st.SearchStrategy]] = {
    "region.enroll": {"ppid_established": st.booleans()},
    "region.withdraw": {"reason": st.text(min_size=1, max_size=30).filter(str.strip)},
    "training.complete": {"session_id": st.text(min_size=1, max_size=20).filter(str.strip), "participants": st.integers(1, 60)},
    "plan.submit": {
        "plan_id": valid_values["submission_id"],
        "title": st.text(min_size=1, max_size=40).filter(str.strip),
        "sectors": st.lists(st.sampled_from(["pendidikan", "kesehatan", "sosial"]), min_size=1, max_size=3),
    },
    "plan.withdraw": {"plan_id": valid_values["submission_id"], "reason": st.text(min_size=1, max_size=30).filter(str.strip)},
}


@st.composite
def nearly_valid(draw):
    """A submission that passes the schema, often with one field spoiled: the accepted path is exercised too."""
    kind = draw(st.sampled_from(subjects.KINDS))
    body = {
        "submission_id": draw(valid_values["submission_id"]),
        "region_code": draw(st.sampled_from(["73.71", "91.01", "32.73", "11.01", "35.78"])),
        "occurred_on": draw(valid_values["occurred_on"]),
    }
    body |= {field: draw(strategy) for field, strategy in KIND_FIELDS[kind].items()}
    if draw(st.booleans()):
        body[draw(st.sampled_from(sorted(body)))] = draw(st.one_of(any_json, weird_text))
    ministry = draw(st.sampled_from(["kemendagri", "kominfo", "kemendagri", "kominfo", "ksp"]))
    return ministry, kind, json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass"), None


hostile = st.tuples(
    st.sampled_from([str(ministry) for ministry in Ministry]),
    st.sampled_from(subjects.KINDS),
    bodies,
    st.one_of(st.none(), weird_text.filter(lambda value: 0 < len(value) < 100 and "\x00" not in value)),
)
submissions = st.one_of(hostile, nearly_valid())


class LoopThread:
    """An event loop in a thread of its own, so that hypothesis can drive an async system example by example."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def run(self, coroutine, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)


def test_ten_thousand_hostile_submissions_each_get_exactly_one_outcome(tmp_path, nats_server, sqlite_url, figures):
    loop = LoopThread()
    config = Settings(data_dir=tmp_path, nats_url=nats_server.url, database_url=sqlite_url, http_port=free_port())
    system_context = running_system(config)
    system = loop.run(system_context.__aenter__())
    publisher = loop.run(nats.connect(nats_server.url))
    generated: list[tuple] = []
    try:

        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(submissions)
        def generate(submission):
            generated.append(submission)

        generating = time.monotonic()
        generate()
        started = time.monotonic()
        generated_in = started - generating
        stored = set(loop.run(_publish_all(publisher, generated), timeout=600))
        published_in = time.monotonic() - started

        js = system.nc.jetstream()

        async def counts():
            return [(await js.stream_info(name)).state.messages for name in (subjects.INBOX_STREAM, subjects.OUTCOMES_STREAM, subjects.EVENTS_STREAM)]

        deadline = time.monotonic() + float(__import__("os").environ.get("OGI_HOSTILE_WAIT", 300))
        while (state := loop.run(counts()))[1] < state[0] and time.monotonic() < deadline:
            time.sleep(0.2)
        inbox, outcomes, events = loop.run(counts())
        if outcomes < inbox:
            answered = {o["submission_seq"] for o in loop.run(_all_outcomes(system.nc))}
            for seq in sorted(stored - answered)[:5]:
                message = loop.run(js.get_msg(subjects.INBOX_STREAM, seq))
                print("UNANSWERED", seq, message.subject, message.headers, message.data[:300])
        answered_in = time.monotonic() - started
        assert inbox == len(stored) == len(generated) and outcomes == inbox, (inbox, len(stored), outcomes)

        seen = loop.run(_all_outcomes(system.nc))
        assert sorted(o["submission_seq"] for o in seen) == sorted(stored)  # exactly one each
        assert {o["status"] for o in seen} <= {str(s) for s in Status}
        assert {o["code"] for o in seen if o["status"] == "rejected"} <= STABLE_CODES - {"unprocessable"}
        accepted = [o for o in seen if o["status"] == "accepted"]
        assert events == len(accepted)  # nothing recorded for anything invalid

        latency_started = time.monotonic()
        after = system.ministry("kominfo")
        outcome = loop.run(after.submit("region.enroll", {"submission_id": "after-the-storm", "region_code": "35.78", "occurred_on": "2019-01-01"}))
        assert outcome.status in ("accepted", "rejected") and time.monotonic() - latency_started < 5
        codes: dict[str, int] = {}
        for o in seen:
            codes[o.get("code") or o["status"]] = codes.get(o.get("code") or o["status"], 0) + 1
        figures.append(
            f"hostile input: {len(stored)} stored of {EXAMPLES} generated in {generated_in:.1f} s; published in {published_in:.1f} s, all answered after "
            f"{answered_in:.1f} s; outcomes {outcomes}, events {events}; by code {dict(sorted(codes.items()))}"
        )
    finally:
        loop.run(publisher.close())
        loop.run(system_context.__aexit__(None, None, None))


async def _publish_all(publisher, generated: list[tuple], in_flight: int = 64) -> list[int]:
    """Publish every generated submission, `in_flight` at a time, as ministries publishing at once would;
    the inbox sequence of each."""
    slots = asyncio.Semaphore(in_flight)

    async def one(ministry, kind, body, msg_id) -> int:
        async with slots:
            return await publish_submission(publisher, ministry, kind, body, {"Nats-Msg-Id": msg_id} if msg_id else {})

    return await asyncio.gather(*(one(*submission) for submission in generated))


async def _all_outcomes(nc) -> list[dict]:
    from shared.stream_reader import StreamReader

    return [json.loads(message.data) for message in await StreamReader(nc, subjects.OUTCOMES_STREAM).read("ogi.outcome.>")]
