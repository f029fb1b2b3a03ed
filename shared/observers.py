"""The civil-society observers registered by the operator (`ogi observer add`), kept in KV `OGI_OBSERVERS`:
key = the observer's id, value = `{"name", "registered_at"}`. Registered at run time, never removed, so a
process may keep what it has found."""

import datetime as dt
import json

from nats.aio.client import Client
from nats.js.errors import KeyDeletedError, KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from shared import subjects
from shared.organisations import OBSERVER_ID, PLATFORM_USERS, Organisation, Role, is_ministry, is_observer_id, of_ministry

MAX_NAME = 200


class AlreadyRegistered(Exception):
    pass


def observer(observer_id: str, name: str) -> Organisation:
    return Organisation(observer_id, Role.OBSERVER, name)


def check_registrable(observer_id: str, name: str) -> None:
    """Raises ValueError naming what is wrong with an id or a name to register."""
    if is_ministry(observer_id):
        raise ValueError(f"{observer_id!r} is a ministry, not an observer")
    if observer_id in PLATFORM_USERS:
        raise ValueError(f"{observer_id!r} is the name of one of the platform's own NATS users: choose another id")
    if OBSERVER_ID.fullmatch(observer_id) is None:
        raise ValueError(f"an observer's id is 2 to 32 of a-z, 0-9 and _, starting with a letter: not {observer_id!r}")
    if not name.strip() or len(name) > MAX_NAME or not name.isprintable():
        raise ValueError(f"an observer's name is 1 to {MAX_NAME} printable characters")


class ObserverRegistry:
    def __init__(self, nc: Client) -> None:
        self._js = nc.jetstream()
        self._bucket: KeyValue | None = None
        self._found: dict[str, Organisation] = {}

    async def add(self, observer_id: str, name: str) -> Organisation:
        check_registrable(observer_id, name)
        record = {"name": name, "registered_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        try:
            await (await self._observers()).create(observer_id, json.dumps(record).encode())
        except KeyWrongLastSequenceError:
            raise AlreadyRegistered(f"{observer_id} is registered already") from None
        return observer(observer_id, name)

    async def get(self, observer_id: str) -> Organisation | None:
        if observer_id in self._found:
            return self._found[observer_id]
        if not is_observer_id(observer_id):
            return None
        try:
            entry = await (await self._observers()).get(observer_id)
        except (KeyNotFoundError, KeyDeletedError):
            return None
        found = self._found[observer_id] = observer(observer_id, json.loads(entry.value or b"")["name"])
        return found

    async def all(self) -> list[Organisation]:
        bucket = await self._observers()
        try:
            keys = await bucket.keys()
        except Exception:  # nats-py raises NoKeysError on an empty bucket
            return []
        return [observer(key, json.loads((await bucket.get(key)).value or b"")["name"]) for key in sorted(keys)]

    async def _observers(self) -> KeyValue:
        if self._bucket is None:
            self._bucket = await self._js.key_value(subjects.OBSERVERS_BUCKET)
        return self._bucket


async def find(registry: ObserverRegistry, organisation_id: str) -> Organisation | None:
    """The organisation `organisation_id` names: a ministry, or a registered observer; None for anyone else."""
    if is_ministry(organisation_id):
        return of_ministry(organisation_id)
    return await registry.get(organisation_id)
