"""The claims in the workspace, read through the indicators service's API over real HTTP: the secretariat's
queue (pending and disputed, oldest first, a page at a time), a ministry's claims returned to it (its own
only, with the secretariat's reason), a claim's history for anyone signed in; and the evidence files, each
opened only by those an event lets read it, to everyone else the same 404 as no file at all."""

import contextlib
import hashlib
from collections.abc import AsyncIterator

import httpx
import pytest

from ogi.embedded_nats import free_port
from services.gateway.app import GatewayService
from services.gateway.config import GatewaySettings
from shared.evidence_store import EvidenceStore
from shared.observers import ObserverRegistry
from tests import evidence_files
from tests.http_server import HttpServer
from tests.integration.test_workspace_pages_api import Workspace
from tests.support import new_id

KEMENDAGRI_REGIONS = ["73.71", "73.72", "73.73"]
KOMINFO_REGION = "32.73"


@pytest.fixture
async def claims_system(sqlite_system):
    """The system with its indicators API on a real port, the gateway reading claims from it, and an observer."""
    server = HttpServer(sqlite_system.indicators.http, sqlite_system.settings.http_port)
    await server.start()
    settings = GatewaySettings(rate_per_second=1000, burst=1000, failures_per_minute=1000, indicators_url=server.url)
    gateway = GatewayService(sqlite_system.settings, settings)
    await gateway.start()
    await ObserverRegistry(sqlite_system.nc).add("tii", "Transparency International Indonesia")
    sqlite_system.gateway = gateway
    yield sqlite_system
    await gateway.stop()
    await server.stop()


def client(system) -> Workspace:
    return Workspace(transport=httpx.ASGITransport(app=system.gateway.http), base_url="http://gateway")


@contextlib.asynccontextmanager
async def signed_in(system, organisation: str) -> AsyncIterator[Workspace]:
    async with client(system) as person:
        yield await person.signed_in_as(system.nc, organisation)


async def trained(system, ministry: str, region: str, evidence: list[dict] | None = None) -> str:
    """The claim (a training's event id) of `region`, enrolled and trained by `ministry`."""
    submitter = system.ministry(ministry)
    assert (await submitter.enroll(region)).status == "accepted"
    body = {"submission_id": new_id(), "region_code": region, "occurred_on": "2019-04-01", "session_id": new_id("tot"), "participants": 20}
    outcome = await submitter.submit("training.complete", body | {"evidence": evidence or []})
    assert outcome.status == "accepted", outcome
    await system.projected(outcome.event_seq)
    return outcome.event_id


async def act(system, organisation: str, kind: str, claim: str, region: str, **fields) -> None:
    body = {"submission_id": new_id(), "region_code": region, "occurred_on": "2019-05-01", "claim_event_id": claim, **fields}
    outcome = await system.ministry(organisation).submit(kind, body)
    assert outcome.status == "accepted", outcome
    await system.projected(outcome.event_seq)


async def stored(system, content: bytes, media_type: str, name: str, public: bool) -> dict:
    await EvidenceStore(system.nc).put(content, media_type)
    return {"sha256": hashlib.sha256(content).hexdigest(), "name": name, "public": public}


async def test_the_queue_is_pending_and_disputed_claims_oldest_first_a_page_at_a_time(claims_system):
    system = claims_system
    claims = [await trained(system, "kemendagri", region) for region in KEMENDAGRI_REGIONS]
    kominfo_claim = await trained(system, "kominfo", KOMINFO_REGION)
    await act(system, "bappenas", "claim.verify", claims[1], KEMENDAGRI_REGIONS[1])
    await act(system, "tii", "claim.dispute", claims[1], KEMENDAGRI_REGIONS[1], reason="the photo is of another event")
    await act(system, "bappenas", "claim.return", claims[2], KEMENDAGRI_REGIONS[2], reason="the attendance list is unsigned")

    async with signed_in(system, "bappenas") as secretariat:
        first = (await secretariat.get("/workspace/api/claims/queue", params={"limit": 2})).json()
        rest = (await secretariat.get("/workspace/api/claims/queue", params={"limit": 2, "after": first["next"]})).json()
        assert (await secretariat.get("/workspace/api/claims/queue", params={"limit": 101})).status_code == 422
    listed = [claim["claim_event_id"] for claim in first["claims"] + rest["claims"]]
    assert listed == [claims[0], claims[1], kominfo_claim]  # the returned one is with its ministry, not in the queue
    assert [claim["state"] for claim in first["claims"]] == ["pending", "disputed"]
    assert rest["next"] is None
    disputed = first["claims"][1]
    assert [event["event_type"] for event in disputed["history"]][-2:] == ["ClaimVerified", "ClaimDisputed"]
    assert disputed["history"][-1]["reason"] == "the photo is of another event"

    for organisation in ("kemendagri", "tii"):
        async with signed_in(system, organisation) as other:
            refused = await other.get("/workspace/api/claims/queue")
            assert (refused.status_code, refused.json()["code"]) == (403, "not_permitted")


