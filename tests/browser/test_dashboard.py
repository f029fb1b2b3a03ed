"""The dashboard in a real headless Chromium, as the people who follow the action see it: the right counts,
live changes without a reload, Indonesian first and English on request, the state on a past day."""

import time

from playwright.async_api import expect

from shared.evidence_store import EvidenceStore
from tests import evidence_files
from tests.browser.accessibility import problems
from tests.dashboard_story import BANDUNG, MAKASSAR, MERAUKE, the_secretariat_decides, two_ministries_three_regions
from tests.support import new_id

LIVE = {
    "national.enrolled": "3",
    "national.trained": "2",
    "national.plans": "1",
    "kemendagri.enrolled": "1",
    "kemendagri.trained": "1",
    "kemendagri.plans": "1",
    "kominfo.enrolled": "2",
    "kominfo.trained": "1",
    "kominfo.plans": "0",
}
ON_30_JUNE_2019 = {
    "national.enrolled": "2",
    "national.trained": "2",
    "national.plans": "0",
    "kemendagri.enrolled": "1",
    "kemendagri.trained": "1",
    "kemendagri.plans": "0",
    "kominfo.enrolled": "1",
    "kominfo.trained": "1",
    "kominfo.plans": "0",
}


async def expect_counts(page, counts: dict[str, str]) -> None:
    for key, count in counts.items():
        await expect(page.locator(f'[data-indicator="{key}"]')).to_have_text(count)


async def test_the_page_shows_the_counts_and_each_regions_history(served, page):
    await two_ministries_three_regions(served)
    await page.goto(served.server.url + "/")
    await expect_counts(page, LIVE)
    await expect(page.locator("html")).to_have_attribute("lang", "id")
    card = page.locator("article.scope", has=page.locator('[data-indicator="national.enrolled"]'))
    await expect(card).to_contain_text("dari target 100")
    await expect(card).to_contain_text("3%")
    await expect(page.locator("#sectors")).to_contain_text("Kesehatan")

    # 2018 provinces by default: Merauke was in Papua (91); today it is in Papua Selatan (93).
    await expect(page.locator("#provinces")).to_contain_text("91 Papua")
    await page.get_by_label("Saat ini (38 provinsi)").check()
    await expect(page.locator("#provinces")).to_contain_text("93 Papua Selatan")

    # The keyboard reaches a province, opens it, and a region's history.
    province = page.get_by_role("button", name="73 Sulawesi Selatan")
    await province.focus()
    await page.keyboard.press("Enter")
    await expect(province).to_have_attribute("aria-expanded", "true")
    await page.get_by_role("button", name="Kota Makassar").click()
    dialog = page.locator("dialog#region")
    await expect(dialog).to_contain_text("Didaftarkan")
    await expect(dialog).to_contain_text("Pelatihan selesai")
    await expect(dialog).to_contain_text("Rencana aksi diajukan")
    await expect(dialog).to_contain_text("20 Agustus 2019")


async def test_an_event_published_over_nats_changes_the_numbers_without_a_reload(served, page):
    await two_ministries_three_regions(served)
    await page.goto(served.server.url + "/")
    await expect_counts(page, LIVE)
    await page.evaluate("window.sameDocument = true")
    await expect(page.locator("#connection")).to_contain_text("Langsung")

    kominfo = served.ministry("kominfo")
    sent = time.monotonic()
    await kominfo.submit_plan(BANDUNG, "ra-bandung", "2020-03-02")
    await expect(page.locator('[data-indicator="kominfo.plans"]')).to_have_text("1", timeout=5000)
    latency = time.monotonic() - sent
    await expect_counts(page, {**LIVE, "national.plans": "2", "kominfo.plans": "1"})
    assert latency < 1.0, f"the page showed the new plan {latency:.2f} s after it was submitted"
    print(f"submission to updated page: {latency * 1000:.0f} ms")

    # The HTTP side restarts; the page reconnects by itself and keeps following.
    await served.server.stop()
    await expect(page.locator("#connection")).to_contain_text("menyambung kembali")
    await served.server.start()
    await expect(page.locator("#connection")).to_contain_text("Langsung", timeout=10000)
    await served.ministry("kemendagri").train(MERAUKE, "2020-04-01")
    await expect(page.locator('[data-indicator="kominfo.trained"]')).to_have_text("2", timeout=5000)
    await expect(page.locator('[data-indicator="national.trained"]')).to_have_text("3")
    assert await page.evaluate("window.sameDocument") is True


