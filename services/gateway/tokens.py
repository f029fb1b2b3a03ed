"""Bearer tokens, one ministry each, kept in KV `OGI_TOKENS` as hashes only.

A token reads `ogi_<id>_<secret>`: the id names it (for listing and revoking), the secret (256 random
bits) is never stored; the bucket holds its SHA-256, which is enough for a secret of that strength.
"""

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass

from nats.aio.client import Client
from nats.js.errors import KeyNotFoundError

from shared import subjects
from shared.ministries import Ministry

TOKEN = re.compile(r"^ogi_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class Token:
    id: str
    ministry: Ministry
    created_at: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenStore:
    def __init__(self, nc: Client) -> None:
        self._js = nc.jetstream()
        self._bucket = None

    async def create(self, ministry: Ministry) -> tuple[Token, str]:
        """A new token for `ministry`: its record, and the token itself, which is shown once."""
        token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        token = Token(token_id, Ministry(ministry), dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        record = {"ministry": str(token.ministry), "sha256": _digest(secret), "created_at": token.created_at}
        await (await self._tokens()).create(token_id, json.dumps(record).encode())
        return token, f"ogi_{token_id}_{secret}"

    async def verify(self, presented: str) -> Token | None:
        match = TOKEN.match(presented)
        if match is None:
            return None
        token_id, secret = match.groups()
        try:
            record = json.loads((await (await self._tokens()).get(token_id)).value)
        except KeyNotFoundError:
            return None
        if not hmac.compare_digest(record["sha256"], _digest(secret)):
            return None
        return Token(token_id, Ministry(record["ministry"]), record["created_at"])

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
        for key in sorted(keys):
            record = json.loads((await bucket.get(key)).value)
            tokens.append(Token(key, Ministry(record["ministry"]), record["created_at"]))
        return tokens

    async def _tokens(self):
        if self._bucket is None:
            self._bucket = await self._js.key_value(subjects.TOKENS_BUCKET)
        return self._bucket
