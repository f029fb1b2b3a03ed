"""The ministry officer's workspace in a real headless Chromium, against the gateway and the whole system on real
ports: an officer activates the account the operator made, records a month's reporting through the forms with
evidence attached, sees every outcome, fixes what was rejected, keeps what was typed when the session ends; and
someone of another ministry can do none of it in the officer's name."""

import hashlib
import json
import re

import httpx
from playwright.async_api import expect

from shared.ministries import Ministry
from shared.people import PeopleStore
from tests import evidence_files
from tests.browser.accessibility import problems
from tests.support import eventually
from tests.workspace import active_person

VIEWS = ["daftar", "pelatihan", "rencana", "tarik-rencana", "tarik", "pengajuan"]


async def open_workspace(page, system, hash_: str = "") -> None:
    await page.goto(f"{system.gateway_server.url}/workspace/{hash_}")
    await expect(page.locator("body")).to_have_attribute("data-ready", "true")


async def sign_in(page, system, organisation: str) -> tuple[str, str]:
    """A new officer of `organisation`, signed in on `page`: their e-mail address and password."""
    person, password = await active_person(system.nc, organisation)
    await sign_in_as(page, system, person.email, password)
    return person.email, password


async def sign_in_as(page, system, email: str, password: str) -> None:
    await open_workspace(page, system, "#masuk")
    form = page.locator("#signin-form")
    await form.get_by_label("Alamat e-mail").fill(email)
    await form.get_by_label("Kata sandi").fill(password)
    await form.get_by_role("button", name="Masuk").click()
    await expect(page.locator("#views-nav")).to_be_visible()


async def drop_file(page, zone: str, name: str, content: bytes, media_type: str) -> None:
    await page.evaluate(
        """([zone, name, bytes, type]) => {
             const files = new DataTransfer();
             files.items.add(new File([new Uint8Array(bytes)], name, { type }));
             document.querySelector(zone).dispatchEvent(new DragEvent("drop", { dataTransfer: files, bubbles: true, cancelable: true }));
           }""",
        [zone, name, list(content), media_type],
    )


async def enrol(page, region: str, day: str = "2019-03-01") -> None:
    await page.goto(page.url.split("#")[0] + "#daftar")
    await page.locator("#region-enroll-region_code").fill(region)
    await page.locator("#region-enroll-occurred_on").fill(day)
    await page.locator("#form-region-enroll").get_by_role("button", name="Kirim").click()
    await expect(page.locator("#region-enroll-outcome")).to_contain_text("Diterima")


