"""A submission id belongs to the first submission that claims it, whoever asks later: claimed by a publish to
the key's subject (claims made together share batches), or by nats-py's own create when nats-py does not tell
that subject, with the same owners."""

import asyncio

import pytest

from shared import nats_internals, subjects
from shared.ledger import Ledger


@pytest.fixture(params=["by the key's subject", "by nats-py's create"])
def ledger(request, nc, monkeypatch):
    if request.param == "by nats-py's create":
        monkeypatch.setattr(nats_internals, "key_subject", lambda kv, key: None)
    return Ledger(nc)


async def test_the_first_claim_owns_the_id_and_later_ones_are_told_whose_it_is(ledger, nc):
    together = await asyncio.gather(*(ledger.claim("kemendagri", "row-1", seq) for seq in (41, 42, 43)))
    (owner,) = {claim.owner for claim in together}
    assert [claim.taken_now for claim in together].count(True) == 1
    assert next(claim for claim in together if claim.taken_now).owner == owner
    later = await ledger.claim("kemendagri", "row-1", 44)
    assert (later.owner, later.taken_now) == (owner, False)
    stored = await (await nc.jetstream().key_value(subjects.SUBMISSIONS_BUCKET)).get("kemendagri.row-1")
    assert stored.value == b'{"submission_seq": %d}' % owner


async def test_many_ids_claimed_together_are_each_taken_by_their_own_submission(ledger):
    claims = await asyncio.gather(*(ledger.claim("kominfo", f"row-{seq}", seq) for seq in range(1, 41)))
    assert [(claim.owner, claim.taken_now) for claim in claims] == [(seq, True) for seq in range(1, 41)]
