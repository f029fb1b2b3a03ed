"""Workspace sessions: a random secret in a signed, HttpOnly, SameSite=Strict cookie; the session itself in KV
`OGI_SESSIONS` under the secret's SHA-256, so every gateway replica knows it and signing out ends it.

Each session holds its CSRF token, which every request that changes something must carry in `X-CSRF-Token`.
A session ends when it is signed out, when LIFETIME has passed, or when its person's `sessions_from` is later
than its making (sign out everywhere, a disabled account, a new sign-in code). The key that signs cookies is
made once and kept in KV `OGI_PEOPLE`, shared by the replicas.
"""

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import asdict, dataclass

from itsdangerous import BadSignature, Signer
from nats.aio.client import Client
from nats.js.errors import KeyDeletedError, KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from shared import subjects

COOKIE = "ogi_session"
COOKIE_KEY = "cookie_key"
LIFETIME = dt.timedelta(hours=12)


@dataclass(frozen=True)
class Session:
    person_id: str
    csrf: str
    made_at: str
    expires_at: str

    @property
    def made(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.made_at)

    def expired(self, now: dt.datetime) -> bool:
        return dt.datetime.fromisoformat(self.expires_at) <= now


class Sessions:
    def __init__(self, nc: Client, lifetime: dt.timedelta = LIFETIME) -> None:
        self._js = nc.jetstream()
        self._lifetime = lifetime
        self._bucket: KeyValue | None = None
        self._signer: Signer | None = None

    async def start(self) -> None:
        self._bucket = await self._js.key_value(subjects.SESSIONS_BUCKET)
        people = await self._js.key_value(subjects.PEOPLE_BUCKET)
        try:
            await people.create(COOKIE_KEY, secrets.token_hex(32).encode())
        except KeyWrongLastSequenceError:
            pass  # made by another replica, or an earlier start
        key = (await people.get(COOKIE_KEY)).value or b""
        self._signer = Signer(key, salt="ogi-workspace-session")

    async def make(self, person_id: str) -> tuple[Session, str]:
        """A new session and its cookie's value."""
        secret = secrets.token_urlsafe(32)
        now = dt.datetime.now(dt.UTC)
        session = Session(person_id, secrets.token_urlsafe(32), now.isoformat(), (now + self._lifetime).isoformat())
        await self._sessions().put(_key(secret), json.dumps(asdict(session)).encode())
        return session, self._sign().sign(secret).decode()

    async def find(self, cookie: str | None) -> Session | None:
        """The session a cookie names, if it is signed by us, known and not over."""
        secret = self._secret(cookie)
        if secret is None:
            return None
        try:
            entry = await self._sessions().get(_key(secret))
        except (KeyNotFoundError, KeyDeletedError):
            return None
        session = Session(**json.loads(entry.value or b""))
        return None if session.expired(dt.datetime.now(dt.UTC)) else session

    async def end(self, cookie: str | None) -> None:
        secret = self._secret(cookie)
        if secret is not None:
            await self._sessions().purge(_key(secret))

    def _secret(self, cookie: str | None) -> str | None:
        if not cookie or len(cookie) > 200:
            return None
        try:
            return self._sign().unsign(cookie).decode()
        except BadSignature:
            return None

    def _sessions(self) -> KeyValue:
        if self._bucket is None:
            raise RuntimeError("Sessions.start() first")
        return self._bucket

    def _sign(self) -> Signer:
        if self._signer is None:
            raise RuntimeError("Sessions.start() first")
        return self._signer


def _key(secret: str) -> str:
    return f"s.{hashlib.sha256(secret.encode()).hexdigest()}"
