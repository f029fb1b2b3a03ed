"""The committed AsyncAPI and OpenAPI documents are the ones the code generates."""

import hashlib

import yaml

from ogi.contract_docs import DOCS, main
from services.indicators.tlog.checkpoint import Checkpoint, sign_checkpoint
from services.indicators.tlog.cosignature import Cosigner, cosign
from services.indicators.tlog.keys import Ed25519Signer
from shared import subjects
from shared.contracts.log import COSIGNED_NOTE_BYTES
from tests.documented import channel_of, content_type, fits, reply_channel


def test_the_committed_contract_documents_are_up_to_date():
    assert main(["--check"]) == 0, "run: python -m ogi.contract_docs"


def test_the_asyncapi_document_names_every_subject_of_the_contract():
    channels = yaml.safe_load((DOCS / "asyncapi.yaml").read_text())["channels"].values()
    addresses = {channel["address"] for channel in channels}
    assert {subjects.inbox("{ministry}", kind) for kind in subjects.KINDS} <= addresses
    assert "ogi.outcome.{ministry}.{submission_id}" in addresses
    assert "ogi.indicators.{scope}.{indicator}" in addresses
    assert {f"ogi.events.{subjects.EVENT_SERVICE[e]}.{{region}}.{e}" for e in subjects.EVENT_SERVICE} <= addresses


def test_the_asyncapi_document_names_every_subject_of_the_transparency_log():
    channels = yaml.safe_load((DOCS / "asyncapi.yaml").read_text())["channels"].values()
    addresses = {channel["address"] for channel in channels}
    log_subjects = {subjects.LOG_CHECKPOINT, subjects.LOG_KEY, subjects.log_witness("{key_id}"), subjects.log_cosignature("{key_id}")}
    assert log_subjects | {subjects.LOG_MAKE_CHECKPOINT} <= addresses
    assert {channel_of(subjects.log_witness("0a1b2c3d")), channel_of(subjects.log_cosignature("0a1b2c3d"))} == {"log witness", "log cosignature"}
    assert reply_channel("log checkpoint request") == "log checkpoint reply"
    assert {content_type(name) for name in (*map(channel_of, log_subjects), "log checkpoint request", "log checkpoint reply")} == {"text/plain"}


def test_the_transparency_log_payloads_the_document_gives_are_the_ones_the_code_writes():
    signer = Ed25519Signer.generate("ogi-tracker.local/log")
    witness = Cosigner.generate("tii.or.id/witness")
    notes = [sign_checkpoint(Checkpoint(signer.name, size, hashlib.sha256(bytes([size % 256])).digest()), signer) for size in (0, 1, 12345)]
    cosigned = [cosign(note, witness, 1_700_000_000) for note in notes]
    twice = cosign(cosigned[-1], Cosigner.generate("witness.example.org"), 1_700_000_001)
    with_extension = sign_checkpoint(Checkpoint(signer.name, 7, bytes(32), ("extension",)), signer)

    assert all(fits("log checkpoint", note) and fits("log checkpoint reply", note) for note in notes)
    assert not any(fits("log checkpoint", other) for other in [*cosigned, with_extension, signer.verifier().vkey(), ""])
    lines = "".join(f"\u2014 w{n} {'A' * 100}\n" for n in range(COSIGNED_NOTE_BYTES // 100))  # past the size the API takes
    assert all(fits("log cosignature", note) for note in [*cosigned, twice, twice + lines[: lines.index("\n", 1000) + 1]])
    assert not any(fits("log cosignature", other) for other in [*notes, twice + lines])
    assert fits("log key", signer.verifier().vkey()) and not fits("log key", witness.verifier().vkey())
    assert fits("log witness", witness.verifier().vkey()) and not fits("log witness", signer.verifier().vkey())
    assert fits("log checkpoint reply", "error: TimeoutError()") and not fits("log checkpoint reply", cosigned[0])
    assert fits("log checkpoint request", "")
