"""Under `ogi up --secure`, each registered observer gets a NATS user of its own on the embedded server
(docs/security.md). Observers are registered while the server runs (KV `OGI_OBSERVERS`), its users are fixed
in its config: so for each new one the config is written again, with its account and user, and the server
reloaded, which keeps every connection, JetStream and every other user's password (only missing credentials
files are made)."""

import asyncio
import contextlib
import threading
from collections.abc import Iterable
from pathlib import Path

from ogi import accounts
from ogi import credentials as credential_files
from ogi.embedded_nats import EmbeddedNats
from shared import subjects
from shared.natsconn import connect


class ObserverUsers:
    """The observers the embedded server has users for."""

    def __init__(self, embedded: EmbeddedNats, directory: Path) -> None:
        self.embedded, self.directory = embedded, directory
        self.users: list[str] = []
        self._seen: set[str] = set()

    def add(self, registered: Iterable[str]) -> list[str]:
        """Give the observers not seen before their users; return a line for each, saying what was done."""
        new = sorted(set(registered) - self._seen)
        self._seen.update(new)
        fit = [observer for observer in new if accounts.may_be_a_user(observer)]
        lines = [f"observer {observer}: no NATS user (its id names a platform user); it submits over the gateway" for observer in new if observer not in fit]
        if fit:
            everyone = [*self.users, *fit]
            hashes = credential_files.ensure(self.directory, everyone)
            # A reload checks a new account's imports against the exports the server had before it: the
            # platform's exports to the new accounts go first, their imports after.
            self.embedded.reload(accounts.server_config(hashes, everyone, importing=self.users))
            self.embedded.reload(accounts.server_config(hashes, everyone))
            self.users = everyone
            made = {observer: credential_files.credentials_file(self.directory, observer).resolve() for observer in fit}
            lines += [f"observer {observer}: NATS user made, credentials {path}" for observer, path in made.items()]
        return lines


class ObserverWatch:
    """Follows KV `OGI_OBSERVERS` as admin, from a thread of its own, so that a supervising loop that sleeps
    between its checks can ask which observers are registered."""

    def __init__(self, nats_url: str, admin_credentials: Path) -> None:
        self.nats_url, self.admin_credentials = nats_url, admin_credentials
        self.failure: str | None = None
        self._registered: set[str] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._follow()), name="observer-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def registered(self) -> set[str]:
        with self._lock:
            return set(self._registered)

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)

    async def _follow(self) -> None:
        try:
            nc = await connect(self.nats_url, "ogi-up-observers", credentials=self.admin_credentials)
        except Exception as error:  # told once by the supervisor; the system runs on without new users
            self.failure = str(error)
            return
        try:
            watcher = await (await nc.jetstream().key_value(subjects.OBSERVERS_BUCKET)).watchall()
            while not self._stopping.is_set():
                with contextlib.suppress(TimeoutError):
                    entry = await watcher.updates(timeout=1)
                    if entry is not None and entry.operation is None:  # a put; observers are never removed
                        with self._lock:
                            self._registered.add(entry.key)
            await watcher.stop()
        except Exception as error:
            self.failure = str(error)
        finally:
            await nc.close()
