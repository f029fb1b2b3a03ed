"""Why a count is what it is: the regions behind every count, each with the events that make it count, as
many as the count says, live and on a past day, as JSON and as CSV."""

import csv
import io

from tests.dashboard_story import two_ministries_three_regions


async def test_every_count_lists_the_regions_and_events_behind_it(sqlite_system):
    await two_ministries_three_regions(sqlite_system)
    for as_of in (None, "2019-06-30"):
        params = {"as_of": as_of} if as_of else {}
        published = (await sqlite_system.http.get("/api/v1/indicators", params=params)).json()["indicators"]
        for row in published:
            lineage = (await sqlite_system.http.get(f"/api/v1/indicators/{row['scope']}/{row['indicator']}/regions", params=params)).json()
            assert lineage["count"] == row["count"] == len(lineage["regions"]), (as_of, row)

    trained = (await sqlite_system.http.get("/api/v1/indicators/national/trained/regions")).json()["regions"]
    assert [(region["region_code"], region["name"], len(region["event_ids"])) for region in trained] == [
        ("32.73", "Kota Bandung", 1),
        ("73.71", "Kota Makassar", 1),
    ]
    event = (await sqlite_system.http.get(f"/api/v1/events/{trained[1]['event_ids'][0]}")).json()
    assert (event["event_type"], event["region_code"]) == ("TrainingCompleted", "73.71")

    enrolled_then = (await sqlite_system.http.get("/api/v1/indicators/kominfo/enrolled/regions", params={"as_of": "2019-06-30"})).json()
    assert [region["region_code"] for region in enrolled_then["regions"]] == ["32.73"]  # Merauke enrolled in 2020

    response = await sqlite_system.http.get("/api/v1/indicators/national/enrolled/regions", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["region_code"] for row in rows] == ["32.73", "73.71", "93.01"] and rows[0]["event_ids"]
    assert (await sqlite_system.http.get("/api/v1/indicators/regional/enrolled/regions")).status_code == 422
    # No claim is verified yet: the verified regions are none (never every region); `enrolled` has no verified count.
    none_verified = (await sqlite_system.http.get("/api/v1/indicators/national/trained/regions", params={"verified": "true"})).json()
    assert (none_verified["verified"], none_verified["count"], none_verified["regions"]) == (True, 0, [])
    refused = await sqlite_system.http.get("/api/v1/indicators/national/enrolled/regions", params={"verified": "true"})
    assert refused.status_code == 422 and "verified" in refused.text
