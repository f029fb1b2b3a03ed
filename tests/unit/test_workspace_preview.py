"""What an officer sees before sending: each row ready, rejected as the platform would, invalid, or repeated."""

import io

import openpyxl
import pytest

from services.gateway.workspace.preview import READ_CONCURRENCY, PreviewStatus, preview, result_xlsx, sending_order
from services.gateway.workspace.sheets import read_upload
from shared.contracts import events as ev
from shared.contracts.outcomes import Code, Outcome, Status
from tests.workspace_files import Histories, enrolled, filled_csv, kind_named, only, plan_submitted, recorded
from tests.workspace_report import BY_KEMENDAGRI, BY_KOMINFO, KEMENDAGRI, KOMINFO, PLANNED, good_rows, report_of_500


def recorded_so_far() -> Histories:
    return Histories(
        *[enrolled(region.code) for region in BY_KEMENDAGRI],
        *[enrolled(region.code, KOMINFO) for region in BY_KOMINFO],
        *[plan_submitted(region.code, "RA-2018") for region in PLANNED],
    )


def what_it_says(row_preview) -> tuple:
    match row_preview.status:
        case PreviewStatus.INVALID:
            [error] = row_preview.row.errors
            return ("invalid", error.column, error.message_id)
        case PreviewStatus.REJECTED:
            return ("rejected", row_preview.code)
    return (row_preview.status.value,)


async def test_a_filled_template_of_500_rows_flags_exactly_its_20_mistakes():
    assert sum(map(len, good_rows().values())) == 480
    rows, expected = report_of_500()
    assert len(expected) == 20
    data = only(rows)
    upload = read_upload(data, "laporan-juli.xlsx", KEMENDAGRI)
    assert upload.ok and len(upload.rows) == 500
    histories = recorded_so_far()

    previews = await preview(list(upload.rows), KEMENDAGRI, histories)

    assert [row_preview.row for row_preview in previews] == list(upload.rows)
    flagged = {(p.row.sheet, p.row.row_number): what_it_says(p) for p in previews if p.status is not PreviewStatus.READY}
    assert flagged == expected
    assert sum(p.status is PreviewStatus.READY for p in previews) == 480
    assert set(histories.reads.values()) == {1} and 1 < histories.most_at_once <= READ_CONCURRENCY
    again = read_upload(data, "laporan-juli (1).xlsx", KEMENDAGRI)
    assert [row.submission_id for row in again.rows] == [row.submission_id for row in upload.rows]


async def test_rows_are_decided_in_sending_order_each_accepted_one_counting_for_those_after_it():
    makassar = "73.71"
    data = filled_csv(
        [
            kind_named("region.withdraw") | {"region_code": makassar, "occurred_on": "2019-12-01", "reason": "Selesai"},
            kind_named("training.complete") | {"region_code": makassar, "occurred_on": "2019-04-10", "session_id": "S-1", "participants": 25},
            kind_named("plan.withdraw") | {"region_code": makassar, "occurred_on": "2019-10-01", "plan_id": "RA-1", "reason": "Diganti"},
            kind_named("plan.submit") | {"region_code": makassar, "occurred_on": "2019-06-01", "plan_id": "RA-1", "title": "Rencana", "sectors": "Sosial"},
            kind_named("region.enroll") | {"region_code": makassar, "occurred_on": "2019-03-05"},
            kind_named("region.enroll") | {"region_code": makassar, "occurred_on": "2019-03-06"},
        ]
    )
    rows = list(read_upload(data, "laporan.csv", KEMENDAGRI).rows)
    assert [row.kind for row in sending_order(rows)] == [
        "region.enroll",
        "region.enroll",
        "training.complete",
        "plan.submit",
        "plan.withdraw",
        "region.withdraw",
    ]
    previews = await preview(rows, KEMENDAGRI, Histories())
    assert [(p.row.row_number, p.status, p.code) for p in previews] == [
        (2, PreviewStatus.READY, None),
        (3, PreviewStatus.READY, None),
        (4, PreviewStatus.READY, None),
        (5, PreviewStatus.READY, None),
        (6, PreviewStatus.READY, None),
        (7, PreviewStatus.REJECTED, Code.ALREADY_ENROLLED),  # enrolled by the row above it
    ]
    assert previews[5].message == "Kota Makassar (73.71) is already enrolled by kemendagri"


