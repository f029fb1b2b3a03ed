"""Claims in the workspace, in a real headless Chromium against the whole system on real ports: the secretariat
verifies a claim in two clicks with its PDF previewed beside it and returns another with a reason; the ministry
finds it under "Dikembalikan kepada Anda" with the reason and amends it with a new file; an observer disputes a
verified claim from its page. The queue, the returned list and the claim page have no serious accessibility
violations in either language, at 1280 and 375 px."""

import hashlib
import re

from playwright.async_api import expect

from shared.evidence_store import EvidenceStore
from shared.observers import ObserverRegistry
from tests import evidence_files
from tests.browser.accessibility import problems
from tests.browser.test_workspace import drop_file, sign_in
from tests.support import eventually, new_id

MAKASSAR, PAREPARE = "73.71", "73.72"
SLOW = 15_000  # ms: each of these waits on the gateway and the indicators service, on a machine that may be busy


async def trained(system, region: str, files: list[tuple[bytes, str, str, bool]]) -> str:
    """`region` enrolled and trained by Kemendagri, naming `files` (content, type, name, public): the claim's id."""
    kemendagri = system.ministry("kemendagri")
    assert (await kemendagri.enroll(region)).status == "accepted"
    evidence = []
    for content, media_type, name, public in files:
        await EvidenceStore(system.nc).put(content, media_type)
        evidence.append({"sha256": hashlib.sha256(content).hexdigest(), "name": name, "public": public})
    body = {"submission_id": new_id(), "region_code": region, "occurred_on": "2019-04-02", "session_id": new_id("tot"), "participants": 30}
    outcome = await kemendagri.submit("training.complete", body | {"evidence": evidence})
    assert outcome.status == "accepted", outcome
    await system.projected(outcome.event_seq)
    return outcome.event_id


async def in_state(system, claim: str, state: str) -> None:
    async def reached() -> bool:
        return (await system.http.get(f"/api/v1/claims/{claim}")).json()["state"] == state

    await eventually(reached)


async def test_the_secretariat_verifies_in_two_clicks_returns_with_a_reason_and_the_ministry_amends(workspace, page):
    await ObserverRegistry(workspace.nc).add("tii", "Transparency International Indonesia")
    attendance = evidence_files.pdf()
    first = await trained(workspace, MAKASSAR, [(attendance, evidence_files.PDF, "daftar hadir.pdf", False)])
    second = await trained(workspace, PAREPARE, [(evidence_files.png(), evidence_files.PNG, "foto.png", True)])
    served = []
    page.on("response", lambda response: served.append((response.url, response.status, response.headers.get("content-type"))))
    viewer = []  # Chromium's PDF viewer, loaded into the preview's frame
    page.on("request", lambda request: viewer.append(request.url) if request.url.startswith("chrome-extension://") else None)
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Refused" in message.text else None)

    # The secretariat lands on its queue: oldest first, the attendance list previewed in the page.
    await sign_in(page, workspace, "bappenas")
    await expect(page.get_by_role("link", name="Antrean verifikasi")).to_be_visible(timeout=SLOW)
    await expect(page.get_by_role("link", name="Pelatihan")).to_be_hidden(timeout=SLOW)
    cards = page.locator("#queue-list > li")
    await expect(cards).to_have_count(2, timeout=SLOW)
    await expect(cards.nth(0)).to_contain_text("Kota Makassar", timeout=SLOW)
    await expect(cards.nth(1)).to_contain_text("Kota Parepare", timeout=SLOW)
    pdf_url = f"/workspace/api/evidence/{hashlib.sha256(attendance).hexdigest()}"
    await expect(cards.nth(0).locator("iframe")).to_have_attribute("src", pdf_url, timeout=SLOW)
    await expect(cards.nth(1).locator("img")).to_have_attribute("alt", "foto.png", timeout=SLOW)
    await eventually(lambda: any(url.endswith(pdf_url) and status == 200 and kind == "application/pdf" for url, status, kind in served))
    await eventually(lambda: any("pdf_viewer" in url for url in viewer))

    # Two clicks: "Verifikasi", then the confirmation.
    await cards.nth(0).get_by_role("button", name="Verifikasi", exact=True).click()
    await cards.nth(0).get_by_role("button", name="Ya, verifikasi klaim ini").click()
    await expect(page.locator("#queue-outcome")).to_contain_text("Terverifikasi: Kota Makassar", timeout=SLOW)
    await expect(cards).to_have_count(1, timeout=SLOW)

    # Returning asks for the reason first.
    await cards.nth(0).get_by_role("button", name="Kembalikan", exact=True).click()
    await cards.nth(0).get_by_role("button", name="Kembalikan ke kementerian").click()
    await expect(cards.nth(0)).to_contain_text("Tuliskan alasannya.", timeout=SLOW)
    await cards.nth(0).get_by_label("Alasan pengembalian").fill("Foto tidak menunjukkan peserta; lampirkan daftar hadir.")
    await cards.nth(0).get_by_role("button", name="Kembalikan ke kementerian").click()
    await expect(page.locator("#queue-outcome")).to_contain_text("Dikembalikan ke kementerian: Kota Parepare", timeout=SLOW)
    await expect(cards).to_have_count(0, timeout=SLOW)
    await expect(page.locator("#queue-summary")).to_contain_text("Antrean kosong", timeout=SLOW)
    await in_state(workspace, first, "verified")
    await in_state(workspace, second, "returned")

    # The ministry sees it returned, with the reason, and amends it with a new file.
    await sign_in(page, workspace, "kemendagri")
    returned_link = page.get_by_role("link", name=re.compile(r"Dikembalikan kepada Anda \(1\)"))
    await expect(returned_link).to_be_visible(timeout=SLOW)
    await returned_link.click()
    card = page.locator(f"#claim-{second}")
    await expect(card).to_contain_text("Foto tidak menunjukkan peserta; lampirkan daftar hadir.", timeout=SLOW)
    await drop_file(page, f"#amend-{second}-evidence-drop", "daftar-hadir-parepare.pdf", evidence_files.pdf(), "application/pdf")
    await expect(card.locator(".files li")).to_contain_text("Terunggah", timeout=SLOW)
    await card.get_by_role("button", name="Kirim perbaikan").click()
    await expect(page.locator("#returned-outcome")).to_contain_text("Perbaikan terkirim: Kota Parepare", timeout=SLOW)
    await in_state(workspace, second, "pending")
    await expect(page.get_by_role("link", name=re.compile(r"Dikembalikan kepada Anda \(0\)"))).to_be_visible(timeout=SLOW)

    # An observer finds the verified claim in the list and disputes it from its page.
    await sign_in(page, workspace, "tii")
    await expect(page.locator('[data-view="klaim-daftar"]')).to_be_visible(timeout=SLOW)
    await page.get_by_label("Keadaan").select_option("verified")
    await page.locator("#claims-filter").get_by_role("button", name="Tampilkan").click()
    await expect(page.locator("#claims-list > li")).to_have_count(1, timeout=SLOW)
    await page.locator("#claims-list").get_by_role("link", name="Lihat riwayat klaim").click()
    await expect(page.locator("#claim-detail")).to_contain_text("Diverifikasi", timeout=SLOW)
    await expect(page.locator("#claim-detail iframe")).to_have_count(0, timeout=SLOW)  # the attendance list is not the observer's
    await page.get_by_label("Alasan keberatan").fill("Peserta yang hadir jauh lebih sedikit.")
    await page.locator("#dispute-form").get_by_role("button", name="Ajukan keberatan").click()
    await expect(page.locator("#claim-outcome")).to_contain_text("Keberatan tercatat", timeout=SLOW)
    await expect(page.locator("#claim-detail")).to_contain_text("Diajukan keberatan", timeout=SLOW)
    await in_state(workspace, first, "disputed")
    assert refused == [], refused


