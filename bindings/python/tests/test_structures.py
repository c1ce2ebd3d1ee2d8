"""The core's data structures from Python: behaviour, capacities and the core's errors."""

import numpy as np
import pytest

import hyperbits as hb


def test_dictionary_and_multiset():
    d = hb.Dictionary(64)
    rng = np.random.default_rng(0)
    n = d.capacity(0.01)
    assert n >= 30
    values = rng.integers(0, 64, size=n)
    for k, v in enumerate(values):
        d.insert(k, int(v))
    assert len(d) == n
    assert sum(d.get(k) == v for k, v in enumerate(values)) >= n - 1
    d.remove(0, int(values[0]))
    assert d.get(0) is None
    with pytest.raises(ValueError, match="out of range|index"):
        d.insert(1, 64)
    bag = hb.Multiset(dim=1024, seed=3)
    bag.insert(5, 3)
    bag.insert(7)
    assert (bag.count(5), bag.count(7), bag.count(9)) == (3, 1, 0)
    assert 5 in bag and 9 not in bag and len(bag) == 4
    with pytest.raises(ValueError, match="dim"):
        hb.Multiset(dim=1000)


def test_sequence_stack_tree_graph_automaton():
    s = hb.Sequence(26)
    word = [ord(c) - ord("a") for c in "hyperdimensional"]
    for x in word:
        s.push(x)
    assert [s.get(i) for i in range(len(word))] == word
    assert s.find(word[5:8]) == 5 and s.follows(word[5:8]) == word[8]
    st = hb.Stack(10, dim=512)
    for x in [1, 2, 3]:
        st.push(x)
    assert (st.pop(), st.pop(), st.peek(), len(st)) == (3, 2, 1, 1)
    t = hb.Tree(20)
    t.insert("LR", 4)
    t.insert("R", 11)
    assert (t.get("LR"), t.get("R"), t.get("LL")) == (4, 11, None)
    with pytest.raises(ValueError, match="neither L nor R"):
        t.get("LX")
    g = hb.Graph(10, directed=True)
    for a, b in [(1, 2), (1, 3), (4, 1)]:
        g.add_edge(a, b)
    assert g.neighbours(1) == [2, 3] and g.predecessors(1) == [4]
    assert g.has_edge(1, 2) and not g.has_edge(2, 1)
    assert g.nodes == 10 and len(g) == 3
    u = hb.Graph(10)
    with pytest.raises(ValueError, match="self-loop"):
        u.add_edge(3, 3)
    even = hb.Automaton(2, 2)
    for src, tok, dst in [(0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0)]:
        even.add_transition(src, tok, dst)
    assert even.accepts(0, [1, 0, 1, 1, 1], [0]) and not even.accepts(0, [1, 0, 0], [0])
    assert even.next(0, 1) == 1 and len(even) == 4 and even.capacity(0.01) > 4


def test_block_codes_bind_exactly_bundle_by_argmax_and_match_the_codebook():
    sbc = hb.BlockCodes(blocks=40, length=100)
    assert (sbc.blocks, sbc.length, sbc.dim) == (40, 100, 4000)
    items = sbc.random(7, 6)
    assert items.shape == (6, 40) and items.dtype == np.uint16
    assert np.array_equal(sbc.random(7, [4, 5]), items[4:])
    # The device's rule: position b is floor(word_b * L / 2**32) of the codebook's words.
    words = hb.Codebook(7).vectors(6, 32 * 40).astype(np.uint64)
    assert np.array_equal(items, (words * 100) >> 32)
    a, b, c = items[0], items[1], items[2]
    ab = sbc.bind(a, b)
    assert ab.shape == (40,) and np.array_equal(ab, (a.astype(int) + b) % 100)
    assert np.array_equal(sbc.unbind(ab, b), a)
    assert np.array_equal(sbc.bind(a, sbc.inverse(a)), np.zeros(40, np.uint16))
    # One row broadcasts against many; binding keeps matches.
    assert sbc.bind(a, items).shape == (6, 40)
    assert sbc.matches(sbc.bind(a, c), sbc.bind(b, c)) == sbc.matches(a, b)
    assert sbc.similarity(a, a) == 1.0
    assert list(sbc.matches(a, items[:2])) == [40, sbc.matches(a, b)]
    assert np.array_equal(sbc.permute(sbc.permute(a, 3), -3), a)
    assert np.array_equal(sbc.permute(a, 1)[1:], a[:-1])
    # A majority wins every block; members of a bundle keep more blocks than outsiders.
    assert np.array_equal(sbc.bundle(np.stack([a, a, b])), a)
    bundle = sbc.bundle(items[:5], tie_seed=3)
    # Many codes are bundled by counting: still a per-block majority, seeded ties.
    many = sbc.random(11, 40)
    big = sbc.bundle(many, tie_seed=3)
    counts = np.array([np.bincount(many[:, k], minlength=100) for k in range(40)])
    assert np.all(counts[np.arange(40), big] == counts.max(axis=1))
    outsiders = sbc.random(8, 20)
    assert min(sbc.matches(items[:5], bundle)) > max(sbc.matches(outsiders, bundle))
    with pytest.raises(ValueError, match="blocks"):
        sbc.bind(a, items[:, :39])
    with pytest.raises(ValueError, match="below|range"):
        sbc.bind(a, np.full(40, 100, np.uint16))
    with pytest.raises(ValueError, match="below|range"):
        sbc.bundle(np.stack([a, np.full(40, 100, np.uint16)]))
    with pytest.raises(ValueError, match="broadcast"):
        sbc.bind(items[:2], items[:3])
    with pytest.raises(ValueError, match="positions"):
        hb.BlockCodes(blocks=4, length=1)
    # Positions of another integer type are converted when they fit; others are refused.
    assert np.array_equal(sbc.bind(a.astype(np.int64), b.tolist()), ab)
    assert sbc.matches(a.astype(np.int32), a) == 40
    with pytest.raises(TypeError, match="b: block positions are integers"):
        sbc.bind(a, b.astype(np.float64))
    with pytest.raises(ValueError, match=r"a: positions -1\.\.=\d+ do not fit"):
        sbc.inverse(np.where(np.arange(40) == 0, -1, a.astype(np.int64)))
    with pytest.raises(ValueError, match="below|range"):
        sbc.bind(a, np.full(40, 100, np.int64))
