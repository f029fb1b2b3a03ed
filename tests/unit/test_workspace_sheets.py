"""An officer's spreadsheet: the template, and what reading a filled one gives, cell by cell or as a refusal."""

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.gateway import workspace
from services.gateway.workspace.columns import COLUMN, SHEETS
from services.gateway.workspace.explanations import EXPLANATIONS
from services.gateway.workspace.sheets import MAX_ROWS, read_upload, template_csv, template_xlsx
from shared import subjects
from shared.contracts.outcomes import Code
from shared.contracts.submissions import IDENTIFIER_PATTERN, SUBMISSION_MODELS
from tests.workspace_files import filled_csv, kind_named, only

KEMENDAGRI = "kemendagri"
SHEET_NAMES = ["Petunjuk", "Pendaftaran", "Pelatihan", "Rencana Aksi", "Penarikan Rencana", "Penarikan Daerah"]
TEMPLATE_BODIES = {
    "region.enroll": {
        "region_code": "73.71",
        "occurred_on": "2019-03-05",
        "commitment_letter_on": "2019-02-20",
        "ppid_established": True,
        "note": "Contoh: ganti baris ini dengan kegiatan Anda",
    },
    "training.complete": {"region_code": "73.71", "occurred_on": "2019-04-10", "session_id": "MKS-2019-01", "participants": 25},
    "plan.submit": {
        "region_code": "73.71",
        "occurred_on": "2019-06-03",
        "plan_id": "MKS-RA-2019",
        "title": "Rencana aksi keterbukaan informasi publik Kota Makassar",
        "sectors": ["pendidikan", "kesehatan"],
    },
    "plan.withdraw": {"region_code": "73.71", "occurred_on": "2019-10-01", "plan_id": "MKS-RA-2019", "reason": "Diganti rencana aksi yang baru"},
    "region.withdraw": {"region_code": "73.71", "occurred_on": "2019-12-02", "reason": "Program digabung dengan program provinsi"},
}
LONG_FIELD = b'Jenis,Kode daerah,Tanggal kejadian (YYYY-MM-DD),Catatan\nPelatihan,73.71,2019-01-01,"' + b"x" * 200_000 + b'"\n'
TRAINING = {"region_code": "73.71", "occurred_on": "2019-04-10", "session_id": "S-1", "participants": 25}


def read(data: bytes, ministry: str = KEMENDAGRI):
    upload = read_upload(data, "laporan.xlsx", ministry)
    assert upload.ok, upload.errors
    return upload.rows


def without_id(body):
    return {field: value for field, value in body.items() if field != "submission_id"}


def test_the_template_has_the_instructions_then_one_sheet_per_kind_with_its_headers_and_an_example():
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    assert workbook.sheetnames == SHEET_NAMES
    assert [sheet.kind for sheet in SHEETS] == ["region.enroll", "training.complete", "plan.submit", "plan.withdraw", "region.withdraw"]
    assert set(subjects.KINDS) == {sheet.kind for sheet in SHEETS}, "a sheet for each kind a ministry reports its work with (claims are handled one by one)"
    enrolment = workbook["Pendaftaran"]
    headers = [cell.value for cell in enrolment[1]]
    assert headers == [
        "Kode daerah",
        "Tanggal kejadian (YYYY-MM-DD)",
        "Tanggal surat komitmen",
        "PPID dibentuk (ya/tidak)",
        "Catatan",
        "ID pengajuan (opsional)",
    ]
    assert all(cell.font.b for cell in enrolment[1]) and enrolment.freeze_panes == "A2"
    assert enrolment["A2"].value == "73.71" and enrolment["B2"].value == dt.datetime(2019, 3, 5) and enrolment["B2"].number_format == "yyyy-mm-dd"
    assert enrolment.column_dimensions["E"].width == 40
    validated = {(validation.type, validation.formula1) for validation in enrolment.data_validations.dataValidation}
    assert ("list", '"ya,tidak"') in validated
    plans = workbook["Rencana Aksi"]
    sectors = next(validation for validation in plans.data_validations.dataValidation if validation.type == "list")
    assert "Pendidikan" in sectors.formula1 and not sectors.showErrorMessage  # several sectors may be written
    instructions = "\n".join(str(cell.value) for row in workbook["Petunjuk"].iter_rows() for cell in row if cell.value)
    assert "Baris 2 setiap lembar adalah contoh" in instructions and "Row 2 of each sheet is an example" in instructions


