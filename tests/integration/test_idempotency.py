"""A submission id is idempotent forever, and a resend gets the same answer whenever it comes: `duplicate`,
naming the original's event. A `Nats-Msg-Id` never hides one ministry's submission behind another's."""

import nats
from nats.js.api import StreamConfig

from shared import streams, subjects
from shared.submitting import submit

MAKASSAR, BANDUNG = "73.71", "32.73"


def enrolment(submission_id: str, region: str = MAKASSAR) -> dict:
    return {"submission_id": submission_id, "region_code": region, "occurred_on": "2019-03-01"}


async def test_a_resend_at_once_is_a_duplicate_as_it_is_later(sqlite_system):
    # As `ogi submit` sends a file twice: Nats-Msg-Id is the submission id, as the contract recommends.
    original = await submit(sqlite_system.nc, "kemendagri", "region.enroll", enrolment("row-9"))
    at_once = await submit(sqlite_system.nc, "kemendagri", "region.enroll", enrolment("row-9"))
    assert original.status == "accepted"
    assert (at_once.status, at_once.event_id, at_once.event_seq) == ("duplicate", original.event_id, original.event_seq)
    assert at_once.submission_seq > original.submission_seq  # stored, and answered, as a submission of its own

    # Even a body that no longer parses is recognised by its id, before it is judged malformed.
    kemendagri = sqlite_system.ministry("kemendagri")
    garbage = await kemendagri.submit("region.enroll", b"garbage", headers={"Nats-Msg-Id": "row-9"})
    assert (garbage.status, garbage.submission_id, garbage.event_id) == ("duplicate", "row-9", original.event_id)
    events = await sqlite_system.nc.jetstream().stream_info("OGI_EVENTS")
    assert events.state.messages == 1


async def test_two_ministries_sending_one_bare_message_id_at_once_are_both_stored_and_answered(sqlite_system):
    kemendagri, kominfo = sqlite_system.ministry("kemendagri"), sqlite_system.ministry("kominfo")
    kemendagri_seq = await kemendagri.send("region.enroll", enrolment("row-1", MAKASSAR), headers={"Nats-Msg-Id": "row-1"})
    kominfo_seq = await kominfo.send("region.enroll", enrolment("row-1", BANDUNG), headers={"Nats-Msg-Id": "row-1"})
    assert kominfo_seq != kemendagri_seq, "kominfo's submission was taken for kemendagri's"
    assert (await kemendagri.outcomes.wait(kemendagri_seq)).status == "accepted"
    assert (await kominfo.outcomes.wait(kominfo_seq)).status == "accepted"


async def test_declaring_again_takes_jetstreams_window_off_an_inbox_made_with_one(nats_server):
    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name=subjects.INBOX_STREAM, subjects=subjects.inbox_subjects(), duplicate_window=120))
        await streams.declare(nc)
        inbox = (await js.stream_info(subjects.INBOX_STREAM)).config
        assert not inbox.duplicate_window and [source.name for source in inbox.sources or []] == [streams.INBOX_UNUSED_SOURCE]
        sent = [await js.publish(subjects.inbox("kemendagri", "region.enroll"), b"{}", headers={"Nats-Msg-Id": "row-1"}) for _ in range(2)]
        assert [ack.seq for ack in sent] == [1, 2] and not any(ack.duplicate for ack in sent)
    finally:
        await nc.close()
