"""An officer imports a spreadsheet in a real Chromium: the template downloaded from the page, filled, uploaded,
its mistakes shown on their cells, the rest sent with a progress bar, the result sheet downloaded; the same file
again has nothing to send. And the import view is accessible, in both languages, on a desk and on a phone."""

import io
from pathlib import Path

import openpyxl
from playwright.async_api import expect

from tests.browser.accessibility import problems
from tests.browser.test_workspace import sign_in
from tests.workspace_files import only

MAKASSAR, PAREPARE, PALOPO, GOWA, MAROS = "73.71", "73.72", "73.73", "73.06", "73.09"


def july(template: bytes) -> bytes:
    """12 rows, 3 of them wrong: an unknown region, no participants, a plan for a region never enrolled."""
    regions = [MAKASSAR, PAREPARE, PALOPO, GOWA]
    return only(
        {
            "region.enroll": [{"region_code": code, "occurred_on": "2019-07-01"} for code in regions] + [{"region_code": "99.99", "occurred_on": "2019-07-01"}],
            "training.complete": [{"region_code": code, "occurred_on": "2019-07-10", "session_id": f"S-{code}", "participants": 20} for code in regions]
            + [{"region_code": MAKASSAR, "occurred_on": "2019-07-11", "session_id": "S-0", "participants": 0}],
            "plan.submit": [
                {"region_code": MAKASSAR, "occurred_on": "2019-07-15", "plan_id": "RA-MKS", "title": "Rencana aksi", "sectors": "Kesehatan"},
                {"region_code": MAROS, "occurred_on": "2019-07-15", "plan_id": "RA-MRS", "title": "Rencana aksi", "sectors": "Sosial"},
            ],
        },
        template,
    )


async def download(page, link) -> bytes:
    async with page.expect_download() as started:
        await link.click()
    return Path(await (await started.value).path()).read_bytes()


async def upload(page, path: Path) -> None:
    await page.locator("#import-file").set_input_files(path)
    await expect(page.locator("#import-rows")).to_be_visible()


async def test_an_officer_imports_a_month_sees_the_three_mistakes_sends_the_rest_and_downloads_the_result(workspace, page, tmp_path):
    await sign_in(page, workspace, "kemendagri")
    await page.get_by_role("link", name="Unggah lembar kerja").click()
    template = await download(page, page.get_by_role("link", name="Templat Excel (.xlsx)"))
    path = tmp_path / "laporan-juli.xlsx"
    path.write_bytes(july(template))

    await upload(page, path)
    await expect(page.locator("#import-status")).to_contain_text("laporan-juli.xlsx: 12 baris")
    rows = page.locator("#import-rows tbody tr")
    await expect(rows).to_have_count(12)
    problems = page.locator("#import-rows tbody tr:not([data-status=ready])")
    await expect(problems.locator("th")).to_have_text(["Pendaftaran, baris 6", "Pelatihan, baris 6", "Rencana Aksi, baris 3"])
    await expect(problems.nth(0).locator("dd.cell-error")).to_have_attribute("data-column", "region_code")
    await expect(problems.nth(0).locator("dt.cell-error")).to_have_text("Kode daerah")
    await expect(problems.nth(1).locator("dd.cell-error")).to_have_attribute("data-column", "participants")
    await expect(problems.nth(1).locator("dt.cell-error")).to_have_text("Jumlah peserta")
    await expect(problems.nth(2)).to_contain_text("Akan ditolak")
    await expect(problems.nth(2)).to_contain_text("not_enrolled")

    await page.get_by_role("button", name="Kirim 9 baris yang siap").click()
    await expect(page.locator("#import-done")).to_contain_text("9 diterima, 0 ditolak")
    await expect(page.locator("#import-progress")).to_have_attribute("value", "9")
    await expect(page.locator("#import-rows tr[data-status=ready] .row-outcome")).to_have_text(["Diterima"] * 9)

    result = openpyxl.load_workbook(io.BytesIO(await download(page, page.get_by_role("button", name="Unduh hasil"))))
    outcomes = {}
    for sheet in result:
        header = [cell.value for cell in sheet[1]]
        for row_number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            outcomes[(sheet.title, row_number)] = str(values[header.index("Hasil")])
    assert sorted(outcomes.values()) == ["belum dikirim"] + ["diterima"] * 9 + ["tidak valid"] * 2
    assert outcomes[("Rencana Aksi", 3)] == "belum dikirim"

    await upload(page, path)
    await expect(page.locator("#import-send")).to_contain_text("Tidak ada baris yang perlu dikirim.")
    await expect(page.locator("#import-rows tbody tr[data-status=recorded]")).to_have_count(9)


async def test_the_import_view_is_accessible_in_both_languages_on_a_desk_and_a_phone(workspace, browser, tmp_path):
    # axe-core is put into the page as a script of its own, which the workspace's Content-Security-Policy forbids.
    context = await browser.new_context(bypass_csp=True, locale="id-ID")
    page = await context.new_page()
    try:
        await sign_in(page, workspace, "kemendagri")
        await page.goto(f"{workspace.gateway_server.url}/workspace/#impor")
        template = await download(page, page.locator("#template-xlsx"))
        path = tmp_path / "laporan.xlsx"
        path.write_bytes(july(template))
        await page.locator("#template-csv").focus()
        await page.keyboard.press("Tab")
        await expect(page.locator("#import-file")).to_be_focused()

        found: list[str] = []
        for width in (1280, 375):
            await page.set_viewport_size({"width": width, "height": 900})
            for language in ("id", "en"):
                await page.goto(f"{workspace.gateway_server.url}/workspace/?lang={language}#impor")
                await expect(page.locator("body")).to_have_attribute("data-ready", "true")
                await upload(page, path)
                found.extend(await problems(page, f"{width}px {language} #impor"))
        assert not found, found
    finally:
        await context.close()
