"""An officer imports a month of reporting from a spreadsheet over the workspace's HTTP API, against the whole
system: the template downloaded and filled, the preview naming exactly the mistakes, the ready rows sent in
batches, the same file uploaded again sending nothing, and the result sheet; and what is refused."""

import asyncio
import io
import time

import httpx
import openpyxl
import pytest

from bench.sheet_preview import workbook as bench_workbook
from services.gateway.workspace.imports import MAX_BATCH
from services.gateway.workspace.sheets import MAX_FILE_BYTES, read_upload
from shared import subjects
from shared.contracts.events import decode_event
from tests.support import eventually
from tests.workspace import active_person, gateway_beside
from tests.workspace_files import only
from tests.workspace_report import BY_KEMENDAGRI, BY_KOMINFO, PLANNED, report_of_500

BASE = "http://gateway"
FINAL = {"accepted", "rejected", "duplicate"}


class Importer(httpx.AsyncClient):
    csrf: str = ""

    async def sign_in_as(self, system, organisation: str) -> str:
        person, password = await active_person(system.nc, organisation)
        response = await self.post("/workspace/api/session", json={"email": person.email, "password": password})
        assert response.status_code == 200, response.text
        self.csrf = response.json()["csrf"]
        return person.id

    async def call(self, step: str, data: bytes, name: str = "laporan-juli.xlsx", **params) -> httpx.Response:
        return await self.post(f"/workspace/api/import/{step}", content=data, params={"name": name, **params}, headers={"X-CSRF-Token": self.csrf})

    async def preview(self, data: bytes) -> dict:
        response = await self.call("preview", data)
        assert response.status_code == 200, response.text
        return response.json()

    async def send_all(self, data: bytes, submission_ids: list[str]) -> dict[str, dict]:
        """Every named row sent, batch after batch as the page does: a row whose outcome is pending is asked for
        until it comes, a row held back behind it is named again."""
        answers: dict[str, dict] = {}
        waiting = list(submission_ids)
        while waiting:
            response = await self.call("submit", data, id=waiting[:MAX_BATCH])
            assert response.status_code == 200, response.text
            assert response.json()["not_in_file"] == []
            for row in response.json()["rows"]:
                if row["status"] == "pending":
                    answers[row["submission_id"]] = await self.outcome(row["submission_id"])
                elif row["status"] != "queued":
                    answers[row["submission_id"]] = row
            waiting = [submission_id for submission_id in waiting if submission_id not in answers]
        return answers

    async def outcome(self, submission_id: str) -> dict:
        async def answered() -> dict | None:
            response = await self.get(f"/workspace/api/outcomes/{submission_id}")
            return response.json() | {"sent": True} if response.status_code == 200 else None

        return await eventually(answered)


@pytest.fixture
async def gateway(sqlite_system):
    async with gateway_beside(sqlite_system, outcome_wait_seconds=15) as system:
        yield system


def client(system) -> Importer:
    return Importer(transport=httpx.ASGITransport(app=system.gateway.http), base_url=BASE)


async def record_what_came_before(system) -> None:
    kemendagri, kominfo = system.ministry("kemendagri"), system.ministry("kominfo")
    outcomes = await asyncio.gather(
        *[kemendagri.enroll(region.code, "2018-06-01") for region in BY_KEMENDAGRI], *[kominfo.enroll(region.code, "2018-06-01") for region in BY_KOMINFO]
    )
    outcomes += await asyncio.gather(*[kemendagri.submit_plan(region.code, "RA-2018", "2018-07-01") for region in PLANNED])
    assert {outcome.status for outcome in outcomes} == {"accepted"}


def what_it_says(row: dict) -> tuple:
    match row["status"]:
        case "invalid":
            [error] = row["errors"]
            return ("invalid", error["column"], error["message_id"])
        case "rejected":
            return ("rejected", row["code"])
    return (row["status"],)


async def inbox_messages(system) -> int:
    return (await system.nc.jetstream().stream_info(subjects.INBOX_STREAM)).state.messages


async def test_a_filled_template_previews_its_20_mistakes_sends_the_rest_once_and_gives_the_result_sheet(gateway):
    await record_what_came_before(gateway)
    async with client(gateway) as anyone:
        template = await anyone.get("/workspace/template.xlsx")
    assert template.status_code == 200
    assert template.headers["content-disposition"] == 'attachment; filename="templat-ogi-tracker.xlsx"'
    rows, expected = report_of_500()
    data = only(rows, template.content)

    async with client(gateway) as officer:
        person = await officer.sign_in_as(gateway, "kemendagri")
        previewed = await officer.preview(data)
        assert previewed["total"] == 500 and previewed["counts"]["ready"] == 480
        flagged = {(row["sheet"], row["row_number"]): what_it_says(row) for row in previewed["rows"] if row["status"] != "ready"}
        assert flagged == {where: tuple(str(part) for part in what) for where, what in expected.items()}
        assert [row["status"] != "ready" for row in previewed["rows"]] == [True] * 20 + [False] * 480, "rows with problems come first"
        ready = [row["submission_id"] for row in sorted(previewed["rows"], key=lambda row: row["order"]) if row["status"] == "ready"]

        before = await inbox_messages(gateway)
        answers = await officer.send_all(data, ready)
        assert {answer["status"] for answer in answers.values()} == {"accepted"}, [a for a in answers.values() if a["status"] != "accepted"][:3]
        assert await inbox_messages(gateway) == before + 480
        for answer in list(answers.values())[::20]:
            event = decode_event((await gateway.nc.jetstream().get_msg(subjects.EVENTS_STREAM, seq=answer["event_seq"])).data)
            assert event.submitted_by == person

        again = await officer.preview(data)
        assert again["counts"]["recorded"] == 480 and again["counts"].get("ready", 0) == 0
        resent = await officer.send_all(data, ready)
        assert {(answer["sent"], answer["status"]) for answer in resent.values()} == {(False, "recorded")}
        assert await inbox_messages(gateway) == before + 480, "the same file again sends nothing"

        result = await officer.call("result", data)
    assert result.status_code == 200
    assert result.headers["content-disposition"] == 'attachment; filename="hasil-laporan-juli.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(result.content))
    outcomes: dict[tuple[str, int], object] = {}
    for sheet in workbook:
        header = [cell.value for cell in sheet[1]]
        for row_number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            outcomes[(sheet.title, row_number)] = values[header.index("Hasil")]
    assert len(outcomes) == 500
    assert {where: result for where, result in outcomes.items() if result != "diterima"} == {
        where: {"invalid": "tidak valid", "rejected": "belum dikirim", "duplicate_row": "duplikat"}[what[0]] for where, what in expected.items()
    }


