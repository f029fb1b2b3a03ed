"""The spreadsheet's layout as data: one sheet per submission kind, each column a submission field.

A column's `id` is the field's name in the contract (`kind` for the CSV's extra column); its `label` and `hint`
are words for people, in Bahasa Indonesia (`id`) and English (`en`), so that every page, the template and the
result sheet name a column the same way. A header is recognised by its Indonesian or English label or by
its id, whatever the case and spacing.
"""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from shared.contracts.submissions import Sector

Words = dict[str, str]  # {"id": Bahasa Indonesia, "en": English}

SECTOR_NAMES: dict[Sector, Words] = {
    Sector.PENDIDIKAN: {"id": "Pendidikan", "en": "Education"},
    Sector.KESEHATAN: {"id": "Kesehatan", "en": "Health"},
    Sector.PEKERJAAN_UMUM: {"id": "Pekerjaan Umum", "en": "Public works"},
    Sector.PERUMAHAN: {"id": "Perumahan", "en": "Housing"},
    Sector.TRANTIBUM: {"id": "Trantibum", "en": "Public order"},
    Sector.SOSIAL: {"id": "Sosial", "en": "Social affairs"},
}
# The longer names of UU 23/2014 art. 12(1) that officers also write (without commas: a list is split on them).
SECTOR_ALIASES: dict[Sector, tuple[str, ...]] = {
    Sector.PEKERJAAN_UMUM: ("Pekerjaan Umum dan Penataan Ruang", "PUPR"),
    Sector.PERUMAHAN: ("Perumahan Rakyat dan Kawasan Permukiman", "Perkim"),
    Sector.TRANTIBUM: ("Ketenteraman dan Ketertiban Umum", "Ketenteraman Ketertiban Umum dan Pelindungan Masyarakat"),
}


class CellType(StrEnum):
    """What a column holds, which says how its cells are read (cells.py)."""

    TEXT = "text"
    IDENTIFIER = "identifier"
    SHA256 = "sha256"
    REGION = "region"
    DATE = "date"
    WHOLE_NUMBER = "whole_number"
    YES_NO = "yes_no"
    SECTORS = "sectors"


@dataclass(frozen=True)
class Column:
    id: str
    label: Words
    hint: Words
    type: CellType
    required: bool
    width: int  # characters, in the template


@dataclass(frozen=True)
class Sheet:
    kind: str
    name: Words
    columns: tuple[Column, ...]
    example: dict[str, object]  # the filled row of the template, by column id


def _column(id: str, indonesian: str, english: str, hint_id: str, hint_en: str, type: CellType, required: bool, width: int) -> Column:
    return Column(id, {"id": indonesian, "en": english}, {"id": hint_id, "en": hint_en}, type, required, width)


