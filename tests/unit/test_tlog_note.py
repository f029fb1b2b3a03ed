"""Signed notes and their keys against the C2SP signed-note example and golang.org/x/mod/sumdb/note's vectors
(tests/vectors/README.md): byte-for-byte signing, key encodings, and every way a note or key is refused."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.indicators.tlog.keys import Ed25519Signer, Ed25519Verifier, MalformedKey, VerifierKey
from services.indicators.tlog.note import AmbiguousKey, BadSignature, MalformedNote, UnverifiedNote, add_signatures, open_note, parse_note, sign_note

VECTORS = Path(__file__).parents[1] / "vectors"
GO = json.loads((VECTORS / "golang-sumdb-note" / "note.json").read_text())
C2SP = json.loads((VECTORS / "c2sp" / "examples.json").read_text())
PETER = Ed25519Verifier.from_vkey(GO["peter"]["verifier_key"])
ENOCH = Ed25519Verifier.from_vkey(GO["enoch"]["verifier_key"])
TEXT, PETER_LINE, ENOCH_LINE = GO["text"], GO["peter"]["signature_line"], GO["enoch"]["signature_line"]


def test_the_signed_note_spec_example_verifies_with_its_key():
    example = C2SP["signed_note_example"]
    opened = open_note(example["note"], [Ed25519Verifier.from_vkey(example["verifier_key"])])
    assert opened.text == "This is an example message.\n"
    assert [signature.name for signature in opened.verified] == ["example.com/foo"]


def test_the_spec_introduction_reads_with_the_empty_line_of_its_poem_in_the_text():
    note = parse_note(C2SP["signed_note_intro"])
    assert note.text.endswith(":\n\ned è subito sera.\n")
    assert [signature.name for signature in note.signatures] == ["quasimodo.example/salvatore"]
    with pytest.raises(UnverifiedNote):
        open_note(C2SP["signed_note_intro"], [PETER])


def test_signing_gives_the_go_reference_note_byte_for_byte_from_its_private_key():
    signer = Ed25519Signer.from_private_key(GO["peter"]["signer_key"])
    assert sign_note(TEXT, signer) == GO["signed_note"]
    assert signer.private_key() == GO["peter"]["signer_key"]
    assert signer.verifier().vkey() == GO["peter"]["verifier_key"]
    assert signer.key_id.hex() == "c74f20a3"


def test_the_private_key_never_shows_in_a_repr():
    signer = Ed25519Signer.from_private_key(GO["peter"]["signer_key"])
    assert GO["peter"]["signer_key"].rsplit("+", 1)[1] not in repr(signer)
    assert signer.seed.hex() not in repr(signer) and repr(signer.seed) not in repr(signer)


def test_a_generated_key_signs_what_its_vkey_verifies():
    signer = Ed25519Signer.generate("ogi.example/log")
    restored = Ed25519Signer.from_private_key(signer.private_key())
    verifier = Ed25519Verifier.from_vkey(signer.verifier().vkey())
    assert open_note(sign_note("hello\n", restored), [verifier]).text == "hello\n"


def manglings(key):
    """Every proper substring and every one-character change, as Go's note tests mangle their keys."""
    for start in range(len(key) + 1):
        for end in range(start + 1, len(key) + 1):
            if (start, end) != (0, len(key)):
                yield key[start:end]
    for i, c in enumerate(key):
        yield key[:i] + chr(ord(c) + 1) + key[i + 1 :]


def test_no_mangled_verifier_key_is_accepted():
    bad = list(manglings(GO["peter"]["verifier_key"])) + GO["bad_verifier_keys"]
    for vkey in bad:
        with pytest.raises(MalformedKey):
            Ed25519Verifier.from_vkey(vkey)


def test_no_mangled_signer_key_is_accepted():
    for skey in manglings(GO["peter"]["signer_key"]):
        with pytest.raises(MalformedKey):
            Ed25519Signer.from_private_key(skey)


def test_a_vkey_of_another_signature_type_is_not_an_ed25519_note_key():
    cosigner_key = VerifierKey("w.example", 0x04, PETER.public_key)
    with pytest.raises(MalformedKey):
        Ed25519Verifier.from_vkey(str(cosigner_key))