async def test_a_row_rejected_when_sent_before_is_not_sent_again_even_when_it_would_now_be_accepted(gateway):
    training = {"region_code": "73.71", "occurred_on": "2019-04-10", "session_id": "MKS-1", "participants": 30}
    data = only({"training.complete": [training]})
    kemendagri = gateway.ministry("kemendagri")
    async with client(gateway) as officer:
        await officer.sign_in_as(gateway, "kemendagri")
        [row] = (await officer.preview(data))["rows"]
        assert (row["status"], row["code"]) == ("rejected", "not_enrolled")
        [sheet_row] = read_upload(data, "x.xlsx", "kemendagri").rows
        assert sheet_row.body is not None and sheet_row.submission_id == row["submission_id"]
        assert (await kemendagri.submit("training.complete", sheet_row.body)).code == "not_enrolled"
        assert (await kemendagri.enroll("73.71")).status == "accepted"

        [row] = (await officer.preview(data))["rows"]
        assert (row["status"], row["message_id"], row["code"]) == ("sent_before", "sent_before", "not_enrolled")
        before = await inbox_messages(gateway)
        [answer] = (await officer.call("submit", data, id=[row["submission_id"]])).json()["rows"]
        assert (answer["sent"], answer["status"]) == (False, "sent_before")
        assert await inbox_messages(gateway) == before


async def test_a_read_only_organisation_previews_every_row_as_not_permitted_and_sends_nothing(gateway):
    rows, _ = report_of_500()
    data = only({"training.complete": rows["training.complete"][:10]})
    async with client(gateway) as officer:
        await officer.sign_in_as(gateway, "ksp")
        previewed = await officer.preview(data)
        assert {(row["status"], row["code"]) for row in previewed["rows"]} == {("rejected", "not_permitted")}
        refused = await officer.call("submit", data, id=[previewed["rows"][0]["submission_id"]])
    assert refused.status_code == 403 and refused.json()["code"] == "not_permitted"
    assert await inbox_messages(gateway) == 0


async def test_what_is_refused_and_how(gateway):
    async with client(gateway) as anyone:
        csv_template = await anyone.get("/workspace/template.csv", params={"delimiter": ";"})
        unsigned = await anyone.post("/workspace/api/import/preview", content=b"x")
    assert csv_template.status_code == 200 and csv_template.headers["content-disposition"] == 'attachment; filename="templat-ogi-tracker.csv"'
    assert csv_template.text.lstrip("\ufeff").startswith("Jenis;")
    assert unsigned.status_code == 401 and unsigned.json()["code"] == "signed_out"
    data = only({"region.enroll": [{"region_code": "73.71", "occurred_on": "2019-03-01"}]})
    async with client(gateway) as officer:
        await officer.sign_in_as(gateway, "kemendagri")
        token, officer.csrf = officer.csrf, ""
        for step in ("preview", "submit", "result"):
            refused = await officer.call(step, data, id=["x"])
            assert refused.status_code == 403 and refused.json()["code"] == "csrf", step
        officer.csrf = token

        garbage = await officer.call("preview", bytes(range(256)) * 4, name="foto.jpg")
        assert garbage.status_code == 422
        assert garbage.json()["code"] == "not_a_spreadsheet" and garbage.json()["errors"][0]["message_id"] == "not_a_spreadsheet"
        too_large = await officer.call("preview", b"a" * (MAX_FILE_BYTES + 1))
        assert too_large.status_code == 413 and too_large.json()["code"] == "too_large"
        for ids in ([], ["a"] * 51, ["not an id"]):
            refused = await officer.call("submit", data, id=ids)
            assert refused.status_code == 400 and refused.json()["code"] == "invalid_parameter", ids
        unknown = await officer.call("submit", data, id=["not-in-this-file"])
        assert unknown.json() == {"rows": [], "not_in_file": ["not-in-this-file"]}
    assert await inbox_messages(gateway) == 0


async def test_the_time_a_2000_row_workbook_takes_to_preview_over_http(gateway, figures):
    data = bench_workbook(2_000)
    async with client(gateway) as officer:
        await officer.sign_in_as(gateway, "kemendagri")
        started = time.perf_counter()
        previewed = await officer.preview(data)
        took = time.perf_counter() - started
    assert previewed["total"] == 2_000
    figures.append(f"previewing a 2,000-row workbook ({len(data) // 1024} KiB) over HTTP against the event store: {took:.2f} s")
