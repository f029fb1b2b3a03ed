"""Events the projector cannot apply. The event store is append-only, so an event whose data the database
refuses (PostgreSQL refuses a NUL in text), or that cannot be read at all, would stop the projection for
good if it were tried again for ever. Such an event is quarantined instead: the checkpoint moves past it in
one transaction with a row in `quarantined_event` saying why, it counts nowhere, and the projector goes on.
The metric `ogi_projector_events_quarantined_total`, an error in the log and the indicators service's
/readyz and /healthz report it.

Only an error of the event's own data is taken for one: an SQLSTATE of class 22 (data exception) or 23
(integrity), a driver's DataError or IntegrityError, or an error the counting rules raise on the event.
Anything else (the database away, locked, out of space) is waited out, since trying again will mend it.
"""

import datetime as dt

from sqlalchemy import insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError

from services.indicators.projector import statements
from services.indicators.projector.transaction import ReadModel
from services.indicators.readmodel import tables

DATA_SQLSTATE_CLASSES = ("22", "23")
ERRORS_OF_THE_DATA = (KeyError, TypeError, ValueError, AttributeError, IndexError)
REASON_LENGTH = 1000


def refused_for_its_data(error: BaseException) -> bool:
    if isinstance(error, DBAPIError):
        if isinstance(error, DataError | IntegrityError):
            return True
        sqlstate = getattr(error.orig, "sqlstate", None)
        return isinstance(sqlstate, str) and sqlstate[:2] in DATA_SQLSTATE_CLASSES
    if isinstance(error, StatementError):  # a value the driver could not take
        return error.orig is not None and refused_for_its_data(error.orig)
    return isinstance(error, ERRORS_OF_THE_DATA)


def quarantine(connection: Connection, model: ReadModel, seq: int, event: dict | None, leaf: bytes | None, reason: str) -> None:
    """Move the checkpoint from `model.position` past event `seq` (the next one), naming it and why. Its
    payload stays a leaf of the transparency log like any other."""
    statements.move_checkpoint(connection, model.position, seq)
    statements.grow_tree(connection, model.frontier, [(seq, leaf)])
    connection.execute(
        insert(tables.quarantined_event).values(
            seq=seq,
            event_id=_text(event, "event_id", 64),
            event_type=_text(event, "event_type", 64),
            reason=storable(reason)[:REASON_LENGTH],
            quarantined_at=dt.datetime.now(dt.UTC),
        )
    )
    model.position = seq


def storable(text: str) -> str:
    """Text any database takes: no NUL, no lone surrogate (what made the event unstorable may be in it)."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\N{REPLACEMENT CHARACTER}")


def _text(event: dict | None, key: str, length: int) -> str | None:
    value = event.get(key) if isinstance(event, dict) else None
    return storable(str(value))[:length] if value is not None else None
