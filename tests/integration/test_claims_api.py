"""The counting side of verification against a real system (contract 1.1): verified counts in every
publication and as of a day, the regions behind them with the claim and its verification, and the claims API
(filters, both orders, bounded pages, one claim's history)."""

import json

from services.indicators.readmodel.claims import MAX_LIMIT
from shared import subjects
from tests.integration.test_verification import MAKASSAR, PAREPARE, Claims, accepted
from tests.integration.test_verification import claims as claims  # noqa: F401 (the fixture)


async def projected(claims: Claims, *outcomes) -> None:
    for outcome in outcomes:
        accepted(outcome)
    await claims.system.projected(max(outcome.event_seq for outcome in outcomes))


def by_key(body: dict) -> dict:
    return {f"{row['scope']}.{row['indicator']}": (row["count"], row["verified"]) for row in body["indicators"]}


async def test_a_verified_training_counts_as_verified_everywhere_and_a_returned_one_does_not(claims):
    http = claims.system.http
    makassar, parepare = await claims.training(MAKASSAR), await claims.training(PAREPARE)
    verified = await claims.verify(makassar)
    await projected(claims, verified, await claims.return_(parepare, region=PAREPARE))

    counts = by_key((await http.get("/api/v1/indicators")).json())
    assert counts["national.trained"] == (2, 1) and counts["kemendagri.trained"] == (2, 1) and counts["kominfo.trained"] == (0, 0)
    assert counts["national.enrolled"] == (2, None) and counts["national.plans"] == (0, 0)
    stored = json.loads((await (await claims.system.nc.jetstream().key_value(subjects.INDICATORS_BUCKET)).get("national.trained")).value)
    assert (stored["count"], stored["verified"]) == (2, 1)
    # Verified on 2019-07-01: the day before, the training counts and its verification does not yet.
    before = by_key((await http.get("/api/v1/indicators", params={"as_of": "2019-06-30"})).json())
    assert before["national.trained"] == (2, 0)

    behind = (await http.get("/api/v1/indicators/national/trained/regions", params={"verified": "true"})).json()
    assert behind["count"] == 1 == len(behind["regions"])
    assert (behind["regions"][0]["region_code"], behind["regions"][0]["event_ids"]) == (MAKASSAR, [makassar, verified.event_id])

    history = (await http.get("/api/v1/indicators/history", params={"scope": "national", "indicator": "trained", "as_of": "2019-07-31"})).json()
    points = {point["month"]: (point["count"], point["verified"]) for point in history["series"][0]["points"]}
    assert (points["2019-04"], points["2019-06"], points["2019-07"]) == ((2, 0), (2, 0), (2, 1))

    row = (await http.get("/api/v1/regions", params={"province": "73", "boundaries": "current"})).json()["regions"]
    shown = {region["code"]: (region["verified_trained"], region["verified_trained_by"]) for region in row}
    assert shown[MAKASSAR] == (True, ["kemendagri"]) and shown[PAREPARE] == (False, [])

    # A dispute takes the verification back.
    await projected(claims, await claims.dispute(makassar))
    assert by_key((await http.get("/api/v1/indicators")).json())["national.trained"] == (2, 0)


async def test_the_claims_api_filters_orders_pages_and_tells_a_claims_history(claims):
    http = claims.system.http
    kemendagri = claims.system.ministry("kemendagri")
    first, second = await claims.training(MAKASSAR), await claims.training(PAREPARE)
    plan = await kemendagri.submit_plan(MAKASSAR, "ra-makassar-2019")
    accepted(plan)
    returned = await claims.return_(first)
    amended = await claims.amend(first, evidence=[await claims.file(public=True), await claims.file(public=False)])
    await projected(claims, returned, amended, await claims.verify(plan.event_id))

    listed = (await http.get("/api/v1/claims")).json()
    assert [claim["claim_event_id"] for claim in listed["claims"]] == [plan.event_id, second, first] and listed["next"] is None
    oldest = (await http.get("/api/v1/claims", params={"order": "oldest"})).json()["claims"]
    assert [claim["claim_event_id"] for claim in oldest] == [first, second, plan.event_id]
    verified = (await http.get("/api/v1/claims", params={"state": "verified"})).json()["claims"]
    assert [(claim["claim_event_id"], claim["kind"], claim["state_since"]) for claim in verified] == [(plan.event_id, "plan", "2019-07-01")]
    in_parepare = (await http.get("/api/v1/claims", params={"region": PAREPARE, "ministry": "kemendagri"})).json()["claims"]
    assert [(claim["claim_event_id"], claim["state"], claim["name"]) for claim in in_parepare] == [(second, "pending", "Kota Parepare")]
    assert (await http.get("/api/v1/claims", params={"ministry": "kominfo"})).json()["claims"] == []

    pages, after = [], None
    while True:
        page = (await http.get("/api/v1/claims", params={"order": "oldest", "limit": 1} | ({"after": after} if after else {}))).json()
        pages += [claim["claim_event_id"] for claim in page["claims"]]
        after = page["next"]
        if after is None:
            break
    assert pages == [first, second, plan.event_id]
    assert (await http.get("/api/v1/claims", params={"limit": MAX_LIMIT + 1})).status_code == 422
    assert (await http.get("/api/v1/claims", params={"state": "lost"})).status_code == 422

    one = (await http.get(f"/api/v1/claims/{first}")).json()
    assert (one["state"], one["region_code"], one["kind"], one["occurred_on"]) == ("pending", MAKASSAR, "training", "2019-04-01")
    assert [event["event_type"] for event in one["history"]] == ["ClaimReturned", "ClaimAmended"]
    assert one["history"][0]["reported_by"] == "bappenas" and one["history"][0]["reason"]
    assert one["history"][1]["evidence"]["private"] == 1 and [ref["name"] for ref in one["history"][1]["evidence"]["public"]] == ["daftar-hadir.pdf"]
    assert (await http.get("/api/v1/claims/00000000-0000-4000-8000-000000000000")).status_code == 404

    # A withdrawn plan's claim is closed, and its verified count goes with it.
    await projected(claims, await kemendagri.withdraw_plan(MAKASSAR, "ra-makassar-2019"))
    closed = (await http.get(f"/api/v1/claims/{plan.event_id}")).json()
    assert closed["state"] == "closed" and [event["event_type"] for event in closed["history"]] == ["ClaimVerified", "PlanWithdrawn"]
    assert by_key((await http.get("/api/v1/indicators")).json())["national.plans"] == (0, 0)
