"""One way to connect to NATS, with an error a person can act on when the server is not there."""

import nats
from nats.aio.client import Client


class NatsUnreachable(RuntimeError):
    pass


async def connect(url: str, name: str, **options) -> Client:
    try:
        return await nats.connect(
            url.split(","),
            name=name,
            connect_timeout=2,
            allow_reconnect=True,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            **options,
        )
    except Exception as error:  # nats-py raises several unrelated types for "nobody answered"
        raise NatsUnreachable(f"cannot reach NATS at {url}: {error or type(error).__name__}") from error