async def test_an_officer_activates_and_records_a_month_of_reporting_with_evidence(workspace_on_each_database, page):
    workspace = workspace_on_each_database
    person, code = await PeopleStore(workspace.nc).add(Ministry.KEMENDAGRI, "ani@kemendagri.go.id")
    await open_workspace(page, workspace, f"#aktivasi?email=ani@kemendagri.go.id&kode={code}")
    activation = page.locator("#view-activation")
    await expect(activation.get_by_label("Alamat e-mail")).to_have_value("ani@kemendagri.go.id")
    await activation.get_by_label("Kata sandi baru", exact=True).fill("makassar pantai losari")
    await activation.get_by_label("Ulangi kata sandi baru").fill("makassar pantai losari")
    await activation.get_by_role("button", name="Simpan kata sandi dan masuk").click()
    await expect(page.locator("#who")).to_contain_text("ani@kemendagri.go.id · Kementerian Dalam Negeri")

    # Enrolment: Makassar, chosen by the list entry the picker offers.
    await page.locator("#region-enroll-region_code").fill("Kota Makassar (73.71) — Sulawesi Selatan")
    await expect(page.locator("#region-enroll-region_code-found")).to_contain_text("Kota Makassar (73.71), Sulawesi Selatan")
    await page.locator("#region-enroll-occurred_on").fill("2019-03-14")
    await page.get_by_label("PPID sudah terbentuk").check()
    await page.locator("#form-region-enroll").get_by_role("button", name="Kirim").click()
    outcome = page.locator("#region-enroll-outcome")
    await expect(outcome).to_contain_text("Diterima")
    await expect(outcome.get_by_role("link", name="Lihat Kota Makassar di dasbor")).to_have_attribute("href", f"{workspace.server.url}/?region=73.71")

    # A training, with two files: the attendance list dropped (private), the photo chosen with the file button (public).
    attendance, photo = evidence_files.pdf(), evidence_files.png()
    await page.get_by_role("link", name="Pelatihan").click()
    await page.locator("#training-complete-region_code").fill("73.71")
    await page.locator("#training-complete-occurred_on").fill("2019-04-02")
    await page.get_by_label("ID sesi pelatihan").fill("tot-makassar-1")
    await page.get_by_label("Jumlah peserta").fill("32")
    await drop_file(page, "#training-complete-evidence-drop", "daftar-hadir.pdf", attendance, "application/pdf")
    await page.locator("#training-complete-evidence-input").set_input_files([{"name": "foto-pelatihan.png", "mimeType": "image/png", "buffer": photo}])
    files = page.locator("#training-complete-evidence-files li")
    await expect(files).to_have_count(2)
    await expect(files.nth(0)).to_contain_text("Terunggah")
    await expect(files.nth(1)).to_contain_text("Terunggah")
    await expect(files.nth(0).locator("progress")).to_have_attribute("value", "100")
    await files.nth(1).get_by_label("Publik").check()
    await page.locator("#form-training-complete").get_by_role("button", name="Kirim").click()
    await expect(page.locator("#training-complete-outcome")).to_contain_text("Diterima")
    await expect(files).to_have_count(0)  # a new fill begins

    # The action plan.
    await page.get_by_role("link", name="Rencana aksi", exact=True).click()
    await page.locator("#plan-submit-region_code").fill("73.71")
    await page.locator("#plan-submit-occurred_on").fill("2019-08-20")
    plan = page.locator("#form-plan-submit")
    await plan.get_by_label("ID rencana aksi").fill("ra-makassar-2019")
    await plan.get_by_label("Judul rencana aksi").fill("Rencana Aksi Keterbukaan Pemerintah Kota Makassar")
    await plan.get_by_label("Pendidikan").check()
    await plan.get_by_label("Kesehatan").check()
    await page.locator("#form-plan-submit").get_by_role("button", name="Kirim").click()
    await expect(page.locator("#plan-submit-outcome")).to_contain_text("Diterima")

    async def counted() -> bool:
        counts = await workspace.counts()
        return counts["kemendagri.enrolled"] == counts["kemendagri.trained"] == counts["kemendagri.plans"] == 1

    await eventually(counted)
    stored = json.loads((await workspace.http.get("/api/v1/regions/73.71")).text)
    assert stored["ministry"] == "kemendagri"

    # The events name both files; the public one is for anyone, the attendance list only for the ministry.
    assert (await workspace.http.get(f"/api/v1/evidence/{hashlib.sha256(photo).hexdigest()}")).status_code == 200
    assert (await workspace.http.get(f"/api/v1/evidence/{hashlib.sha256(attendance).hexdigest()}")).status_code == 404

    await page.get_by_role("link", name="Pengajuan saya").click()
    await expect(page.locator("#mine-list li")).to_have_count(3)
    await expect(page.locator("#mine-list")).to_contain_text("ogi trace ws-")


async def test_a_rejected_training_is_explained_next_to_its_field_and_fixed(workspace, page):
    await sign_in(page, workspace, "kemendagri")
    await page.get_by_role("link", name="Pelatihan").click()
    await page.locator("#training-complete-region_code").fill("73.72")
    await page.locator("#training-complete-occurred_on").fill("2019-04-02")
    await page.get_by_label("Jumlah peserta").fill("20")
    await page.locator("#form-training-complete").get_by_role("button", name="Kirim").click()
    outcome = page.locator("#training-complete-outcome")
    await expect(outcome).to_contain_text("Ditolak")
    await expect(outcome).to_contain_text("Perbaiki isian yang ditandai")  # invalid: the session id is missing
    session_error = page.locator("#training-complete-session_id-error")
    await expect(session_error).to_have_text("Wajib diisi.")
    await expect(page.get_by_label("ID sesi pelatihan")).to_have_attribute("aria-invalid", "true")
    described = await page.get_by_label("ID sesi pelatihan").get_attribute("aria-describedby")
    assert "training-complete-session_id-error" in described.split()

    await page.get_by_label("ID sesi pelatihan").fill("tot-pinrang-1")
    await page.locator("#form-training-complete").get_by_role("button", name="Kirim").click()
    await expect(outcome).to_contain_text("belum terdaftar")
    await expect(outcome).to_contain_text("Daftarkan dulu kabupaten/kota ini")
    await expect(page.locator("#training-complete-region_code-error")).to_be_visible()
    await expect(session_error).to_be_hidden()

    await page.get_by_role("link", name="Pengajuan saya").click()
    await expect(page.locator("#mine-list li").first).to_contain_text("Ditolak")
    await expect(page.locator("#mine-list li").first).to_contain_text("Daftarkan dulu kabupaten/kota ini")


