"""Bearer tokens, one organisation each (a ministry, or a registered observer since contract 1.1), kept in KV
`OGI_TOKENS` as hashes only: made by the operator (`ogi token`),
verified by the gateway and, for private evidence files, by the indicators service.

A token reads `ogi_<id>_<secret>`: the id names it (for listing, rotating and revoking), the secret (256
random bits) is never stored; the bucket holds its SHA-256, which is enough for a secret of that strength.
Every token expires (DEFAULT_DAYS unless asked otherwise); rotating one makes a new token for its ministry
and lets the old one live only a little longer, so that a system can switch without a gap. A token made
before tokens expired has no end until it is rotated or revoked.

Verifying takes the same steps whether the id exists or not, so the time of an answer does not tell.
"""

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass

from nats.aio.client import Client
from nats.js.errors import KeyDeletedError, KeyNotFoundError
from nats.js.kv import KeyValue

from shared import subjects
from shared.organisations import is_ministry, is_observer_id

TOKEN = re.compile(r"^ogi_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


DEFAULT_DAYS = 90
MAX_DAYS = 3650
_NO_SUCH_DIGEST = "0" * 64  # compared with when the id is unknown, so that both answers take as long


@dataclass(frozen=True)
class Token:
    id: str
    organisation: str  # a ministry's id, or a registered observer's (kept as the record's `ministry`)
    created_at: str
    expires_at: str | None = None  # None: a token made before tokens expired

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and dt.datetime.fromisoformat(self.expires_at) <= now


class Expired(Exception):
    """The token is right but its time is over."""

    def __init__(self, token: Token) -> None:
        super().__init__(f"token {token.id} expired at {token.expires_at}: ask the operator for a new one (`ogi token create` or `ogi token rotate`)")
        self.token = token


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenStore:
    def __init__(self, nc: Client) -> None:
        self._js = nc.jetstream()
        self._bucket: KeyValue | None = None

    async def create(self, organisation: str, days: int = DEFAULT_DAYS) -> tuple[Token, str]:
        """A new token for `organisation` (a ministry, or an observer the caller found registered), valid for
        `days`: its record, and the token itself, which is shown once."""
        if not 1 <= days <= MAX_DAYS:
            raise ValueError(f"a token lives from 1 to {MAX_DAYS} days, not {days}")
        token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        now = dt.datetime.now(dt.UTC)
        if not (is_ministry(organisation) or is_observer_id(organisation)):
            raise ValueError(f"{organisation!r} is neither a ministry nor an observer's id")
        token = Token(token_id, str(organisation), _iso(now), _iso(now + dt.timedelta(days=days)))
        record = {"ministry": token.organisation, "sha256": _digest(secret), "created_at": token.created_at, "expires_at": token.expires_at}
        await (await self._tokens()).create(token_id, json.dumps(record).encode())
        return token, f"ogi_{token_id}_{secret}"

    async def verify(self, presented: str) -> Token | None:
        """The token `presented` names, if its secret is right; raises Expired when its time is over."""
        match = TOKEN.match(presented)
        if match is None:
            return None
        token_id, secret = match.groups()
        try:
            entry = await (await self._tokens()).get(token_id)
            record = json.loads(entry.value or b"")
        except (KeyNotFoundError, KeyDeletedError):
            record = None
        if not hmac.compare_digest(record["sha256"] if record else _NO_SUCH_DIGEST, _digest(secret)) or record is None:
            return None
        token = _token(token_id, record)
        if token.expired(dt.datetime.now(dt.UTC)):
            raise Expired(token)
        return token

    async def rotate(self, token_id: str, overlap: dt.timedelta) -> tuple[Token, str] | None:
        """A new token for the ministry of `token_id`, as long-lived as that one was made to be; the old one
        ends after `overlap` (or sooner, if it ends sooner). None when there is no such token."""
        bucket = await self._tokens()
        try:
            entry = await bucket.get(token_id)
        except (KeyNotFoundError, KeyDeletedError):
            return None
        record = json.loads(entry.value or b"")
        old = _token(token_id, record)
        days = DEFAULT_DAYS if old.expires_at is None else max(1, (dt.datetime.fromisoformat(old.expires_at) - dt.datetime.fromisoformat(old.created_at)).days)
        new = await self.create(old.organisation, days)
        ends = dt.datetime.now(dt.UTC) + overlap
        if old.expires_at is None or ends < dt.datetime.fromisoformat(old.expires_at):
            await bucket.update(token_id, json.dumps(record | {"expires_at": _iso(ends)}).encode(), last=entry.revision)
        return new

    async def revoke(self, token_id: str) -> bool:
        bucket = await self._tokens()
        try:
            await bucket.get(token_id)
        except KeyNotFoundError:
            return False
        await bucket.purge(token_id)
        return True

    async def all(self) -> list[Token]:
        bucket = await self._tokens()
        try:
            keys = await bucket.keys()
        except Exception:  # nats-py raises NoKeysError on an empty bucket
            return []
        tokens = []
        now = dt.datetime.now(dt.UTC)
        for key in sorted(keys):
            token = _token(key, json.loads((await bucket.get(key)).value or b""))
            if not token.expired(now):
                tokens.append(token)
        return tokens

    async def _tokens(self) -> KeyValue:
        if self._bucket is None:
            self._bucket = await self._js.key_value(subjects.TOKENS_BUCKET)
        return self._bucket


def _token(token_id: str, record: dict) -> Token:
    return Token(token_id, record["ministry"], record["created_at"], record.get("expires_at"))


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")
