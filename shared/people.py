"""People who use the workspace, each acting for one organisation: kept in KV `OGI_PEOPLE`, made by the operator
(`ogi user add`), signed in by the gateway's workspace.

A person is named in events by a pseudonymous id (`p_` and 16 hex digits); the e-mail address stays in this
bucket, which only the gateway and the operator read. An account starts with a one-time sign-in code (its
SHA-256 is stored, never the code) with which the person chooses a password; passwords are kept as Argon2id
hashes. After MAX_FAILURES wrong passwords in a row the account is locked for LOCK_MINUTES. Raising
`sessions_from` ends every session made before, which is how "sign out everywhere" and disabling work.
"""

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import asdict, dataclass, replace
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from nats.aio.client import Client
from nats.js.errors import KeyDeletedError, KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from shared import subjects
from shared.contracts.events import PERSON_ID_PATTERN
from shared.organisations import is_ministry, is_observer_id

PERSON_ID = re.compile(PERSON_ID_PATTERN)
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}$")
MAX_FAILURES = 5
LOCK_MINUTES = 15
CODE_DAYS = 7
PASSWORD_LENGTH = (12, 256)
_hasher = PasswordHasher()  # Argon2id with the library's recommended costs
_UPDATE_ATTEMPTS = 5


class AccountError(Exception):
    """Something the person or operator can act on; `code` is stable, the message says what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Person:
    id: str
    organisation: str  # a ministry's id, or a registered observer's (shared/organisations.py)
    email: str
    created_at: str
    password_hash: str | None = None
    code_sha256: str | None = None  # the one-time sign-in code's, until it is used
    code_expires_at: str | None = None
    failures: int = 0  # wrong passwords in a row
    locked_until: str | None = None
    sessions_from: str | None = None  # sessions made before this moment are over
    disabled: bool = False

    @property
    def state(self) -> str:
        if self.disabled:
            return "disabled"
        if self.locked_until and _now() < dt.datetime.fromisoformat(self.locked_until):
            return "locked"
        return "active" if self.password_hash else "invited"

    def session_valid(self, made_at: dt.datetime) -> bool:
        return not self.disabled and (self.sessions_from is None or made_at >= dt.datetime.fromisoformat(self.sessions_from))


def check_password(password: str) -> str:
    low, high = PASSWORD_LENGTH
    if not low <= len(password) <= high:
        raise AccountError("weak_password", f"a password has {low} to {high} characters")
    return password


def normalised_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise AccountError("invalid_email", f"{email!r} is not an e-mail address")
    return email


class PeopleStore:
    def __init__(self, nc: Client) -> None:
        self._js = nc.jetstream()
        self._bucket: KeyValue | None = None

    async def add(self, organisation: str, email: str) -> tuple[Person, str]:
        """A new account for a person of `organisation` (a ministry, or an observer the caller found registered)
        and its one-time sign-in code (shown once)."""
        if not (is_ministry(organisation) or is_observer_id(organisation)):
            raise AccountError("unknown_organisation", f"{organisation!r} is neither a ministry nor an observer's id")
        email = normalised_email(email)
        person = Person(f"p_{secrets.token_hex(8)}", str(organisation), email, _iso(_now()))
        bucket = await self._people()
        try:
            await bucket.create(_email_key(email), person.id.encode())
        except KeyWrongLastSequenceError:
            raise AccountError("email_taken", f"{email} has an account already: `ogi user reset` gives it a new sign-in code") from None
        code = secrets.token_urlsafe(12)
        person = replace(person, code_sha256=_sha256(code), code_expires_at=_iso(_now() + dt.timedelta(days=CODE_DAYS)))
        await bucket.create(_person_key(person.id), _encode(person))
        return person, code

    async def reset(self, email: str) -> tuple[Person, str]:
        """A new one-time sign-in code for the account of `email` (a forgotten password); its sessions end."""
        person = await self.by_email(email)
        if person is None:
            raise AccountError("no_account", f"no account for {email}")
        code = secrets.token_urlsafe(12)
        expires = _iso(_now() + dt.timedelta(days=CODE_DAYS))
        return await self._update(person.id, lambda p: replace(p, code_sha256=_sha256(code), code_expires_at=expires, sessions_from=_iso(_now()))), code

    async def activate(self, email: str, code: str, password: str) -> Person:
        """Set the password with the one-time code; the code then stops working."""
        check_password(password)
        person = await self.by_email(email)
        valid = (
            person is not None
            and not person.disabled
            and person.code_sha256 is not None
            and hmac.compare_digest(person.code_sha256, _sha256(code))
            and _now() < dt.datetime.fromisoformat(person.code_expires_at or "1970-01-01T00:00:00+00:00")
        )
        if not valid or person is None:
            raise AccountError("invalid_code", "this sign-in code is not valid (used, expired or mistyped): ask your operator for a new one")
        password_hash = _hasher.hash(password)
        return await self._update(
            person.id, lambda p: replace(p, password_hash=password_hash, code_sha256=None, code_expires_at=None, failures=0, locked_until=None)
        )

    async def sign_in(self, email: str, password: str) -> Person:
        """The person, if the password is right and the account may sign in; otherwise AccountError."""
        try:
            person = await self.by_email(email)
        except AccountError:
            person = None
        if person is None or person.password_hash is None:
            _verify(_no_account_hash(), password)
            raise AccountError("sign_in_failed", "wrong e-mail address or password")
        if person.state == "locked":
            raise AccountError("locked", f"too many wrong passwords: this account is locked until {person.locked_until}")
        if person.disabled or not _verify(person.password_hash, password):
            if not person.disabled:
                await self._update(person.id, _one_more_failure)
            raise AccountError("sign_in_failed", "wrong e-mail address or password")
        if person.failures:
            person = await self._update(person.id, lambda p: replace(p, failures=0, locked_until=None))
        return person

    async def end_sessions(self, person_id: str) -> Person:
        return await self._update(person_id, lambda p: replace(p, sessions_from=_iso(_now())))

    async def disable(self, person_id: str) -> Person:
        return await self._update(person_id, lambda p: replace(p, disabled=True, sessions_from=_iso(_now())))

    async def get(self, person_id: str) -> Person | None:
        if not PERSON_ID.match(person_id):
            return None
        try:
            entry = await (await self._people()).get(_person_key(person_id))
        except (KeyNotFoundError, KeyDeletedError):
            return None
        return _decode(entry.value or b"")

    async def by_email(self, email: str) -> Person | None:
        try:
            entry = await (await self._people()).get(_email_key(normalised_email(email)))
        except (KeyNotFoundError, KeyDeletedError):
            return None
        return await self.get((entry.value or b"").decode())

    async def all(self) -> list[Person]:
        bucket = await self._people()
        try:
            keys = await bucket.keys()
        except Exception:  # nats-py raises NoKeysError on an empty bucket
            return []
        people = [await self.get(key.removeprefix("person.")) for key in keys if key.startswith("person.")]
        return sorted((p for p in people if p is not None), key=lambda p: (p.organisation, p.email))

    async def _update(self, person_id: str, change) -> Person:
        bucket = await self._people()
        for _ in range(_UPDATE_ATTEMPTS):
            try:
                entry = await bucket.get(_person_key(person_id))
            except (KeyNotFoundError, KeyDeletedError):
                raise AccountError("no_account", f"no account {person_id!r}") from None
            person = change(_decode(entry.value or b""))
            try:
                await bucket.update(_person_key(person_id), _encode(person), last=entry.revision)
            except KeyWrongLastSequenceError:
                continue  # changed meanwhile (another sign-in): apply the change to what is there now
            return person
        raise AccountError("busy", "the account changed too often at once: try again")

    async def _people(self) -> KeyValue:
        if self._bucket is None:
            self._bucket = await self._js.key_value(subjects.PEOPLE_BUCKET)
        return self._bucket


def _one_more_failure(person: Person) -> Person:
    failures = person.failures + 1
    if failures >= MAX_FAILURES:
        return replace(person, failures=0, locked_until=_iso(_now() + dt.timedelta(minutes=LOCK_MINUTES)))
    return replace(person, failures=failures)


@cache
def _no_account_hash() -> str:
    """Verified against when no account has the address, so that both answers take as long."""
    return _hasher.hash(secrets.token_urlsafe(16))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _person_key(person_id: str) -> str:
    return f"person.{person_id}"


def _email_key(email: str) -> str:
    return f"email.{_sha256(email)}"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _encode(person: Person) -> bytes:
    return json.dumps(asdict(person)).encode()


def _decode(value: bytes) -> Person:
    record = json.loads(value)
    return Person(**record)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="microseconds")
