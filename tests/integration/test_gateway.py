"""The HTTP gateway, as a ministry that speaks only HTTP uses it: a bearer token, a POST, the outcome."""

import datetime as dt
from types import SimpleNamespace

import httpx
import pytest

from services.gateway import ratelimit
from services.gateway.app import GatewayService
from services.gateway.config import GatewaySettings
from shared.ministries import Ministry
from shared.observers import ObserverRegistry
from shared.tokens import TokenStore
from tests.support import eventually, new_id


class GatewayClient(httpx.AsyncClient):
    """The gateway's HTTP API, with the running service and its tokens at hand."""

    tokens: TokenStore
    service: GatewayService


@pytest.fixture
async def gateway(sqlite_system):
    service = GatewayService(sqlite_system.settings, GatewaySettings(rate_per_second=1000, burst=1000))
    await service.start()
    client = GatewayClient(transport=httpx.ASGITransport(app=service.http), base_url="http://gateway")
    client.tokens = TokenStore(sqlite_system.nc)
    client.service = service
    yield client
    await client.aclose()
    await service.stop()


async def bearer(client, ministry: str) -> dict:
    _, token = await client.tokens.create(Ministry(ministry))
    return {"Authorization": f"Bearer {token}"}


def enrolment(region="73.71", **fields) -> dict:
    return {"submission_id": new_id(), "region_code": region, "occurred_on": "2019-03-01", **fields}


async def test_accepted_duplicate_and_rejected_each_have_their_status(gateway):
    kemendagri = await bearer(gateway, "kemendagri")
    body = enrolment()
    accepted = await gateway.post("/api/v1/submissions/region.enroll", json=body, headers=kemendagri)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["ministry"] == "kemendagri"
    assert accepted.headers["Location"].startswith(f"/api/v1/outcomes/{body['submission_id']}")

    again = await gateway.post("/api/v1/submissions/region.enroll", json=body, headers=kemendagri)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert again.json()["event_id"] == accepted.json()["event_id"]

    invalid = await gateway.post("/api/v1/submissions/training.complete", json=enrolment(participants=0), headers=kemendagri)
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "invalid" and {e["field"] for e in invalid.json()["errors"]} == {"session_id", "participants"}

    polled = await gateway.get(f"/api/v1/outcomes/{body['submission_id']}", headers=kemendagri)
    assert polled.status_code == 200 and polled.json()["event_id"] == accepted.json()["event_id"]


async def test_a_token_acts_only_as_its_own_ministry(gateway):
    kemendagri, kominfo, ksp = [await bearer(gateway, m) for m in ("kemendagri", "kominfo", "ksp")]
    body = enrolment()
    await gateway.post("/api/v1/submissions/region.enroll", json=body, headers=kemendagri)
    assert (await gateway.get(f"/api/v1/outcomes/{body['submission_id']}", headers=kominfo)).status_code == 404
    read_only = await gateway.post("/api/v1/submissions/region.enroll", json=enrolment(), headers=ksp)
    assert read_only.status_code == 403
    assert (await gateway.get(f"/api/v1/outcomes/{body['submission_id']}", headers=ksp)).status_code == 404


async def test_no_token_a_bad_token_and_a_revoked_token_get_401(gateway):
    assert (await gateway.post("/api/v1/submissions/region.enroll", json=enrolment())).status_code == 401
    bad = await gateway.post("/api/v1/submissions/region.enroll", json=enrolment(), headers={"Authorization": "Bearer ogi_000000000000_" + "x" * 43})
    assert bad.status_code == 401 and bad.headers["WWW-Authenticate"] == "Bearer"
    token, secret = await gateway.tokens.create(Ministry.KOMINFO)
    headers = {"Authorization": f"Bearer {secret}"}
    assert (await gateway.post("/api/v1/submissions/region.enroll", json=enrolment(), headers=headers)).status_code == 201
    assert await gateway.tokens.revoke(token.id)
    assert (await gateway.post("/api/v1/submissions/region.enroll", json=enrolment(), headers=headers)).status_code == 401


async def test_tokens_are_stored_only_as_hashes(gateway, sqlite_system):
    token, secret = await gateway.tokens.create(Ministry.KOMINFO)
    bucket = await sqlite_system.nc.jetstream().key_value("OGI_TOKENS")
    stored = (await bucket.get(token.id)).value.decode()
    assert secret.rsplit("_", 1)[1] not in stored and '"sha256"' in stored


async def test_bodies_over_64_kib_get_413_and_unknown_kinds_404(gateway):
    kominfo = await bearer(gateway, "kominfo")
    huge = enrolment(note="x" * (64 * 1024))
    assert (await gateway.post("/api/v1/submissions/region.enroll", json=huge, headers=kominfo)).status_code == 413
    assert (await gateway.post("/api/v1/submissions/region.adopt", json=enrolment(), headers=kominfo)).status_code == 404


async def test_a_body_that_is_not_json_is_answered_under_unparsed(gateway):
    kominfo = await bearer(gateway, "kominfo")
    response = await gateway.post("/api/v1/submissions/region.enroll", content=b"not json", headers=kominfo)
    assert response.status_code == 422 and response.json()["code"] == "malformed"
    assert "/api/v1/outcomes/_unparsed?seq=" in response.headers["Location"]


async def test_an_outcome_that_is_slow_gives_202_and_a_location_to_poll(gateway, sqlite_system):
    registry = next(service for service in sqlite_system.deciding if service.spec.name == "registry")
    await registry.stop()  # nobody decides enrolments for now
    gateway.service.context.settings.outcome_wait_seconds = 0.2
    kemendagri = await bearer(gateway, "kemendagri")
    body = enrolment()
    pending = await gateway.post("/api/v1/submissions/region.enroll", json=body, headers=kemendagri)
    assert pending.status_code == 202 and pending.json()["status"] == "pending"
    assert (await gateway.get(pending.headers["Location"], headers=kemendagri)).status_code == 404
    await registry.start()
    polled = await eventually(lambda: _status(gateway, pending.headers["Location"], kemendagri))
    assert polled == 200