def test_every_column_has_indonesian_and_english_words_and_names_a_field_of_its_kind():
    for sheet in SHEETS:
        fields = set(SUBMISSION_MODELS[sheet.kind].model_fields) - {"evidence"}
        assert {column.id for column in sheet.columns} == fields
        for column in sheet.columns:
            assert column.label["id"] and column.label["en"] and column.hint["id"] and column.hint["en"]


def test_the_template_as_it_comes_reads_as_one_valid_row_per_kind():
    rows = read(template_xlsx())
    assert [(row.sheet, row.kind, row.row_number, row.errors) for row in rows] == [(sheet.name["id"], sheet.kind, 2, ()) for sheet in SHEETS]
    assert {row.kind: without_id(row.body) for row in rows} == TEMPLATE_BODIES
    for row in rows:
        assert row.body["submission_id"] == row.submission_id and re.fullmatch(IDENTIFIER_PATTERN, row.submission_id)
        SUBMISSION_MODELS[row.kind].model_validate(row.body)


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_the_csv_template_is_one_table_with_a_kind_column_and_reads_as_the_workbook_does(delimiter):
    data = template_csv(delimiter)
    assert data.startswith("\ufeff".encode()) and data.decode("utf-8-sig").startswith(f"Jenis{delimiter}Kode daerah{delimiter}")
    rows = read(data)
    assert [(row.sheet, row.row_number) for row in rows] == [("Data", number) for number in range(2, 7)]
    from_workbook = read(template_xlsx())
    assert [(row.kind, row.body) for row in rows] == [(row.kind, row.body) for row in from_workbook]  # the same submission ids too


def test_what_spreadsheets_typically_hold_is_read_as_the_contract_wants():
    rows = read(
        only(
            {
                "region.enroll": [
                    {"region_code": "Kota Makassar", "occurred_on": dt.datetime(2019, 3, 5), "ppid_established": "Tidak"},
                    {"region_code": "7372", "occurred_on": "05/03/2019", "commitment_letter_on": "2019-02-01", "ppid_established": True},
                    {"region_code": 73.73, "occurred_on": dt.date(2019, 3, 5), "ppid_established": "BENAR"},
                    {"region_code": "  kota   PAREPARE ", "occurred_on": "5/3/2019", "ppid_established": 0},
                    {"region_code": "91.01", "occurred_on": "2019-3-5"},  # a 2018 code: Merauke, now 93.01
                ],
                "training.complete": [{"region_code": "73.71", "occurred_on": "2019-04-10", "session_id": 12, "participants": 25.0}],
                "plan.submit": [
                    {"region_code": "73.71", "occurred_on": "2019-06-03", "plan_id": "RA-1", "title": " RA ", "sectors": "Kesehatan; pekerjaan_umum, PUPR"},
                ],
            }
        )
    )
    bodies = [without_id(row.body) for row in rows if row.body]
    assert bodies[0] == {"region_code": "73.71", "occurred_on": "2019-03-05", "ppid_established": False}
    assert bodies[1] == {"region_code": "73.72", "occurred_on": "2019-03-05", "commitment_letter_on": "2019-02-01", "ppid_established": True}
    assert bodies[2] == {"region_code": "73.73", "occurred_on": "2019-03-05", "ppid_established": True}
    assert bodies[3] == {"region_code": "73.72", "occurred_on": "2019-03-05", "ppid_established": False}
    assert bodies[4] == {"region_code": "93.01", "occurred_on": "2019-03-05"}
    assert bodies[5] == {"region_code": "73.71", "occurred_on": "2019-04-10", "session_id": "12", "participants": 25}
    assert [(error.column, error.message_id) for error in rows[6].errors] == [("sectors", "sectors_repeated")]  # PUPR is pekerjaan_umum