def test_signatures_of_unknown_keys_are_set_aside_and_known_ones_verified():
    opened = open_note(TEXT + "\n" + PETER_LINE + ENOCH_LINE, [PETER])
    assert opened.text == TEXT
    assert [s.name for s in opened.verified] == ["PeterNeumann"]
    assert [s.name for s in opened.unverified] == ["EnochRoot"]
    both = open_note(TEXT + "\n" + PETER_LINE + ENOCH_LINE, [PETER, ENOCH])
    assert [s.name for s in both.verified] == ["PeterNeumann", "EnochRoot"] and not both.unverified


def test_a_note_without_a_signature_from_a_trusted_key_is_refused():
    with pytest.raises(UnverifiedNote):
        open_note(TEXT + "\n" + PETER_LINE + ENOCH_LINE, [])
    same_name_other_key = Ed25519Signer.generate("PeterNeumann").verifier()
    with pytest.raises(UnverifiedNote):
        open_note(GO["signed_note"], [same_name_other_key])


def test_a_bad_signature_of_a_trusted_key_refuses_the_whole_note():
    with pytest.raises(BadSignature, match="PeterNeumann\\+c74f20a3"):
        open_note(GO["invalid_signature_note"], [PETER])
    with pytest.raises(BadSignature):
        open_note(TEXT.replace("problem", "solution") + "\n" + PETER_LINE, [PETER])


def test_repeated_signatures_count_once_and_a_broken_unknown_one_is_only_set_aside():
    broken_enoch = ENOCH_LINE[:60] + "ABCD" + ENOCH_LINE[60:]
    opened = open_note(TEXT + "\n" + PETER_LINE * 2 + ENOCH_LINE * 2 + broken_enoch, [PETER])
    assert len(opened.verified) == 1 and len(opened.unverified) == 2


def test_two_trusted_keys_with_one_name_and_key_id_are_ambiguous_when_used():
    with pytest.raises(AmbiguousKey):
        open_note(TEXT + "\n" + ENOCH_LINE, [ENOCH, PETER, ENOCH])
    assert open_note(TEXT + "\n" + PETER_LINE, [ENOCH, PETER, ENOCH]).verified


def test_the_go_malformed_notes_are_refused():
    notes = GO["malformed_notes"] + [bytes.fromhex(h) for h in GO["malformed_note_bytes_hex"]]
    assert len(notes) == 7
    for message in notes:
        with pytest.raises(MalformedNote):
            open_note(message, [PETER])


@pytest.mark.parametrize(
    "message",
    [
        TEXT + "\n" + PETER_LINE.replace("\u2014", "-"),
        TEXT + "\n" + PETER_LINE.replace("\u2014 ", "\u2014  "),
        TEXT + "\n" + PETER_LINE.replace("=\n", "\n"),
        TEXT + "\n" + PETER_LINE.replace("PeterNeumann", "Peter+Neumann"),
        TEXT + "\n" + PETER_LINE.replace("PeterNeumann", "Peter\u00a0Neumann"),
        TEXT + "\n" + "\u2014 PeterNeumann AAAA\n",
        TEXT.replace("\n", "\r\n") + "\n" + PETER_LINE,
        TEXT + "\n" + PETER_LINE * 101,
        "\udc80" + TEXT + "\n" + PETER_LINE,
    ],
)
def test_other_malformed_notes_are_refused(message):
    with pytest.raises(MalformedNote):
        parse_note(message)


@pytest.mark.parametrize("text", ["no final newline", "tab\tinside\n", ""])
def test_only_a_proper_text_is_signed(text):
    with pytest.raises(MalformedNote):
        sign_note(text, Ed25519Signer.generate("k"))


@given(st.lists(st.text(st.characters(min_codepoint=0x20, blacklist_categories=["Cs"]), max_size=30), min_size=1))
def test_any_text_signed_opens_to_itself(lines):
    signer = Ed25519Signer.from_private_key(GO["peter"]["signer_key"])
    text = "".join(line + "\n" for line in lines)
    assert open_note(sign_note(text, signer), [PETER]).text == text


def test_adding_a_signature_replaces_the_earlier_one_of_the_same_key():
    note = parse_note(TEXT + "\n" + PETER_LINE + ENOCH_LINE)
    enoch = parse_note(TEXT + "\n" + ENOCH_LINE).signatures[0]
    assert add_signatures(note, enoch).signatures == note.signatures
    assert str(add_signatures(parse_note(GO["signed_note"]), enoch)) == TEXT + "\n" + PETER_LINE + ENOCH_LINE
