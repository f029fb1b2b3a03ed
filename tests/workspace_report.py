"""An officer's month of reporting as a 500-row workbook: 480 rows that would all be accepted against what came
before it (Kemendagri enrolled BY_KEMENDAGRI, the first 40 of them with plan RA-2018, and Kominfo enrolled
BY_KOMINFO), and 20 mistakes of different kinds, each with what a preview must say of it."""

import datetime as dt

from shared.contracts.outcomes import Code
from shared.ministries import Ministry
from shared.regions import Region, all_regions

KEMENDAGRI, KOMINFO = Ministry.KEMENDAGRI, Ministry.KOMINFO
REGIONS = all_regions()
BY_KEMENDAGRI = REGIONS[0:60]  # enrolled before the file, by Kemendagri
PLANNED = REGIONS[0:40]  # with plan RA-2018 before the file
BY_KOMINFO = REGIONS[60:80]
ENROLLED_IN_FILE = REGIONS[100:210]
NEVER_ENROLLED = REGIONS[300:]
SHEET_NAME = {"region.enroll": "Pendaftaran", "training.complete": "Pelatihan", "plan.submit": "Rencana Aksi"}
SHEET_NAME |= {"plan.withdraw": "Penarikan Rencana", "region.withdraw": "Penarikan Daerah"}


def region_written(region: Region, n: int) -> object:
    """A region as officers write it, in turn: its code, its name, the code without the dot, a number, shouting."""
    return (region.code, region.name, region.code.replace(".", ""), float(region.code), region.name.upper())[n % 5]


def day_written(n: int) -> object:
    day = dt.date(2019, 1, 1) + dt.timedelta(days=n)
    return (dt.datetime.combine(day, dt.time()), day.isoformat(), day.strftime("%d/%m/%Y"), day)[n % 4]


def good_rows() -> dict[str, list[dict]]:
    """480 rows that would all be accepted, written in every way spreadsheets hold values."""
    enrolments = [
        {"region_code": region_written(region, n), "occurred_on": day_written(n), "ppid_established": ("ya", "tidak", True, None)[n % 4]}
        for n, region in enumerate(ENROLLED_IN_FILE)
    ]
    enrolments[0]["submission_id"] = "KDN-2019-0001"
    trained = [*BY_KEMENDAGRI, *BY_KOMINFO, *ENROLLED_IN_FILE, *ENROLLED_IN_FILE[:10]]
    trainings = [
        {"region_code": region_written(region, n), "occurred_on": day_written(n + 60), "session_id": f"SESI-{n}", "participants": (25, 25.0, "30", 12)[n % 4]}
        for n, region in enumerate(trained)
    ]
    sectors = ("Pendidikan, Kesehatan", "sosial", "Pekerjaan Umum; Trantibum", "perumahan")
    plans = [
        {"region_code": region.code, "occurred_on": day_written(n + 120), "plan_id": f"RA-{n}", "title": f"Rencana {region.name}", "sectors": sectors[n % 4]}
        for n, region in enumerate(ENROLLED_IN_FILE[:100])
    ]
    plan_withdrawals = [{"region_code": region.code, "occurred_on": "2019-09-01", "plan_id": "RA-2018", "reason": "Diganti"} for region in REGIONS[:20]]
    plan_withdrawals += [
        {"region_code": region.code, "occurred_on": "2019-09-02", "plan_id": f"RA-{n}", "reason": "Diganti"} for n, region in enumerate(ENROLLED_IN_FILE[:20])
    ]
    withdrawn = [*REGIONS[40:60], *ENROLLED_IN_FILE[100:]]
    withdrawals = [{"region_code": region.code, "occurred_on": "2019-12-01", "reason": "Program berakhir"} for region in withdrawn]
    return {
        "region.enroll": enrolments,
        "training.complete": trainings,
        "plan.submit": plans,
        "plan.withdraw": plan_withdrawals,
        "region.withdraw": withdrawals,
    }


