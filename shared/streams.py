"""Declare, or verify, the streams and buckets of the contract. Safe to run at every start of every service.

A user allowed only to read stream information (every service under least privilege, docs/security.md)
verifies: what is there and fit passes; what is missing or needs changing is an error naming the admin's
job, since the server does not answer a request the user may not make. An existing stream or bucket with
fewer replicas than asked for (OGI_REPLICAS, `ogi up --replicas`) is refused, never accepted as it is.

OGI_INBOX keeps no JetStream duplicate window: every publish is stored, and a resend is answered
`duplicate` by the ledger (shared/ledger.py), whenever it comes. JetStream's window is per stream, so a
`Nats-Msg-Id` one ministry sent would otherwise hide another ministry's submission carrying the same one.
nats-server takes a window of 0 only on a stream that sources another (2.14 and later), so OGI_INBOX sources
OGI_INBOX_UNUSED_SOURCE, an empty stream nobody may publish to; an older server gets the least window it
takes, 100 ms."""

import asyncio
from collections.abc import Awaitable
from dataclasses import replace

from nats.aio.client import Client
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import (
    DiscardPolicy,
    KeyValueConfig,
    RetentionPolicy,
    StorageType,
    StreamConfig,
    StreamSource,
)
from nats.js.errors import APIError, NotFoundError

from shared import subjects


class StreamMismatch(RuntimeError):
    """An existing stream or bucket that cannot serve as what the contract needs."""


RATE_WINDOWS_KEPT = 600.0  # seconds a request counter is kept: longer than any window
INBOX_UNUSED_SOURCE = "OGI_INBOX_UNUSED_SOURCE"
LEAST_DUPLICATE_WINDOW = 0.1  # what a stream that sources nothing takes


def stream_configs(replicas: int, duplicate_window: float, atomic_batches: bool = False, no_inbox_window: bool = False) -> list[StreamConfig]:
    """`atomic_batches`: the server takes them (2.12 and later); the streams deciding services write most get
    them allowed (shared/atomic_batches.py). `no_inbox_window`: the server takes a duplicate window of 0 on
    a sourcing stream (2.14 and later); `duplicate_window` is for the other streams."""
    atomic = True if atomic_batches else None
    common = StreamConfig(
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        num_replicas=replicas,
        duplicate_window=duplicate_window,
        allow_direct=True,
    )
    if no_inbox_window:
        inbox = replace(common, duplicate_window=0, sources=[StreamSource(name=INBOX_UNUSED_SOURCE)])
        unused_source = [replace(common, name=INBOX_UNUSED_SOURCE, subjects=["ogi.inbox_unused_source"])]
    else:
        inbox = replace(common, duplicate_window=LEAST_DUPLICATE_WINDOW)
        unused_source = []
    return [
        *unused_source,
        replace(inbox, name=subjects.INBOX_STREAM, subjects=subjects.inbox_subjects()),
        replace(
            common,
            name=subjects.EVENTS_STREAM,
            subjects=["ogi.events.>"],
            deny_delete=True,
            deny_purge=True,
            allow_rollup_hdrs=False,
            allow_atomic=atomic,
        ),
        replace(common, name=subjects.OUTCOMES_STREAM, subjects=["ogi.outcome.>"], allow_atomic=atomic),
        replace(common, name=subjects.LOG_STREAM, subjects=["ogi.log.>"], deny_delete=True, deny_purge=True),
        evidence_stream_config(common, atomic),
        StreamConfig(
            name=subjects.RATE_STREAM,
            subjects=["ogi.rate.>"],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.MEMORY,
            num_replicas=replicas,
            allow_msg_counter=True,
            max_age=RATE_WINDOWS_KEPT,
            duplicate_window=60.0,
            allow_direct=True,
        ),
    ]


