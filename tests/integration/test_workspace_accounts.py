"""Signing in to the workspace, as an officer and as someone who tries what they should not: the operator's
one-time code, the password chosen with it, the session cookie, CSRF, lock-out, signing out everywhere,
and what a submission from the workspace records about who made it."""

import datetime as dt
import uuid

import httpx
import pytest

from services.gateway.app import GatewayService
from services.gateway.config import GatewaySettings
from services.gateway.workspace.sessions import COOKIE
from shared import subjects
from shared.contracts.events import decode_event
from shared.ministries import Ministry
from shared.observers import ObserverRegistry
from shared.people import MAX_FAILURES, AccountError, PeopleStore
from tests.support import eventually, new_id
from tests.workspace import active_person, gateway_beside

BASE = "http://gateway"


class Workspace(httpx.AsyncClient):
    csrf: str = ""

    async def sign_in(self, email: str, password: str) -> httpx.Response:
        response = await self.post("/workspace/api/session", json={"email": email, "password": password})
        if response.status_code == 200:
            self.csrf = response.json()["csrf"]
        return response

    async def submit(self, kind: str, body: dict, **headers: str) -> httpx.Response:
        return await self.post(f"/workspace/api/submissions/{kind}", json=body, headers={"X-CSRF-Token": self.csrf, **headers})


@pytest.fixture
async def gateway(sqlite_system):
    async with gateway_beside(sqlite_system) as system:
        yield system


def client(system) -> Workspace:
    return Workspace(transport=httpx.ASGITransport(app=system.gateway.http), base_url=BASE)


def enrolment(region: str = "73.71") -> dict:
    return {"submission_id": new_id(), "region_code": region, "occurred_on": "2019-03-01"}


async def test_the_operators_code_lets_a_person_choose_a_password_once(gateway):
    person, code = await PeopleStore(gateway.nc).add(Ministry.KEMENDAGRI, "Ani@Kemendagri.go.id")
    async with client(gateway) as browser:
        weak = await browser.post("/workspace/api/activation", json={"email": "ani@kemendagri.go.id", "code": code, "password": "short"})
        assert weak.status_code == 400 and weak.json()["code"] == "weak_password"
        chosen = await browser.post("/workspace/api/activation", json={"email": "ani@kemendagri.go.id", "code": code, "password": "a long passphrase"})
        assert chosen.status_code == 200, chosen.text
        assert chosen.json()["person"] == {
            "id": person.id,
            "email": "ani@kemendagri.go.id",
            "organisation": "kemendagri",
            "organisation_name": "Kementerian Dalam Negeri",
            "role": "responsible",
            "kinds": ["region.enroll", "region.withdraw", "training.complete", "plan.submit", "plan.withdraw", "claim.amend"],
        }
        assert (await browser.get("/workspace/api/session")).json()["person"]["id"] == person.id
        again = await browser.post("/workspace/api/activation", json={"email": "ani@kemendagri.go.id", "code": code, "password": "another passphrase"})
        assert again.status_code == 400 and again.json()["code"] == "invalid_code"
    stored = await PeopleStore(gateway.nc).get(person.id)
    assert stored is not None and stored.password_hash is not None and stored.password_hash.startswith("$argon2id$")
    assert stored.code_sha256 is None and "a long passphrase" not in stored.password_hash


async def test_the_session_cookie_is_httponly_strict_and_scoped_to_the_workspace(gateway):
    person, password = await active_person(gateway.nc, "kemendagri")
    async with client(gateway) as browser:
        response = await browser.sign_in(person.email, password)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert {"HttpOnly", "SameSite=strict", "Path=/workspace"} <= {part.strip() for part in cookie.split(";")}


async def test_wrong_passwords_lock_the_account_and_say_so(gateway):
    person, password = await active_person(gateway.nc, "kominfo")
    async with client(gateway) as browser:
        for _ in range(MAX_FAILURES):
            wrong = await browser.sign_in(person.email, "not the password at all")
            assert wrong.status_code == 401 and wrong.json()["code"] == "sign_in_failed"
        locked = await browser.sign_in(person.email, password)
        assert locked.status_code == 423 and locked.json()["code"] == "locked"
        assert "locked until" in locked.json()["detail"]
        unknown = await browser.sign_in("nobody@example.go.id", password)
        assert unknown.status_code == 401 and unknown.json()["detail"] == wrong.json()["detail"]


