"""What the workspace's pages read and send besides submissions: the regions to choose from, evidence files
uploaded as the signed-in person's organisation, the organisation's recent outcomes, and the plain words that
explain every code."""

import hashlib

import httpx
import pytest

from services.gateway.workspace import history
from shared.contracts.outcomes import Code
from shared.evidence_store import EvidenceStore
from tests import evidence_files
from tests.support import new_id
from tests.workspace import active_person, gateway_beside

BASE = "http://gateway"


class Workspace(httpx.AsyncClient):
    csrf: str = ""

    async def signed_in_as(self, nc, organisation: str) -> "Workspace":
        person, password = await active_person(nc, organisation)
        response = await self.post("/workspace/api/session", json={"email": person.email, "password": password})
        assert response.status_code == 200, response.text
        self.csrf = response.json()["csrf"]
        return self

    async def submit(self, kind: str, body: dict) -> httpx.Response:
        return await self.post(f"/workspace/api/submissions/{kind}", json=body, headers={"X-CSRF-Token": self.csrf})

    async def upload(self, content: bytes, media_type: str, csrf: bool = True) -> httpx.Response:
        headers = {"Content-Type": media_type} | ({"X-CSRF-Token": self.csrf} if csrf else {})
        return await self.put("/workspace/api/evidence", content=content, headers=headers)


@pytest.fixture
async def gateway(sqlite_system):
    async with gateway_beside(sqlite_system, trace_url="http://jaeger/trace/{trace_id}") as system:
        yield system


def client(system) -> Workspace:
    return Workspace(transport=httpx.ASGITransport(app=system.gateway.http), base_url=BASE)


def enrolment(region: str, submission_id: str | None = None) -> dict:
    return {"submission_id": submission_id or new_id(), "region_code": region, "occurred_on": "2019-03-01"}


async def test_the_region_picker_gets_all_514_with_their_provinces_and_2018_codes(gateway):
    async with client(gateway) as browser:
        response = await browser.get("/workspace/api/regions")
    regions = response.json()["regions"]
    assert response.status_code == 200 and len(regions) == 514
    makassar = next(r for r in regions if r["code"] == "73.71")
    assert makassar == {"code": "73.71", "name": "Kota Makassar", "province": "Sulawesi Selatan"}
    merauke = next(r for r in regions if r["name"] == "Kabupaten Merauke")
    assert merauke["code_2018"] == "91.01" and merauke["code"] != "91.01"


async def test_the_pages_learn_where_the_dashboard_and_traces_are(gateway):
    async with client(gateway) as browser:
        settings = (await browser.get("/workspace/api/settings")).json()
    assert settings == {"dashboard_url": "http://127.0.0.1:8000/", "trace_url": "http://jaeger/trace/{trace_id}"}


async def test_every_rejection_code_is_explained_in_both_languages(gateway):
    async with client(gateway) as browser:
        explanations = (await browser.get("/workspace/api/explanations")).json()["explanations"]
    for code in [*Code, "csrf", "signed_out", "too_large", "media_type_mismatch", "unsupported_media_type", "not_stored", "throttled", "locked"]:
        for language in ("id", "en"):
            words = explanations[code][language]
            assert words["what"] and words["todo"], (code, language)
    assert explanations["not_enrolled"]["id"]["todo"] != explanations["not_enrolled"]["en"]["todo"]


async def test_an_officer_uploads_evidence_as_the_organisation_with_the_sessions_token(gateway):
    content = evidence_files.pdf()
    async with client(gateway) as browser:
        await browser.signed_in_as(gateway.nc, "kemendagri")
        without_token = await browser.upload(content, "application/pdf", csrf=False)
        assert without_token.status_code == 403 and without_token.json()["code"] == "csrf"
        stored = await browser.upload(content, "application/pdf")
        again = await browser.upload(content, "application/pdf")
        mismatch = await browser.upload(evidence_files.png(), "application/pdf")
    sha256 = hashlib.sha256(content).hexdigest()
    assert stored.status_code == 201 and stored.json() == {"sha256": sha256, "size": len(content), "media_type": "application/pdf"}
    assert again.status_code == 200
    assert mismatch.status_code == 422 and mismatch.json()["code"] == "media_type_mismatch"
    assert await EvidenceStore(gateway.nc).info(sha256) is not None
    assert gateway.gateway.context.uploads.labels("kemendagri", "stored")._value.get() == 1


