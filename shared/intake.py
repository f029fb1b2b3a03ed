"""From a stored submission to its one outcome: the pipeline every deciding service runs.

Checks run in CONTRACT.md's order: a submission id carried by a submission stored earlier in the inbox
(shared/inbox_order.py), or claimed by one (shared/ledger.py), makes a duplicate; then
malformed, invalid, unknown_region, not_permitted for a related ministry; evidence_missing (every file named as
evidence looked up in OGI_EVIDENCE, and what was found given to `check_evidence`); then the service's own rules,
decided against the region's state as this process knows it (shared/region_cache.py) and appended under
optimistic concurrency, so a decision on a state the store has moved past is refused and taken again.
"""

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from nats.aio.client import Client
from opentelemetry import trace
from pydantic import ValidationError

from shared import telemetry
from shared.contracts.events import PERSON_ID_PATTERN, AnyEvent, event_id_for
from shared.contracts.outcomes import Code, FieldError, Outcome, Rejection, Status
from shared.contracts.submissions import SUBMISSION_MODELS, Submission, evidence_of
from shared.decisions import Decider, Decision, Record
from shared.eventstore import ConcurrencyConflict, EventStore, History, StoredEvent
from shared.evidence_store import EvidenceStore
from shared.inbound import SUBMITTED_BY, Inbound
from shared.inbox_order import InboxOrder, NotReadYet
from shared.ledger import Ledger
from shared.metrics import ServiceMetrics
from shared.observers import ObserverRegistry, find
from shared.organisations import Organisation
from shared.region_cache import RegionCache
from shared.region_state import RegionState, fold
from shared.regions import Region, find_region
from shared.submission_json import NotJson
from shared.telemetry import current_trace_id, ogi_attributes

log = logging.getLogger("ogi.intake")

CONFLICT_RETRIES = 20
# An outcome lists at most this many field errors, so that its size never depends on what a client sent.
FIELD_ERRORS_LISTED = 20
FIELD_NAME_LENGTH = 100
PERSON_ID = re.compile(PERSON_ID_PATTERN)


class Transient(Exception):
    """Not decidable now; the submission is redelivered later."""


class Locate(Protocol):
    """A check of a service's own that reads beyond the region, once per submission before its rules: a
    rejection, or None to go on."""

    def __call__(self, submission: Any, region: Region) -> Awaitable[Rejection | None]: ...


# A rule of a service's own that refuses a submission before its evidence is looked at (`not_permitted`).
Permit = Callable[[Any, Organisation, Region, RegionState], Rejection | None]
# Run once an event is stored, before its outcome, and again should a redelivery find it stored already.
AfterAppend = Callable[[AnyEvent], Awaitable[None]]


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    deciders: Mapping[str, Decider]
    # The subject filter a decision reads, and whose last sequence guards its append.
    guard: Callable[[str], str]
    # Whether other services append under the guard too (then each decision first reads what is new).
    shared_guard: bool = True
    permit: Permit | None = None
    locate: Callable[[Client], Locate] | None = None
    after_append: Callable[[Client], AfterAppend] | None = None


