"""A submission id is idempotent forever, not only inside JetStream's duplicate window."""

import time

from ogi.embedded_nats import free_port
from shared.settings import Settings
from tests.support import running_system

MAKASSAR = "73.71"


async def publish_until_stored_again(ministry, body, previous_seq, timeout=15.0):
    """Publish with the same Nats-Msg-Id until JetStream stores it again: proof that its window has passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seq = await ministry.send("region.enroll", body, headers={"Nats-Msg-Id": "row-9"})
        if seq != previous_seq:
            return seq
    raise AssertionError("JetStream kept deduplicating past the window")


async def test_a_resubmission_after_the_duplicate_window_is_still_a_duplicate(tmp_path, nats_server, sqlite_url):
    settings = Settings(data_dir=tmp_path, nats_url=nats_server.url, database_url=sqlite_url, http_port=free_port(), duplicate_window=0.5)
    async with running_system(settings) as system:
        kemendagri = system.ministry("kemendagri")
        body = {"submission_id": "row-9", "region_code": MAKASSAR, "occurred_on": "2019-03-01"}
        first_seq = await kemendagri.send("region.enroll", body)
        original = await kemendagri.outcomes.wait(first_seq)
        assert original.status == "accepted"

        stored_again = await publish_until_stored_again(kemendagri, body, first_seq)
        again = await kemendagri.outcomes.wait(stored_again)
        assert (again.status, again.event_id, again.event_seq) == ("duplicate", original.event_id, original.event_seq)

        # Even a body that no longer parses is recognised by its id, before it is judged malformed.
        garbage_seq = await publish_until_stored_again(kemendagri, b"garbage", stored_again)
        garbage = await kemendagri.outcomes.wait(garbage_seq)
        assert garbage_seq > stored_again
        assert (garbage.status, garbage.submission_id, garbage.event_id) == ("duplicate", "row-9", original.event_id)

        events = await system.nc.jetstream().stream_info("OGI_EVENTS")
        assert events.state.messages == 1
