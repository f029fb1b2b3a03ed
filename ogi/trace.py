"""`ogi trace`: from a submission id or an event id to the trace it was decided in, the path it took
through the system, and its outcome."""

import json
import re
from dataclasses import dataclass, field

import httpx
from nats.aio.client import Client

from ogi.cli_support import api_did_not_answer
from shared import subjects
from shared.contracts.outcomes import Outcome, original_of
from shared.ministries import Ministry
from shared.stream_reader import StreamReader

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SERVICE_OF_KIND = {kind: service for service, kinds in subjects.SERVICE_KINDS.items() for kind in kinds}


class NotFound(LookupError):
    pass


@dataclass
class Trail:
    ministry: str
    submission_id: str
    trace_id: str | None
    outcome: Outcome
    path: list[tuple[str, str]] = field(default_factory=list)
    resubmissions: list[Outcome] = field(default_factory=list)


async def follow(nc: Client, identifier: str, api_url: str, ministry: str | None = None) -> list[Trail]:
    if UUID.match(identifier):
        ministry, identifier = _event_origin(api_url, identifier)
    ministries = [ministry] if ministry else [str(m) for m in Ministry]
    trails = [trail for m in ministries if (trail := await _trail(nc, m, identifier, api_url))]
    if not trails:
        raise NotFound(f"no submission {identifier!r} from {' or '.join(ministries)}")
    return trails


def _event_origin(api_url: str, event_id: str) -> tuple[str, str]:
    try:
        response = httpx.get(f"{api_url}/api/v1/events/{event_id}", timeout=5)
    except httpx.HTTPError as error:
        raise NotFound(f"looking up an event id needs the indicators API at {api_url}: {error}") from error
    if response.status_code == 404:
        raise NotFound(f"no event {event_id} in the read model")
    response.raise_for_status()
    event = response.json()
    return event["reported_by"], event["submission_id"]


async def _trail(nc: Client, ministry: str, submission_id: str, api_url: str) -> Trail | None:
    js = nc.jetstream()
    outcomes = await _outcomes(nc, subjects.outcome(ministry, submission_id))
    original = original_of(outcomes)
    if original is None:
        return None
    trail = Trail(ministry, submission_id, original.trace_id, original, resubmissions=[o for o in outcomes if o is not original])
    inbox = await js.get_msg(subjects.INBOX_STREAM, original.submission_seq)
    origin = "with the ministry's traceparent" if inbox.headers and "traceparent" in inbox.headers else "no traceparent sent"
    trail.path.append(("stored", f"{subjects.INBOX_STREAM} #{inbox.seq}  {inbox.subject}  ({origin})"))
    verdict = str(original.status) + (f" {original.code}: {original.message}" if original.code else "")
    trail.path.append(("decided", f"{SERVICE_OF_KIND.get(original.kind, '?')}: {verdict}"))
    if original.event_seq:
        event = await js.get_msg(subjects.EVENTS_STREAM, original.event_seq)
        trail.trace_id = trail.trace_id or json.loads(event.data or b"").get("trace_id")
        trail.path.append(("recorded", f"{subjects.EVENTS_STREAM} #{event.seq}  {event.subject}  event {original.event_id}"))
    trail.path.append(("answered", f"{subjects.OUTCOMES_STREAM}  {subjects.outcome(ministry, submission_id)}"))
    if original.event_seq:
        trail.path.append(("counted", _projection_state(api_url, original.event_seq)))
    return trail


async def _outcomes(nc: Client, subject: str) -> list[Outcome]:
    return [Outcome.model_validate_json(message.data) for message in await StreamReader(nc, subjects.OUTCOMES_STREAM).read(subject)]


def _projection_state(api_url: str, event_seq: int) -> str:
    try:
        applied = httpx.get(f"{api_url}/api/v1/indicators", timeout=5).json()["as_of_seq"]
    except (httpx.HTTPError, ValueError, KeyError):
        return f"unknown: {api_did_not_answer(api_url)}"
    if applied >= event_seq:
        return f"in the indicators (read model at #{applied})"
    return f"not yet projected (read model at #{applied})"
