"""Who may do what on NATS: one user per ministry, per service, and `admin` (docs/security.md).

Everything not allowed here is refused by the server; deleting or purging a stream, a consumer or a message
is also denied outright to every user but `admin`. Replies reach a user only on its own inbox prefix
(`_INBOX_<user>`, set by shared/natsconn.py), so nobody reads another user's publish acknowledgements or
direct-get answers. `python -m ogi.permissions` prints the authorization block of deploy/nats/auth.conf.
"""

from dataclasses import dataclass

from shared import subjects
from shared.ministries import RESPONSIBLE, Ministry

ADMIN = "admin"
DECIDING_SERVICES = tuple(subjects.SERVICE_KINDS)
SERVICES = (*DECIDING_SERVICES, "indicators", "gateway")
API = "$JS.API"
DENIED_TO_ALL_BUT_ADMIN = (
    f"{API}.STREAM.DELETE.>",
    f"{API}.STREAM.PURGE.>",
    f"{API}.STREAM.MSG.DELETE.>",
    f"{API}.CONSUMER.DELETE.>",
)


@dataclass(frozen=True)
class Permissions:
    publish: tuple[str, ...]
    subscribe: tuple[str, ...]
    allow_responses: bool = False


def users() -> list[str]:
    return [ADMIN, *(str(ministry) for ministry in Ministry), *SERVICES]


def inbox(user: str) -> str:
    return f"_INBOX_{user}.>"


def _direct_get(stream: str, subject: str | None = None) -> str:
    """Direct get with the request in the body (None), or last message under `subject` named in the API subject."""
    return f"{API}.DIRECT.GET.{stream}" + (f".{subject}" if subject else "")


def _consumer_create(stream: str, filter_subject: str | None = None) -> tuple[str, ...]:
    """Create a consumer on `stream`: any filter (None), or only named ones whose filter the API subject carries,
    which the server checks against the consumer's own configuration."""
    if filter_subject is None:
        return (f"{API}.CONSUMER.CREATE.{stream}", f"{API}.CONSUMER.CREATE.{stream}.>")
    return (f"{API}.CONSUMER.CREATE.{stream}.*.{filter_subject}",)


def _bucket_reader(bucket: str) -> tuple[str, ...]:
    stream = f"KV_{bucket}"
    return (
        f"{API}.STREAM.INFO.{stream}",
        _direct_get(stream),
        _direct_get(stream, ">"),
        f"{API}.STREAM.MSG.GET.{stream}",
        *_consumer_create(stream),  # keys() and watch()
        f"$JS.FC.{stream}.>",
    )


def _bucket_writer(bucket: str) -> tuple[str, ...]:
    return (*_bucket_reader(bucket), f"$KV.{bucket}.>")


INDICATOR_READER = Permissions(publish=_bucket_reader(subjects.INDICATORS_BUCKET), subscribe=("ogi.indicators.>",))


def ministry(name: str) -> Permissions:
    """A responsible ministry submits to its own inbox and reads its own outcomes; a related one reads the
    indicators only (it has no outcomes: it may not submit)."""
    own = INDICATOR_READER
    if Ministry(name) not in RESPONSIBLE:
        return Permissions(own.publish, (*own.subscribe, inbox(name)))
    outcomes = subjects.outcome(name, ">")
    return Permissions(
        publish=(
            f"ogi.inbox.{name}.>",
            _direct_get(subjects.OUTCOMES_STREAM, outcomes),
            *_consumer_create(subjects.OUTCOMES_STREAM, outcomes),
            *own.publish,
        ),
        subscribe=(outcomes, *own.subscribe, inbox(name)),
    )