async def test_changing_anything_needs_the_sessions_csrf_token_and_this_sites_origin(gateway):
    person, password = await active_person(gateway.nc, "kemendagri")
    async with client(gateway) as browser:
        await browser.sign_in(person.email, password)
        token = browser.csrf
        for headers in ({"X-CSRF-Token": ""}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": token, "Origin": "https://evil.example"}):
            browser.csrf = headers.pop("X-CSRF-Token")
            refused = await browser.submit("region.enroll", enrolment(), **headers)
            assert refused.status_code == 403 and refused.json()["code"] == "csrf", refused.text
        inbox = await gateway.nc.jetstream().stream_info(subjects.INBOX_STREAM)
        assert inbox.state.messages == 0, "a refused request must store nothing"
        browser.csrf = token
        assert (await browser.submit("region.enroll", enrolment(), Origin=BASE)).status_code == 201


async def test_a_submission_names_the_person_by_a_pseudonym_and_never_by_address(gateway):
    person, password = await active_person(gateway.nc, "kemendagri", "budi@kemendagri.go.id")
    async with client(gateway) as browser:
        await browser.sign_in(person.email, password)
        accepted = await browser.submit("region.enroll", enrolment())
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["ministry"] == "kemendagri"
    stored = await gateway.nc.jetstream().get_msg(subjects.EVENTS_STREAM, seq=accepted.json()["event_seq"])
    assert b"budi" not in stored.data
    assert decode_event(stored.data).submitted_by == person.id


async def test_an_officer_acts_only_as_their_own_organisation(gateway):
    kominfo, password = await active_person(gateway.nc, "kominfo")
    ksp, ksp_password = await active_person(gateway.nc, "ksp")
    async with client(gateway) as browser:
        await browser.sign_in(kominfo.email, password)
        accepted = await browser.submit("region.enroll", enrolment())
        assert accepted.json()["ministry"] == "kominfo"
        smuggled = await browser.submit("region.enroll", {**enrolment("73.72"), "ministry": "kemendagri"})
        assert smuggled.status_code == 422 and smuggled.json()["code"] == "invalid"
        cookie = browser.cookies[COOKIE]
    async with client(gateway) as tamperer:
        for forged in (cookie[:-3] + "abc", cookie.split(".")[0], ksp.id):
            assert (await tamperer.get("/workspace/api/session", headers={"Cookie": f"{COOKIE}={forged}"})).status_code == 401
    async with client(gateway) as browser:
        await browser.sign_in(ksp.email, ksp_password)
        read_only = await browser.submit("region.enroll", enrolment("73.73"))
        assert read_only.status_code == 403 and read_only.json()["code"] == "not_permitted"


async def test_signing_out_everywhere_ends_every_session_and_disabling_too(gateway):
    person, password = await active_person(gateway.nc, "kemendagri")
    async with client(gateway) as laptop, client(gateway) as phone:
        await laptop.sign_in(person.email, password)
        await phone.sign_in(person.email, password)
        assert (await laptop.post("/workspace/api/session/everywhere", headers={"X-CSRF-Token": laptop.csrf})).status_code == 200
        after = await phone.get("/workspace/api/session")
        assert after.status_code == 401 and after.json()["code"] == "signed_out"
        await phone.sign_in(person.email, password)
        assert (await phone.get("/workspace/api/session")).status_code == 200
        await PeopleStore(gateway.nc).disable(person.id)
        assert (await phone.get("/workspace/api/session")).status_code == 401
        assert (await phone.sign_in(person.email, password)).status_code == 401


async def test_a_session_ends_after_its_lifetime(sqlite_system):
    service = GatewayService(sqlite_system.settings, GatewaySettings(session_lifetime=dt.timedelta(seconds=1)))
    await service.start()
    try:
        person, password = await active_person(sqlite_system.nc, "kominfo")
        async with Workspace(transport=httpx.ASGITransport(app=service.http), base_url=BASE) as browser:
            assert (await browser.sign_in(person.email, password)).status_code == 200

            async def signed_out() -> bool:
                return (await browser.get("/workspace/api/session")).status_code == 401

            await eventually(signed_out, timeout=10)
            expired = await browser.submit("region.enroll", enrolment())
            assert expired.status_code == 401 and expired.json()["code"] == "signed_out"
    finally:
        await service.stop()


async def test_an_observer_signs_in_for_its_organisation_and_only_disputes(gateway):
    await ObserverRegistry(gateway.nc).add("tii", "Transparency International Indonesia")
    person, password = await active_person(gateway.nc, "tii")
    async with client(gateway) as browser:
        signed_in = await browser.sign_in(person.email, password)
        assert signed_in.json()["person"]["organisation_name"] == "Transparency International Indonesia"
        assert signed_in.json()["person"]["role"] == "observer" and signed_in.json()["person"]["kinds"] == ["claim.dispute"]
        enrol = await browser.submit("region.enroll", enrolment())
        assert enrol.status_code == 403 and enrol.json()["code"] == "not_permitted"
        dispute = {**enrolment(), "claim_event_id": str(uuid.uuid4()), "reason": "the attendance list is of another training"}
        disputed = await browser.submit("claim.dispute", dispute)
        assert disputed.status_code == 422 and disputed.json()["code"] == "claim_not_found", disputed.text
        assert disputed.json()["ministry"] == "tii"


async def test_no_account_for_what_is_not_an_organisations_id(gateway):
    for organisation in ("Not An Id", "x", "kemendagri.kominfo"):
        with pytest.raises(AccountError, match="neither a ministry nor"):
            await PeopleStore(gateway.nc).add(organisation, f"{new_id()}@example.go.id")