async def test_a_ministry_sees_its_own_returned_and_disputed_claims_only_with_the_reasons(claims_system):
    system = claims_system
    ours = await trained(system, "kemendagri", KEMENDAGRI_REGIONS[0])
    disputed = await trained(system, "kemendagri", KEMENDAGRI_REGIONS[1])
    theirs = await trained(system, "kominfo", KOMINFO_REGION)
    await act(system, "bappenas", "claim.return", ours, KEMENDAGRI_REGIONS[0], reason="the attendance list is unsigned")
    await act(system, "bappenas", "claim.return", theirs, KOMINFO_REGION, reason="no photo")
    await act(system, "tii", "claim.dispute", disputed, KEMENDAGRI_REGIONS[1], reason="fewer came")

    async with signed_in(system, "kemendagri") as kemendagri:
        returned = (await kemendagri.get("/workspace/api/claims/ours")).json()
        disputes = (await kemendagri.get("/workspace/api/claims/ours", params={"state": "disputed"})).json()
        counts = (await kemendagri.get("/workspace/api/claims/ours/counts")).json()
    assert [claim["claim_event_id"] for claim in returned["claims"]] == [ours]
    assert (
        returned["claims"][0]["history"][-1] | {"reason": "the attendance list is unsigned", "reported_by": "bappenas"} == returned["claims"][0]["history"][-1]
    )
    assert [claim["claim_event_id"] for claim in disputes["claims"]] == [disputed]
    assert counts == {"returned": {"count": 1, "more": False}, "disputed": {"count": 1, "more": False}}
    async with signed_in(system, "bappenas") as secretariat:
        assert (await secretariat.get("/workspace/api/claims/ours")).status_code == 403


async def test_a_claim_with_its_history_for_anyone_signed_in_and_404_for_no_claim(claims_system):
    system = claims_system
    claim = await trained(system, "kemendagri", KEMENDAGRI_REGIONS[0])
    await act(system, "bappenas", "claim.verify", claim, KEMENDAGRI_REGIONS[0], note="checked against the attendance list")
    async with signed_in(system, "tii") as observer:
        one = (await observer.get(f"/workspace/api/claims/{claim}")).json()
        unknown = await observer.get("/workspace/api/claims/00000000-0000-4000-8000-000000000000")
        malformed = await observer.get("/workspace/api/claims/not-an-id")
        listed = (await observer.get("/workspace/api/claims", params={"state": "verified"})).json()
    assert one["state"] == "verified" and [event["event_type"] for event in one["history"]] == ["ClaimVerified"]
    assert (unknown.status_code, unknown.json()["code"]) == (404, "claim_not_found")
    assert malformed.status_code == 422
    assert [item["claim_event_id"] for item in listed["claims"]] == [claim]


async def test_evidence_opens_for_those_an_event_lets_read_it_and_is_404_for_everyone_else(claims_system):
    system = claims_system
    attendance = await stored(system, evidence_files.pdf(), evidence_files.PDF, "daftar hadir.pdf", public=False)
    photo = await stored(system, evidence_files.png(), evidence_files.PNG, "foto.png", public=True)
    sheet = await stored(system, evidence_files.xlsx(), evidence_files.XLSX, "rekap.xlsx", public=True)
    claim = await trained(system, "kemendagri", KEMENDAGRI_REGIONS[0], [attendance, photo, sheet])
    never_named = (await EvidenceStore(system.nc).put(evidence_files.pdf(), evidence_files.PDF))[0].sha256

    async def opened(organisation: str, sha256: str):
        async with signed_in(system, organisation) as person:
            return await person.get(f"/workspace/api/evidence/{sha256}")

    missing = await opened("kemendagri", hashlib.sha256(b"never stored").hexdigest())
    assert missing.status_code == 404
    for reader in ("bappenas", "kemendagri"):
        response = await opened(reader, attendance["sha256"])
        assert response.status_code == 200, reader
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"].startswith('inline; filename="daftar hadir.pdf"')
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    for reader, sha256 in (("kominfo", attendance["sha256"]), ("tii", attendance["sha256"]), ("bappenas", never_named)):
        refused = await opened(reader, sha256)
        assert (refused.status_code, refused.content) == (404, missing.content), reader
    for reader in ("kominfo", "tii", "ksp"):
        assert (await opened(reader, photo["sha256"])).headers["Content-Disposition"].startswith("inline;")
        assert (await opened(reader, sheet["sha256"])).headers["Content-Disposition"].startswith("attachment;")
    async with client(system) as nobody:
        assert (await nobody.get(f"/workspace/api/evidence/{photo['sha256']}")).status_code == 401

    # The queue lists, beside each claim, the files its reader may open: the secretariat all three, an observer the public two.
    async with signed_in(system, "bappenas") as secretariat:
        queued = (await secretariat.get("/workspace/api/claims/queue")).json()["claims"]
    assert [(item["name"], item["media_type"]) for item in queued[0]["files"]] == [
        ("daftar hadir.pdf", "application/pdf"),
        ("foto.png", "image/png"),
        ("rekap.xlsx", evidence_files.XLSX),
    ]
    async with signed_in(system, "tii") as observer:
        shown = (await observer.get(f"/workspace/api/claims/{claim}")).json()["files"]
    assert [item["name"] for item in shown] == ["foto.png", "rekap.xlsx"]


async def test_claims_are_503_when_the_indicators_service_does_not_answer(sqlite_system):
    settings = GatewaySettings(indicators_url=f"http://127.0.0.1:{free_port()}", indicators_timeout_seconds=1)
    gateway = GatewayService(sqlite_system.settings, settings)
    await gateway.start()
    sqlite_system.gateway = gateway
    try:
        async with signed_in(sqlite_system, "bappenas") as secretariat:
            response = await secretariat.get("/workspace/api/claims/queue")
        assert (response.status_code, response.json()["code"]) == (503, "indicators_unavailable")
        assert response.headers["Retry-After"] == "5"
    finally:
        await gateway.stop()
