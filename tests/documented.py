"""docs/asyncapi.yaml as a client reads it: which channel a NATS subject is on, and whether a payload fits the
schema the document gives that channel's message (or an operation's reply), checked with a JSON Schema
validator of its own, not with the models the document was generated from."""

import re
from pathlib import Path

import jsonschema_rs
import yaml

DOCUMENT = yaml.safe_load((Path(__file__).resolve().parent.parent / "docs" / "asyncapi.yaml").read_text(encoding="utf-8"))


def channel_of(subject: str) -> str:
    """The one channel whose address the subject fills in, each `{parameter}` being one token."""
    found = [
        name
        for name, channel in DOCUMENT["channels"].items()
        if channel["address"] is not None and re.fullmatch(re.sub(r"\\\{[a-z_]+\\\}", "[^.]+", re.escape(channel["address"])), subject)
    ]
    assert len(found) == 1, f"{subject} is on {found}"
    return found[0]


def fits(channel: str, payload: str) -> bool:
    """Whether `payload` fits the schema of the message on `channel` (each channel here has one)."""
    (reference,) = DOCUMENT["channels"][channel]["messages"].values()
    message = DOCUMENT["components"]["messages"][_name(reference["$ref"])]
    schema = {"$ref": message["payload"]["$ref"], "components": DOCUMENT["components"]}
    return jsonschema_rs.Draft7Validator(schema).is_valid(payload)


def reply_channel(operation: str) -> str:
    return _name(DOCUMENT["operations"][operation]["reply"]["channel"]["$ref"])


def content_type(channel: str) -> str:
    (reference,) = DOCUMENT["channels"][channel]["messages"].values()
    return DOCUMENT["components"]["messages"][_name(reference["$ref"])].get("contentType", DOCUMENT["defaultContentType"])


def _name(reference: str) -> str:
    return reference.rsplit("/", 1)[1].replace("%20", " ")
