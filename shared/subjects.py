"""The subject scheme of CONTRACT.md, defined once: every subject, stream and bucket name comes from here."""

import base64

from shared.ministries import Ministry

INBOX_STREAM = "OGI_INBOX"
EVENTS_STREAM = "OGI_EVENTS"
OUTCOMES_STREAM = "OGI_OUTCOMES"
INDICATORS_BUCKET = "OGI_INDICATORS"
# Platform-internal: one key per (ministry, submission_id) ever received, which makes ids idempotent forever.
SUBMISSIONS_BUCKET = "OGI_SUBMISSIONS"
# Platform-internal: the HTTP gateway's bearer tokens, as hashes (shared/tokens.py).
TOKENS_BUCKET = "OGI_TOKENS"
# Platform-internal: the workspace's accounts (shared/people.py) and its sessions (services/gateway/workspace).
PEOPLE_BUCKET = "OGI_PEOPLE"
SESSIONS_BUCKET = "OGI_SESSIONS"
# The civil-society observers registered by the operator (shared/observers.py).
OBSERVERS_BUCKET = "OGI_OBSERVERS"
RATE_STREAM = "OGI_RATE"  # the gateway's request counters (services/gateway/ratelimit.py)
# The transparency log's signed checkpoints, its verifier key and witnesses' cosignatures: state of its own,
# kept like the events (never in the read model, which is rebuilt). services/indicators/log_keeper.py
LOG_STREAM = "OGI_LOG"
LOG_CHECKPOINT = "ogi.log.checkpoint"
LOG_KEY = "ogi.log.key"
LOG_MAKE_CHECKPOINT = "ogi.control.log_checkpoint"  # a request to the indicators service: sign a checkpoint now (not stored)
# Evidence files (bukti dukung): a JetStream object store, each object named by its content's SHA-256
# (shared/evidence_store.py). JetStream keeps it in the stream OBJ_<bucket>, metadata and chunks apart.
EVIDENCE_BUCKET = "OGI_EVIDENCE"
EVIDENCE_STREAM = f"OBJ_{EVIDENCE_BUCKET}"

KINDS = ("region.enroll", "region.withdraw", "training.complete", "plan.submit", "plan.withdraw")
CLAIM_KINDS = ("claim.verify", "claim.return", "claim.amend", "claim.dispute")
# Observers are registered at run time, so the inbox stores a dispute from any id; the verification service
# answers one from an id that is not registered `not_permitted`. Every other kind is stored per ministry.
OPEN_KINDS = ("claim.dispute",)

# Which service owns which submission kinds and which event types.
SERVICE_KINDS = {
    "registry": ("region.enroll", "region.withdraw"),
    "training": ("training.complete",),
    "plans": ("plan.submit", "plan.withdraw"),
    "verification": CLAIM_KINDS,
}
SERVICE_EVENTS = {
    "registry": ("RegionEnrolled", "RegionWithdrawn"),
    "training": ("TrainingCompleted",),
    "plans": ("PlanSubmitted", "PlanWithdrawn"),
    "verification": ("ClaimVerified", "ClaimReturned", "ClaimAmended", "ClaimDisputed"),
}
EVENT_SERVICE = {event: service for service, events in SERVICE_EVENTS.items() for event in events}

UNPARSED = "_unparsed"  # also reserved as a submission id (shared/contracts/submissions.py)


def inbox(ministry: str, kind: str) -> str:
    return f"ogi.inbox.{ministry}.{kind}"


def inbox_subjects() -> list[str]:
    """Exactly the subjects a submission may be stored on: anything else is refused at publish time."""
    per_ministry = [kind for kind in (*KINDS, *CLAIM_KINDS) if kind not in OPEN_KINDS]
    return [inbox(m, k) for m in Ministry for k in per_ministry] + [inbox("*", k) for k in OPEN_KINDS]


def inbox_filter(service: str) -> str:
    """What one service consumes: `ogi.inbox.*.region.*` for the registry, and so on."""
    (family,) = {kind.split(".")[0] for kind in SERVICE_KINDS[service]}
    return f"ogi.inbox.*.{family}.*"


def parse_inbox(subject: str) -> tuple[str, str]:
    """`ogi.inbox.kemendagri.region.enroll` -> (`kemendagri`, `region.enroll`)."""
    _, _, ministry, *kind = subject.split(".")
    return ministry, ".".join(kind)


def outcome(ministry: str, submission_id: str) -> str:
    return f"ogi.outcome.{ministry}.{submission_id}"


def region_token(region_code: str) -> str:
    return region_code.replace(".", "")


def event(service: str, region_code: str, event_type: str) -> str:
    return f"ogi.events.{service}.{region_token(region_code)}.{event_type}"


def aggregate(service: str, region_code: str) -> str:
    """One service's aggregate for a region: `ogi.events.registry.7371.*`."""
    return f"ogi.events.{service}.{region_token(region_code)}.*"


def region_history(region_code: str) -> str:
    """Every event of a region, whichever service recorded it: `ogi.events.*.7371.*`."""
    return f"ogi.events.*.{region_token(region_code)}.*"


def indicator(scope: str, name: str) -> str:
    return f"ogi.indicators.{scope}.{name}"


# What a ministry's systems may watch about its claims (core NATS, not stored: the event store is the record).
NOTICE_TOPICS = {"ClaimReturned": "claim.returned", "ClaimDisputed": "claim.disputed"}


def notice(ministry: str, topic: str) -> str:
    """`ogi.notice.<ministry>.claim.returned|claim.disputed`: told when one of the ministry's claims is returned
    or disputed (services/verification/notices.py)."""
    return f"ogi.notice.{ministry}.{topic}"


def health(service: str) -> str:
    """Platform-internal request/reply subject a running service answers while it consumes."""
    return f"ogi.health.{service}"


def rate_counter(limiter: str, key: str, window: int) -> str:
    return f"ogi.rate.{limiter}.{key}.{window}"


def log_witness(key_id: str) -> str:
    """A witness registered by the operator, by its key's id (hex): its verifier key."""
    return f"ogi.log.witness.{key_id}"


def log_cosignature(key_id: str) -> str:
    """The latest checkpoint a registered witness cosigned, by its key's id (hex)."""
    return f"ogi.log.cosignature.{key_id}"


def evidence_meta(sha256: str) -> str:
    """Where the object store keeps a file's metadata: `$O.<bucket>.M.<base64url of its name>`, as every
    object store client names it."""
    return f"$O.{EVIDENCE_BUCKET}.M.{base64.urlsafe_b64encode(sha256.encode()).decode()}"


def evidence_metas() -> str:
    return f"$O.{EVIDENCE_BUCKET}.M.>"


def evidence_chunks(nuid: str) -> str:
    """Where one stored file's chunks are, in order: `$O.<bucket>.C.<nuid>` (the nuid its metadata names)."""
    return f"$O.{EVIDENCE_BUCKET}.C.{nuid}"


def evidence_all_chunks() -> str:
    return f"$O.{EVIDENCE_BUCKET}.C.>"
