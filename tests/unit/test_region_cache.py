"""A region's cached state follows the stream only while it holds every earlier event under its guard: an
entry that missed one must stay behind (a refusal then brings it forward from the store), never skip it."""

import asyncio

from shared import subjects
from shared.eventstore import History, StoredEvent
from shared.region_cache import RegionCache
from tests.unit.test_rules import ENROLLED, PLAN_A, WITHDRAWN

GUARD = "ogi.events.*.7371.*"


class Store:
    """Only what a followed entry needs here: a whole history to read, and a subscription to follow."""

    def __init__(self, *events) -> None:
        self.history = History(tuple(StoredEvent(seq, event) for seq, event in events), events[-1][0] if events else 0)

    async def read(self, guard: str, after_seq: int = 0) -> History:
        return self.history

    async def follow(self, filter_subject: str, on_event) -> str:
        self.filter_subject, self.on_event = filter_subject, on_event
        return filter_subject


def cache_with(*events) -> RegionCache:
    store = Store(*events)
    cache = RegionCache(store, others_append=True)
    asyncio.run(cache.follow(subjects.region_history))
    return cache


def known(cache: RegionCache):
    return asyncio.run(cache.get(GUARD))


def test_an_entry_is_brought_forward_by_the_events_that_follow_it():
    cache = cache_with((10, ENROLLED))
    assert known(cache).last_seq == 10
    cache.followed(GUARD, 25, PLAN_A)
    cache.followed(GUARD, 40, WITHDRAWN)
    entry = known(cache)
    assert (entry.last_seq, entry.state.enrolled, entry.state.plans) == (40, False, {"a": True})


def test_an_event_delivered_before_the_entry_was_read_is_not_applied_twice():
    cache = cache_with((10, ENROLLED), (25, PLAN_A))
    cache.followed(GUARD, 25, PLAN_A)  # delivered, then read with the entry
    assert known(cache).last_seq == 25
    cache.followed(GUARD, 40, WITHDRAWN)
    assert (known(cache).last_seq, known(cache).state.enrolled) == (40, False)


def test_an_entry_that_missed_an_event_stays_behind_rather_than_skip_it():
    cache = cache_with((10, ENROLLED))
    cache.followed(GUARD, 25, WITHDRAWN)  # delivered before the entry was read, and not in what was read
    entry = known(cache)
    assert entry.last_seq == 10
    cache.followed(GUARD, 40, PLAN_A)
    entry = known(cache)
    assert (entry.last_seq, entry.state.enrolled, entry.state.plans) == (10, True, {})


def test_an_event_that_cannot_be_read_stops_the_entry_where_it_is():
    cache = cache_with((10, ENROLLED))
    known(cache)
    cache.followed(GUARD, 25, None)
    cache.followed(GUARD, 40, WITHDRAWN)
    assert (known(cache).last_seq, known(cache).state.enrolled) == (10, True)


def test_events_under_other_guards_leave_the_entry_alone():
    cache = cache_with((10, ENROLLED))
    known(cache)
    cache.followed("ogi.events.*.7372.*", 25, WITHDRAWN)
    cache.followed(GUARD, 40, PLAN_A)
    assert (known(cache).last_seq, known(cache).state.enrolled, known(cache).state.plans) == (40, True, {"a": True})


def test_the_stream_is_followed_for_every_region_and_each_event_reaches_its_regions_entry():
    store = Store((10, ENROLLED))
    cache = RegionCache(store, others_append=True)
    asyncio.run(cache.follow(subjects.region_history))
    assert store.filter_subject == "ogi.events.*.*.*"
    known(cache)
    store.on_event("ogi.events.plans.7371.PlanSubmitted", 25, PLAN_A)
    assert known(cache).state.plans == {"a": True}