async def test_an_ended_session_asks_to_sign_in_again_and_keeps_the_form(workspace, page):
    email, password = await sign_in(page, workspace, "kominfo")
    await page.goto(page.url.split("#")[0] + "#daftar")
    await page.locator("#region-enroll-region_code").fill("32.73")
    await page.locator("#region-enroll-occurred_on").fill("2019-05-02")
    await page.locator("#region-enroll-note").fill("Penandatanganan di Balai Kota")

    # The officer signs out on every device, from another one.
    other = await page.context.browser.new_context()
    try:
        device = await other.new_page()
        await sign_in_as(device, workspace, email, password)
        await device.get_by_role("button", name="Keluar dari semua perangkat").click()
        await expect(device.locator("#page-status")).to_contain_text("Anda sudah keluar dari semua perangkat")
    finally:
        await other.close()

    await page.locator("#form-region-enroll").get_by_role("button", name="Kirim").click()
    dialog = page.locator("dialog#reauth")
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_label("Alamat e-mail")).to_have_value(email)
    await expect(page.locator("#region-enroll-region_code")).to_have_value("32.73")
    await expect(page.locator("#region-enroll-note")).to_have_value("Penandatanganan di Balai Kota")

    await dialog.get_by_label("Kata sandi").fill(password)
    await dialog.get_by_role("button", name="Masuk").click()
    await expect(dialog).to_be_hidden()
    await expect(page.locator("#region-enroll-outcome")).to_contain_text("Anda sudah masuk lagi")
    await page.locator("#form-region-enroll").get_by_role("button", name="Kirim").click()
    await expect(page.locator("#region-enroll-outcome")).to_contain_text("Diterima")


async def test_a_kominfo_officer_cannot_act_as_kemendagri(workspace, page):
    other = await page.context.browser.new_context()
    try:
        officer = await other.new_page()
        await sign_in(officer, workspace, "kemendagri")
        await enrol(officer, "73.71")
        attendance = evidence_files.pdf()
        stored = await officer.evaluate("async (bytes) => ws.upload(new Blob([new Uint8Array(bytes)]), 'application/pdf', () => {})", list(attendance))
        assert stored["status"] == 201
        private_sha256 = stored["body"]["sha256"]
        training = {"submission_id": "kdn-private-1", "region_code": "73.71", "occurred_on": "2019-04-02", "session_id": "tot-1", "participants": 3}
        training["evidence"] = [{"sha256": private_sha256, "name": "daftar-hadir.pdf", "public": False}]
        named = await officer.evaluate("(json) => ws.api('POST', '/workspace/api/submissions/training.complete', { json })", training)
        assert named["status"] == 201, named
    finally:
        await other.close()

    await sign_in(page, workspace, "kominfo")
    # A field naming another ministry is refused, not obeyed.
    tampered = {"submission_id": "kominfo-as-kdn", "region_code": "32.73", "occurred_on": "2019-05-02", "ministry": "kemendagri"}
    answer = await page.evaluate("(json) => ws.api('POST', '/workspace/api/submissions/region.enroll', { json })", tampered)
    assert (answer["status"], answer["body"]["code"]) == (422, "invalid")
    # The address naming another ministry changes nothing: the enrolment is kominfo's.
    honest = {"submission_id": "kominfo-own", "region_code": "32.73", "occurred_on": "2019-05-02"}
    answer = await page.evaluate("(json) => ws.api('POST', '/workspace/api/submissions/region.enroll?ministry=kemendagri', { json })", honest)
    assert answer["status"] == 201
    assert (await workspace.http.get("/api/v1/regions/32.73")).json()["ministry"] == "kominfo"
    answer = await page.evaluate("() => ws.api('GET', '/workspace/api/outcomes/kdn-private-1')")
    assert (answer["status"], answer["body"]["code"]) == (404, "no_outcome")
    listed = await page.evaluate("() => ws.api('GET', '/workspace/api/outcomes?limit=200')")
    assert {o["submission_id"] for o in listed["body"]["outcomes"]} == {"kominfo-as-kdn", "kominfo-own"}
    # A cookie changed by hand is no session at all.
    cookies = await page.context.cookies()
    session = next(c for c in cookies if c["name"] == "ogi_session")
    await page.context.add_cookies([{**session, "value": session["value"][:-2] + ("AA" if not session["value"].endswith("AA") else "BB")}])
    answer = await page.evaluate("() => ws.api('GET', '/workspace/api/session')")
    assert (answer["status"], answer["body"]["code"]) == (401, "signed_out")

    # Kemendagri's private file: 404 from the indicators' API without kemendagri's token, and no workspace URL serves
    # it to someone not signed in (who may open what once signed in: tests/integration/test_workspace_claims.py).
    assert (await workspace.http.get(f"/api/v1/evidence/{private_sha256}")).status_code == 404
    async with httpx.AsyncClient(base_url=workspace.gateway_server.url) as gateway:
        for path in (f"/workspace/api/evidence/{private_sha256}", f"/workspace/{private_sha256}", f"/workspace/api/evidence?sha256={private_sha256}"):
            assert (await gateway.get(path)).status_code in (401, 404, 405), path