REGION = _column(
    "region_code",
    "Kode daerah",
    "Region code",
    "Kode kabupaten/kota Kemendagri (73.71), kode 2018, atau nama lengkapnya (Kota Makassar)",
    "The regency's or city's Kemendagri code (73.71), its 2018 code, or its full name (Kota Makassar)",
    CellType.REGION,
    True,
    16,
)
OCCURRED_ON = _column(
    "occurred_on",
    "Tanggal kejadian (YYYY-MM-DD)",
    "Date it happened (YYYY-MM-DD)",
    "Tanggal kegiatan, sejak 2018-01-01; juga DD/MM/YYYY",
    "The day of the action, from 2018-01-01 on; DD/MM/YYYY also works",
    CellType.DATE,
    True,
    16,
)
NOTE = _column("note", "Catatan", "Note", "Bebas, paling banyak 1000 karakter", "Free text, at most 1000 characters", CellType.TEXT, False, 40)
SUBMISSION_ID = _column(
    "submission_id",
    "ID pengajuan (opsional)",
    "Submission ID (optional)",
    "Kosongkan: ID dibuat dari isi baris, jadi mengunggah berkas yang sama dua kali tidak mencatat dua kali. "
    "Jika diisi: huruf, angka, _ dan -, paling banyak 64, unik selamanya",
    "Leave it empty: the ID is made from the row's content, so uploading the same file twice never records twice. "
    "If you fill it: letters, digits, _ and -, at most 64, unique forever",
    CellType.IDENTIFIER,
    False,
    22,
)
COMMITMENT_LETTER_ON = _column(
    "commitment_letter_on",
    "Tanggal surat komitmen",
    "Commitment letter date",
    "Tanggal surat komitmen kepala daerah (opsional)",
    "The date of the regional head's letter of commitment (optional)",
    CellType.DATE,
    False,
    16,
)
PPID_ESTABLISHED = _column(
    "ppid_established",
    "PPID dibentuk (ya/tidak)",
    "PPID established (yes/no)",
    "Apakah daerah sudah membentuk PPID (opsional)",
    "Whether the region has set up its information office, PPID (optional)",
    CellType.YES_NO,
    False,
    14,
)
SESSION_ID = _column("session_id", "ID sesi", "Session ID", "Nama atau nomor sesi pelatihan", "The training session's name or number", CellType.TEXT, True, 18)
PARTICIPANTS = _column(
    "participants", "Jumlah peserta", "Participants", "Bilangan bulat, 1 sampai 10000", "A whole number, 1 to 10000", CellType.WHOLE_NUMBER, True, 14
)
PLAN_ID = _column(
    "plan_id",
    "ID rencana",
    "Plan ID",
    "ID rencana aksi, unik untuk daerahnya: huruf, angka, _ dan -",
    "The action plan's ID, unique within its region: letters, digits, _ and -",
    CellType.IDENTIFIER,
    True,
    18,
)
TITLE = _column("title", "Judul", "Title", "Judul rencana aksi", "The action plan's title", CellType.TEXT, True, 40)
SECTORS = _column(
    "sectors",
    "Urusan",
    "Sectors (urusan)",
    "Satu atau lebih urusan wajib pelayanan dasar, dipisah koma: " + ", ".join(words["id"] for words in SECTOR_NAMES.values()),
    "One or more of the basic-service sectors (urusan wajib pelayanan dasar), separated by commas",
    CellType.SECTORS,
    True,
    28,
)
DOCUMENT_SHA256 = _column(
    "document_sha256",
    "SHA-256 dokumen (opsional)",
    "Document SHA-256 (optional)",
    "Sidik SHA-256 dokumen rencana, 64 digit heksadesimal",
    "The plan document's SHA-256, 64 hexadecimal digits",
    CellType.SHA256,
    False,
    20,
)
REASON = _column("reason", "Alasan", "Reason", "Mengapa ditarik", "Why it is withdrawn", CellType.TEXT, True, 40)
KIND = _column(
    "kind",
    "Jenis",
    "Kind",
    "Nama lembar (Pendaftaran, Pelatihan, …) atau jenis pengajuan (region.enroll, …)",
    "The sheet's name (Enrolment, Training, …) or the submission kind (region.enroll, …)",
    CellType.TEXT,
    True,
    18,
)

