"""Checkpoints and witness cosignatures: the C2SP examples, round trips, a strict parser, a tampered checkpoint
refused, a cosignature verified, and a forked checkpoint told apart (tests/vectors/README.md)."""

import base64
import json
from pathlib import Path

import pytest

from services.indicators.tlog import merkle
from services.indicators.tlog.checkpoint import Checkpoint, MalformedCheckpoint, is_fork, open_checkpoint, sign_checkpoint
from services.indicators.tlog.cosignature import CosignatureVerifier, Cosigner, cosign, cosigned_by, signed_message, timestamp_of
from services.indicators.tlog.keys import Ed25519Signer, Ed25519Verifier, MalformedKey
from services.indicators.tlog.note import BadSignature, UnverifiedNote, parse_note, sign_note

VECTORS = Path(__file__).parents[1] / "vectors"
C2SP = json.loads((VECTORS / "c2sp" / "examples.json").read_text())
FORMATS = json.loads((VECTORS / "transparency-dev-formats" / "cosignature.json").read_text())
ORIGIN = "ogi.example/events"
LOG = Ed25519Signer.generate(ORIGIN)
WITNESS = Cosigner.generate("witness.example/w1")
ROOT = merkle.root([merkle.leaf_hash(b"event %d" % i) for i in range(5)])
ROOT_B64 = base64.b64encode(ROOT).decode()


def signed(size=5, root=ROOT, extensions=()):
    return sign_checkpoint(Checkpoint(ORIGIN, size, root, extensions), LOG)


def test_the_checkpoint_spec_example_reads():
    checkpoint = Checkpoint.from_text(parse_note(C2SP["checkpoint_example"]).text)
    assert (checkpoint.origin, checkpoint.size) == ("example.com/behind-the-sofa", 20852163)
    assert base64.b64encode(checkpoint.root_hash).decode() == "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
    assert checkpoint.text() == parse_note(C2SP["checkpoint_example"]).text


def test_a_signed_checkpoint_is_the_three_lines_a_blank_line_and_the_log_signature():
    message = signed()
    lines = message.split("\n")
    assert lines[:4] == [ORIGIN, "5", ROOT_B64, ""]
    assert lines[4].startswith("\u2014 " + ORIGIN + " ") and lines[5:] == [""]
    assert open_checkpoint(message, LOG.verifier()) == Checkpoint(ORIGIN, 5, ROOT)


def test_extension_lines_round_trip_and_are_signed():
    message = signed(extensions=("first", "second"))
    assert open_checkpoint(message, LOG.verifier()).extensions == ("first", "second")
    with pytest.raises(BadSignature):
        open_checkpoint(message.replace("second", "secont"), LOG.verifier())


def test_the_empty_tree_has_a_checkpoint_too():
    assert open_checkpoint(signed(0, merkle.EMPTY_ROOT), LOG.verifier()).size == 0


@pytest.mark.parametrize(
    "tampered",
    [
        lambda m: m.replace("\n5\n", "\n6\n"),
        lambda m: m.replace(ROOT_B64, base64.b64encode(merkle.EMPTY_ROOT).decode()),
        lambda m: m.replace(ORIGIN + "\n", "ogi.example/other\n", 1),
    ],
)
def test_a_tampered_checkpoint_is_refused(tampered):
    with pytest.raises(BadSignature):
        open_checkpoint(tampered(signed()), LOG.verifier())


def test_a_checkpoint_signed_by_another_key_is_refused():
    impostor = Ed25519Signer.generate(ORIGIN)
    with pytest.raises(UnverifiedNote):
        open_checkpoint(sign_checkpoint(Checkpoint(ORIGIN, 5, ROOT), impostor), LOG.verifier())


def test_a_checkpoint_of_another_origin_is_refused_even_when_the_log_key_signed_it():
    message = sign_note(Checkpoint("ogi.example/other", 5, ROOT).text(), LOG)
    with pytest.raises(MalformedCheckpoint):
        open_checkpoint(message, LOG.verifier())


def test_the_log_signs_only_with_a_key_named_for_its_origin():
    with pytest.raises(MalformedCheckpoint):
        sign_checkpoint(Checkpoint(ORIGIN, 5, ROOT), Ed25519Signer.generate("another/name"))


@pytest.mark.parametrize(
    "text",
    [
        "ogi.example/events\n5\n",
        f"\n5\n{ROOT_B64}\n",
        f"ogi.example/events\n05\n{ROOT_B64}\n",
        f"ogi.example/events\n+5\n{ROOT_B64}\n",
        f"ogi.example/events\n-1\n{ROOT_B64}\n",
        f"ogi.example/events\n5 \n{ROOT_B64}\n",
        f"ogi.example/events\n\u0665\n{ROOT_B64}\n",
        f"ogi.example/events\n{2**64}\n{ROOT_B64}\n",
        f"ogi.example/events\n5\n{ROOT_B64}",
        f"ogi.example/events\n5\n{ROOT_B64}\n\n",
        f"ogi.example/events\n5\n{ROOT_B64}\nextension\n\n",
        f"ogi.example/events\n5\n{ROOT_B64.rstrip('=')}\n",
        f"ogi.example/events\n5\n{base64.b64encode(b'short').decode()}\n",
        f"ogi.example/events\n5\n{base64.urlsafe_b64encode(bytes([0xFB] * 32)).decode()}\n",
        f"ogi.example/events\n5\n{ROOT_B64[:-2]}F=\n",
    ],
)
def test_the_parser_refuses_every_other_spelling(text):
    with pytest.raises(MalformedCheckpoint):
        Checkpoint.from_text(text)