def deciding_service(name: str) -> Permissions:
    """Consumes its own durable consumer on OGI_INBOX, reads all of OGI_INBOX in order with an ordered consumer
    and looks at every deciding consumer's progress (shared/inbox_order.py), reads the event store and
    appends under its own name, claims submission ids, publishes outcomes for any ministry, answers its
    health subject."""
    stream = subjects.INBOX_STREAM
    inbox_consumer = f"{stream}.{name}"
    return Permissions(
        publish=(
            f"{API}.STREAM.INFO.*",
            f"{API}.CONSUMER.INFO.{stream}.*",
            f"{API}.CONSUMER.CREATE.{stream}",  # the ordered consumer: ephemeral, its filter in the body
            f"$JS.FC.{stream}.>",
            f"{API}.CONSUMER.DURABLE.CREATE.{inbox_consumer}",
            f"{API}.CONSUMER.CREATE.{inbox_consumer}",
            f"{API}.CONSUMER.CREATE.{inbox_consumer}.>",
            f"{API}.CONSUMER.MSG.NEXT.{inbox_consumer}",
            f"$JS.ACK.{inbox_consumer}.>",
            f"ogi.events.{name}.>",
            _direct_get(subjects.EVENTS_STREAM),
            _direct_get(subjects.EVENTS_STREAM, ">"),
            f"{API}.STREAM.MSG.GET.{subjects.EVENTS_STREAM}",
            "ogi.outcome.>",
            _direct_get(subjects.OUTCOMES_STREAM, ">"),
            *_bucket_writer(subjects.SUBMISSIONS_BUCKET),
        ),
        subscribe=(subjects.health(name), inbox(name)),
        allow_responses=True,
    )


def indicators() -> Permissions:
    """Follows OGI_EVENTS with ordered consumers (and a pull consumer while catching up), keeps KV
    OGI_INDICATORS, publishes and relays the indicator subjects, asks the deciding services whether they are up."""
    events = subjects.EVENTS_STREAM
    return Permissions(
        publish=(
            f"{API}.STREAM.INFO.*",
            *_consumer_create(events),
            f"{API}.CONSUMER.MSG.NEXT.{events}.*",  # a receiving process's pull consumer
            f"$JS.FC.{events}.>",
            *_bucket_writer(subjects.INDICATORS_BUCKET),
            "ogi.indicators.>",
            subjects.health("*"),
        ),
        subscribe=("ogi.indicators.>", inbox("indicators")),
    )


def gateway() -> Permissions:
    """Submits for any ministry on behalf of a bearer token, follows and reads every outcome, keeps the
    tokens (KV OGI_TOKENS) and counts requests (OGI_RATE)."""
    outcomes = subjects.OUTCOMES_STREAM
    return Permissions(
        publish=(
            f"{API}.STREAM.INFO.*",
            "ogi.inbox.>",
            *_consumer_create(outcomes),
            f"$JS.FC.{outcomes}.>",
            _direct_get(outcomes),
            _direct_get(outcomes, ">"),
            *_bucket_writer(subjects.TOKENS_BUCKET),
            "ogi.rate.>",
            _direct_get(subjects.RATE_STREAM, ">"),
        ),
        subscribe=("ogi.outcome.>", inbox("gateway")),
    )


def permissions(user: str) -> Permissions | None:
    """None: every permission (admin)."""
    if user == ADMIN:
        return None
    if user in DECIDING_SERVICES:
        return deciding_service(user)
    if user == "indicators":
        return indicators()
    if user == "gateway":
        return gateway()
    return ministry(user)


def authorization(password: dict[str, str]) -> str:
    """The server's `authorization` block; `password[user]` is written as is (a quoted bcrypt hash, or a
    `$VARIABLE` the server reads from its environment)."""
    lines = ["authorization {", "  users: ["]
    for user in users():
        lines.append(f"    {{user: {user}, password: {password[user]}")
        rules = permissions(user)
        if rules is not None:
            lines.append("     permissions: {")
            lines.append(f"       publish: {{\n         allow: {_list(rules.publish)}\n         deny: {_list(DENIED_TO_ALL_BUT_ADMIN)}\n       }}")
            lines.append(f"       subscribe: {{allow: {_list(rules.subscribe)}}}")
            if rules.allow_responses:
                lines.append("       allow_responses: true")
            lines.append("     }")
        lines.append("    }")
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


def environment_variable(user: str) -> str:
    return f"OGI_NATS_{user.upper()}_PASSWORD"


def deploy_authorization() -> str:
    """deploy/nats/auth.conf: each password is a bcrypt hash from the server's environment."""
    header = (
        "# Generated by `python -m ogi.permissions` from ogi/permissions.py: edit that, not this.\n"
        "# Each OGI_NATS_<USER>_PASSWORD holds a bcrypt hash in double quotes (docs/security.md).\n"
    )
    return header + authorization({user: f"${environment_variable(user)}" for user in users()})


def _list(items: tuple[str, ...]) -> str:
    if len(items) <= 3:
        return "[" + ", ".join(f'"{item}"' for item in items) + "]"
    return "[\n" + "".join(f'           "{item}"\n' for item in items) + "         ]"


if __name__ == "__main__":
    print(deploy_authorization(), end="")
