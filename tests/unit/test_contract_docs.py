"""The committed AsyncAPI and OpenAPI documents are the ones the code generates."""

import yaml

from ogi.contract_docs import DOCS, main
from shared import subjects


def test_the_committed_contract_documents_are_up_to_date():
    assert main(["--check"]) == 0, "run: python -m ogi.contract_docs"


def test_the_asyncapi_document_names_every_subject_of_the_contract():
    channels = yaml.safe_load((DOCS / "asyncapi.yaml").read_text())["channels"].values()
    addresses = {channel["address"] for channel in channels}
    assert {subjects.inbox("{ministry}", kind) for kind in subjects.KINDS} <= addresses
    assert "ogi.outcome.{ministry}.{submission_id}" in addresses
    assert "ogi.indicators.{scope}.{indicator}" in addresses
    assert {f"ogi.events.{subjects.EVENT_SERVICE[e]}.{{region}}.{e}" for e in subjects.EVENT_SERVICE} <= addresses
