"""The small story the dashboard and open-data tests read: two ministries, three regions, 2018–2020."""

MAKASSAR, BANDUNG, MERAUKE = "73.71", "32.73", "93.01"


async def two_ministries_three_regions(system) -> None:
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