async def test_a_page_following_live_reads_the_monthly_history_once_in_ten_seconds_not_after_every_event(served, page):
    """The history is the costliest answer of the service, and every open page used to ask for it again
    after each event; the counts above it move at once either way."""
    await two_ministries_three_regions(served)
    history_reads = []
    page.on("request", lambda request: history_reads.append(time.monotonic()) if "/api/v1/indicators/history" in request.url else None)
    await page.goto(served.server.url + "/")
    await expect_counts(page, LIVE)
    await served.ministry("kominfo").submit_plan(BANDUNG, "ra-bandung", "2020-03-02")
    await expect(page.locator('[data-indicator="kominfo.plans"]')).to_have_text("1")
    await served.ministry("kemendagri").train(MERAUKE, "2020-04-01")
    await expect(page.locator('[data-indicator="national.trained"]')).to_have_text("3")
    await expect(page.locator("#position")).to_contain_text("8")  # the reload after the last event is done
    elapsed = time.monotonic() - history_reads[0]
    assert 1 <= len(history_reads) <= 1 + elapsed // 10, f"{len(history_reads)} reads of the history in {elapsed:.1f} s"


async def test_one_click_switches_to_english_with_english_dates(served, page):
    await two_ministries_three_regions(served)
    await page.goto(served.server.url + "/?as_of=2019-06-30")
    await expect(page.locator("#connection")).to_contain_text("30 Juni 2019")
    await expect(page.locator("h1")).to_have_text("Memperluas Praktik Keterbukaan Pemerintah pada Level Pemerintah Daerah")

    await page.get_by_role("button", name="English").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("h1")).to_have_text("Expanding Open Government Practice to Local Governments")
    await expect(page.locator("#connection")).to_contain_text("30 June 2019")
    await expect(page.locator("#scopes")).to_contain_text("Enrolled")
    await expect_counts(page, ON_30_JUNE_2019)

    await page.reload()  # the choice stays
    await expect(page.locator("h1")).to_have_text("Expanding Open Government Practice to Local Governments")
    await page.get_by_role("button", name="Bahasa Indonesia").click()
    await expect(page.locator("#scopes")).to_contain_text("Terdaftar")


async def test_the_as_of_picker_shows_the_state_on_a_past_day(served, page):
    await two_ministries_three_regions(served)
    await page.goto(served.server.url + "/")
    await expect_counts(page, LIVE)

    await page.get_by_label("Kondisi per tanggal").fill("2019-06-30")
    await page.get_by_role("button", name="Tampilkan", exact=True).click()
    await expect_counts(page, ON_30_JUNE_2019)
    assert "as_of=2019-06-30" in page.url
    api = await served.counts(as_of="2019-06-30")
    assert {key: str(count) for key, count in api.items()} == ON_30_JUNE_2019

    # A past state does not move with live events; "Terkini" returns to now.
    await served.ministry("kominfo").train(MERAUKE, "2020-02-01")
    await page.get_by_role("button", name="Terkini").click()
    await expect_counts(page, {**LIVE, "national.trained": "3", "kominfo.trained": "2"})
    assert "as_of" not in page.url


async def test_a_phone_shows_everything_without_sideways_scrolling(served, page):
    await two_ministries_three_regions(served)
    await page.set_viewport_size({"width": 360, "height": 740})
    await page.goto(served.server.url + "/")
    await expect_counts(page, LIVE)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360