def test_each_error_is_on_the_column_it_came_from_and_a_row_reports_all_of_them():
    rows = read(
        only(
            {
                "training.complete": [
                    {"region_code": "99.99", "occurred_on": "31/02/2019", "participants": "dua puluh"},
                    {"region_code": "73.71", "occurred_on": "2017-12-31", "session_id": "S", "participants": 0, "submission_id": "has spaces"},
                ],
                "plan.submit": [{"region_code": "73.71", "occurred_on": "2019-06-03", "plan_id": "RA 1", "sectors": "Pertanian, Sosial"}],
            }
        )
    )
    assert [[(error.column, error.message_id) for error in row.errors] for row in rows] == [
        [("region_code", "unknown_region"), ("occurred_on", "date_format"), ("participants", "not_a_whole_number"), ("session_id", "required")],
        [("submission_id", "bad_identifier"), ("occurred_on", "date_out_of_range"), ("participants", "number_out_of_range")],
        [("sectors", "unknown_sector"), ("plan_id", "bad_identifier"), ("title", "required")],
    ]
    assert all(row.body is None and row.submission_id is None for row in rows)
    assert "'Pertanian'" in rows[2].errors[0].message


def test_the_same_file_gives_the_same_ids_and_a_changed_row_a_new_one():
    trainings = [TRAINING | {"session_id": f"S-{number}"} for number in range(5)]
    first = read(only({"training.complete": trainings}))
    assert [row.submission_id for row in read(only({"training.complete": trainings}))] == [row.submission_id for row in first]
    changed = read(only({"training.complete": trainings[:2] + [trainings[2] | {"participants": 26}] + trainings[3:]}))
    assert [a.submission_id == b.submission_id for a, b in zip(first, changed, strict=True)] == [True, True, False, True, True]
    other_ministry = read(only({"training.complete": trainings}), "kominfo")
    assert not {row.submission_id for row in first} & {row.submission_id for row in other_ministry}
    as_written_differently = read(only({"training.complete": [trainings[0] | {"region_code": "Kota Makassar", "occurred_on": "10/04/2019"}]}))
    assert as_written_differently[0].submission_id == first[0].submission_id  # the same submission


def test_an_officers_own_id_is_used_and_identical_rows_are_sent_once():
    rows = read(
        only(
            {
                "training.complete": [
                    TRAINING | {"submission_id": "KDN-2019-07-1"},
                    TRAINING,
                    TRAINING,  # the same as the row above: sent once
                    TRAINING | {"participants": 30, "submission_id": "KDN-2019-07-1"},  # another training under a used id
                ]
            }
        )
    )
    assert rows[0].submission_id == "KDN-2019-07-1" and rows[1].submission_id.startswith("xl-")
    assert (rows[1].duplicate_of, rows[2].duplicate_of) == (None, ("Pelatihan", 3))
    assert rows[2].submission_id == rows[1].submission_id
    assert [(error.column, error.message_id) for error in rows[3].errors] == [("submission_id", "submission_id_repeated")]


def test_a_csv_may_use_semicolons_a_sep_line_windows_1252_and_kinds_by_any_name():
    training = kind_named("training.complete") | TRAINING
    enrolment = {"kind": "region.enroll", "region_code": "73.72", "occurred_on": "2019-03-05", "note": "Pemda siap, café"}
    for data in (
        filled_csv([training, enrolment], delimiter=";", encoding="utf-8"),
        b"sep=;\r\n" + filled_csv([training, enrolment], delimiter=";", encoding="utf-8"),
        filled_csv([training, enrolment], encoding="cp1252"),
        filled_csv([training | {"kind": "TRAINING"}, enrolment | {"kind": "pendaftaran"}]),
    ):
        rows = read(data)
        assert [(row.kind, row.row_number, row.errors) for row in rows] == [("training.complete", 2, ()), ("region.enroll", 3, ())]
        assert rows[1].body["note"] == "Pemda siap, café"


def test_in_a_csv_a_value_in_another_kinds_column_or_an_unknown_kind_is_an_error_of_the_row():
    rows = read(filled_csv([kind_named("training.complete") | TRAINING | {"reason": "salah kolom"}, {"kind": "Rapat"} | TRAINING, TRAINING]))
    assert [[(error.column, error.message_id) for error in row.errors] for row in rows] == [
        [("reason", "not_for_this_kind")],
        [("kind", "unknown_kind")],
        [("kind", "unknown_kind")],
    ]
    assert rows[1].kind is None