class Intake:
    def __init__(self, spec: ServiceSpec, nc: Client, metrics: ServiceMetrics | None = None, order: InboxOrder | None = None) -> None:
        self.spec = spec
        self.store = EventStore(nc, long_lived=True)
        self.regions = RegionCache(self.store, others_append=spec.shared_guard)
        self.ledger = Ledger(nc)
        self.evidence = EvidenceStore(nc)
        self.observers = ObserverRegistry(nc)
        self.locate = spec.locate(nc) if spec.locate else None
        self.after_append = spec.after_append(nc) if spec.after_append else None
        self.order = order or InboxOrder(nc)
        self.metrics = metrics or ServiceMetrics(spec.name)

    async def handle(self, inbound: Inbound) -> Outcome | None:
        """Decide and publish the submission's outcome; None when it had been answered already."""
        submission_id = inbound.submission_id
        attributes = ogi_attributes(inbound.ministry, None, submission_id) | {"ogi.submission_seq": inbound.seq}
        with telemetry.step(f"decide {inbound.kind}", attributes) as span:
            outcome = await self._answer(inbound, submission_id)
            if outcome is None:
                span.set_attribute("ogi.outcome.status", "answered before")
                return None
            await self.ledger.publish(outcome)
            self._report(span, inbound, outcome)
            return outcome

    async def _answer(self, inbound: Inbound, submission_id: str | None) -> Outcome | None:
        if submission_id is None:
            return await self._decide(inbound, None, first_delivery=True)
        try:
            earlier = await self.order.earlier_carrier(inbound)
        except NotReadYet as error:
            raise Transient(str(error)) from None
        if earlier is not None:
            return await self._duplicate(inbound, submission_id)
        claim = await self.ledger.claim(inbound.ministry, submission_id, inbound.seq)
        if claim.owner != inbound.seq:
            return await self._duplicate(inbound, submission_id)
        if not claim.taken_now and await self.ledger.last_outcome(inbound.ministry, submission_id):
            return None  # answered before a crash or a lost acknowledgement
        return await self._decide(inbound, submission_id, first_delivery=claim.taken_now)

    def _report(self, span: trace.Span, inbound: Inbound, outcome: Outcome) -> None:
        span.set_attribute("ogi.outcome.status", str(outcome.status))
        if outcome.code:
            span.set_attribute("ogi.rejection.code", str(outcome.code))
        self.metrics.submissions.labels(self.spec.name, inbound.ministry, inbound.kind, outcome.status, outcome.code or "").inc()
        log.info(
            "%s %s: %s",
            inbound.kind,
            outcome.submission_id or f"seq {inbound.seq}",
            outcome.code or outcome.status,
            extra={
                "ministry": inbound.ministry,
                "kind": inbound.kind,
                "submission_id": outcome.submission_id,
                "submission_seq": inbound.seq,
                "status": str(outcome.status),
                "code": outcome.code and str(outcome.code),
                "event_seq": outcome.event_seq,
            },
        )

    async def give_up(self, inbound: Inbound, error: Exception) -> Outcome:
        """The outcome of a submission that failed every attempt: reported, so it stops blocking no one."""
        with telemetry.step(f"give up {inbound.kind}") as span:
            rejection = Rejection(code=Code.UNPROCESSABLE, message=f"could not be processed: {type(error).__name__}")
            outcome = _rejected(inbound, inbound.submission_id, rejection)
            await self.ledger.publish(outcome)
            log.error("gave up on submission %s", inbound.seq, exc_info=error)
            self._report(span, inbound, outcome)
            return outcome

    async def answer_last(self, inbound: Inbound) -> Outcome:
        """`unprocessable`, from the submission's subject, its sequence and the id read so far alone: nothing
        here reads the body, so only publishing can fail. It names the id a claim was made under, if any, so
        that a later submission with that id finds the outcome it answers `duplicate` with."""
        outcome = Outcome(
            submission_id=inbound.submission_id_read,
            ministry=inbound.ministry,
            kind=inbound.kind,
            status=Status.REJECTED,
            submission_seq=inbound.seq,
            code=Code.UNPROCESSABLE,
            message="could not be processed",
        )
        await self.ledger.publish(outcome)
        return outcome

    async def _duplicate(self, inbound: Inbound, submission_id: str) -> Outcome | None:
        original = await self.ledger.last_outcome(inbound.ministry, submission_id)
        if original is None:
            raise Transient("the original submission has no outcome yet")
        if original.submission_seq == inbound.seq:
            return None  # answered before a crash or a lost acknowledgement
        return _outcome(inbound, submission_id, Status.DUPLICATE, event_id=original.event_id, event_seq=original.event_seq)

    async def _decide(self, inbound: Inbound, submission_id: str | None, first_delivery: bool) -> Outcome:
        checked = check(inbound, await find(self.observers, inbound.ministry))
        if isinstance(checked, Rejection):
            return _rejected(inbound, submission_id, checked)
        submission, reporter, region = checked
        return await self._record(inbound, submission, reporter, region, first_delivery)

    async def _record(self, inbound: Inbound, submission: Submission, reporter: Organisation, region: Region, first_delivery: bool) -> Outcome:
        trace.get_current_span().set_attribute("ogi.region", region.code)
        guard = self.spec.guard(region.code)
        decide = self.spec.deciders[inbound.kind]
        if not first_delivery:
            # An earlier delivery may have appended this submission's event and died, or lost the append's
            # acknowledgement, before its outcome.
            history = await self._complete_history(guard)
            already = fold(history).recorded.get((reporter.id, submission.submission_id))
            if already is not None:
                await self._appended(already)
                return _accepted(inbound, already)
            self.regions.put(guard, history)
        if self.locate is not None:
            elsewhere = await self.locate(submission, region)
            if elsewhere is not None:
                return _rejected(inbound, submission.submission_id, elsewhere)
        named = [item.sha256 for item in evidence_of(submission)]
        missing = check_evidence(named, await self.evidence.missing(named)) if named else None
        if missing is not None and self.spec.permit is None:
            return _rejected(inbound, submission.submission_id, missing)
        for _ in range(CONFLICT_RETRIES):
            known = await self.regions.get(guard)
            expected_last_seq = known.last_seq
            decision = self._rules(decide, submission, reporter, region, known.state, missing)
            if isinstance(decision, Rejection):
                if await self.regions.is_current(guard, expected_last_seq):
                    return _rejected(inbound, submission.submission_id, decision)
                await self.regions.catch_up(guard)  # decided on a stale state: decide again
                continue
            event = event_of(decision, submission, reporter, submitted_by(inbound))
            try:
                seq = await self.store.append(event, expected_last_seq, guard)
            except ConcurrencyConflict:
                self.metrics.concurrency_retries.labels(self.spec.name).inc()
                log.info("concurrent append on %s, deciding again", guard)
                if not await self.regions.catch_up(guard):
                    self.regions.forget(guard)  # nothing new explains the refusal: read it all again
                continue
            stored = StoredEvent(seq, event)
            self.regions.appended(guard, expected_last_seq, stored)
            self.metrics.events_appended.labels(self.spec.name, event.event_type).inc()
            await self._appended(stored)
            return _accepted(inbound, stored)
        raise Transient(f"{CONFLICT_RETRIES} concurrent appends in a row on {guard}")

    async def _appended(self, stored: StoredEvent) -> None:
        if self.after_append is not None:
            await self.after_append(stored.event)

    def _rules(
        self, decide: Decider, submission: Submission, reporter: Organisation, region: Region, state: RegionState, missing: Rejection | None
    ) -> Decision:
        """The service's own rules in the contract's order: its `not_permitted`, then `evidence_missing`, then the rest."""
        refused = self.spec.permit(submission, reporter, region, state) if self.spec.permit else None
        return refused or missing or decide(submission, reporter, region, state)

    async def _complete_history(self, guard: str) -> History:
        """Every event under `guard`, the read confirmed by the stream's leader: a replica answering the read
        may not have the latest acknowledged appends yet."""
        for attempt in range(CONFLICT_RETRIES):
            history = await self.store.read(guard)
            if await self.store.last_seq(guard) <= history.last_seq:
                return history
            await asyncio.sleep(0.01 * (attempt + 1))
        raise Transient(f"the events under {guard} could not be read up to the leader's last one")