async def test_uploads_need_a_session_and_a_responsible_organisation(gateway):
    content = evidence_files.png()
    async with client(gateway) as browser:
        signed_out = await browser.put("/workspace/api/evidence", content=content, headers={"Content-Type": "image/png"})
        await browser.signed_in_as(gateway.nc, "kemenpanrb")
        read_only = await browser.upload(content, "image/png")
    assert signed_out.status_code == 401 and signed_out.json()["code"] == "signed_out"
    assert read_only.status_code == 403 and read_only.json()["code"] == "not_permitted"
    assert await EvidenceStore(gateway.nc).info(hashlib.sha256(content).hexdigest()) is None


async def test_my_submissions_lists_the_organisations_outcomes_newest_first_rejected_first_on_request(gateway):
    async with client(gateway) as kemendagri, client(gateway) as kominfo:
        await kemendagri.signed_in_as(gateway.nc, "kemendagri")
        await kominfo.signed_in_as(gateway.nc, "kominfo")
        first = await kemendagri.submit("region.enroll", enrolment("73.71"))
        rejected = await kemendagri.submit("training.complete", enrolment("73.72") | {"session_id": "tot-1", "participants": 20})
        latest = await kemendagri.submit("region.enroll", enrolment("73.73"))
        await kominfo.submit("region.enroll", enrolment("32.73"))
        assert (first.status_code, rejected.status_code, latest.status_code) == (201, 422, 201)

        listed = (await kemendagri.get("/workspace/api/outcomes")).json()["outcomes"]
        assert [o["submission_id"] for o in listed] == [latest.json()["submission_id"], rejected.json()["submission_id"], first.json()["submission_id"]]
        assert listed[0]["region"] == {"code": "73.73", "name": "Kota Palopo", "province": "Sulawesi Selatan"}
        assert listed[0]["event_id"] and listed[0]["time"] and listed[0]["kind"] == "region.enroll"
        assert listed[1]["status"] == "rejected" and listed[1]["code"] == "not_enrolled" and listed[1]["message"]

        rejected_first = (await kemendagri.get("/workspace/api/outcomes", params={"rejected_first": "true"})).json()["outcomes"]
        assert [o["status"] for o in rejected_first] == ["rejected", "accepted", "accepted"]
        only_rejected = (await kemendagri.get("/workspace/api/outcomes", params={"status": "rejected"})).json()["outcomes"]
        assert [o["submission_id"] for o in only_rejected] == [rejected.json()["submission_id"]]
        trainings = (await kemendagri.get("/workspace/api/outcomes", params={"kind": "training.complete", "limit": 1})).json()["outcomes"]
        assert len(trainings) == 1 and trainings[0]["kind"] == "training.complete"

        for wrong in ({"limit": "201"}, {"limit": "0"}, {"kind": "nonsense"}, {"status": "lost"}):
            refused = await kemendagri.get("/workspace/api/outcomes", params=wrong)
            assert (refused.status_code, refused.json()["code"]) == (400, "invalid_parameter"), wrong
    async with client(gateway) as stranger:
        assert (await stranger.get("/workspace/api/outcomes")).json()["code"] == "signed_out"


async def test_my_submissions_reads_no_further_back_than_its_window(gateway, monkeypatch):
    monkeypatch.setattr(history, "WINDOW", 2)
    async with client(gateway) as browser:
        await browser.signed_in_as(gateway.nc, "kemendagri")
        for region in ("73.71", "73.72", "73.73"):
            assert (await browser.submit("region.enroll", enrolment(region))).status_code == 201
        listed = (await browser.get("/workspace/api/outcomes")).json()["outcomes"]
    assert [o["region"]["code"] for o in listed] == ["73.73", "73.72"]