def test_rows_without_values_are_passed_over_and_numbered_as_the_officer_sees_them():
    data = only({"training.complete": [TRAINING, {}, {"note": "   "}, TRAINING | {"session_id": "S-2"}]})
    assert [row.row_number for row in read(data)] == [2, 5]


def test_an_empty_extra_sheet_is_passed_over_and_one_with_data_names_itself():
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    workbook.create_sheet("Sheet1")
    assert len(read(saved(workbook))) == 5
    workbook["Sheet1"]["C3"] = "catatan"
    assert file_errors(saved(workbook)) == [("unknown_sheet", "Sheet1")]
    workbook["Sheet1"]["A1"] = "Nama"
    assert file_errors(saved(workbook)) == [("unknown_sheet", "Sheet1")]


def saved(workbook) -> bytes:
    written = io.BytesIO()
    workbook.save(written)
    return written.getvalue()


def file_errors(data: bytes) -> list[tuple[str, str | None]]:
    upload = read_upload(data, "laporan", KEMENDAGRI)
    assert not upload.rows
    return [(error.message_id, error.sheet) for error in upload.errors]


def edited_template(edit) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    edit(workbook["Pelatihan"])
    return saved(workbook)


def clear_headers(sheet) -> None:
    for cell in sheet[1]:
        cell.value = None


def zip_of(**parts: bytes) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as written:
        for name, content in parts.items():
            written.writestr(name.replace("__", "/"), content)
    return archive.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"", [("empty_file", None)], id="empty"),
        pytest.param(b" \r\n\t", [("empty_file", None)], id="blank"),
        pytest.param(bytes(range(256)) * 8, [("not_a_spreadsheet", None)], id="garbage"),
        pytest.param(b"\x81\x8d\x8f\x90\x9d" * 10, [("not_a_spreadsheet", None)], id="neither UTF-8 nor Windows-1252"),
        pytest.param(b"nama,kota\nBudi,Makassar\n", [("unknown_column", "Data")], id="some other CSV"),
        pytest.param(b"Kode daerah,Tanggal kejadian (YYYY-MM-DD)\n73.71,2019-01-01\n", [("missing_column", "Data")], id="a CSV without Jenis"),
        pytest.param(b"Jenis,Kode daerah\nPelatihan,73.71\n", [("missing_column", "Data")], id="a CSV without a required column"),
        pytest.param(b"Jenis,Kode daerah,Tanggal kejadian (YYYY-MM-DD)\n", [("no_rows", None)], id="headers only"),
        pytest.param(LONG_FIELD, [("not_a_spreadsheet", None)], id="a field longer than the csv module reads"),
        pytest.param(b"Jenis" + b";" * 500_000, [("not_a_spreadsheet", None)], id="a line of half a million fields"),
        pytest.param(zip_of(readme__txt=b"hello"), [("not_xlsx", None)], id="a ZIP that is no workbook"),
        pytest.param(b"PK\x05\x06" + bytes(18), [("not_xlsx", None)], id="an empty ZIP"),
        pytest.param(template_xlsx()[:3000], [("not_xlsx", None)], id="a truncated workbook"),
        pytest.param(zip_of(xl__workbook__xml=b"<x/>", **{"[Content_Types]__xml": b"<broken"}), [("not_xlsx", None)], id="a workbook's parts broken"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), [("encrypted", None)], id="password-protected or .xls"),
        pytest.param(edited_template(lambda sheet: sheet.cell(1, 7, "Lokasi")), [("unknown_column", "Pelatihan")], id="an unknown column"),
        pytest.param(edited_template(lambda sheet: sheet.cell(1, 7, "Judul")), [("unknown_column", "Pelatihan")], id="another sheet's column"),
        pytest.param(edited_template(lambda sheet: sheet.cell(1, 7, "ID sesi")), [("repeated_column", "Pelatihan")], id="a repeated column"),
        pytest.param(edited_template(lambda sheet: sheet.delete_cols(4)), [("missing_column", "Pelatihan")], id="a required column deleted"),
        pytest.param(edited_template(lambda sheet: sheet.cell(2, 9, "lost")), [("unnamed_column", "Pelatihan")], id="a value under no header"),
        pytest.param(edited_template(clear_headers), [("no_header", "Pelatihan")], id="no header row"),
    ],
)
def test_a_file_that_cannot_be_taken_as_a_whole_says_why(data, expected):
    assert file_errors(data) == expected


