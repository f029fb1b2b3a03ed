"""`ogi up` watching its embedded NATS server's store. On a full disk JetStream refuses writes with every
connection still up, and goes on refusing them after space is freed, until the server restarts; so the
watch says what is wrong, once, and restarts the server by itself when enough space is back. The services
reconnect on their own and nothing acknowledged is lost (the store is the same)."""

import shutil
import time
from collections.abc import Callable

from ogi.embedded_nats import EmbeddedNats

CHECK_EVERY = 2.0  # seconds
FREE_AT_MOST_NEEDED = 64 * 1024 * 1024  # bytes free before a restart: this, or a tenth of a smaller disk
WRITE_FAILURES = ("write error", "no space left")


class StorageWatch:
    def __init__(self, embedded: EmbeddedNats, say: Callable[[str], None]) -> None:
        self._embedded = embedded
        self._say = say
        self._checked_at = 0.0
        self._failing = False

    def tick(self) -> None:
        """Look again if it is time: report a server that cannot write, restart it once space allows."""
        now = time.monotonic()
        if now - self._checked_at < CHECK_EVERY:
            return
        self._checked_at = now
        problem = self._embedded.health()
        if problem is None:
            if self._failing:
                self._say("NATS stores again")
            self._failing = False
            return
        if not any(failure in problem for failure in WRITE_FAILURES):
            return
        needed = self.free_needed()
        if not self._failing:
            self._say(f"NATS cannot write to {self._embedded.store_dir}: {problem}. Free {needed // 2**20} MB there and it restarts by itself")
            self._failing = True
        if shutil.disk_usage(self._embedded.store_dir).free >= needed:
            self._say("space is back: restarting NATS")
            self._embedded.restart()

    def free_needed(self) -> int:
        return min(FREE_AT_MOST_NEEDED, shutil.disk_usage(self._embedded.store_dir).total // 10)