async def test_a_count_opens_the_regions_and_events_behind_it_by_keyboard(served, page):
    await two_ministries_three_regions(served)
    await page.goto(served.server.url + "/")
    await expect_counts(page, LIVE)
    count = page.locator('button.count-button:has([data-indicator="national.enrolled"])')
    await count.focus()
    await page.keyboard.press("Enter")
    dialog = page.locator("dialog#lineage")
    await expect(dialog).to_be_visible()
    await expect(page.locator("#lineage-title")).to_contain_text("3 kabupaten/kota")
    await expect(page.locator("#lineage-regions > li")).to_have_count(3)
    await expect(dialog).to_contain_text("Kota Makassar (73.71)")
    proof = dialog.get_by_role("link", name="bukti dalam catatan").first
    assert "/api/v1/log/proof/inclusion?seq=" in (await proof.get_attribute("href") or "")
    await page.keyboard.press("Escape")
    await expect(dialog).not_to_be_visible()

    await page.get_by_role("button", name="English").click()
    await page.locator('button.count-button:has([data-indicator="kominfo.trained"])').click()
    await expect(page.locator("#lineage-title")).to_contain_text("1 kabupaten/kota")
    await expect(page.locator("#lineage-regions")).to_contain_text("Kota Bandung (32.73)")
    await page.get_by_role("button", name="Kota Bandung (32.73)").click()
    await expect(page.locator("dialog#region")).to_be_visible()


async def test_a_regions_public_documents_download_from_its_page_and_private_ones_only_count(served, page):
    plan_document, attendance = evidence_files.pdf(), evidence_files.png()
    store = EvidenceStore(served.nc)
    public, _ = await store.put(plan_document, evidence_files.PDF)
    private, _ = await store.put(attendance, evidence_files.PNG)
    kemendagri = served.ministry("kemendagri")
    await kemendagri.enroll(MAKASSAR, "2019-01-10")
    trained = await kemendagri.submit(
        "training.complete",
        {
            "submission_id": new_id(),
            "region_code": MAKASSAR,
            "occurred_on": "2019-02-11",
            "session_id": "mks-1",
            "participants": 30,
            "evidence": [{"sha256": private.sha256, "name": "daftar-hadir-budi.png", "public": False}],
        },
    )
    planned = await kemendagri.submit(
        "plan.submit",
        {
            "submission_id": new_id(),
            "region_code": MAKASSAR,
            "occurred_on": "2019-08-20",
            "plan_id": "ra-makassar",
            "title": "Rencana aksi keterbukaan Kota Makassar",
            "sectors": ["kesehatan"],
            "evidence": [{"sha256": public.sha256, "name": "rencana-aksi-makassar.pdf", "public": True}],
        },
    )
    assert (trained.status, planned.status) == ("accepted", "accepted"), (trained, planned)
    await served.projected(planned.event_seq)

    await page.goto(served.server.url + "/")
    await page.get_by_role("button", name="73 Sulawesi Selatan").click()
    await page.get_by_role("button", name="Kota Makassar").click()
    dialog = page.locator("dialog#region")
    link = dialog.locator("#region-events").get_by_role("link", name="rencana-aksi-makassar.pdf")
    await expect(link).to_be_visible()
    async with page.expect_download() as download_info:
        await link.click()
    downloaded = await (await download_info.value).path()
    assert downloaded.read_bytes() == plan_document
    await expect(dialog).to_contain_text("1 berkas tertutup")
    claims = dialog.locator("#region-claims")  # each claim names its public files too, and counts its private ones
    await expect(claims.get_by_role("link", name="rencana-aksi-makassar.pdf")).to_have_attribute("href", f"/api/v1/evidence/{public.sha256}")
    await expect(claims).to_contain_text("1 berkas tertutup")
    await expect(dialog).not_to_contain_text("daftar-hadir-budi")


