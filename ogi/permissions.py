"""Who may do what on NATS: one user per ministry, per service, per registered observer, and `admin`
(docs/security.md), each inside its NATS account (ogi/accounts.py: the services and admin share the
platform's, each ministry and each observer has its own).

Everything not allowed here is refused by the server; deleting or purging a stream, a consumer or a message
is also denied outright to every user but `admin`. In the platform's account replies reach a user only on
its own inbox prefix (`_INBOX_<user>`, set by shared/natsconn.py), so no service reads another's publish
acknowledgements or direct-get answers; a ministry's account holds its own replies only.
"""

from dataclasses import dataclass

from shared import account_mirrors, subjects
from shared.contracts.submissions import SUBMISSION_MODELS
from shared.ministries import Ministry
from shared.organisations import KINDS_BY_ROLE, Role, kinds_of, role_of

ADMIN = "admin"
DECIDING_SERVICES = tuple(subjects.SERVICE_KINDS)
SERVICES = (*DECIDING_SERVICES, "indicators", "gateway")
# The services deciding kinds that name evidence (contract 1.1): training and plans.
EVIDENCE_DECIDERS = tuple(
    service for service, kinds in subjects.SERVICE_KINDS.items() if any("evidence" in SUBMISSION_MODELS[kind].model_fields for kind in kinds)
)
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
    deny_publish: tuple[str, ...] = DENIED_TO_ALL_BUT_ADMIN


def users() -> list[str]:
    return [ADMIN, *(str(ministry) for ministry in Ministry), *SERVICES]


def inbox(user: str) -> str:
    return f"_INBOX_{user}.>"


def _direct_get(stream: str, subject: str | None = None) -> str:
    """Direct get with the request in the body (None), or last message under `subject` named in the API subject."""
    return f"{API}.DIRECT.GET.{stream}" + (f".{subject}" if subject else "")


def _consumer_create(stream: str) -> tuple[str, ...]:
    """Create a consumer on `stream`, with any filter."""
    return (f"{API}.CONSUMER.CREATE.{stream}", f"{API}.CONSUMER.CREATE.{stream}.>")


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


def _mirror_reader(mirror: account_mirrors.Mirror) -> tuple[str, ...]:
    """Read a mirror in one's own account: direct gets, and ephemeral consumers only — the one create subject
    that cannot carry a durable name, and each consumer gone at most the mirror's inactive threshold after
    its reader has."""
    stream = mirror.stream
    return (
        f"{API}.STREAM.INFO.{stream}",
        _direct_get(stream),  # a batch named in the body: the mirror holds nothing else to name
        _direct_get(stream, mirror.filter_subject),
        f"{API}.CONSUMER.CREATE.{stream}",
        f"{API}.CONSUMER.INFO.{stream}.*",  # a KV watch asks how much it has to catch up
        f"$JS.FC.{stream}.>",
    )


def _evidence_info_reader() -> tuple[str, ...]:
    """Read a stored file's metadata (is it there, its size and type), by a direct get that names the metadata's
    subject in its own: not the file's content (shared/evidence_store.py)."""
    return (_direct_get(subjects.EVIDENCE_STREAM, subjects.evidence_metas()),)


def _token_reader() -> tuple[str, ...]:
    """Read a gateway token's record by its id, as a KV get does (the bucket takes no direct gets): verify a
    token. Records hold digests of the secrets, never a secret; nothing here writes, watches or lists keys."""
    return (f"{API}.STREAM.MSG.GET.KV_{subjects.TOKENS_BUCKET}",)


def submitting(name: str) -> tuple[str, ...]:
    """The inbox subjects a ministry publishes to: a responsible one all of its own (the stream stores only the
    kinds there are), the secretariat exactly its two claim kinds (contract 1.1), a related one none."""
    if role_of(Ministry(name)) == Role.RESPONSIBLE:
        return (f"ogi.inbox.{name}.>",)
    return tuple(subjects.inbox(name, kind) for kind in kinds_of(name))


def notices(name: str) -> tuple[str, ...]:
    """The notices a ministry hears: a responsible one, of its own claims (services/verification/notices.py)."""
    return (subjects.notice(name, ">"),) if role_of(Ministry(name)) == Role.RESPONSIBLE else ()


def _observer_reader() -> tuple[str, ...]:
    """Read one registered observer's record by its id, as a KV get does: who may dispute (shared/observers.py)."""
    return (f"{API}.STREAM.MSG.GET.KV_{subjects.OBSERVERS_BUCKET}",)