TEMPLATE = template_xlsx()
TEMPLATE_CSV = template_csv()


def either_rows_or_a_file_error(data: bytes) -> None:
    upload = read_upload(data, "laporan", KEMENDAGRI)
    assert bool(upload.rows) != bool(upload.errors)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_any_bytes_give_rows_or_a_file_error(data):
    either_rows_or_a_file_error(data)
    either_rows_or_a_file_error(b"PK\x03\x04" + data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_damaged_template_gives_rows_or_a_file_error(data):
    for original in (TEMPLATE, TEMPLATE_CSV):
        position = data.draw(st.integers(0, len(original) - 1))
        damage = data.draw(st.binary(min_size=1, max_size=64))
        either_rows_or_a_file_error(original[:position] + damage + original[position + len(damage) :])


def test_a_file_is_refused_beyond_its_bounds_before_it_is_read_whole():
    assert file_errors(filled_csv([kind_named("training.complete") | TRAINING | {"session_id": f"S-{n}"} for n in range(MAX_ROWS + 1)])) == [
        ("too_many_rows", "Data")
    ]
    assert file_errors(b"x" * (10 * 2**20 + 1)) == [("too_large", None)]
    bomb = io.BytesIO(template_xlsx())
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive:  # 40 MiB of XML deflate to some 40 KiB
        archive.writestr("xl/worksheets/sheet9.xml", b"<row/>" * (7 * 2**20))
    assert len(bomb.getvalue()) < 200_000
    assert file_errors(bomb.getvalue()) == [("too_large", None)]
    far = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    far["Pelatihan"].cell(1_048_576, 1, "73.71")  # Excel's last row: read past a million empty rows, in bounded time
    assert [row.row_number for row in read(saved(far)) if row.kind == "training.complete"][-1] == 1_048_576


def test_a_result_sheet_uploaded_again_reads_as_the_rows_it_holds():
    from services.gateway.workspace.preview import PreviewStatus, RowPreview, result_xlsx

    rows = read(template_xlsx())
    result = result_xlsx([RowPreview(row, PreviewStatus.READY, "ready", "would be accepted") for row in rows], {})
    assert [(row.kind, row.row_number, row.body) for row in read(result)] == [(row.kind, row.row_number, row.body) for row in rows]
    from_csv = read(template_csv())
    result = result_xlsx([RowPreview(row, PreviewStatus.READY, "ready", "would be accepted") for row in from_csv], {})
    assert [row.body for row in read(result)] == [row.body for row in from_csv]


def test_every_message_id_and_rejection_code_is_explained_in_both_languages():
    source = "\n".join(path.read_text() for path in Path(workspace.__file__).parent.glob("*.py"))
    raised = set(re.findall(r'(?:CellProblem|FileProblem)\(\s*"([a-z_]+)"', source))
    raised |= set(re.findall(r'CellError\([^()]*?, "([a-z_]+)"', source))
    raised |= set(re.findall(r': "([a-z_]+)",\n', source.split("_SCHEMA_MESSAGE_IDS", 1)[1].split("@dataclass", 1)[0]))
    assert {"unknown_region", "date_format", "too_many_rows", "submission_id_repeated", "not_for_this_kind", "date_out_of_range"} <= raised
    expected = raised | {code.value for code in Code} | {"claim_not_found", "claim_state", "ready", "recorded", "duplicate_row", "accepted", "duplicate"}
    assert expected <= set(EXPLANATIONS)
    for message_id, explanation in EXPLANATIONS.items():
        assert explanation.text("id") and explanation.text("en"), message_id
    assert set(COLUMN) >= {"kind", "region_code", "submission_id"}