# After the secretariat verified Makassar's training and plan and returned Bandung's training.
VERIFIED = {
    "national.trained": "1",
    "national.plans": "1",
    "kemendagri.trained": "1",
    "kemendagri.plans": "1",
    "kominfo.trained": "0",
    "kominfo.plans": "0",
}


async def expect_verified(page, counts: dict[str, str]) -> None:
    for key, count in counts.items():
        await expect(page.locator(f'[data-verified="{key}"]')).to_have_text(count)


async def decided_story(system):
    claims = await two_ministries_three_regions(system)
    await the_secretariat_decides(system, claims)
    return claims


async def test_each_card_shows_reported_and_verified_side_by_side_and_the_gap_in_words(served, page):
    await decided_story(served)
    await page.goto(served.server.url + "/")
    await expect_counts(page, LIVE)
    await expect_verified(page, VERIFIED)
    national_trained = page.locator("dd", has=page.locator('[data-indicator="national.trained"]'))
    await expect(national_trained).to_contain_text("2 dilaporkan · 1 terverifikasi · 1 belum terverifikasi")
    await expect(national_trained.get_by_role("progressbar", name="Nasional · Terlatih · dilaporkan")).to_have_attribute("aria-valuenow", "2")
    await expect(national_trained.get_by_role("progressbar", name="Nasional · Terlatih · terverifikasi")).to_have_attribute("aria-valuenow", "1")
    assert await page.locator('dd:has([data-indicator="national.enrolled"]) .bar').count() == 1  # an enrolment is no claim

    # Kominfo trains Merauke, then the secretariat verifies it: each number moves without a reload.
    outcome = await served.ministry("kominfo").train(MERAUKE, "2020-02-01")
    await expect(page.locator('[data-indicator="kominfo.trained"]')).to_have_text("2", timeout=5000)
    await expect(page.locator('[data-verified="kominfo.trained"]')).to_have_text("0")
    verified = await served.ministry("bappenas").submit(
        "claim.verify", {"submission_id": new_id(), "region_code": MERAUKE, "occurred_on": "2020-03-01", "claim_event_id": outcome.event_id}
    )
    assert verified.status == "accepted", verified
    await expect(page.locator('[data-verified="kominfo.trained"]')).to_have_text("1", timeout=5000)
    await expect(page.locator('[data-verified="national.trained"]')).to_have_text("2")

    await page.get_by_role("button", name="English").click()
    await expect(national_trained).to_contain_text("3 reported · 2 verified · 1 not yet verified")


async def test_a_verified_count_opens_the_claims_and_the_secretariats_decisions_behind_it(served, page):
    await decided_story(served)
    await page.goto(served.server.url + "/")
    await expect_verified(page, VERIFIED)
    await page.locator('button.verified-button:has([data-verified="national.trained"])').click()
    dialog = page.locator("dialog#lineage")
    await expect(page.locator("#lineage-title")).to_contain_text("Terlatih terverifikasi · Nasional: 1 kabupaten/kota")
    await expect(page.locator("#lineage-regions > li")).to_have_count(1)
    await expect(dialog).to_contain_text("Kota Makassar (73.71)")
    claim, decision = dialog.get_by_role("link", name="klaim: peristiwa"), dialog.get_by_role("link", name="keputusan sekretariat: peristiwa")
    decided = await served.http.get(await decision.get_attribute("href") or "")
    assert decided.json()["event_type"] == "ClaimVerified", decided.text
    assert decided.json()["data"]["claim_event_id"] == (await claim.get_attribute("href") or "").rsplit("/", 1)[-1]
    assert "verified=true" in (await page.locator("#lineage-csv").get_attribute("href") or "")