async def test_the_claims_views_have_no_serious_accessibility_violations_and_fit_a_phone(workspace, browser):
    await ObserverRegistry(workspace.nc).add("tii", "Transparency International Indonesia")
    pending = await trained(
        workspace,
        MAKASSAR,
        [(evidence_files.pdf(), evidence_files.PDF, "daftar hadir.pdf", False), (evidence_files.png(), evidence_files.PNG, "foto.png", True)],
    )
    returned = await trained(workspace, PAREPARE, [(evidence_files.jpeg(), evidence_files.JPEG, "foto.jpg", True)])
    body = {
        "submission_id": new_id(),
        "region_code": PAREPARE,
        "occurred_on": "2019-05-01",
        "claim_event_id": returned,
        "reason": "Daftar hadir tidak terbaca.",
    }
    assert (await workspace.ministry("bappenas").submit("claim.return", body)).status == "accepted"
    await in_state(workspace, returned, "returned")

    context = await browser.new_context(bypass_csp=True, locale="id-ID")  # axe-core is a script the CSP forbids
    page = await context.new_page()
    found: list[str] = []
    try:
        for organisation, view, ready in (
            ("bappenas", "antrean", "#queue-list > li"),
            ("kemendagri", "dikembalikan", "#returned-list > li"),
            ("tii", f"klaim?id={pending}", "#dispute-form"),
        ):
            await sign_in(page, workspace, organisation)
            for width in (1280, 375):
                await page.set_viewport_size({"width": width, "height": 900})
                for language in ("id", "en"):
                    await page.goto(f"{workspace.gateway_server.url}/workspace/?lang={language}#{view}")
                    await expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=SLOW)
                    await expect(page.locator(ready).first).to_be_visible(timeout=SLOW)
                    await expect(page.locator("html")).to_have_attribute("lang", language, timeout=SLOW)
                    # The previews' frames hold files, not the workspace's markup.
                    found.extend(await problems(page, f"{width}px {language} #{view}", frames=False))
    finally:
        await context.close()
    assert not found, found