def check(inbound: Inbound, organisation: Organisation | None) -> tuple[Submission, Organisation, Region] | Rejection:
    """The checks every kind shares, in the contract's order, before any rule of the service's own.
    `organisation`: the submitter the inbox subject names, if it is a ministry or a registered observer."""
    body = inbound.json_body
    if isinstance(body, NotJson):
        return Rejection(code=Code.MALFORMED, message=body.reason)
    if not isinstance(body, dict):
        return Rejection(code=Code.MALFORMED, message="body is not a JSON object")
    try:
        submission = SUBMISSION_MODELS[inbound.kind].model_validate(body)
    except ValidationError as error:
        return _invalid(error)
    region = find_region(submission.region_code)
    if region is None:
        return Rejection(code=Code.UNKNOWN_REGION, message=f"{submission.region_code!r} is not a known kabupaten/kota code")
    refused = not_permitted(organisation, inbound.ministry, inbound.kind)
    if refused is not None:
        return refused
    assert organisation is not None  # refused otherwise
    return submission.model_copy(update={"region_code": region.code}), organisation, region


def not_permitted(organisation: Organisation | None, organisation_id: str, kind: str) -> Rejection | None:
    """`not_permitted` when the submitter's role does not submit `kind` (contract 1.1, "Identities and roles")."""
    if organisation is None:
        return Rejection(code=Code.NOT_PERMITTED, message=f"{organisation_id} is neither a ministry nor a registered observer")
    if organisation.may_submit(kind):
        return None
    if not organisation.may_submit_anything():
        return Rejection(code=Code.NOT_PERMITTED, message=f"{organisation} follows this action but does not submit to it")
    return Rejection(code=Code.NOT_PERMITTED, message=f"{organisation} ({organisation.role}) does not submit {kind}")


