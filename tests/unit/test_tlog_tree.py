"""The node table and the frontier against a naive RFC 6962 implementation written here from §2.1: roots and
proofs for many sizes, proofs checked by the verifier, the number of nodes read, the rows an append writes."""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.indicators.tlog import merkle, nodes
from services.indicators.tlog.frontier import Frontier
from services.indicators.tlog.merkle import InvalidProof


def naive_root(leaves):
    """MTH(D[n]), RFC 6962 §2.1, straight from the definition."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = merkle.split_point(len(leaves))
    return merkle.node_hash(naive_root(leaves[:k]), naive_root(leaves[k:]))


def naive_path(m, leaves):
    """PATH(m, D[n]), RFC 6962 §2.1.1."""
    if len(leaves) <= 1:
        return []
    k = merkle.split_point(len(leaves))
    if m < k:
        return naive_path(m, leaves[:k]) + [naive_root(leaves[k:])]
    return naive_path(m - k, leaves[k:]) + [naive_root(leaves[:k])]


def naive_subproof(m, leaves, whole):
    """SUBPROOF(m, D[n], b), RFC 6962 §2.1.2."""
    if m == len(leaves):
        return [] if whole else [naive_root(leaves)]
    k = merkle.split_point(len(leaves))
    if m <= k:
        return naive_subproof(m, leaves[:k], whole) + [naive_root(leaves[k:])]
    return naive_subproof(m - k, leaves[k:], False) + [naive_root(leaves[:k])]


def leaves_of(size):
    return [merkle.leaf_hash(b"event %d" % i) for i in range(size)]


def grown(leaves):
    store, frontier = nodes.MemoryNodeStore(), Frontier()
    for leaf in leaves:
        store.put(frontier.append(leaf))
    return store, frontier


class CountingStore:
    """Any node of a tree of this size, made up: for counting reads of trees too large to build."""

    def __init__(self, size):
        self.size, self.read = size, []

    def get(self, level, index):
        return self.get_many([(level, index)])[(level, index)]

    def get_many(self, ids):
        ids = list(ids)
        assert all((index + 1) << level <= self.size for level, index in ids), "read a node that is not complete"
        self.read += ids
        return {node: hashlib.sha256(repr(node).encode()).digest() for node in ids}


sizes = st.integers(min_value=1, max_value=300)


@settings(max_examples=150, deadline=None)
@given(sizes, st.data())
def test_inclusion_proofs_from_the_table_are_the_rfc_paths_and_verify(size, data):
    leaves = leaves_of(size)
    store, _ = grown(leaves)
    index = data.draw(st.integers(0, size - 1))
    smaller = data.draw(st.integers(index + 1, size))
    proof = nodes.inclusion_proof(store, index, smaller)
    assert proof == naive_path(index, leaves[:smaller])
    merkle.verify_inclusion(leaves[index], index, smaller, proof, naive_root(leaves[:smaller]))


@settings(max_examples=150, deadline=None)
@given(sizes, st.data())
def test_consistency_proofs_from_the_table_are_the_rfc_subproofs_and_verify(size, data):
    leaves = leaves_of(size)
    store, _ = grown(leaves)
    new = data.draw(st.integers(1, size))
    old = data.draw(st.integers(1, new))
    proof = nodes.consistency_proof(store, old, new)
    assert proof == naive_subproof(old, leaves[:new], True)
    merkle.verify_consistency(old, new, proof, naive_root(leaves[:old]), naive_root(leaves[:new]))


@settings(max_examples=100, deadline=None)
@given(sizes, st.data())
def test_a_proof_for_another_leaf_or_another_tree_is_refused(size, data):
    leaves = leaves_of(size + 1)
    store, _ = grown(leaves)
    index = data.draw(st.integers(0, size - 1))
    proof = nodes.inclusion_proof(store, index, size)
    with pytest.raises(InvalidProof):
        merkle.verify_inclusion(merkle.leaf_hash(b"not logged"), index, size, proof, naive_root(leaves[:size]))
    with pytest.raises(InvalidProof):
        merkle.verify_inclusion(leaves[index], index, size, proof, naive_root(leaves))
    old = data.draw(st.integers(1, size))
    forked = naive_root(leaves[: old - 1] + [merkle.leaf_hash(b"rewritten")])
    proof = nodes.consistency_proof(store, old, size + 1)
    with pytest.raises(InvalidProof):
        merkle.verify_consistency(old, size + 1, proof, forked, naive_root(leaves))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=200))
def test_appended_roots_equal_recomputed_ones_at_every_size(entries):
    store, frontier = nodes.MemoryNodeStore(), Frontier()
    hashes = []
    for entry in entries:
        hashes.append(merkle.leaf_hash(entry))
        store.put(frontier.append(hashes[-1]))
        assert frontier.root() == naive_root(hashes) == merkle.root(hashes)
    assert [nodes.root_at(store, size) for size in range(len(hashes) + 1)] == [naive_root(hashes[:size]) for size in range(len(hashes) + 1)]


@settings(max_examples=50, deadline=None)
@given(sizes, st.data())
def test_a_frontier_read_back_from_the_table_goes_on_as_the_live_one(size, data):
    leaves = leaves_of(size + 20)
    store, _ = grown(leaves[:size])
    restored = Frontier.from_store(store, size)
    assert len(restored.hashes) == size.bit_count()
    for leaf in leaves[size:]:
        store.put(restored.append(leaf))
    assert restored.root() == naive_root(leaves)
    assert store.nodes == grown(leaves)[0].nodes


def test_each_append_writes_the_leaf_and_the_subtrees_it_completes():
    frontier = Frontier()
    written = [frontier.append(leaf) for leaf in leaves_of(1024)]
    assert [len(nodes_) for nodes_ in written[:8]] == [1, 2, 1, 3, 1, 2, 1, 4]
    assert sum(map(len, written)) == 2 * 1024 - 1
    assert written[1023][-1][:2] == (10, 0)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 8, 1000, 1_000_000, 2**31 - 1, 2**40 + 12345, 2**63 - 1])
def test_roots_and_proofs_read_o_log_n_nodes(size):
    bound = 2 * size.bit_length()
    for old in {1, size // 3 or 1, size - 1 or 1, size}:
        store = CountingStore(size)
        nodes.consistency_proof(store, old, size)
        assert len(store.read) <= bound
    for index in {0, size // 2, size - 1}:
        store = CountingStore(size)
        nodes.inclusion_proof(store, index, size)
        assert len(store.read) <= bound
    store = CountingStore(size)
    nodes.root_at(store, size)
    assert len(store.read) == size.bit_count()


def test_asking_beyond_the_stored_tree_names_the_missing_nodes():
    store, _ = grown(leaves_of(5))
    with pytest.raises(nodes.MissingNode):
        nodes.inclusion_proof(store, 0, 6)
    with pytest.raises(nodes.MissingNode):
        nodes.root_at(store, 6)


@pytest.mark.parametrize("index, size", [(0, 0), (5, 5), (-1, 3)])
def test_no_inclusion_proof_outside_the_tree(index, size):
    with pytest.raises(ValueError):
        nodes.inclusion_plan(index, size)


@pytest.mark.parametrize("old, new", [(0, 5), (6, 5), (-1, 2)])
def test_no_consistency_proof_from_the_empty_tree_or_backwards(old, new):
    with pytest.raises(ValueError):
        nodes.consistency_plan(old, new)


def test_the_empty_tree_needs_no_node_for_its_root():
    assert nodes.root_plan(0).nodes == []
    assert nodes.root_plan(0).hashes({}) == [merkle.EMPTY_ROOT] == [Frontier().root()]


def test_a_plan_lists_its_nodes_once_for_a_reader_of_its_own():
    plan = nodes.consistency_plan(3, 7)
    store, _ = grown(leaves_of(7))
    assert len(plan.nodes) == len(set(plan.nodes))
    assert plan.hashes({node: store.nodes[node] for node in plan.nodes}) == nodes.consistency_proof(store, 3, 7)