def ministry(name: str) -> Permissions:
    """Inside its own account: a ministry that submits (responsible, or the secretariat its claim kinds)
    publishes to its own inbox and hears its own outcomes; a responsible one hears the notices of its own claims;
    every ministry reads its mirrors (shared/account_mirrors.py) and hears the indicators. Its replies come on any
    inbox prefix, since only its own are in its account."""
    may_submit = bool(kinds_of(name))
    return Permissions(
        publish=(
            *submitting(name),
            *(rule for mirror in account_mirrors.mirrors(name) for rule in _mirror_reader(mirror)),
        ),
        subscribe=(*((subjects.outcome(name, ">"),) if may_submit else ()), *notices(name), "ogi.indicators.>", "_INBOX.>", inbox(name)),
        deny_publish=(*DENIED_TO_ALL_BUT_ADMIN, f"{account_mirrors.PLATFORM_API}.>"),
    )


def observer_submitting(name: str) -> tuple[str, ...]:
    """The inbox subjects an observer publishes to: its own, of the kinds its role submits (`claim.dispute`)."""
    return tuple(subjects.inbox(name, kind) for kind in KINDS_BY_ROLE[Role.OBSERVER])


def observer(name: str) -> Permissions:
    """Inside its own account, which has no JetStream: an observer publishes its disputes to its own inbox (a
    JetStream publish, whose acknowledgement comes back on a reply subject of its account) and hears its own
    outcomes live, and the indicators, as the public may."""
    return Permissions(
        publish=observer_submitting(name),
        subscribe=(subjects.outcome(name, ">"), "ogi.indicators.>", "_INBOX.>", inbox(name)),
    )


def deciding_service(name: str) -> Permissions:
    """Consumes its own durable consumer on OGI_INBOX, reads all of OGI_INBOX in order with an ordered consumer
    and looks at every deciding consumer's progress (shared/inbox_order.py), reads the event store and
    appends under its own name, claims submission ids, publishes outcomes for any ministry, answers its
    health subject. A service deciding kinds that name evidence (training, plans) reads whether each file is
    in OGI_EVIDENCE, and no file's content; the one deciding claim kinds (verification) reads whether an
    observer is registered and tells a ministry when one of its claims is returned or disputed."""
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
            *(_evidence_info_reader() if name in EVIDENCE_DECIDERS else ()),
            *((*_observer_reader(), subjects.notice("*", "claim.*")) if name == "verification" else ()),
        ),
        subscribe=(subjects.health(name), inbox(name)),
        allow_responses=True,
    )


def indicators() -> Permissions:
    """Follows OGI_EVENTS with ordered consumers (and a pull consumer while catching up), keeps KV
    OGI_INDICATORS, publishes and relays the indicator subjects, asks the deciding services whether they are up,
    and signs the transparency log's checkpoints (OGI_LOG). Serves evidence files: reads the events that name
    them (direct gets on OGI_EVENTS), the files (direct gets on OGI_EVIDENCE) and, to tell who asks for a
    private one, gateway tokens one by one (KV OGI_TOKENS, read only)."""
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
            subjects.LOG_CHECKPOINT,  # what it signs, and the key it signs with (OGI_LOG)
            subjects.LOG_KEY,
            subjects.log_cosignature("*"),  # witnesses' cosignatures the API took
            _direct_get(subjects.LOG_STREAM),
            _direct_get(subjects.LOG_STREAM, ">"),
            _direct_get(events),  # the events naming evidence, in batches (shared/evidence_index.py)
            _direct_get(subjects.EVIDENCE_STREAM),  # a file's chunks, in batches
            *_evidence_info_reader(),
            *_token_reader(),
        ),
        subscribe=("ogi.indicators.>", subjects.LOG_MAKE_CHECKPOINT, inbox("indicators")),
        allow_responses=True,
    )


def gateway() -> Permissions:
    """Submits for any ministry on behalf of a bearer token or a signed-in person, follows and reads every
    outcome, keeps the tokens (KV OGI_TOKENS) and the workspace's accounts and sessions (OGI_PEOPLE,
    OGI_SESSIONS), reads a submission it stored by its sequence, a region's events (the workspace lists
    submissions with their regions and previews a spreadsheet against the events) and the events naming evidence
    (who may open a file in the workspace, shared/evidence_index.py), counts requests (OGI_RATE), stores evidence
    files (OGI_EVIDENCE: a file's chunks and its metadata, and whether one is there already) and reads them back by
    batched direct gets, to serve them in the workspace."""
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
            *_bucket_writer(subjects.PEOPLE_BUCKET),
            *_bucket_writer(subjects.SESSIONS_BUCKET),
            _direct_get(subjects.INBOX_STREAM),  # a submission's body by its sequence: its region, in "my submissions"
            _direct_get(subjects.EVENTS_STREAM),  # a region's events, to preview a spreadsheet against them
            _direct_get(subjects.EVENTS_STREAM, ">"),
            "ogi.rate.>",
            _direct_get(subjects.RATE_STREAM, ">"),
            subjects.evidence_all_chunks(),
            subjects.evidence_metas(),
            *_evidence_info_reader(),
            _direct_get(subjects.EVIDENCE_STREAM),  # a file's chunks, in batches: served in the workspace
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
