"""The NATS server's accounts and users (docs/security.md): `ogi up --secure` writes them into its embedded
server's config, and `python -m ogi.accounts` prints deploy/nats/auth.conf, whose password hashes the
servers read from their environment.

The platform's account owns JetStream (the streams and buckets) and holds the services and admin, each with
the subject permissions of ogi/permissions.py. Each ministry has an account of its own holding its user
alone, which imports exactly what that ministry may use: its inbox as a service (a publish crosses into the
platform's account, where OGI_INBOX stores it and sends the acknowledgement back as the reply), its outcomes,
the notices of its claims and the indicators as streams, and what its mirrors need (shared/account_mirrors.py). A consumer a ministry
makes lives in its own account and delivers there, whatever subject it names, so no delivery of its can reach
anyone else; its JetStream holds no more streams than its mirrors and a bounded number of consumers.

Each registered observer (shared/observers.py) has an account of its own too, named `OBSERVER_<ID>` so that no
id can name another's, holding its user alone: it imports its dispute inbox as a service, its outcomes and
the indicators as streams, and has no JetStream. Observers are registered at run time, so the config is
rendered for the observers known then, and the server reloaded when there are more.
"""

import argparse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ogi import permissions
from shared import account_mirrors, subjects
from shared.ministries import Ministry
from shared.organisations import PLATFORM_USERS, is_observer_id

PLATFORM = account_mirrors.PLATFORM_ACCOUNT
MINISTRY_MAX_CONSUMERS = 256  # a KV watch or ordered reader is one; each goes within the mirrors' inactive threshold


@dataclass(frozen=True)
class Export:
    kind: str  # "stream": messages flow to the importer; "service": requests flow here, replies back
    subject: str
    accounts: tuple[str, ...]


@dataclass(frozen=True)
class Import:
    kind: str
    account: str
    subject: str
    to: str | None = None  # the subject in the importing account, when not the exporter's


def account_of(user: str) -> str:
    return account_mirrors.account(user) if user in set(map(str, Ministry)) else PLATFORM


def _mirror_paths(ministry: str) -> list[tuple[str, str]]:
    """(kind, subject) of the platform's account that `ministry`'s mirrors follow their origins through."""
    paths = []
    for mirror in account_mirrors.mirrors(ministry):
        paths += [
            ("service", f"$JS.API.CONSUMER.CREATE.{mirror.stream}.*.{mirror.filter_subject}"),
            ("stream", f"{account_mirrors.deliver_prefix(ministry, mirror.stream)}.>"),
            ("service", f"$JS.FC.{mirror.stream}.>"),
        ]
    return paths


def _shared_with(ministry: str) -> list[tuple[str, str]]:
    """(kind, subject) of the platform's account that `ministry` imports."""
    inboxes = [("service", subject) for subject in permissions.submitting(ministry)]
    submitting = [*inboxes, ("stream", subjects.outcome(ministry, ">"))] if inboxes else []
    notices = [("stream", subject) for subject in permissions.notices(ministry)]
    return [("stream", "ogi.indicators.>"), *submitting, *notices, *_mirror_paths(ministry)]


def observer_account(observer: str) -> str:
    return f"OBSERVER_{observer.upper()}"


def may_be_a_user(observer: str) -> bool:
    """An observer id that can name a NATS user: one of the registrable form, not a platform user's name."""
    return is_observer_id(observer) and observer not in PLATFORM_USERS


def _observer_shares(observer: str) -> list[tuple[str, str]]:
    """(kind, subject) of the platform's account that `observer` imports."""
    inbox = [("service", subject) for subject in permissions.observer_submitting(observer)]
    return [("stream", "ogi.indicators.>"), *inbox, ("stream", subjects.outcome(observer, ">"))]


def platform_exports(observers: Sequence[str] = ()) -> list[Export]:
    """Each subject exported once, to exactly the ministries and observers that import it."""
    importers: dict[tuple[str, str], list[str]] = {}
    sharing = [(account_mirrors.account(ministry), _shared_with(ministry)) for ministry in map(str, Ministry)]
    sharing += [(observer_account(observer), _observer_shares(observer)) for observer in observers]
    for account, paths in sharing:
        for path in paths:
            importers.setdefault(path, []).append(account)
    return [Export(kind, subject, tuple(accounts)) for (kind, subject), accounts in importers.items()]


def ministry_imports(ministry: str) -> list[Import]:
    def local(subject: str) -> str | None:  # the mirrors' way in, under a prefix its user may not publish to
        api = "$JS.API."
        return account_mirrors.PLATFORM_API + "." + subject.removeprefix(api) if subject.startswith(api) else None

    return [Import(kind, PLATFORM, subject, local(subject)) for kind, subject in _shared_with(ministry)]


def platform_imports() -> list[Import]:
    """Each ministry account's JetStream API, through which admin makes its mirrors."""
    return [Import("service", account_mirrors.account(m), "$JS.API.>", f"{account_mirrors.ministry_api(m)}.>") for m in map(str, Ministry)]