async def test_a_request_without_the_csrf_token_is_refused(workspace, page):
    await sign_in(page, workspace, "kemendagri")
    answer = await page.evaluate(
        """async () => {
             const response = await fetch('/workspace/api/submissions/region.enroll', { method: 'POST', headers: { 'Content-Type': 'application/json' },
               body: JSON.stringify({ submission_id: 'no-csrf', region_code: '73.71', occurred_on: '2019-03-01' }) });
             return { status: response.status, body: await response.json() };
           }"""
    )
    assert (answer["status"], answer["body"]["code"]) == (403, "csrf")


async def test_an_enrolment_by_keyboard_alone(workspace, page):
    await sign_in(page, workspace, "kemendagri")
    await page.goto(page.url.split("#")[0] + "#daftar")
    await page.locator("#main").focus()
    for _ in range(30):
        if await page.evaluate("document.activeElement.id") == "region-enroll-region_code":
            break
        await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "region-enroll-region_code"
    await page.keyboard.type("73.71")
    await page.keyboard.press("Tab")
    await page.keyboard.type("03012019")  # day and month in the order the browser's date field takes them
    assert await page.locator("#region-enroll-occurred_on").input_value() in ("2019-03-01", "2019-01-03")
    await page.keyboard.press("Enter")
    await expect(page.locator("#region-enroll-outcome")).to_contain_text("Diterima")


async def test_the_language_toggle_switches_every_visible_label(workspace, page):
    await sign_in(page, workspace, "kemendagri")
    await page.get_by_role("link", name="Pelatihan").click()
    await page.get_by_role("button", name="English").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("link", name="Training", exact=True)).to_be_visible()
    await expect(page.locator("#form-training-complete").get_by_label("Participants")).to_be_visible()
    untranslated = await page.evaluate(
        """() => [...document.querySelectorAll('[data-i18n]')]
             .filter((element) => element.checkVisibility() && element.textContent !== i18n.t(element.dataset.i18n))
             .map((element) => element.dataset.i18n)"""
    )
    assert untranslated == []
    indonesian = await page.evaluate(
        """() => [...document.querySelectorAll('[data-i18n]')]
             .filter((element) => element.checkVisibility() && WORDS.id[element.dataset.i18n] !== WORDS.en[element.dataset.i18n]
                                  && element.textContent === WORDS.id[element.dataset.i18n])
             .map((element) => element.dataset.i18n)"""
    )
    assert indonesian == []
    await page.get_by_role("button", name="Bahasa Indonesia").click()
    await expect(page.locator("html")).to_have_attribute("lang", "id")
    await expect(page.get_by_role("link", name="Pelatihan")).to_be_visible()


async def test_the_pages_have_no_serious_accessibility_violations_and_fit_a_phone(workspace, browser):
    # axe-core is put into the page as a script of its own, which the workspace's Content-Security-Policy forbids.
    context = await browser.new_context(bypass_csp=True, locale="id-ID")
    try:
        await _check_accessibility(workspace, await context.new_page())
    finally:
        await context.close()


async def _check_accessibility(workspace, page) -> None:
    found: list[str] = []

    async def check(views: list[str]) -> None:
        for width in (1280, 375):
            await page.set_viewport_size({"width": width, "height": 900})
            for language in ("id", "en"):
                for view in views:
                    await page.goto(f"{workspace.gateway_server.url}/workspace/?lang={language}#{view}")
                    await expect(page.locator("body")).to_have_attribute("data-ready", "true")
                    await expect(page.locator(f'[data-view="{view}"]')).to_be_visible()
                    if view == "pengajuan":
                        await expect(page.locator("#mine-summary")).not_to_have_text(re.compile(r"^$|Memuat|Loading"))
                    await expect(page.locator("html")).to_have_attribute("lang", language)
                    found.extend(await problems(page, f"{width}px {language} #{view}"))

    await check(["masuk"])
    await sign_in(page, workspace, "kemendagri")
    await check(VIEWS)
    assert not found, found
