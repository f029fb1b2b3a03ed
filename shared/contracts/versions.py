"""Schema versions of the domain events, and reading an event stored at an older version as its type's
current one (upcasting).

Stored events are never rewritten: every reader, through the models (events.decode_event) or on plain JSON
values (the projector's recorded.read_directly), passes what it reads through `upcast`. Each change of an
event type's shape is one small pure function from version n's event to version n + 1's, appended to the
type's steps in STEPS; the type's current version is one more than its number of steps. Plain Python
only: the projector's receiving process reads events with it and imports nothing heavier.
"""

from collections.abc import Callable

Step = Callable[[dict], dict]


class UnknownEventVersion(Exception):
    """An event this release cannot read: an unknown type, or a schema version it does not know (most
    often a newer one, written by a newer release). Never read as another version instead."""

    def __init__(self, event_type: object, version: object, highest_known: int | None) -> None:
        self.event_type, self.version, self.highest_known = event_type, version, highest_known
        if highest_known is None:
            reason = f"event type {event_type!r} (schema_version {version!r}) is not known to this release (known: {', '.join(STEPS)})"
        elif isinstance(version, int) and not isinstance(version, bool) and version > highest_known:
            reason = f"{event_type} schema_version {version} is newer than this release reads (highest known: {highest_known})"
        else:
            reason = f"{event_type} schema_version {version!r} is not a version of it (highest known: {highest_known})"
        super().__init__(reason)


def evidence_none_yet(event: dict) -> dict:
    """Version 2 of TrainingCompleted and PlanSubmitted names its evidence; one stored before named none."""
    return {**event, "data": {**event["data"], "evidence": []}}


# Per event type, the steps from version 1 on: STEPS[type][n - 1] turns version n into version n + 1.
STEPS: dict[str, tuple[Step, ...]] = {
    "RegionEnrolled": (),
    "RegionWithdrawn": (),
    "TrainingCompleted": (evidence_none_yet,),
    "PlanSubmitted": (evidence_none_yet,),
    "PlanWithdrawn": (),
    "ClaimVerified": (),
    "ClaimReturned": (),
    "ClaimAmended": (),
    "ClaimDisputed": (),
}
CURRENT_VERSIONS: dict[str, int] = {event_type: len(steps) + 1 for event_type, steps in STEPS.items()}


def upcast(event: dict) -> dict:
    """`event` (plain JSON values, as stored) as its type's current version, a new dict when it was older
    (the given one is not changed). Raises UnknownEventVersion for an unknown type or version."""
    event_type, version = event.get("event_type"), event.get("schema_version")
    steps = STEPS.get(event_type) if isinstance(event_type, str) else None
    if steps is None:
        raise UnknownEventVersion(event_type, version, None)
    current = len(steps) + 1
    if version == current and type(version) is int:
        return event
    if type(version) is not int or not 1 <= version < current:
        raise UnknownEventVersion(event_type, version, current)
    for step in steps[version - 1 :]:
        event = step(event)
    return {**event, "schema_version": current}
