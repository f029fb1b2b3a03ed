"""The golden stored events (tests/golden/events): bodies as each schema version's code wrote them."""

import json
from pathlib import Path

FOLDER = Path(__file__).parent / "golden" / "events"


def stored(version: int) -> dict[str, bytes]:
    """Every golden body of `version`, by file name (`<EventType>[.<variant>]`)."""
    return {path.stem: path.read_bytes() for path in sorted((FOLDER / f"v{version}").glob("*.json"))}


def event_type(name: str) -> str:
    return name.split(".")[0]


def future(body: bytes, version: int) -> bytes:
    """`body` as a newer release might store it: another schema version, and a field this one never heard of."""
    event = json.loads(body)
    event["schema_version"] = version
    event["data"]["witnesses"] = ["kemenpanrb"]
    return json.dumps(event, separators=(",", ":")).encode()


def as_version_1(event) -> bytes:
    """A current event (shared.contracts.events) as the version-1 code stored it: no evidence."""
    body = json.loads(event.model_dump_json())
    body["schema_version"] = 1
    if body["event_type"] in ("TrainingCompleted", "PlanSubmitted"):  # the types that gained it with version 2
        body["data"].pop("evidence", None)
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
