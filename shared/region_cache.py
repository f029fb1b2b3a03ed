"""The state of each region as this process last read or wrote it, so that a decision does not read the
region's whole history again.

A cached state is never trusted on its own. An append made on it carries its sequence as the expected last
one (`Nats-Expected-Last-Subject-Sequence`), so if anyone appended since, the store refuses the append, the
entry catches up from the store and the decision is taken again. A rejection appends nothing, so it is
checked against the store's last sequence before it is given. Entries are per guard subject filter, so at
most one per region and service.
"""

from dataclasses import dataclass

from shared.eventstore import EventStore, History, StoredEvent
from shared.region_state import RegionState, apply


@dataclass(slots=True)
class Known:
    state: RegionState
    last_seq: int


class RegionCache:
    def __init__(self, store: EventStore, others_append: bool) -> None:
        """`others_append`: other services append under the guards too, so an entry is usually behind and
        is brought forward (one read of what is new) before each decision rather than after a refusal."""
        self._store = store
        self._others_append = others_append
        self._known: dict[str, Known] = {}

    async def get(self, guard: str) -> Known:
        """The state under `guard` and the sequence it is valid at. The entry changes in place as this
        process learns more, so a caller decides on it before its next await."""
        if guard in self._known and self._others_append:
            await self.catch_up(guard)
        known = self._known.get(guard)
        if known is None:
            self.put(guard, await self._store.read(guard))
            known = self._known[guard]
        return known

    def put(self, guard: str, history: History) -> None:
        """A whole history just read: it replaces the entry unless the entry is further on already."""
        known = self._known.get(guard)
        if known is None or known.last_seq < history.last_seq:
            state = RegionState()
            for stored in history.events:
                apply(state, stored.event)
            self._known[guard] = Known(state, history.last_seq)

    def appended(self, guard: str, expected_last_seq: int, stored: StoredEvent) -> None:
        """This process appended `stored` on the entry at `expected_last_seq`, and the store agreed."""
        known = self._known.get(guard)
        if known is not None and known.last_seq == expected_last_seq and stored.seq > expected_last_seq:
            apply(known.state, stored.event)
            known.last_seq = stored.seq

    async def is_current(self, guard: str, last_seq: int) -> bool:
        return await self._store.last_seq(guard) == last_seq

    async def catch_up(self, guard: str) -> bool:
        """Apply what was appended under `guard` since the entry was last brought forward; False when
        there was nothing."""
        known = self._known.get(guard)
        if known is None:
            return False
        base = known.last_seq
        news = await self._store.news(guard, after_seq=base)
        if known is not self._known.get(guard) or known.last_seq != base:
            return True  # brought forward meanwhile by another decision; the next attempt checks it again
        for stored in news.events:
            apply(known.state, stored.event)
        known.last_seq = news.last_seq
        return bool(news.events)

    def forget(self, guard: str) -> None:
        self._known.pop(guard, None)
