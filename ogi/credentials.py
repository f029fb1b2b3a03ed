"""One credentials file per NATS user, `<dir>/<user>.json` = `{"user", "password"}`, readable by its owner
only; the server knows each password only as its bcrypt hash.

`ogi up --secure` makes them on first start and reuses them after, and an observer's when it is registered.
For a deployment, `python -m ogi.credentials DIR [--observers tii,…]` makes them and `DIR/nats.env`, the hashes
for deploy/nats/auth.conf.
"""

import argparse
import json
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

import bcrypt

from ogi import accounts, permissions
from services.indicators.log_keeper import write_signing_key

HASH_ROUNDS = 11
HASHES = "nats-hashes.json"  # beside the files, so a restart renders the server config without rehashing


def credentials_file(directory: Path, user: str) -> Path:
    return Path(directory) / f"{user}.json"


def ensure(directory: Path, observers: Sequence[str] = ()) -> dict[str, str]:
    """Make the missing credentials files, of the platform's and ministries' users and of `observers`; return
    each of these users' bcrypt hash (quoted for a server config). A file made before is kept as it is."""
    users = [*permissions.users(), *observers]
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    hashes_file = directory / HASHES
    hashes = json.loads(hashes_file.read_text()) if hashes_file.exists() else {}
    for user in users:
        path = credentials_file(directory, user)
        if not path.exists() or user not in hashes:
            password = secrets.token_urlsafe(32)
            _write_private(path, json.dumps({"user": user, "password": password}) + "\n")
            hashes[user] = bcrypt.hashpw(password.encode(), bcrypt.gensalt(HASH_ROUNDS)).decode()
    _write_private(hashes_file, json.dumps(hashes, indent=1) + "\n")
    return {user: f'"{hashes[user]}"' for user in users}


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    path.chmod(0o600)


def environment(hashes: dict[str, str]) -> str:
    """Lines `OGI_NATS_<USER>_PASSWORD='"<hash>"'` for a NATS server running deploy/nats/auth.conf."""
    return "".join(f"{accounts.environment_variable(user)}='{quoted}'\n" for user, quoted in hashes.items())


LOG_KEY_FILE = "log-signing.key"
DEFAULT_LOG_ORIGIN = "ogi-tracker.local/log"


def ensure_log_key(directory: Path, origin: str) -> Path:
    """The transparency log's signing key beside the credentials, made once (a deployment's own secret)."""
    path = Path(directory) / LOG_KEY_FILE
    if not path.exists():
        write_signing_key(path, origin)
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m ogi.credentials", description="Make each NATS user's credentials file and nats.env.")
    parser.add_argument("directory", nargs="?", type=Path, default=Path("credentials"))
    accounts.observers_option(parser)
    arguments = parser.parse_args()
    target, observers = arguments.directory, accounts.observers_given(arguments)
    if unfit := [observer for observer in observers if not accounts.may_be_a_user(observer)]:
        parser.error(f"not an observer id that can name a NATS user: {', '.join(unfit)}")
    _write_private(target / "nats.env", environment(ensure(target, observers)))
    key = ensure_log_key(target, os.environ.get("OGI_LOG_ORIGIN", DEFAULT_LOG_ORIGIN))
    print(f"credentials in {target}/<user>.json; the server's hashes in {target}/nats.env; the log's signing key in {key}")