@pytest.mark.parametrize("organisation", ["ksp", "bappenas", "tii"])
async def test_an_organisation_that_does_not_report_work_sees_every_valid_row_not_permitted(organisation):
    data = only({"training.complete": [{"region_code": "73.71", "occurred_on": "2019-04-10", "session_id": "S", "participants": 3}, {"region_code": "73.71"}]})
    previews = await preview(list(read_upload(data, "x.xlsx", organisation).rows), organisation, Histories(enrolled("73.71")))
    assert [(p.status, p.code) for p in previews] == [(PreviewStatus.REJECTED, Code.NOT_PERMITTED), (PreviewStatus.INVALID, None)]


async def test_a_row_sent_and_recorded_before_is_recognised_and_changes_nothing_twice():
    data = only(
        {
            "region.enroll": [{"region_code": "73.71", "occurred_on": "2019-03-05"}],
            "training.complete": [{"region_code": "73.71", "occurred_on": "2019-04-10", "session_id": "S", "participants": 3}],
        }
    )
    rows = list(read_upload(data, "x.xlsx", KEMENDAGRI).rows)
    earlier = recorded(ev.RegionEnrolled, "73.71", ev.RegionEnrolledData(), KEMENDAGRI, str(rows[0].submission_id))
    previews = await preview(rows, KEMENDAGRI, Histories(earlier))
    assert [p.status for p in previews] == [PreviewStatus.RECORDED, PreviewStatus.READY]
    assert previews[0].event_id == earlier.event_id


async def test_the_result_sheet_adds_what_became_of_each_row():
    training = {"region_code": "73.71", "occurred_on": "2019-04-10", "session_id": "S", "participants": 3}
    data = only(
        {
            "training.complete": [
                training,
                training | {"session_id": "S-2"},
                training | {"session_id": "S-3"},
                training | {"session_id": "S-4"},
                training | {"participants": 0},
                training | {"session_id": "S-4"},
                training | {"region_code": "73.72", "session_id": "S-5"},
            ]
        }
    )
    rows = list(read_upload(data, "x.xlsx", KEMENDAGRI).rows)
    previews = await preview(rows, KEMENDAGRI, Histories(enrolled("73.71")))

    def outcome(row, status, **fields):
        return Outcome(submission_id=row.submission_id, ministry="kemendagri", kind=row.kind, status=status, submission_seq=row.row_number, **fields)

    outcomes = {
        str(rows[0].submission_id): outcome(rows[0], Status.ACCEPTED, event_id="event-1", event_seq=7),
        str(rows[1].submission_id): outcome(rows[1], Status.DUPLICATE, event_id="event-0"),
        str(rows[2].submission_id): outcome(rows[2], Status.REJECTED, code=Code.NOT_ENROLLED, message="Kota Makassar (73.71) is not enrolled", errors=[]),
    }
    workbook = openpyxl.load_workbook(io.BytesIO(result_xlsx(previews, outcomes)))
    assert workbook.sheetnames == ["Pelatihan"]
    sheet = workbook["Pelatihan"]
    header = [cell.value for cell in sheet[1]]
    assert header[-5:] == ["ID pengajuan", "Hasil", "Kode", "Keterangan", "ID peristiwa"]
    results = [[cell.value for cell in sheet[row_number]][-5:] for row_number in range(2, 9)]
    assert [result[1:3] for result in results] == [
        ["diterima", "accepted"],
        ["duplikat", "duplicate"],
        ["ditolak", "not_enrolled"],
        ["belum dikirim", "ready"],
        ["tidak valid", "invalid"],
        ["duplikat", "duplicate_row"],
        ["belum dikirim", "not_enrolled"],
    ]
    assert results[0][0] == rows[0].submission_id and results[0][4] == "event-1"
    assert "belum terdaftar (atau sudah ditarik)" in str(results[2][3]) and "Kota Makassar (73.71) is not enrolled" in str(results[2][3])
    assert results[4][0] is None and str(results[4][3]).startswith("Jumlah peserta: Angka di luar rentang")


async def test_in_the_result_sheet_text_stays_text_even_when_it_looks_like_a_formula():
    planted = '=HYPERLINK("http://example.org", "klik")'
    training = kind_named("training.complete") | {"region_code": "73.71", "occurred_on": "2019-04-10", "session_id": "S", "participants": 3}
    rows = list(read_upload(filled_csv([training | {"note": planted}]), "x.csv", KEMENDAGRI).rows)
    sheet = openpyxl.load_workbook(io.BytesIO(result_xlsx(await preview(rows, KEMENDAGRI, Histories()), {})))["Data"]
    note = sheet.cell(2, [cell.value for cell in sheet[1]].index("Catatan") + 1)
    assert (note.value, note.data_type) == (planted, "s")
