"""What a person is told when NATS answers a command with an error: one line naming what is missing or
wrong, and what to do."""

from nats.errors import Error as NatsError
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.errors import APIError, BucketNotFoundError, NoStreamResponseError, NotFoundError, ServiceUnavailableError

from shared import subjects

INSUFFICIENT_STORAGE = 10047  # JetStream's error code when its storage is full
NOT_ENABLED = (10039, 10076)  # JetStream not enabled (for the account)
OGI_STREAMS = f"{subjects.INBOX_STREAM}, {subjects.EVENTS_STREAM}, {subjects.OUTCOMES_STREAM}"


def explained(error: Exception, nats_url: str) -> str | None:
    """The line for an error NATS answered, or None for one this does not know."""
    not_ogi = f"NATS at {nats_url} is not an OGI Tracker system ({{}}): start one with `ogi up`, or name its NATS with --nats-url (or OGI_NATS_URL)"
    if isinstance(error, BucketNotFoundError | NotFoundError):
        return not_ogi.format(f"its streams {OGI_STREAMS} and buckets are missing")
    if isinstance(error, NoRespondersError | NoStreamResponseError | ServiceUnavailableError):
        return not_ogi.format("no JetStream stream answers")
    if isinstance(error, APIError):
        if error.err_code == INSUFFICIENT_STORAGE:
            return f"NATS at {nats_url} has no space left to store it (JetStream storage is full): nothing was stored; free disk space and try again"
        if error.err_code in NOT_ENABLED:
            return not_ogi.format("JetStream is not enabled")
        if error.code in (404, 503):  # a direct get with no stream behind it
            return not_ogi.format(f"its streams {OGI_STREAMS} are missing")
        return f"NATS at {nats_url} refused it: {error.description or type(error).__name__} (code {error.err_code or error.code})"
    if isinstance(error, NatsTimeout):
        return f"NATS at {nats_url} did not answer in time: is it overloaded, or out of disk space? (`ogi up` logs say)"
    if isinstance(error, NatsError):
        return f"NATS at {nats_url}: {error}"
    return None
