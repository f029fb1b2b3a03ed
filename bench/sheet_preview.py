"""An officer's 2,000-row workbook, read and previewed: `python -m bench.sheet_preview [ROWS]`.

The workbook is made from the template (400 enrolments, 800 trainings, 500 plans, 150 plan withdrawals and
150 region withdrawals over the 514 regions, half of them enrolled before), then read (`read_upload`),
previewed against a history function that answers from memory (no NATS: this measures the workspace's own
work, not the event store's reads) and written back as the result sheet. Prints each step's wall time and
the rows per second of reading and previewing together.
"""

import asyncio
import datetime as dt
import io
import sys
import time

import openpyxl

from services.gateway.workspace.columns import SHEET_OF_KIND
from services.gateway.workspace.preview import PreviewStatus, preview, result_xlsx
from services.gateway.workspace.sheets import read_upload, template_xlsx
from shared.contracts.events import RegionEnrolled, RegionEnrolledData, event_id_for
from shared.eventstore import History, StoredEvent
from shared.ministries import Ministry
from shared.regions import all_regions

ROWS = 2_000
SHARES = {"region.enroll": 0.2, "training.complete": 0.4, "plan.submit": 0.25, "plan.withdraw": 0.075, "region.withdraw": 0.075}


def workbook(rows: int) -> bytes:
    regions = all_regions()
    day = dt.datetime(2019, 7, 1)
    made = {
        "region.enroll": lambda n: [regions[n % len(regions)].name, day],
        "training.complete": lambda n: [regions[n % len(regions)].code, day, f"SESI-{n}", 25],
        "plan.submit": lambda n: [regions[n % len(regions)].code, day, f"RA-{n}", "Rencana aksi keterbukaan", "Pendidikan, Kesehatan"],
        "plan.withdraw": lambda n: [regions[n % len(regions)].code, day, f"RA-{n}", "Diganti"],
        "region.withdraw": lambda n: [regions[n % len(regions)].code, day, "Program berakhir"],
    }
    filled = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    for kind, share in SHARES.items():
        sheet = filled[SHEET_OF_KIND[kind].name["id"]]
        sheet.delete_rows(2)
        for n in range(round(rows * share)):
            sheet.append(made[kind](n))
    written = io.BytesIO()
    filled.save(written)
    return written.getvalue()


async def history(region_code: str) -> History:
    """Every other region enrolled by Kemendagri in 2018."""
    if int(region_code.replace(".", "")) % 2:
        return History((), 0)
    enrolment = RegionEnrolled(
        event_id=event_id_for(Ministry.KEMENDAGRI, f"enrol-{region_code}"),
        region_code=region_code,
        ministry=Ministry.KEMENDAGRI,
        reported_by=Ministry.KEMENDAGRI,
        occurred_on=dt.date(2018, 6, 1),
        recorded_at=dt.datetime(2018, 6, 1, tzinfo=dt.UTC),
        submission_id=f"enrol-{region_code}",
        data=RegionEnrolledData(),
    )
    return History((StoredEvent(1, enrolment),), 1)


async def main(rows: int) -> None:
    data = workbook(rows)
    started = time.perf_counter()
    upload = read_upload(data, "bench.xlsx", "kemendagri")
    read = time.perf_counter()
    previews = await preview(list(upload.rows), "kemendagri", history)
    previewed = time.perf_counter()
    result = result_xlsx(previews, {})
    written = time.perf_counter()
    ready = sum(row_preview.status is PreviewStatus.READY for row_preview in previews)
    print(f"{len(upload.rows)} rows in a {len(data) / 1024:.0f} KiB workbook ({ready} ready, the rest rejected or invalid)")
    print(f"read     {read - started:6.3f} s")
    print(f"preview  {previewed - read:6.3f} s")
    print(f"result   {written - previewed:6.3f} s  ({len(result) / 1024:.0f} KiB)")
    print(f"read and preview: {previewed - started:.3f} s wall, {len(upload.rows) / (previewed - started):,.0f} rows/s")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else ROWS))