def mistakes(good: dict[str, list[dict]]) -> dict[str, list[tuple[dict, tuple]]]:
    """20 rows, each wrong in its own way, with what the preview must say of it."""
    training = {"region_code": BY_KEMENDAGRI[1].code, "occurred_on": "2019-05-01", "session_id": "SESI-X", "participants": 20}
    plan = {"region_code": ENROLLED_IN_FILE[0].code, "occurred_on": "2019-07-01", "plan_id": "RA-X", "title": "Rencana", "sectors": "Sosial"}
    enrolment = {"region_code": NEVER_ENROLLED[0].code, "occurred_on": "2019-02-01"}
    return {
        "region.enroll": [
            (enrolment | {"occurred_on": "31/02/2019"}, ("invalid", "occurred_on", "date_format")),
            (enrolment | {"region_code": "99.99"}, ("invalid", "region_code", "unknown_region")),
            (enrolment | {"region_code": BY_KEMENDAGRI[0].name}, ("rejected", Code.ALREADY_ENROLLED)),
            (enrolment | {"region_code": NEVER_ENROLLED[1].code, "ppid_established": "mungkin"}, ("invalid", "ppid_established", "not_yes_no")),
        ],
        "training.complete": [
            (training | {"participants": 0}, ("invalid", "participants", "number_out_of_range")),
            (training | {"region_code": NEVER_ENROLLED[2].code}, ("rejected", Code.NOT_ENROLLED)),
            (training | {"participants": "dua puluh"}, ("invalid", "participants", "not_a_whole_number")),
            (training | {"occurred_on": "2017-12-31"}, ("invalid", "occurred_on", "date_out_of_range")),
            (dict(good["training.complete"][5]), ("duplicate_row",)),
            ({key: value for key, value in training.items() if key != "session_id"}, ("invalid", "session_id", "required")),
        ],
        "plan.submit": [
            (plan | {"sectors": "Pertanian"}, ("invalid", "sectors", "unknown_sector")),
            (plan | {"title": None}, ("invalid", "title", "required")),
            (plan | {"region_code": REGIONS[0].code, "plan_id": "RA-2018"}, ("rejected", Code.PLAN_EXISTS)),
            (plan | {"plan_id": "rencana aksi #1"}, ("invalid", "plan_id", "bad_identifier")),
            (plan | {"sectors": "Pendidikan, pendidikan"}, ("invalid", "sectors", "sectors_repeated")),
        ],
        "plan.withdraw": [
            ({"region_code": REGIONS[30].code, "occurred_on": "2019-09-01", "plan_id": "RA-2099", "reason": "Salah"}, ("rejected", Code.PLAN_NOT_FOUND)),
            ({"region_code": REGIONS[31].code, "occurred_on": "2019-09-01", "plan_id": "RA-2018"}, ("invalid", "reason", "required")),
        ],
        "region.withdraw": [
            ({"region_code": BY_KOMINFO[0].code, "occurred_on": "2019-12-01", "reason": "Selesai"}, ("rejected", Code.NOT_PERMITTED)),
            ({"region_code": NEVER_ENROLLED[3].code, "occurred_on": "2019-12-01", "reason": "Selesai"}, ("rejected", Code.NOT_ENROLLED)),
            (
                {"region_code": NEVER_ENROLLED[4].code, "occurred_on": "2019-12-01", "reason": "Selesai", "submission_id": "KDN-2019-0001"},
                ("invalid", "submission_id", "submission_id_repeated"),
            ),
        ],
    }


def interleaved(good: list[dict], wrong: list[tuple[dict, tuple]]) -> tuple[list[dict], dict[int, tuple]]:
    """The good rows with the wrong ones spread among them (after the sixth, which one of them repeats), and
    where each wrong one ends up (its spreadsheet row)."""
    rows, expected = list(good), {}
    for n, (cells, _) in enumerate(wrong, start=1):
        position = 6 + n * (len(good) - 6) // (len(wrong) + 1)
        rows.insert(position, cells)
    for row_number, cells in enumerate(rows, start=2):
        for wrong_cells, what in wrong:
            if cells is wrong_cells:
                expected[row_number] = what
    return rows, expected


def report_of_500() -> tuple[dict[str, list[dict]], dict[tuple[str, int], tuple]]:
    """The rows of each kind, and each mistake by (sheet, spreadsheet row): `("invalid", column, message_id)`,
    `("rejected", code)` or `("duplicate_row",)`."""
    good = good_rows()
    rows: dict[str, list[dict]] = {}
    expected: dict[tuple[str, int], tuple] = {}
    for kind, wrong in mistakes(good).items():
        rows[kind], where = interleaved(good[kind], wrong)
        expected |= {(SHEET_NAME[kind], row_number): what for row_number, what in where.items()}
    return rows, expected
