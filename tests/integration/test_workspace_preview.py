"""An officer's upload previewed against the real event store: what the preview says is what sending does."""

import io

import openpyxl

from services.gateway.workspace.preview import PreviewStatus, preview, result_xlsx, sending_order
from services.gateway.workspace.sheets import read_upload
from shared import subjects
from shared.contracts.outcomes import Code, Outcome
from shared.eventstore import EventStore, History
from tests.workspace_files import only

MAKASSAR, PAREPARE, PALOPO, GOWA = "73.71", "73.72", "73.73", "73.06"


def july_report() -> bytes:
    return only(
        {
            "region.enroll": [
                {"region_code": MAKASSAR, "occurred_on": "2019-07-01"},
                {"region_code": "Kota Parepare", "occurred_on": "01/07/2019", "ppid_established": "ya"},
            ],
            "training.complete": [
                {"region_code": PAREPARE, "occurred_on": "2019-07-10", "session_id": "PRE-1", "participants": 30},
                {"region_code": "Kota Palopo", "occurred_on": "2019-07-11", "session_id": "PLP-1", "participants": 12},
                {"region_code": GOWA, "occurred_on": "2019-07-12", "session_id": "GWA-1", "participants": 25.0},
                {"region_code": GOWA, "occurred_on": "2019-07-12", "session_id": "GWA-2", "participants": 0},
            ],
            "plan.submit": [
                {"region_code": MAKASSAR, "occurred_on": "2019-07-15", "plan_id": "MKS-RA-2019", "title": "Rencana aksi", "sectors": "Kesehatan"},
                {"region_code": MAKASSAR, "occurred_on": "2019-07-15", "plan_id": "MKS-RA-2020", "title": "Rencana aksi baru", "sectors": "Pendidikan, Sosial"},
            ],
            "plan.withdraw": [{"region_code": MAKASSAR, "occurred_on": "2019-07-20", "plan_id": "MKS-RA-2019", "reason": "Diganti MKS-RA-2020"}],
            "region.withdraw": [
                {"region_code": GOWA, "occurred_on": "2019-07-31", "reason": "Program berakhir"},
                {"region_code": PAREPARE, "occurred_on": "2019-07-31", "reason": "Program berakhir"},
            ],
        }
    )


async def test_the_preview_of_a_report_is_what_sending_it_does_and_sending_it_again_records_nothing_twice(sqlite_system):
    kemendagri, kominfo = sqlite_system.ministry("kemendagri"), sqlite_system.ministry("kominfo")
    assert (await kemendagri.enroll(MAKASSAR)).status == "accepted"
    assert (await kemendagri.submit_plan(MAKASSAR, "MKS-RA-2019")).status == "accepted"
    assert (await kominfo.enroll(GOWA)).status == "accepted"
    store = EventStore(sqlite_system.nc)

    async def region_history(region_code: str) -> History:
        return await store.read(subjects.region_history(region_code))

    upload = read_upload(july_report(), "laporan-juli.xlsx", "kemendagri")
    assert upload.ok
    previews = await preview(list(upload.rows), "kemendagri", region_history)

    assert [(p.row.sheet, p.row.row_number, p.status, p.code) for p in previews] == [
        ("Pendaftaran", 2, PreviewStatus.REJECTED, Code.ALREADY_ENROLLED),
        ("Pendaftaran", 3, PreviewStatus.READY, None),
        ("Pelatihan", 2, PreviewStatus.READY, None),  # Parepare is enrolled two rows up
        ("Pelatihan", 3, PreviewStatus.REJECTED, Code.NOT_ENROLLED),
        ("Pelatihan", 4, PreviewStatus.READY, None),  # Gowa is Kominfo's: either ministry reports its trainings
        ("Pelatihan", 5, PreviewStatus.INVALID, None),
        ("Rencana Aksi", 2, PreviewStatus.REJECTED, Code.PLAN_EXISTS),
        ("Rencana Aksi", 3, PreviewStatus.READY, None),
        ("Penarikan Rencana", 2, PreviewStatus.READY, None),
        ("Penarikan Daerah", 2, PreviewStatus.REJECTED, Code.NOT_PERMITTED),  # only Kominfo withdraws Gowa
        ("Penarikan Daerah", 3, PreviewStatus.READY, None),  # after its training
    ]

    outcomes: dict[str, Outcome] = {}
    for row in sending_order(row for row in upload.rows if row.body is not None):
        assert row.body is not None and row.kind is not None and row.submission_id is not None
        outcomes[row.submission_id] = await kemendagri.submit(row.kind, row.body)
    for row_preview in previews:
        if row_preview.status in (PreviewStatus.READY, PreviewStatus.REJECTED):
            outcome = outcomes[str(row_preview.row.submission_id)]
            expected = ("accepted", None) if row_preview.status is PreviewStatus.READY else ("rejected", row_preview.code)
            assert (outcome.status, outcome.code) == expected, row_preview

    sheet = openpyxl.load_workbook(io.BytesIO(result_xlsx(previews, outcomes)))["Pelatihan"]
    assert [[cell.value for cell in row][-4:-2] for row in sheet.iter_rows(min_row=2, max_row=5)] == [
        ["diterima", "accepted"],
        ["ditolak", "not_enrolled"],
        ["diterima", "accepted"],
        ["tidak valid", "invalid"],
    ]
    accepted_event = sheet.cell(2, sheet.max_column).value
    assert accepted_event == outcomes[str(upload.rows[2].submission_id)].event_id

    again = await preview(list(read_upload(july_report(), "laporan-juli (1).xlsx", "kemendagri").rows), "kemendagri", region_history)
    assert [p.status for p in again if p.status is not PreviewStatus.INVALID] == [
        PreviewStatus.REJECTED,
        PreviewStatus.RECORDED,
        PreviewStatus.RECORDED,
        PreviewStatus.REJECTED,
        PreviewStatus.RECORDED,
        PreviewStatus.REJECTED,
        PreviewStatus.RECORDED,
        PreviewStatus.RECORDED,
        PreviewStatus.REJECTED,
        PreviewStatus.RECORDED,
    ]
    assert {p.event_id for p in again if p.status is PreviewStatus.RECORDED} == {o.event_id for o in outcomes.values() if o.status == "accepted"}
