"""Small evidence files of each of the six types, made here (no fixtures on disk), each distinct per call."""

import io
import os
import zipfile

from shared.contracts.evidence import CSV, DOCX, JPEG, PDF, PNG, XLSX


def _unique() -> bytes:
    return os.urandom(8).hex().encode()


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + _unique() + b"\n%%EOF\n"


def jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(64) + b"\xff\xd9"


def png() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(64)


def office(part: str) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as written:
        written.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        written.writestr(part, b"<x>" + _unique() + b"</x>")
    return archive.getvalue()


def xlsx() -> bytes:
    return office("xl/workbook.xml")


def docx() -> bytes:
    return office("word/document.xml")


def csv() -> bytes:
    return "nama,instansi,tanda tangan\nSiti Aminah,Diskominfo — Kota Makassar,✓\n".encode() + _unique() + b"\n"


MAKERS = {PDF: pdf, JPEG: jpeg, PNG: png, XLSX: xlsx, DOCX: docx, CSV: csv}