def observer_imports(observer: str) -> list[Import]:
    return [Import(kind, PLATFORM, subject) for kind, subject in _observer_shares(observer)]


def server_config(password: dict[str, str], observers: Iterable[str] = (), importing: Iterable[str] | None = None) -> str:
    """The server's `accounts` block, with an account for each of `observers`; `password[user]` is written as
    is (a quoted bcrypt hash, or a `$VARIABLE` the server reads from its environment). `importing`: the
    observers whose accounts import yet (all when None), since a reload checks a new account's imports
    against the exports the server had before it (ogi/observer_users.py)."""
    observers = sorted(set(observers))
    importers = set(observers if importing is None else importing)
    if unfit := [observer for observer in observers if not may_be_a_user(observer)]:
        raise ValueError(f"not an observer id that can name a NATS user: {', '.join(unfit)}")
    platform_users = {user: permissions.permissions(user) for user in permissions.users() if account_of(user) == PLATFORM}
    lines = ["accounts {"]
    lines += _account(PLATFORM, "enabled", platform_users, password, platform_exports(observers), platform_imports())
    for ministry in map(str, Ministry):
        limits = f"{{max_mem: 0, max_file: -1, max_streams: {len(account_mirrors.mirrors(ministry))}, max_consumers: {MINISTRY_MAX_CONSUMERS}}}"
        exports = [Export("service", "$JS.API.>", (PLATFORM,))]
        lines += _account(account_mirrors.account(ministry), limits, {ministry: permissions.ministry(ministry)}, password, exports, ministry_imports(ministry))
    for observer in observers:
        imports = observer_imports(observer) if observer in importers else []
        lines += _account(observer_account(observer), "disabled", {observer: permissions.observer(observer)}, password, [], imports)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _account(
    name: str, jetstream: str, users: dict[str, permissions.Permissions | None], password: dict[str, str], exports: list[Export], imports: list[Import]
) -> list[str]:
    lines = [f"  {name}: {{", f"    jetstream: {jetstream}", "    users: ["]
    for user, rules in users.items():
        lines += _user(user, password[user], rules)
    lines.append("    ]")
    lines.append("    exports: [")
    for export in exports:
        lines.append(f'      {{{export.kind}: "{export.subject}", accounts: [{", ".join(export.accounts)}]}}')
    lines.append("    ]")
    lines.append("    imports: [")
    for imported in imports:
        to = f', to: "{imported.to}"' if imported.to else ""
        lines.append(f'      {{{imported.kind}: {{account: {imported.account}, subject: "{imported.subject}"}}{to}}}')
    lines += ["    ]", "  }"]
    return lines


def _user(user: str, password: str, rules: permissions.Permissions | None) -> list[str]:
    lines = [f"      {{user: {user}, password: {password}"]
    if rules is not None:
        lines.append("       permissions: {")
        lines.append(f"         publish: {{\n           allow: {_list(rules.publish)}\n           deny: {_list(rules.deny_publish)}\n         }}")
        lines.append(f"         subscribe: {{allow: {_list(rules.subscribe)}}}")
        if rules.allow_responses:
            lines.append("         allow_responses: true")
        lines.append("       }")
    lines.append("      }")
    return lines


def _list(items: tuple[str, ...]) -> str:
    if len(items) <= 3:
        return "[" + ", ".join(f'"{item}"' for item in items) + "]"
    return "[\n" + "".join(f'             "{item}"\n' for item in items) + "           ]"


def environment_variable(user: str) -> str:
    return f"OGI_NATS_{user.upper()}_PASSWORD"


def deploy_config(observers: Sequence[str] = ()) -> str:
    """deploy/nats/auth.conf, with the accounts of `observers`: each password is a bcrypt hash from the
    server's environment."""
    header = (
        "# Generated by `python -m ogi.accounts` from ogi/accounts.py and ogi/permissions.py: edit those, not this.\n"
        "# Each OGI_NATS_<USER>_PASSWORD holds a bcrypt hash in double quotes (docs/security.md).\n"
    )
    return header + server_config({user: f"${environment_variable(user)}" for user in [*permissions.users(), *observers]}, observers)


def observers_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--observers", default="", help="the registered observers' ids, comma-separated (`ogi observer list`)")
    parser.add_argument("--observers-file", type=Path, help="or a file of them, one id a line")


def observers_given(arguments: argparse.Namespace) -> list[str]:
    given = arguments.observers.split(",")
    if arguments.observers_file is not None:
        given += arguments.observers_file.read_text().split()
    return sorted({observer.strip() for observer in given if observer.strip()})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m ogi.accounts", description="Print deploy/nats/auth.conf, the cluster's NATS accounts and users.")
    observers_option(parser)
    arguments = parser.parse_args()
    try:
        print(deploy_config(observers_given(arguments)), end="")
    except ValueError as error:
        parser.error(str(error))
