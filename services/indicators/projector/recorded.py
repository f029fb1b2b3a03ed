"""An event of OGI_EVENTS as the projector reads it. The deciding services record the JSON of the
contract's event models (shared.contracts.events), validated then, so the projector reads that JSON as it
is (`read_directly`); an event stored at an older schema version is brought to its type's current one by
the same upcasting steps as the models' decoding (shared.contracts.versions). Light on imports: a receiving
process reads events with it too."""

from dataclasses import dataclass

from pydantic_core import from_json

from shared.contracts.versions import CURRENT_VERSIONS, upcast

DATA_MEMBER = b'"data":'


@dataclass(slots=True)
class Recorded:
    """One event of OGI_EVENTS: its stream sequence and the event as plain JSON values of its contract model."""

    seq: int
    event: dict
    data_json: str | None = None  # the JSON of event["data"] as recorded, when it could be taken as it is
    log_row: tuple | None = None  # its event_log row as the driver takes it, when made ahead (statements.LogRows)
    leaf: bytes | None = None  # the stored payload's leaf hash in the transparency log (tlog/merkle.py)


def read_directly(payload: bytes) -> tuple[dict, str | None]:
    """The event as plain JSON values of its type's current version, and the JSON of its `data` as
    recorded when that is plainly the payload's last member (as the contract's models write it: then
    `"data":` occurs once, as the top-level key, since every quote inside a string is escaped), so that
    event_log stores it without encoding it again. An event stored at an older version is upcast, and its
    data's JSON is then None (its data is no longer what was recorded). Raises
    versions.UnknownEventVersion for a type or version this release does not know (the projector stops
    there, see loop.py), and what from_json raises for what is not JSON."""
    event = from_json(payload)
    if event.get("schema_version") != CURRENT_VERSIONS.get(event.get("event_type")):
        return upcast(event), None
    data_json = None
    if next(reversed(event)) == "data" and payload.count(DATA_MEMBER) == 1:
        data_json = payload[payload.index(DATA_MEMBER) + len(DATA_MEMBER) : payload.rindex(b"}")].decode()
    return event, data_json
