from tests.support import eventually


async def test_enrol_train_plan_counts(system):
    kemendagri = system.ministry("kemendagri")
    outcome = await kemendagri.enroll("73.71")
    assert outcome.status == "accepted", outcome
    trained = await kemendagri.train("73.71")
    assert trained.status == "accepted", trained
    plan = await kemendagri.submit_plan("73.71", "p1")
    await system.projected(plan.event_seq)
    counts = await system.counts()
    assert counts["kemendagri.trained"] == 1
    assert counts["national.plans"] == 1