def evidence_stream_config(common: StreamConfig, atomic: bool | None) -> StreamConfig:
    """The object store OGI_EVIDENCE, as the stream any object store client makes for it (metadata and chunks,
    messages never dropped to make room, rollups taken so that `nats object` can replace and delete), with atomic
    batches allowed so that a file's chunks and its metadata are stored together or not at all
    (shared/evidence_store.py). Unlike OGI_EVENTS it does not deny deleting and purging: a private file may hold
    personal data that an operator (admin, alone allowed to) must be able to remove."""
    return replace(
        common,
        name=subjects.EVIDENCE_STREAM,
        subjects=[subjects.evidence_all_chunks(), subjects.evidence_metas()],
        discard=DiscardPolicy.NEW,
        allow_rollup_hdrs=True,
        allow_atomic=atomic,
    )


SESSION_KEPT_SECONDS = 24 * 3600  # at least a session's longest life (services/gateway/workspace/sessions.py)


def bucket_configs(replicas: int) -> list[KeyValueConfig]:
    return [
        *(
            KeyValueConfig(bucket=bucket, history=1, replicas=replicas)
            for bucket in (subjects.INDICATORS_BUCKET, subjects.SUBMISSIONS_BUCKET, subjects.TOKENS_BUCKET, subjects.PEOPLE_BUCKET, subjects.OBSERVERS_BUCKET)
        ),
        KeyValueConfig(bucket=subjects.SESSIONS_BUCKET, history=1, replicas=replicas, ttl=SESSION_KEPT_SECONDS),
    ]


def bucket_stream(bucket: str) -> str:
    """The stream JetStream keeps a KV bucket in: what `nats stream` commands and stream_info name."""
    return f"KV_{bucket}"


async def declare(nc: Client, replicas: int = 1, duplicate_window: float = 120.0) -> None:
    """Verify every stream and bucket that exists; only when all are fit, create the missing ones and update
    what may change in place. A refusal changes nothing."""
    js = nc.jetstream()
    atomic = takes_atomic_batches(nc)
    wanted_streams = stream_configs(replicas, duplicate_window, atomic, takes_no_duplicate_window(nc))
    wanted_buckets = bucket_configs(replicas)
    found_streams = {_name(config): await _existing(js, _name(config)) for config in wanted_streams}
    found_buckets = {config.bucket: await _existing(js, bucket_stream(config.bucket)) for config in wanted_buckets}
    problems = [
        *(problem for config in wanted_streams for problem in _stream_problems(found_streams[_name(config)], config)),
        *(problem for config in wanted_buckets for problem in _bucket_problems(found_buckets[config.bucket], config)),
    ]
    if problems:
        raise StreamMismatch(_explain(problems))
    for config in wanted_streams:
        existing = found_streams[_name(config)]
        if existing is None:
            await _as_admin(js.add_stream(config), f"stream {config.name} is missing")
        elif (
            sorted(existing.subjects or []) != sorted(config.subjects or [])
            or (existing.duplicate_window or 0) != config.duplicate_window
            or _source_names(existing) != _source_names(config)
            or (config.allow_atomic and not existing.allow_atomic)
        ):
            await _as_admin(js.update_stream(config), f"stream {config.name} needs its subjects, duplicate window, sources or atomic batches updated")
    for bucket_config in wanted_buckets:
        if found_buckets[bucket_config.bucket] is None:
            await _as_admin(js.create_key_value(bucket_config), f"bucket {bucket_config.bucket} is missing")
    if atomic:
        # Claims are written by every decision, like outcomes: the bucket's stream takes atomic batches too.
        stream = bucket_stream(subjects.SUBMISSIONS_BUCKET)
        claims = found_buckets[subjects.SUBMISSIONS_BUCKET] or await _existing(js, stream)  # asked again only if just made
        if claims is None:
            raise StreamMismatch(f"bucket {subjects.SUBMISSIONS_BUCKET} is missing just after it was made")
        if not claims.allow_atomic:
            await _as_admin(js.update_stream(replace(claims, allow_atomic=True)), f"bucket {subjects.SUBMISSIONS_BUCKET} needs atomic batches allowed")