async def _status(gateway, location, headers):
    response = await gateway.get(location, headers=headers)
    return response.status_code if response.status_code == 200 else None


@pytest.fixture
def frozen_clock(monkeypatch):
    """The limiter's windows stand still: a test's requests never fall into two of them."""
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))


async def test_a_token_over_its_rate_gets_429_with_retry_after_from_every_replica(sqlite_system, frozen_clock):
    replicas = [GatewayService(sqlite_system.settings, GatewaySettings(rate_per_second=0.5, burst=2)) for _ in range(2)]
    for replica in replicas:
        await replica.start()
    try:
        clients = [httpx.AsyncClient(transport=httpx.ASGITransport(app=replica.http), base_url="http://gateway") for replica in replicas]
        _, token = await TokenStore(sqlite_system.nc).create(Ministry.KOMINFO)
        headers = {"Authorization": f"Bearer {token}"}
        codes = [
            await client.post("/api/v1/submissions/region.enroll", json=enrolment(region), headers=headers)
            for client, region in zip(clients + clients[:1], ("11.01", "11.02", "11.03"), strict=True)
        ]
        assert [response.status_code for response in codes] == [201, 201, 429]  # the third, on the first replica again
        assert int(codes[2].headers["Retry-After"]) >= 1
        assert (await clients[1].post("/api/v1/submissions/region.enroll", json=enrolment("11.04"), headers=headers)).status_code == 429
    finally:
        for replica in replicas:
            await replica.stop()


async def test_an_address_that_keeps_presenting_bad_tokens_is_throttled_before_any_token_is_checked(sqlite_system, frozen_clock):
    service = GatewayService(sqlite_system.settings, GatewaySettings(failures_per_minute=3))
    await service.start()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=service.http), base_url="http://gateway") as client:
            _, good = await TokenStore(sqlite_system.nc).create(Ministry.KOMINFO)
            guesses = [f"Bearer ogi_{index:012x}_" + "x" * 43 for index in range(3)]
            answers = [await client.post("/api/v1/submissions/region.enroll", json=enrolment(), headers={"Authorization": guess}) for guess in guesses]
            assert [answer.status_code for answer in answers] == [401, 401, 401]
            throttled = await client.post("/api/v1/submissions/region.enroll", json=enrolment(), headers={"Authorization": f"Bearer {good}"})
            assert throttled.status_code == 429 and "without a valid token" in throttled.json()["detail"]
    finally:
        await service.stop()


async def test_tokens_expire_and_rotate_with_an_overlap(gateway):
    token, secret = await gateway.tokens.create(Ministry.KOMINFO, days=30)
    assert token.expires_at is not None
    old = {"Authorization": f"Bearer {secret}"}
    assert (await gateway.post("/api/v1/submissions/region.enroll", json=enrolment("12.01"), headers=old)).status_code == 201

    new_token, new_secret = await gateway.tokens.rotate(token.id, dt.timedelta(hours=1))
    assert new_token.organisation == Ministry.KOMINFO and new_token.id != token.id
    new = {"Authorization": f"Bearer {new_secret}"}
    assert (await gateway.post("/api/v1/submissions/region.enroll", json=enrolment("12.02"), headers=new)).status_code == 201
    assert (await gateway.post("/api/v1/submissions/region.enroll", json=enrolment("12.03"), headers=old)).status_code == 201  # the overlap

    await gateway.tokens.rotate(token.id, dt.timedelta(0))
    expired = await gateway.post("/api/v1/submissions/region.enroll", json=enrolment("12.04"), headers=old)
    assert expired.status_code == 401 and f"token {token.id} expired" in expired.json()["detail"]
    assert token.id not in {listed.id for listed in await gateway.tokens.all()}


async def test_the_secretariat_verifies_and_an_observer_disputes_over_http_with_their_tokens(gateway, sqlite_system):
    await ObserverRegistry(sqlite_system.nc).add("tii", "Transparency International Indonesia")
    kemendagri, bappenas = await bearer(gateway, "kemendagri"), await bearer(gateway, "bappenas")
    _, secret = await gateway.tokens.create("tii")
    tii = {"Authorization": f"Bearer {secret}"}
    assert (await gateway.post("/api/v1/submissions/region.enroll", json=enrolment(), headers=kemendagri)).status_code == 201
    training = enrolment(session_id="tot-1", participants=20)
    claim = (await gateway.post("/api/v1/submissions/training.complete", json=training, headers=kemendagri)).json()["event_id"]

    verified = await gateway.post("/api/v1/submissions/claim.verify", json=enrolment(claim_event_id=claim), headers=bappenas)
    assert verified.status_code == 201, verified.text
    assert verified.json()["ministry"] == "bappenas"
    disputed = await gateway.post("/api/v1/submissions/claim.dispute", json=enrolment(claim_event_id=claim, reason="tidak ada"), headers=tii)
    assert disputed.status_code == 201, disputed.text
    assert disputed.json()["ministry"] == "tii"
    # Each only its own kinds: refused at the door, as a related ministry's token is.
    for kind, headers in [("region.enroll", bappenas), ("claim.verify", tii), ("claim.dispute", bappenas), ("claim.verify", kemendagri)]:
        refused = await gateway.post(f"/api/v1/submissions/{kind}", json=enrolment(claim_event_id=claim), headers=headers)
        assert (refused.status_code, refused.json()["code"]) == (403, "not_permitted"), (kind, refused.text)
