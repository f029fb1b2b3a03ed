"""The Merkle tree against transparency-dev/merkle's RFC 6962 vectors: the hasher, and every inclusion and
consistency probe, valid or not (tests/vectors/README.md)."""

import base64
import json
from pathlib import Path

import pytest

from services.indicators.tlog import merkle
from services.indicators.tlog.merkle import InvalidProof

VECTORS = Path(__file__).parents[1] / "vectors" / "transparency-dev-merkle"
REFERENCE = json.loads((VECTORS / "reference.json").read_text())
INCLUSION_PROBES = sorted((VECTORS / "testdata" / "inclusion").rglob("*.json"))
CONSISTENCY_PROBES = sorted((VECTORS / "testdata" / "consistency").rglob("*.json"))


def probe(path):
    fields = json.loads(path.read_text())
    decoded = {key: base64.b64decode(fields[key]) for key in ("root", "leafHash", "root1", "root2") if key in fields}
    return fields | decoded | {"proof": [base64.b64decode(p) for p in fields["proof"] or []]}


def test_the_hasher_gives_the_rfc_6962_values():
    hasher = REFERENCE["hasher"]
    assert merkle.EMPTY_ROOT.hex() == hasher["empty_root"]
    assert merkle.leaf_hash(b"").hex() == hasher["leaf_hash_of_empty"]
    assert merkle.leaf_hash(b"L123456").hex() == hasher["leaf_hash_of_L123456"]
    assert merkle.node_hash(b"N123", b"N456").hex() == hasher["node_hash_of_N123_N456"]


def test_all_probes_are_there():
    assert (len(INCLUSION_PROBES), len(CONSISTENCY_PROBES)) == (98, 98)


@pytest.mark.parametrize("path", INCLUSION_PROBES, ids=lambda p: str(p.relative_to(VECTORS)))
def test_inclusion_probe(path):
    case = probe(path)
    check = lambda: merkle.verify_inclusion(case["leafHash"], case["leafIdx"], case["treeSize"], case["proof"], case["root"])
    if case["wantErr"]:
        with pytest.raises(InvalidProof):
            check()
    else:
        check()


@pytest.mark.parametrize("path", CONSISTENCY_PROBES, ids=lambda p: str(p.relative_to(VECTORS)))
def test_consistency_probe(path):
    case = probe(path)
    check = lambda: merkle.verify_consistency(case["size1"], case["size2"], case["proof"], case["root1"], case["root2"])
    if case["wantErr"]:
        with pytest.raises(InvalidProof):
            check()
    else:
        check()
