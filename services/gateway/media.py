"""The six kinds of evidence file the gateway takes (CONTRACT.md 1.1), and what a file's own bytes say it is.

A file is what its bytes begin with: `%PDF-` a PDF, FF D8 FF a JPEG, the PNG signature a PNG; a ZIP archive is
an XLSX or a DOCX when it holds `[Content_Types].xml` and parts under `xl/` (a workbook) or `word/` (a
document), and not both, read with the standard library's zipfile (its directory only, nothing is
decompressed); anything else is a CSV when it is UTF-8 text without NUL. Pure functions, no I/O.
"""

import io
import zipfile

from shared.contracts.evidence import CSV, DOCX, JPEG, MEDIA_TYPES, PDF, PNG, XLSX

__all__ = ["CSV", "DOCX", "JPEG", "MEDIA_TYPES", "NAMES", "PDF", "PNG", "XLSX", "declared", "sniffed"]

NAMES = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", XLSX: "XLSX", DOCX: "DOCX", CSV: "CSV"}

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def declared(content_type: str | None) -> str | None:
    """The media type a `Content-Type` header names, when it is one of the six (parameters aside; a CSV's
    `charset`, if given, must be UTF-8); else None."""
    if not content_type:
        return None
    media_type, *parameters = (part.strip() for part in content_type.split(";"))
    media_type = media_type.lower()
    if media_type not in MEDIA_TYPES:
        return None
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and (media_type != CSV or value.strip().strip('"').lower() not in ("utf-8", "utf8")):
            return None
    return media_type


def sniffed(content: bytes) -> str | None:
    """Which of the six types the bytes are, or None when they are none of them."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(PNG_SIGNATURE):
        return PNG
    if content.startswith(b"PK"):
        names = _zip_names(content)
        if names is not None:  # a ZIP archive: XLSX, DOCX or none of the six
            return _office_document(names)
    return CSV if _utf8_text(content) else None


def _zip_names(content: bytes) -> list[str] | None:
    """The names in a ZIP archive's directory; None when the bytes are no readable archive (a text that happens
    to begin with "PK", or a broken archive)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError, KeyError):
        return None


def _office_document(names: list[str]) -> str | None:
    if "[Content_Types].xml" not in names:
        return None
    workbook = any(name.startswith("xl/") for name in names)
    document = any(name.startswith("word/") for name in names)
    if workbook != document:
        return XLSX if workbook else DOCX
    return None


def _utf8_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