async def test_the_timeline_draws_a_verified_line_beside_each_reported_one(served, page):
    await decided_story(served)
    await page.goto(served.server.url + "/")
    await expect_verified(page, VERIFIED)
    charts = page.locator("#charts svg")
    await expect(charts).to_have_count(3)
    trained = charts.nth(1)
    for scope in ("national", "kemendagri", "kominfo"):
        await expect(trained.locator(f'path[data-line="{scope}.verified"]')).to_have_count(1)
        await expect(trained.locator(f'path[data-line="{scope}.count"]')).to_have_count(1)
    assert await charts.nth(0).locator('path[data-line$=".verified"]').count() == 0  # enrolled: nothing to verify
    label = await trained.get_attribute("aria-label") or ""
    assert "2 nasional (1 terverifikasi)" in label and "1 Kominfo (0 terverifikasi)" in label, label
    await expect(page.locator(".legend")).to_contain_text("Terverifikasi")


async def test_a_regions_page_lists_its_claims_states_and_each_claims_history(served, page):
    await decided_story(served)
    await page.goto(served.server.url + "/?region=" + MAKASSAR)
    dialog = page.locator("dialog#region")
    claims = dialog.locator("#region-claims > li")
    await expect(claims).to_have_count(2)
    await expect(claims.nth(0)).to_contain_text("Pelatihan")
    await expect(claims.nth(0).locator(".claim-state")).to_have_text("terverifikasi")
    await expect(claims.nth(1)).to_contain_text("Rencana aksi ra-makassar")
    summary = claims.nth(0).locator("summary")
    await summary.focus()
    await page.keyboard.press("Enter")
    history = claims.nth(0).locator(".claim-history")
    await expect(history).to_contain_text("Diverifikasi")
    await expect(history).to_contain_text("oleh Sekretariat OGI (Bappenas)")
    await expect(history).to_contain_text("15 Agustus 2018")
    await expect(history).to_contain_text("Catatan: daftar hadir lengkap")
    assert "/api/v1/events/" in (await history.get_by_role("link").first.get_attribute("href") or "")

    await page.goto(served.server.url + "/?region=" + BANDUNG)
    bandung = page.locator("dialog#region #region-claims > li")
    await expect(bandung.locator(".claim-state")).to_have_text("dikembalikan")
    await bandung.locator("summary").click()
    await expect(bandung.locator(".claim-history")).to_contain_text("Alasan: daftar hadir tidak terbaca")
    await page.goto(served.server.url + "/?lang=en&region=" + BANDUNG)
    await expect(page.locator("#region-claims .claim-state")).to_have_text("returned")


async def test_a_past_day_shows_the_verified_counts_of_that_day(served, page):
    await decided_story(served)
    await page.goto(served.server.url + "/?as_of=2018-07-31")
    await expect(page.locator('[data-indicator="national.trained"]')).to_have_text("1")
    await expect_verified(page, {"national.trained": "0", "kemendagri.trained": "0"})
    await page.goto(served.server.url + "/?as_of=2019-06-30")
    await expect_counts(page, ON_30_JUNE_2019)
    await expect_verified(page, {"national.trained": "1", "kemendagri.trained": "1", "kominfo.trained": "0", "national.plans": "0"})
    await page.locator('button.verified-button:has([data-verified="national.trained"])').click()
    assert "as_of=2019-06-30" in (await page.locator("#lineage-csv").get_attribute("href") or "")


async def test_the_dashboard_with_a_claims_history_open_has_no_serious_accessibility_violations(served, browser):
    await decided_story(served)
    context = await browser.new_context(bypass_csp=True, locale="id-ID")
    page = await context.new_page()
    found = []
    try:
        for width in (1280, 375):
            for language in ("id", "en"):
                await page.set_viewport_size({"width": width, "height": 900})
                await page.goto(f"{served.server.url}/?lang={language}&region={MAKASSAR}")
                await expect(page.locator('[data-verified="national.trained"]')).to_have_text("1")
                await page.locator("#region-claims summary").first.click()
                await expect(page.locator(".claim-history li").first).to_be_visible()
                found.extend(await problems(page, f"{width}px {language}"))
    finally:
        await context.close()
    assert not found, found
