"""What a ministry reads from JetStream it reads from mirrors in its own NATS account (docs/security.md):
`KV_OGI_INDICATORS` for every ministry, and `OGI_OUTCOMES` holding only its own outcomes for a ministry that
submits (a responsible one, and the secretariat since contract 1.1). Same names, same subjects, same
sequences as the platform's streams, so a client reads them as it would the originals (KV get, keys, watch;
direct gets; consumers), and whatever it makes there stays there.

The platform's account holds the originals. Its admin makes the mirrors through each ministry account's
JetStream API, imported as `$JS.<ministry>.API`; a mirror follows its origin through the one consumer-create
subject the platform exports for it (`$JS.ogi.API` in the ministry's account, which the ministry's own user
may not publish to), delivering on `ogi.mirror.<ministry>.<stream>`, exported to that ministry alone.
"""

from dataclasses import dataclass

from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import ExternalStream, StreamConfig, StreamConsumerLimits, StreamSource
from nats.js.errors import ServiceUnavailableError

from shared import subjects
from shared.ministries import Ministry
from shared.organisations import kinds_of
from shared.streams import StreamMismatch

PLATFORM_ACCOUNT = "OGI"
PLATFORM_API = "$JS.ogi.API"  # in a ministry's account: the platform's JetStream API, for its mirrors only
# The longest a ministry's consumer outlives its reader: nats-py's KV watch asks for 5 minutes, and the server
# refuses a consumer that asks for more than its stream allows.
CONSUMER_INACTIVE_THRESHOLD = 300.0


@dataclass(frozen=True)
class Mirror:
    stream: str
    filter_subject: str  # of the origin: what the ministry may read


def account(ministry: str) -> str:
    return ministry.upper()


def ministry_api(ministry: str) -> str:
    """The ministry account's JetStream API as the platform's account sees it."""
    return f"$JS.{ministry}.API"


def deliver_prefix(ministry: str, stream: str) -> str:
    return f"ogi.mirror.{ministry}.{stream}"


def mirrors(ministry: str) -> list[Mirror]:
    indicators = Mirror(f"KV_{subjects.INDICATORS_BUCKET}", f"$KV.{subjects.INDICATORS_BUCKET}.>")
    if not kinds_of(ministry):
        return [indicators]
    return [indicators, Mirror(subjects.OUTCOMES_STREAM, subjects.outcome(ministry, ">"))]


def mirror_config(ministry: str, mirror: Mirror, replicas: int) -> StreamConfig:
    return StreamConfig(
        name=mirror.stream,
        mirror=StreamSource(
            name=mirror.stream,
            filter_subject=mirror.filter_subject,
            external=ExternalStream(api=PLATFORM_API, deliver=deliver_prefix(ministry, mirror.stream)),
        ),
        num_replicas=replicas,
        allow_direct=True,
        max_msgs_per_subject=1 if mirror.stream.startswith("KV_") else -1,  # a client takes it for a bucket; -1: no limit
        consumer_limits=StreamConsumerLimits(inactive_threshold=CONSUMER_INACTIVE_THRESHOLD),
    )


def account_jetstream(nc: Client, ministry: str, timeout: float = 5.0) -> JetStreamContext:
    """The JetStream of `ministry`'s account, for the platform's admin."""
    return nc.jetstream(prefix=ministry_api(ministry), timeout=timeout)


async def declare(nc: Client, replicas: int = 1) -> list[str]:
    """As admin: make the ministries' mirrors that are missing; return the ministries that have accounts.
    A server without ministry accounts (`ogi up` without --secure) has nothing to mirror into."""
    present = []
    for ministry in map(str, Ministry):
        js = account_jetstream(nc, ministry)
        try:
            existing = {info.config.name: info.config for info in await js.streams_info()}
        except ServiceUnavailableError:
            continue
        present.append(ministry)
        for mirror in mirrors(ministry):
            wanted = mirror_config(ministry, mirror, replicas)
            found = existing.get(mirror.stream)
            if found is None:
                await js.add_stream(wanted)
            elif found.mirror is None or (found.mirror.name, found.mirror.filter_subject) != (mirror.stream, mirror.filter_subject):
                raise StreamMismatch(
                    f"{mirror.stream} in the NATS account {account(ministry)} is not the mirror of "
                    f"{mirror.filter_subject} it must be: remove it there (as admin) and start again"
                )
            elif (found.num_replicas or 1) < replicas:
                raise StreamMismatch(
                    f"the mirror {mirror.stream} in the NATS account {account(ministry)} has "
                    f"{found.num_replicas or 1} replicas, needs {replicas}: raise them there as admin"
                )
    if present and len(present) != len(Ministry):
        missing = sorted(set(map(str, Ministry)) - set(present))
        raise StreamMismatch(f"the NATS server has no account for {', '.join(missing)}: give it the config of ogi/accounts.py")
    return present