def takes_atomic_batches(nc: Client) -> bool:
    """Whether the server `nc` is connected to stores atomic batches (nats-server 2.12 and later)."""
    version = nc.connected_server_version
    return (version.major, version.minor) >= (2, 12)


def takes_no_duplicate_window(nc: Client) -> bool:
    """Whether the server `nc` is connected to keeps no duplicate window on a sourcing stream (2.14 and later)."""
    version = nc.connected_server_version
    return (version.major, version.minor) >= (2, 14)


def _name(config: StreamConfig) -> str:
    """The name every stream of the contract has; nats-py's StreamConfig leaves it optional."""
    if config.name is None:
        raise ValueError(f"a stream of the contract has no name: {config}")
    return config.name


def _source_names(config: StreamConfig) -> list[str]:
    return sorted(source.name for source in config.sources or [])


async def _existing(js: JetStreamContext, stream: str) -> StreamConfig | None:
    try:
        return (await js.stream_info(stream)).config
    except NotFoundError:
        return None


def _replica_shortfall(what: str, stream: str, has: int | None, needs: int) -> list[str]:
    has = has or 1
    if has >= needs:
        return []
    return [f"{what} has {has} replica{'s' if has != 1 else ''}, needs {needs} (`nats stream edit {stream} --replicas {needs}`)"]


def _stream_problems(existing: StreamConfig | None, wanted: StreamConfig) -> list[str]:
    if existing is None:
        return []
    what = f"stream {wanted.name}"
    problems = _replica_shortfall(what, _name(wanted), existing.num_replicas, wanted.num_replicas or 1)
    if existing.storage != wanted.storage:
        problems.append(f"{what} has {existing.storage} storage, needs {wanted.storage}")
    if existing.retention != wanted.retention:
        problems.append(f"{what} has {existing.retention} retention, needs {wanted.retention}")
    for flag in ("deny_delete", "deny_purge"):
        if getattr(wanted, flag) and not getattr(existing, flag):
            problems.append(f"{what} has {flag} off, needs it on")
    return problems


def _bucket_problems(existing: StreamConfig | None, wanted: KeyValueConfig) -> list[str]:
    if existing is None:
        return []
    stream = bucket_stream(wanted.bucket)
    return _replica_shortfall(f"bucket {wanted.bucket}", stream, existing.num_replicas, wanted.replicas)


def _explain(problems: list[str]) -> str:
    fix = ""
    if any("replica" in problem for problem in problems):
        # Raising a stream's replicas is done in place: JetStream copies its messages to the new replicas.
        fix = "; raise them as shown, or ask for fewer replicas (--replicas, OGI_REPLICAS)"
    return "; ".join(problems) + fix


async def _as_admin(change: Awaitable[object], problem: str) -> None:
    try:
        await change
    except NatsTimeout as error:
        raise StreamMismatch(f"{problem}, and this NATS user may not change it: run `ogi up` (or declare it) as admin") from error
    except APIError as error:
        raise StreamMismatch(f"{problem}, and NATS refused to make it: {error.description} (err_code {error.err_code})") from error


async def declare_as_configured() -> None:
    """`python -m shared.streams`: declare everything with the OGI_* settings (as admin, under least privilege),
    and the ministries' mirrors where the server has their accounts."""
    from shared import account_mirrors
    from shared.natsconn import connect
    from shared.settings import Settings

    settings = Settings()
    nc = await connect(settings.resolved_nats_url, name="ogi-streams", credentials=settings.nats_credentials)
    try:
        await declare(nc, settings.replicas, settings.duplicate_window)
        await account_mirrors.declare(nc, settings.replicas)
    finally:
        await nc.close()


if __name__ == "__main__":
    asyncio.run(declare_as_configured())