# In this order the sheets stand in the template and their rows are sent (preview.sending_order): the actions
# that need a region enrolled come after the enrolments, and the withdrawals last, so that a month that both
# reported work in a region and withdrew it records the work first.
SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "region.enroll",
        {"id": "Pendaftaran", "en": "Enrolment"},
        (REGION, OCCURRED_ON, COMMITMENT_LETTER_ON, PPID_ESTABLISHED, NOTE, SUBMISSION_ID),
        {
            "region_code": "73.71",
            "occurred_on": dt.date(2019, 3, 5),
            "commitment_letter_on": dt.date(2019, 2, 20),
            "ppid_established": "ya",
            "note": "Contoh: ganti baris ini dengan kegiatan Anda",
        },
    ),
    Sheet(
        "training.complete",
        {"id": "Pelatihan", "en": "Training"},
        (REGION, OCCURRED_ON, SESSION_ID, PARTICIPANTS, NOTE, SUBMISSION_ID),
        {"region_code": "73.71", "occurred_on": dt.date(2019, 4, 10), "session_id": "MKS-2019-01", "participants": 25},
    ),
    Sheet(
        "plan.submit",
        {"id": "Rencana Aksi", "en": "Action plans"},
        (REGION, OCCURRED_ON, PLAN_ID, TITLE, SECTORS, DOCUMENT_SHA256, NOTE, SUBMISSION_ID),
        {
            "region_code": "73.71",
            "occurred_on": dt.date(2019, 6, 3),
            "plan_id": "MKS-RA-2019",
            "title": "Rencana aksi keterbukaan informasi publik Kota Makassar",
            "sectors": "Pendidikan, Kesehatan",
        },
    ),
    Sheet(
        "plan.withdraw",
        {"id": "Penarikan Rencana", "en": "Plan withdrawals"},
        (REGION, OCCURRED_ON, PLAN_ID, REASON, NOTE, SUBMISSION_ID),
        {"region_code": "73.71", "occurred_on": dt.date(2019, 10, 1), "plan_id": "MKS-RA-2019", "reason": "Diganti rencana aksi yang baru"},
    ),
    Sheet(
        "region.withdraw",
        {"id": "Penarikan Daerah", "en": "Region withdrawals"},
        (REGION, OCCURRED_ON, REASON, NOTE, SUBMISSION_ID),
        {"region_code": "73.71", "occurred_on": dt.date(2019, 12, 2), "reason": "Program digabung dengan program provinsi"},
    ),
)
SHEET_OF_KIND = {sheet.kind: sheet for sheet in SHEETS}
INSTRUCTIONS: Words = {"id": "Petunjuk", "en": "Instructions"}
# A CSV (one table) and a sheet with a `Jenis` column hold rows of any kind, named in that column.
MIXED_TABLE: Words = {"id": "Data", "en": "Data"}
# Added to every row of the result sheet (preview.result_xlsx) and passed over when that sheet is uploaded again.
RESULT_COLUMNS: tuple[Words, ...] = (
    {"id": "ID pengajuan", "en": "Submission ID sent"},
    {"id": "Hasil", "en": "Result"},
    {"id": "Kode", "en": "Code"},
    {"id": "Keterangan", "en": "Explanation"},
    {"id": "ID peristiwa", "en": "Event ID"},
)


def _every_column() -> tuple[Column, ...]:
    """The kind column, then every sheet's columns once, in sheet order, with the note and the ID last."""
    trailing = (NOTE.id, SUBMISSION_ID.id)
    seen: dict[str, Column] = {}
    for sheet in SHEETS:
        for column in sheet.columns:
            seen.setdefault(column.id, column)
    middle = [column for column in seen.values() if column.id not in trailing]
    return (KIND, *middle, NOTE, SUBMISSION_ID)


MIXED_COLUMNS = _every_column()
COLUMN = {column.id: column for column in MIXED_COLUMNS}


def normalized(text: str) -> str:
    """A name as compared: case, and the spacing around and within it, do not count."""
    return " ".join(text.split()).casefold()


@cache
def _sheets_by_name() -> dict[str, Sheet]:
    return {normalized(name): sheet for sheet in SHEETS for name in (sheet.kind, sheet.name["id"], sheet.name["en"])}


def sheet_named(name: str) -> Sheet | None:
    """The sheet a sheet name, or a `Jenis` cell, means: its Indonesian or English name, or its kind."""
    return _sheets_by_name().get(normalized(name))


@cache
def _columns_by_header() -> dict[str, Column]:
    return {normalized(name): column for column in MIXED_COLUMNS for name in (column.id, column.label["id"], column.label["en"])}


def column_headed(header: str) -> Column | None:
    return _columns_by_header().get(normalized(header))


@cache
def _result_headers() -> frozenset[str]:
    return frozenset(normalized(name) for words in RESULT_COLUMNS for name in words.values())


def is_result_header(header: str) -> bool:
    return normalized(header) in _result_headers()


@cache
def _sectors_by_name() -> dict[str, Sector]:
    names = {sector: (sector.value, sector.value.replace("_", " "), *SECTOR_NAMES[sector].values(), *SECTOR_ALIASES.get(sector, ())) for sector in Sector}
    return {normalized(name): sector for sector, spelled in names.items() for name in spelled}


def sector_named(name: str) -> Sector | None:
    return _sectors_by_name().get(normalized(name))
