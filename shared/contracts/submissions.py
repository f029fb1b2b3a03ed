"""The submission kinds an organisation publishes to `ogi.inbox.<ministry>.<kind>`.

Unknown fields are refused so that a typo never passes silently; the field rules are CONTRACT.md's, and
where it is silent docs/contract.md's. Types are JSON's, strictly: a submission is validated from the
JSON value its body holds (shared/submission_json.py), and a string is never taken for a number or a date.
"""

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict, StringConstraints
from pydantic_core import PydanticCustomError

from shared.contracts.evidence import MAX_EVIDENCE, SHA256_PATTERN, EvidenceRef
from shared.contracts.text import line, paragraphs

IDENTIFIER_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
# The current dotted form (73.71) or the 2018 one (91.01); which codes exist is checked after the schema.
REGION_CODE_PATTERN = r"^[0-9]{2}\.[0-9]{2}$"
EARLIEST = dt.date(2018, 1, 1)
MOST_PARTICIPANTS = 10_000

Identifier = Annotated[str, StringConstraints(pattern=IDENTIFIER_PATTERN)]
# The outcome subject of submissions whose id cannot be read: no submission may carry it as its id.
RESERVED_ID = "_unparsed"


def _not_reserved(value: str) -> str:
    if value == RESERVED_ID:
        raise ValueError(f"{RESERVED_ID!r} is reserved")
    return value


SubmissionId = Annotated[Identifier, AfterValidator(_not_reserved)]
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _written_as_iso_date(value: object) -> object:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise PydanticCustomError("date_format", "must be a date written YYYY-MM-DD")
    return value


def _within_programme(day: dt.date) -> dt.date:
    latest = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    if day < EARLIEST:
        raise ValueError(f"must not be before {EARLIEST.isoformat()}")
    if day > latest:
        raise ValueError(f"must not be after {latest.isoformat()}")
    return day


ProgrammeDate = Annotated[dt.date, Strict(False), BeforeValidator(_written_as_iso_date), AfterValidator(_within_programme)]


class Sector(StrEnum):
    """The six urusan wajib pelayanan dasar (UU 23/2014 art. 12(1))."""

    PENDIDIKAN = "pendidikan"
    KESEHATAN = "kesehatan"
    PEKERJAAN_UMUM = "pekerjaan_umum"
    PERUMAHAN = "perumahan"
    TRANTIBUM = "trantibum"
    SOSIAL = "sosial"


def _no_repeats(sectors: list[Sector]) -> list[Sector]:
    if len(set(sectors)) != len(sectors):
        raise PydanticCustomError("sectors_repeated", "must name each sector at most once")
    return sectors


Sectors = Annotated[
    list[Annotated[Sector, Strict(False)]], Field(min_length=1, max_length=len(Sector), json_schema_extra={"uniqueItems": True}), AfterValidator(_no_repeats)
]


class SubmittedEvidence(BaseModel):
    """One file a submission names as its evidence: stored in OGI_EVIDENCE beforehand (PUT /api/v1/evidence on
    the gateway), under the file name given here; `public: false` for a file anyone but the submitting ministry
    and the secretariat must not read (an attendance list holds personal data)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    sha256: Annotated[str, StringConstraints(pattern=SHA256_PATTERN)] = Field(description="The file's SHA-256, 64 lowercase hexadecimal digits.")
    name: Annotated[str, *line(200)]
    public: bool

    def as_ref(self) -> EvidenceRef:
        return EvidenceRef(sha256=self.sha256, name=self.name, public=self.public)


def _each_file_once(evidence: list[SubmittedEvidence]) -> list[SubmittedEvidence]:
    if len({item.sha256 for item in evidence}) != len(evidence):
        raise PydanticCustomError("evidence_repeated", "must name each file (sha256) at most once")
    return evidence


SubmittedEvidenceList = Annotated[
    list[SubmittedEvidence],
    Field(max_length=MAX_EVIDENCE, description=f"At most {MAX_EVIDENCE} files, each once; every one must be in OGI_EVIDENCE (else `evidence_missing`)."),
    AfterValidator(_each_file_once),
]


class Submission(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    kind: ClassVar[str]

    submission_id: SubmissionId
    region_code: Annotated[str, StringConstraints(pattern=REGION_CODE_PATTERN)]
    occurred_on: ProgrammeDate
    note: Annotated[str, *paragraphs(1000, required=False)] | None = None


class EnrollRegion(Submission):
    kind: ClassVar[str] = "region.enroll"
    commitment_letter_on: ProgrammeDate | None = None
    ppid_established: bool | None = None


class WithdrawRegion(Submission):
    kind: ClassVar[str] = "region.withdraw"
    reason: Annotated[str, *paragraphs(1000)]


class CompleteTraining(Submission):
    kind: ClassVar[str] = "training.complete"
    session_id: Annotated[str, *line(128)]
    participants: Annotated[int, Field(ge=1, le=MOST_PARTICIPANTS)]
    evidence: SubmittedEvidenceList = []


class SubmitPlan(Submission):
    kind: ClassVar[str] = "plan.submit"
    plan_id: Identifier
    title: Annotated[str, *line(500)]
    sectors: Sectors
    document_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")] | None = None
    evidence: SubmittedEvidenceList = []


class WithdrawPlan(Submission):
    kind: ClassVar[str] = "plan.withdraw"
    plan_id: Identifier
    reason: Annotated[str, *paragraphs(1000)]


# An event id as the platform makes them (events.event_id_for): a UUID, lowercase.
EVENT_ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
EventId = Annotated[str, StringConstraints(pattern=EVENT_ID_PATTERN)]


class ClaimSubmission(Submission):
    """Contract 1.1: an action on a claim, an accepted TrainingCompleted or PlanSubmitted named by its event id.
    `region_code` is the claim's region; `occurred_on` the day of the action."""

    claim_event_id: EventId = Field(description="The event_id of the accepted TrainingCompleted or PlanSubmitted event.")


class VerifyClaim(ClaimSubmission):
    kind: ClassVar[str] = "claim.verify"


class ReturnClaim(ClaimSubmission):
    kind: ClassVar[str] = "claim.return"
    reason: Annotated[str, *paragraphs(1000)]


class AmendClaim(ClaimSubmission):
    kind: ClassVar[str] = "claim.amend"
    evidence: Annotated[SubmittedEvidenceList, Field(min_length=1)]


class DisputeClaim(ClaimSubmission):
    kind: ClassVar[str] = "claim.dispute"
    reason: Annotated[str, *paragraphs(1000)]
    evidence: SubmittedEvidenceList = []


SUBMISSION_MODELS: dict[str, type[Submission]] = {
    "region.enroll": EnrollRegion,
    "region.withdraw": WithdrawRegion,
    "training.complete": CompleteTraining,
    "plan.submit": SubmitPlan,
    "plan.withdraw": WithdrawPlan,
    "claim.verify": VerifyClaim,
    "claim.return": ReturnClaim,
    "claim.amend": AmendClaim,
    "claim.dispute": DisputeClaim,
}


def evidence_of(submission: Submission) -> list[SubmittedEvidence]:
    """The files a submission names as evidence (none for a kind that takes no evidence)."""
    return list(getattr(submission, "evidence", ()))
