"""What an evidence file's own bytes say it is, and which Content-Type headers name one of the six types."""

import io
import zipfile

import pytest

from services.gateway import media
from tests import evidence_files


@pytest.mark.parametrize("media_type", media.MEDIA_TYPES)
def test_each_type_is_told_by_its_bytes(media_type):
    assert media.sniffed(evidence_files.MAKERS[media_type]()) == media_type


def test_a_zip_must_hold_an_office_documents_parts_and_a_text_must_be_utf8_without_nul():
    assert media.sniffed(evidence_files.office("docs/readme.txt")) is None  # a ZIP, but no workbook or document
    plain = evidence_files.office("xl/workbook.xml").replace(b"[Content_Types].xml", b"[Content_Typez].xml")
    assert media.sniffed(plain) is None
    assert media.sniffed(b"PKB,kota\n1,Makassar\n") == media.CSV  # a CSV may begin with "PK"
    assert media.sniffed(b"nama\x00,kota\n") is None
    assert media.sniffed("kota\nMakassar\n".encode("utf-16")) is None
    assert media.sniffed(b"\x89PNG\r\n") is None  # a truncated signature is no PNG (nor text: 0x89 is no UTF-8)


def test_an_archive_holding_both_a_workbook_and_a_document_is_neither():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as written:
        for name in ("[Content_Types].xml", "xl/workbook.xml", "word/document.xml"):
            written.writestr(name, b"<x/>")
    assert media.sniffed(archive.getvalue()) is None


def test_the_declared_type_is_read_from_content_type_with_its_parameters():
    assert media.declared("application/pdf") == media.PDF
    assert media.declared("Image/PNG") == media.PNG
    assert media.declared("text/csv; charset=UTF-8") == media.CSV
    assert media.declared("text/csv; charset=windows-1252") is None
    assert media.declared("application/pdf; charset=utf-8") is None
    assert media.declared("application/zip") is None
    assert media.declared("image/jpg") is None
    assert media.declared(None) is None and media.declared("") is None
