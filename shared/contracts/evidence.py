"""Evidence (bukti dukung): a file kept in the object store bucket OGI_EVIDENCE, named by its content's
SHA-256, as an event or a submission names it."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

MAX_EVIDENCE = 10
SHA256_PATTERN = r"^[0-9a-f]{64}$"

# The six types a file may be (CONTRACT.md 1.1), as media types.
PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV = "text/csv"
MEDIA_TYPES = (PDF, JPEG, PNG, XLSX, DOCX, CSV)


class EvidenceRef(BaseModel):
    """One file named as evidence: which content, under what file name, and whether anyone may read it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: Annotated[str, StringConstraints(pattern=SHA256_PATTERN)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    public: bool


Evidence = Annotated[list[EvidenceRef], Field(max_length=MAX_EVIDENCE)]
