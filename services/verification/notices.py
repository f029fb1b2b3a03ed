"""Telling a ministry, on a core subject its systems can watch, that one of its claims was returned or disputed.

Published after the event is stored, and again whenever a redelivered submission finds its event stored already:
at least once, never before the record exists. Not stored, so a ministry not listening misses it; the event
store is the record, and the claims API lists what is returned or disputed (shared/contracts/notices.py)."""

from nats.aio.client import Client

from shared import subjects
from shared.contracts.events import AnyEvent, ClaimDisputed, ClaimReturned
from shared.contracts.notices import ClaimNotice


def notice_of(event: AnyEvent) -> tuple[str, ClaimNotice] | None:
    """The subject and notice an event makes; None for an event no ministry is told of."""
    if not isinstance(event, ClaimReturned | ClaimDisputed):
        return None
    notice = ClaimNotice(
        claim_event_id=event.data.claim_event_id,
        region_code=event.region_code,
        reason=event.data.reason,
        event_id=event.event_id,
        occurred_on=event.occurred_on,
        reported_by=event.reported_by,
    )
    return subjects.notice(str(event.ministry), subjects.NOTICE_TOPICS[event.event_type]), notice


def ministry_told(nc: Client):
    async def tell(event: AnyEvent) -> None:
        made = notice_of(event)
        if made is not None:
            subject, notice = made
            await nc.publish(subject, notice.model_dump_json().encode())

    return tell
