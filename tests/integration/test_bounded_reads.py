"""Every read takes bounded parameters: a day far in the future, a huge code or a province that is not one
is refused with a 422 that names the parameter, before any work is done (a history up to 9999-11-30 was
97,000 months of 45 MB, computed for 18 s on the event loop the projector shares; 9999-12-31 was a 500)."""

import datetime as dt

import pytest

AS_OF_PATHS = [
    "/api/v1/indicators",
    "/api/v1/indicators/history",
    "/api/v1/overview",
    "/api/v1/regions",
    "/api/v1/regions/73.71/events",
    "/api/v1/open-data/indicators.csv",
    "/api/v1/open-data/regions.csv",
]


@pytest.mark.parametrize("day", ["9999-12-31", "9999-11-30", "1999-12-31"])
async def test_a_day_out_of_bounds_is_refused_on_every_read(sqlite_system, day):
    for path in AS_OF_PATHS:
        response = await sqlite_system.http.get(path, params={"as_of": day})
        assert response.status_code == 422, path
        (error,) = response.json()["detail"]
        assert error["loc"] == ["query", "as_of"] and "as_of must be a day from 2000-01-01 to" in error["msg"], path


async def test_tomorrow_is_the_latest_day_asked(sqlite_system):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    for path in AS_OF_PATHS:
        assert (await sqlite_system.http.get(path, params={"as_of": tomorrow.isoformat()})).status_code == 200, path
    history = (await sqlite_system.http.get("/api/v1/indicators/history", params={"as_of": tomorrow.isoformat()})).json()
    assert history["series"][0]["points"][-1]["as_of"] == tomorrow.isoformat()


async def test_codes_and_provinces_are_bounded(sqlite_system):
    assert (await sqlite_system.http.get("/api/v1/regions/" + "7" * 5000)).status_code == 422
    assert (await sqlite_system.http.get("/api/v1/regions/" + "7" * 5000 + "/events")).status_code == 422
    assert (await sqlite_system.http.get("/api/v1/events/" + "e" * 5000)).status_code == 422
    assert (await sqlite_system.http.get("/api/v1/regions", params={"province": "7" * 5000})).status_code == 422
    assert (await sqlite_system.http.get("/api/v1/regions", params={"province": "73"})).status_code == 200
