"""Declare, or verify, the streams and buckets of the contract. Safe to run at every start of every service.

A user allowed only to read stream information (every service under least privilege, docs/security.md)
verifies: what is there and fit passes; what is missing or needs changing is an error naming the admin's
job, since the server does not answer a request the user may not make."""

import asyncio

from nats.js import JetStreamContext
from nats.js.api import (
    DiscardPolicy,
    KeyValueConfig,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.errors import TimeoutError as NatsTimeout
from nats.js.errors import BucketNotFoundError, NotFoundError

from shared import subjects


class StreamMismatch(RuntimeError):
    """An existing stream or bucket that cannot serve as what the contract needs."""


def stream_configs(replicas: int, duplicate_window: float) -> list[StreamConfig]:
    common = dict(
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        num_replicas=replicas,
        duplicate_window=duplicate_window,
        allow_direct=True,
    )
    return [
        StreamConfig(name=subjects.INBOX_STREAM, subjects=subjects.inbox_subjects(), **common),
        StreamConfig(
            name=subjects.EVENTS_STREAM,
            subjects=["ogi.events.>"],
            deny_delete=True,
            deny_purge=True,
            allow_rollup_hdrs=False,
            **common,
        ),
        StreamConfig(name=subjects.OUTCOMES_STREAM, subjects=["ogi.outcome.>"], **common),
    ]


async def declare(js: JetStreamContext, replicas: int = 1, duplicate_window: float = 120.0) -> None:
    for config in stream_configs(replicas, duplicate_window):
        await _declare_stream(js, config)
    await _declare_bucket(js, KeyValueConfig(bucket=subjects.INDICATORS_BUCKET, history=1, replicas=replicas))
    await _declare_bucket(js, KeyValueConfig(bucket=subjects.SUBMISSIONS_BUCKET, history=1, replicas=replicas))
    await _declare_bucket(js, KeyValueConfig(bucket=subjects.TOKENS_BUCKET, history=1, replicas=replicas))


async def _declare_stream(js: JetStreamContext, config: StreamConfig) -> None:
    try:
        existing = (await js.stream_info(config.name)).config
    except NotFoundError:
        await _as_admin(js.add_stream(config), f"stream {config.name} is missing")
        return
    _verify(existing, config)
    if sorted(existing.subjects or []) != sorted(config.subjects or []) or (
        existing.duplicate_window != config.duplicate_window
    ):
        await _as_admin(js.update_stream(config), f"stream {config.name} needs its subjects or duplicate window updated")


def _verify(existing: StreamConfig, wanted: StreamConfig) -> None:
    problems = []
    if existing.storage != wanted.storage:
        problems.append(f"storage is {existing.storage}, needs {wanted.storage}")
    if (existing.num_replicas or 1) < (wanted.num_replicas or 1):
        problems.append(f"has {existing.num_replicas or 1} replicas, needs {wanted.num_replicas}")
    if existing.retention != wanted.retention:
        problems.append(f"retention is {existing.retention}, needs {wanted.retention}")
    for flag in ("deny_delete", "deny_purge"):
        if getattr(wanted, flag) and not getattr(existing, flag):
            problems.append(f"{flag} is off")
    if problems:
        raise StreamMismatch(f"stream {wanted.name}: " + "; ".join(problems))


async def _declare_bucket(js: JetStreamContext, config: KeyValueConfig) -> None:
    try:
        await js.key_value(config.bucket)
    except BucketNotFoundError:
        await _as_admin(js.create_key_value(config), f"bucket {config.bucket} is missing")
        return
    info = (await js.stream_info(f"KV_{config.bucket}")).config
    if (info.num_replicas or 1) < config.replicas:
        raise StreamMismatch(
            f"bucket {config.bucket} has {info.num_replicas or 1} replicas, needs {config.replicas}"
        )


async def _as_admin(change, problem: str) -> None:
    try:
        await change
    except NatsTimeout as error:
        raise StreamMismatch(f"{problem}, and this NATS user may not change it: run `ogi up` (or declare it) as admin") from error


async def declare_as_configured() -> None:
    """`python -m shared.streams`: declare everything with the OGI_* settings (as admin, under least privilege)."""
    from shared.natsconn import connect
    from shared.settings import Settings

    settings = Settings()
    nc = await connect(settings.resolved_nats_url, name="ogi-streams", credentials=settings.nats_credentials)
    try:
        await declare(nc.jetstream(), settings.replicas, settings.duplicate_window)
    finally:
        await nc.close()


if __name__ == "__main__":
    asyncio.run(declare_as_configured())
