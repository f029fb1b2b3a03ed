"""The small story the dashboard and open-data tests read: two ministries, three regions, 2018–2020, and the OGI
secretariat's decisions on the claims they made."""

from dataclasses import dataclass

from tests.support import new_id

MAKASSAR, BANDUNG, MERAUKE = "73.71", "32.73", "93.01"


@dataclass(frozen=True)
class StoryClaims:
    """The event ids of the story's claims: each is what the secretariat names when it decides."""

    makassar_training: str
    makassar_plan: str
    bandung_training: str


async def two_ministries_three_regions(system) -> StoryClaims:
    """Kemendagri enrols, trains and plans in Makassar; Kominfo enrols and trains Bandung, then enrols Merauke."""
    kemendagri, kominfo = system.ministry("kemendagri"), system.ministry("kominfo")
    outcomes = [
        await kemendagri.enroll(MAKASSAR, "2018-05-02", ppid_established=True, commitment_letter_on="2018-04-20"),
        await kemendagri.train(MAKASSAR, "2018-07-10"),
        await kemendagri.submit_plan(MAKASSAR, "ra-makassar", "2019-08-20"),
        await kominfo.enroll(BANDUNG, "2019-02-01", ppid_established=False),
        await kominfo.train(BANDUNG, "2019-03-15"),
        await kominfo.enroll(MERAUKE, "2020-01-06", ppid_established=True),
    ]
    assert all(outcome.status == "accepted" for outcome in outcomes), outcomes
    await system.projected(max(outcome.event_seq for outcome in outcomes))
    return StoryClaims(*(str(outcomes[index].event_id) for index in (1, 2, 4)))


async def the_secretariat_decides(system, claims: StoryClaims) -> None:
    """Bappenas verifies Makassar's training (August 2018) and plan (September 2019), and returns Bandung's
    training to Kominfo for a readable attendance list (April 2019)."""
    decisions = [
        ("claim.verify", MAKASSAR, claims.makassar_training, "2018-08-15", {"note": "daftar hadir lengkap"}),
        ("claim.return", BANDUNG, claims.bandung_training, "2019-04-10", {"reason": "daftar hadir tidak terbaca"}),
        ("claim.verify", MAKASSAR, claims.makassar_plan, "2019-09-30", {"note": "rencana aksi ditandatangani"}),
    ]
    bappenas = system.ministry("bappenas")
    outcomes = []
    for kind, region, claim, day, fields in decisions:
        body = {"submission_id": new_id(), "region_code": region, "occurred_on": day, "claim_event_id": claim, **fields}
        outcomes.append(await bappenas.submit(kind, body))
    assert all(outcome.status == "accepted" for outcome in outcomes), outcomes
    await system.projected(max(outcome.event_seq for outcome in outcomes))