def test_the_largest_tree_size_reads():
    assert Checkpoint.from_text(f"o\n{2**64 - 1}\n{ROOT_B64}\n").size == 2**64 - 1


def test_a_witness_cosignature_verifies_and_says_when_it_was_made():
    cosigned = cosign(signed(), WITNESS, 1_700_000_000)
    assert cosigned_by(cosigned, [WITNESS.verifier()]) == {"witness.example/w1": 1_700_000_000}
    assert open_checkpoint(cosigned, LOG.verifier()) == Checkpoint(ORIGIN, 5, ROOT)
    witness_line = cosigned.split("\n")[-2]
    assert witness_line.startswith("\u2014 witness.example/w1 ")
    assert cosigned_by(signed(), [WITNESS.verifier()]) == {}


def test_a_cosignature_is_over_the_cosignature_v1_message():
    signature = parse_note(cosign(signed(), WITNESS, 1679315147)).signatures[-1]
    verifier = WITNESS.verifier()
    assert signature.key_id == verifier.key_id
    message = signed_message(Checkpoint(ORIGIN, 5, ROOT).text().encode(), 1679315147)
    assert message.startswith(b"cosignature/v1\ntime 1679315147\nogi.example/events\n5\n")
    assert Ed25519Verifier(WITNESS.name, verifier.public_key).verify(message, signature.signature[8:])


def test_the_spec_cosignature_message_example_is_what_is_signed():
    body = parse_note(C2SP["checkpoint_example"]).text.encode()
    assert signed_message(body, 1679315147).decode() == C2SP["cosignature_v1_message_example"]


def test_a_cosignature_moved_to_another_checkpoint_or_time_is_refused():
    cosigned = cosign(signed(), WITNESS, 1_700_000_000)
    with pytest.raises(BadSignature):
        cosigned_by(cosigned.replace("\n5\n", "\n6\n"), [WITNESS.verifier()])
    line = parse_note(cosigned).signatures[-1]
    later = (1_700_000_001).to_bytes(8, "big") + line.signature[8:]
    assert not WITNESS.verifier().verify(parse_note(cosigned).text.encode(), later)


def test_a_witness_cosigning_again_replaces_its_line():
    twice = cosign(cosign(signed(), WITNESS, 1), WITNESS, 2)
    assert len(parse_note(twice).signatures) == 2
    assert cosigned_by(twice, [WITNESS.verifier()]) == {"witness.example/w1": 2}


def test_only_a_checkpoint_is_cosigned():
    with pytest.raises(MalformedCheckpoint):
        WITNESS.cosignature("not\na checkpoint\n", 1)
    with pytest.raises(ValueError):
        WITNESS.cosignature(Checkpoint(ORIGIN, 5, ROOT).text(), 2**63)


def test_a_forked_checkpoint_is_told_apart_by_comparing():
    history = [merkle.leaf_hash(b"event %d" % i) for i in range(5)]
    rewritten = history[:4] + [merkle.leaf_hash(b"another event 4")]
    seen_by_a = open_checkpoint(cosign(signed(5, merkle.root(history)), WITNESS, 10), LOG.verifier())
    shown_to_b = open_checkpoint(signed(5, merkle.root(rewritten)), LOG.verifier())
    assert is_fork(seen_by_a, shown_to_b)
    assert not is_fork(seen_by_a, seen_by_a)
    assert not is_fork(seen_by_a, Checkpoint(ORIGIN, 6, merkle.root(rewritten)))


def test_the_cosignature_keys_and_timestamps_of_transparency_dev_formats_read():
    assert CosignatureVerifier.from_vkey(FORMATS["cosignature_verifier_key"]).key_id.hex() == "da77ade7"
    assert Ed25519Verifier.from_vkey(FORMATS["ed25519_verifier_key"]).key_id.hex() == "7997405c"
    with pytest.raises(MalformedKey):
        CosignatureVerifier.from_vkey(FORMATS["ed25519_verifier_key"])
    for vkey in FORMATS["bad_verifier_keys"]:
        with pytest.raises(MalformedKey):
            CosignatureVerifier.from_vkey(vkey)
    timestamped = parse_note(f"t\n\n\u2014 w {FORMATS['cosignature_with_timestamp']['signature']}\n").signatures[0]
    assert timestamp_of(timestamped) == FORMATS["cosignature_with_timestamp"]["timestamp"]
    not_one = parse_note(f"t\n\n\u2014 w {FORMATS['not_a_cosignature']}\n").signatures[0]
    with pytest.raises(ValueError):
        timestamp_of(not_one)


def test_the_spec_cosigned_example_carries_the_time_of_its_message_example():
    witness = parse_note(C2SP["cosigned_checkpoint_example"]).signatures[1]
    assert timestamp_of(witness) == 1679315147


def test_a_witness_vkey_round_trips():
    assert CosignatureVerifier.from_vkey(WITNESS.verifier().vkey()) == WITNESS.verifier()
