"""One way to connect to NATS: reconnect for ever once connected, but give up on a server that is not
there at start with an error a person can act on; authenticate with a credentials file when one is given."""

import asyncio
import json
import logging
import os
from pathlib import Path

import nats
from nats.aio.client import Client

log = logging.getLogger("ogi.nats")

CREDENTIALS_VARIABLE = "OGI_NATS_CREDENTIALS"
AUTHORIZATION_VIOLATION = "authorization violation"


class NatsUnreachable(RuntimeError):
    pass


class CredentialsError(RuntimeError):
    """A credentials file that cannot be used; says which file and why."""


async def _log_error(error: Exception) -> None:
    log.warning("NATS connection: %s", error or type(error).__name__)


def credential_options(path: Path | str | None) -> dict:
    """nats-py connect options from a credentials file: `{"user", "password"}` or `{"user", "nkey_seed"}`.

    Every user but `admin` gets replies on an inbox prefix of its own (`_INBOX_<user>`), the only replies
    the server lets it read. No file: no options (a server without authorization)."""
    if path is None:
        return {}
    try:
        given = json.loads(Path(path).read_text())
        user = given["user"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CredentialsError(f"NATS credentials {path}: not a readable file with a user ({error})") from error
    options = {} if user == "admin" else {"inbox_prefix": f"_INBOX_{user}"}
    if "nkey_seed" in given:
        return options | {"nkeys_seed_str": given["nkey_seed"]}
    if "password" in given:
        return options | {"user": user, "password": given["password"]}
    raise CredentialsError(f"NATS credentials {path}: neither a password nor an nkey_seed")


def broker_options(path: Path | str | None) -> dict:
    """The same credentials as arguments of FastStream's NatsBroker, which takes them as `security`."""
    from faststream.nats.security import NatsNKey, NatsUserPassword

    options = credential_options(path)
    if "password" in options:
        options["security"] = NatsUserPassword(options.pop("user"), options.pop("password"))
    elif "nkeys_seed_str" in options:
        options["security"] = NatsNKey.from_seed(options.pop("nkeys_seed_str"))
    return options


def configured_credentials() -> Path | None:
    value = os.environ.get(CREDENTIALS_VARIABLE)
    return Path(value) if value else None


async def connect(url: str, name: str, timeout: float = 5.0, credentials: Path | None = None, **options) -> Client:
    """`credentials` defaults to the file named by OGI_NATS_CREDENTIALS, if any."""
    refused = []
    report = options.pop("error_cb", _log_error)

    async def on_error(error: Exception) -> None:
        if AUTHORIZATION_VIOLATION in str(error).lower():
            refused.append(error)
        await report(error)

    options = {
        "connect_timeout": 2,
        "max_reconnect_attempts": -1,
        "reconnect_time_wait": 0.5,
        **credential_options(credentials or configured_credentials()),
        **options,
        "error_cb": on_error,
    }
    try:
        return await asyncio.wait_for(nats.connect(url.split(","), name=name, **options), timeout)
    except Exception as error:  # nats-py raises several unrelated types for "nobody answered"
        if refused or AUTHORIZATION_VIOLATION in str(error).lower():
            raise NatsUnreachable(f"NATS at {url} refused these credentials: set OGI_NATS_CREDENTIALS to a file of yours") from error
        raise NatsUnreachable(f"cannot reach NATS at {url} within {timeout:.0f} s") from error