def check_evidence(named: list[str], missing: list[str]) -> Rejection | None:
    """`evidence_missing` when a file named as evidence (`named`, in the submission's order) is not stored, as
    the lookup in OGI_EVIDENCE found (`missing`): each such file is a field error of its own."""
    if not missing:
        return None
    absent = set(missing)
    errors = [
        FieldError(field=f"evidence.{index}.sha256", message="no file with this SHA-256 in OGI_EVIDENCE: upload it first", type=Code.EVIDENCE_MISSING.value)
        for index, sha256 in enumerate(named)
        if sha256 in absent
    ]
    files = "file is" if len(errors) == 1 else "files are"
    message = f"{len(errors)} evidence {files} not in OGI_EVIDENCE (PUT /api/v1/evidence on the gateway)"
    return Rejection(code=Code.EVIDENCE_MISSING, message=message, errors=errors)


def readable_submission_id(inbound: Inbound) -> str | None:
    """The submission id, from the body if it holds a valid one, else from the Nats-Msg-Id header."""
    return inbound.submission_id


def _invalid(error: ValidationError) -> Rejection:
    errors = field_errors(error)
    message = "the submission does not match its schema"
    if len(errors) > FIELD_ERRORS_LISTED:
        message += f": {len(errors)} field errors, the first {FIELD_ERRORS_LISTED} listed and {len(errors) - FIELD_ERRORS_LISTED} more"
    return Rejection(code=Code.INVALID, message=message, errors=errors[:FIELD_ERRORS_LISTED])


def field_errors(error: ValidationError) -> list[FieldError]:
    return [
        FieldError(field=_field_name(detail["loc"]), message=detail["msg"], type=detail["type"])
        for detail in error.errors(include_url=False, include_context=False, include_input=False)
    ]


def _field_name(location: tuple) -> str:
    """The field's path, as JSON can carry it: an unknown field's name is the client's, of any length or text."""
    name = ".".join(str(part) for part in location) or "(body)"
    if len(name) > FIELD_NAME_LENGTH:
        name = name[: FIELD_NAME_LENGTH - 1] + "…"
    return name.encode("utf-8", "backslashreplace").decode("utf-8")


def submitted_by(inbound: Inbound) -> str | None:
    """The person the workspace names as the submission's maker (SUBMITTED_BY), if the name is well-formed."""
    person = inbound.headers.get(SUBMITTED_BY)
    return person if person is not None and PERSON_ID.match(person) else None


def event_of(decision: Record[Any], submission: Submission, reporter: Organisation, person: str | None = None) -> AnyEvent:
    """The event a decision to record `submission` makes (the workspace's preview makes it too, to look ahead)."""
    return decision.event_type(
        event_id=event_id_for(reporter.id, submission.submission_id),
        region_code=submission.region_code,
        ministry=decision.ministry,
        reported_by=reporter.id,
        occurred_on=submission.occurred_on,
        recorded_at=dt.datetime.now(dt.UTC),
        submission_id=submission.submission_id,
        trace_id=current_trace_id(),
        submitted_by=person,
        data=decision.data,
    )


def _outcome(inbound: Inbound, submission_id: str | None, status: Status, **fields) -> Outcome:
    return Outcome(
        submission_id=submission_id,
        ministry=inbound.ministry,
        kind=inbound.kind,
        status=status,
        submission_seq=inbound.seq,
        trace_id=current_trace_id(),
        **fields,
    )


def _accepted(inbound: Inbound, stored: StoredEvent) -> Outcome:
    event = stored.event
    return _outcome(inbound, event.submission_id, Status.ACCEPTED, event_id=event.event_id, event_seq=stored.seq)


def _rejected(inbound: Inbound, submission_id: str | None, rejection: Rejection) -> Outcome:
    fields = {"code": rejection.code, "message": rejection.message, "errors": rejection.errors}
    return _outcome(inbound, submission_id, Status.REJECTED, **fields)
