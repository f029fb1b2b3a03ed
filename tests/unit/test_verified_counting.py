"""The counting rules' verified counts (services/indicators/rules.py), alone: a returned, disputed or amended
claim does not count as verified, a withdrawn plan's claim is closed, `as_of` takes a claim's state on that
day, and on every day of any story a verified count is never above its count."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from services.indicators import rules

DAY = dt.date(2019, 1, 1)
TYPES = ["RegionEnrolled", "TrainingCompleted", "PlanSubmitted", "PlanWithdrawn", "ClaimVerified", "ClaimReturned", "ClaimAmended", "ClaimDisputed"]


def facts(story: list[tuple]) -> list[tuple]:
    """(region, event type, ministry, day, plan id, the sequence a claim event names) -> the fold's facts."""
    made = []
    for seq, (region, event_type, ministry, day, plan_id, named) in enumerate(story, start=1):
        data = {"claim_event_id": f"e{named}"} if event_type.startswith("Claim") else {"plan_id": plan_id, "title": "t", "sectors": ["sosial"]}
        made.append((seq, f"e{seq}", region, event_type, ministry, DAY + dt.timedelta(days=day), data))
    return made


def counts(story: list[tuple], day: dt.date | None = None) -> dict[rules.Key, int]:
    return rules.counts(rules.fold(facts(story), day).values())


event = st.tuples(
    st.sampled_from(["73.71", "32.73"]),
    st.sampled_from(TYPES),
    st.sampled_from(["kemendagri", "kominfo"]),
    st.integers(0, 30),
    st.sampled_from(["a", "b"]),
    st.integers(1, 30),
)


@given(st.lists(event, max_size=30))
def test_a_verified_count_is_never_above_its_count_on_any_day(story):
    for day in [DAY + dt.timedelta(days=offset) for offset in range(-1, 32)] + [None]:
        counted = counts(story, day)
        for scope, indicator in [key for key in counted if key[1] in rules.VERIFIED]:
            assert counted[(scope, rules.VERIFIED[indicator])] <= counted[(scope, indicator)], (scope, indicator, day)


TRAINING = [("73.71", "TrainingCompleted", "kemendagri", 1, "a", 0)]


def test_only_a_claim_in_state_verified_counts_as_verified():
    verified = TRAINING + [("73.71", "ClaimVerified", "", 2, "", 1)]
    assert counts(verified)[("national", "trained.verified")] == 1
    assert counts(verified)[("kemendagri", "trained.verified")] == 1 and counts(verified)[("kominfo", "trained.verified")] == 0
    assert counts(TRAINING + [("73.71", "ClaimReturned", "", 2, "", 1)])[("national", "trained.verified")] == 0
    assert counts(verified + [("73.71", "ClaimDisputed", "", 3, "", 1)])[("national", "trained.verified")] == 0
    returned_amended = TRAINING + [("73.71", "ClaimReturned", "", 2, "", 1), ("73.71", "ClaimAmended", "", 3, "", 1)]
    assert counts(returned_amended)[("national", "trained.verified")] == 0
    assert counts(returned_amended + [("73.71", "ClaimVerified", "", 4, "", 1)])[("national", "trained.verified")] == 1


def test_a_claim_counts_as_verified_from_the_day_of_its_verification_and_in_its_state_of_that_day():
    story = TRAINING + [("73.71", "ClaimVerified", "", 5, "", 1), ("73.71", "ClaimDisputed", "", 9, "", 1)]
    on = {offset: counts(story, DAY + dt.timedelta(days=offset))[("national", "trained.verified")] for offset in (4, 5, 8, 9)}
    assert on == {4: 0, 5: 1, 8: 1, 9: 0}
    # A verification dated before its training's day counts only from the training's day.
    early = [("73.71", "TrainingCompleted", "kemendagri", 6, "a", 0), ("73.71", "ClaimVerified", "", 2, "", 1)]
    assert [counts(early, DAY + dt.timedelta(days=offset))[("national", "trained.verified")] for offset in (2, 5, 6)] == [0, 0, 1]


def test_a_withdrawn_plan_closes_its_claim_and_leaves_the_verified_count():
    plan = [("73.71", "PlanSubmitted", "kominfo", 1, "a", 0), ("73.71", "ClaimVerified", "", 2, "", 1)]
    assert counts(plan)[("kominfo", "plans.verified")] == 1
    withdrawn = plan + [("73.71", "PlanWithdrawn", "kominfo", 3, "a", 0), ("73.71", "ClaimVerified", "", 4, "", 1)]
    state = rules.fold(facts(withdrawn))["73.71"]
    assert counts(withdrawn)[("kominfo", "plans.verified")] == 0 and str(state.claims["e1"].state) == "closed"


def test_lineage_names_the_first_verified_training_then_its_verification():
    story = [
        ("73.71", "TrainingCompleted", "kemendagri", 1, "a", 0),
        ("73.71", "TrainingCompleted", "kemendagri", 2, "a", 0),
        ("73.71", "ClaimVerified", "", 3, "", 2),
        ("73.71", "ClaimVerified", "", 4, "", 1),
    ]
    made = rules.lineage((event_id, event_type, ministry, day, data) for _, event_id, _, event_type, ministry, day, data in facts(story))
    assert made[("national", "trained.verified")] == ["e1", "e4"] and made[("national", "trained")] == ["e1"]
