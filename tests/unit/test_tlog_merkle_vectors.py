"""The Merkle tree against transparency-dev/merkle's RFC 6962 vectors: the reference tree's nodes and roots,
its proofs, and every inclusion and consistency probe, valid or not (tests/vectors/README.md)."""

import base64
import json
from pathlib import Path

import pytest

from services.indicators.tlog import merkle, nodes
from services.indicators.tlog.frontier import Frontier
from services.indicators.tlog.merkle import InvalidProof

VECTORS = Path(__file__).parents[1] / "vectors" / "transparency-dev-merkle"
REFERENCE = json.loads((VECTORS / "reference.json").read_text())
INCLUSION_PROBES = sorted((VECTORS / "testdata" / "inclusion").rglob("*.json"))
CONSISTENCY_PROBES = sorted((VECTORS / "testdata" / "consistency").rglob("*.json"))
LEAVES = [bytes.fromhex(entry) for entry in REFERENCE["leaf_inputs"]]


def hexes(values):
    return [bytes.fromhex(value) for value in values]


def probe(path):
    fields = json.loads(path.read_text())
    decoded = {key: base64.b64decode(fields[key]) for key in ("root", "leafHash", "root1", "root2") if key in fields}
    return fields | decoded | {"proof": [base64.b64decode(p) for p in fields["proof"] or []]}


def reference_store():
    store, frontier = nodes.MemoryNodeStore(), Frontier()
    for entry in LEAVES:
        store.put(frontier.append(merkle.leaf_hash(entry)))
    return store


def test_the_hasher_gives_the_rfc_6962_values():
    hasher = REFERENCE["hasher"]
    assert merkle.EMPTY_ROOT.hex() == hasher["empty_root"]
    assert merkle.leaf_hash(b"").hex() == hasher["leaf_hash_of_empty"]
    assert merkle.leaf_hash(b"L123456").hex() == hasher["leaf_hash_of_L123456"]
    assert merkle.node_hash(b"N123", b"N456").hex() == hasher["node_hash_of_N123_N456"]


def test_the_node_table_of_the_reference_tree_holds_its_node_hashes():
    store = reference_store()
    expected = {(level, index): node for level, row in enumerate(REFERENCE["node_hashes_by_level"]) for index, node in enumerate(hexes(row))}
    assert store.nodes == expected


@pytest.mark.parametrize("size", range(9))
def test_every_way_of_computing_a_root_gives_the_reference_root(size):
    expected = bytes.fromhex(REFERENCE["root_hashes_by_size"][size])
    frontier = Frontier()
    for entry in LEAVES[:size]:
        frontier.append(merkle.leaf_hash(entry))
    assert merkle.root([merkle.leaf_hash(entry) for entry in LEAVES[:size]]) == expected
    assert frontier.root() == expected
    assert nodes.root_at(reference_store(), size) == expected


@pytest.mark.parametrize("case", REFERENCE["inclusion_proofs"], ids=lambda c: f"{c['index']}:{c['size']}")
def test_inclusion_proofs_from_the_node_table_are_the_reference_ones(case):
    proof = nodes.inclusion_proof(reference_store(), case["index"], case["size"])
    assert proof == hexes(case["proof"])
    root = bytes.fromhex(REFERENCE["root_hashes_by_size"][case["size"]])
    merkle.verify_inclusion(merkle.leaf_hash(LEAVES[case["index"]]), case["index"], case["size"], proof, root)


@pytest.mark.parametrize("case", REFERENCE["consistency_proofs"], ids=lambda c: f"{c['old_size']}:{c['new_size']}")
def test_consistency_proofs_from_the_node_table_are_the_reference_ones(case):
    proof = nodes.consistency_proof(reference_store(), case["old_size"], case["new_size"])
    assert proof == hexes(case["proof"])
    old, new = case["old_size"], case["new_size"]
    roots = hexes(REFERENCE["root_hashes_by_size"])
    merkle.verify_consistency(old, new, proof, roots[old], roots[new])


def test_all_probes_are_there():
    assert (len(INCLUSION_PROBES), len(CONSISTENCY_PROBES)) == (98, 98)


@pytest.mark.parametrize("path", INCLUSION_PROBES, ids=lambda p: str(p.relative_to(VECTORS)))
def test_inclusion_probe(path):
    case = probe(path)
    arguments = case["leafHash"], case["leafIdx"], case["treeSize"], case["proof"], case["root"]
    if case["wantErr"]:
        with pytest.raises(InvalidProof):
            merkle.verify_inclusion(*arguments)
    else:
        merkle.verify_inclusion(*arguments)


@pytest.mark.parametrize("path", CONSISTENCY_PROBES, ids=lambda p: str(p.relative_to(VECTORS)))
def test_consistency_probe(path):
    case = probe(path)
    arguments = case["size1"], case["size2"], case["proof"], case["root1"], case["root2"]
    if case["wantErr"]:
        with pytest.raises(InvalidProof):
            merkle.verify_consistency(*arguments)
    else:
        merkle.verify_consistency(*arguments)


HAPPY = [p for p in INCLUSION_PROBES + CONSISTENCY_PROBES if p.name == "happy-path.json"]


@pytest.mark.parametrize("path", HAPPY, ids=lambda p: str(p.relative_to(VECTORS)))
def test_the_node_table_gives_the_proof_of_each_happy_path_probe(path):
    case, store = probe(path), reference_store()
    if "leafIdx" in case:
        assert nodes.inclusion_proof(store, case["leafIdx"], case["treeSize"]) == case["proof"]
    else:
        assert nodes.consistency_proof(store, case["size1"], case["size2"]) == case["proof"]
