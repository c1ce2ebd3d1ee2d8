"""Encoders, sketches and the planner from numpy: the core's golden hashes, the encoders'
geometry, Bloom filters against their plan, the planner against the CLI."""

import subprocess

import numpy as np
import pytest

import hyperbits as hb
from test_classifier import cli
from test_vectors import fnv1a, golden, rotl


def test_encoders_match_the_golden_hashes():
    x = [1.5, -2.25, 0.125, 3.0, -0.7, 1e-3, 12.5]
    assert fnv1a(hb.Projection(9).encode(x, 2048)) == golden("projection")

    level, circ, thermo = hb.Level(16, seed=7), hb.Circular(12, seed=8), hb.Thermometer(10)
    h = 0
    for v in level.vectors(np.arange(16), 2048):
        h = rotl(h, 7) ^ fnv1a(v)
    for v in circ.vectors(np.arange(12), 2048):
        h = rotl(h, 7) ^ fnv1a(v)
    h ^= fnv1a(thermo.vectors([3], 2048)[0]) ^ fnv1a(level.encode([0.37], 0.0, 1.0, 2048)[0])
    assert h == golden("level_circular_thermometer")

    # records_and_ngrams: a record, the profile of a symbol stream's trigrams (9 of them, an
    # odd count: their plain majority) and one trigram.
    r = hb.Record(10, hb.Level(8, seed=11)).encode([0, 1, 2, 7, 6, 5, 3, 3], 2048, tie_seed=12)
    book = hb.Codebook(13)
    symbols = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
    grams = np.stack([ngram_of(book, symbols[i:i + 3]) for i in range(len(symbols) - 2)])
    a, b = book.vectors([1, 2], 2048)
    h = fnv1a(r) ^ rotl(fnv1a(hb.bundle(grams)), 9) ^ rotl(fnv1a(hb.ngram(np.stack([a, b, a]))), 21)
    assert h == golden("records_and_ngrams")


def ngram_of(book, symbols):
    return hb.ngram(book.vectors(symbols, 2048))


def test_encoder_geometry():
    dim = 8192
    levels = hb.Level(32, seed=3).vectors(np.arange(32), dim)
    d = hb.hamming(levels[0], levels)
    assert d[0] == 0 and np.all(np.diff(d.astype(int)) >= 0) and abs(int(d[-1]) - dim // 2) < 300
    t = hb.Thermometer(9).vectors(np.arange(9), dim)
    assert np.array_equal(hb.hamming(t[0], t), np.arange(9) * dim // 8)
    c = hb.Circular(12, seed=1).vectors(np.arange(12), dim)
    assert abs(int(hb.hamming(c[0], c[1])) - int(hb.hamming(c[0], c[11]))) < 300
    X = np.random.default_rng(0).normal(size=(3, 20)).astype(np.float32)
    p = hb.Projection(5).encode(np.vstack([X, X[:1] + 1e-3]), dim)
    assert hb.hamming(p[0], p[3]) < 100 < hb.hamming(p[0], p[1])
    # Shapes follow the input's.
    assert hb.Level(4).vectors(np.zeros((2, 3), dtype=int), 256).shape == (2, 3, 8)
    assert hb.Record(1).encode(np.zeros((5, 4), dtype=int), 512).shape == (5, 16)


def test_encoders_refuse_bad_input():
    with pytest.raises(ValueError, match="out of range"):
        hb.Level(16).vectors([16], 2048)
    with pytest.raises(ValueError, match="dimension 96"):
        hb.Level(16).vectors([1], 96)
    with pytest.raises(ValueError, match="NaN"):
        hb.Projection(1).encode([[np.nan, 1.0]], 256)
    with pytest.raises(TypeError):
        hb.Circular(12).vectors([1.5], 256)
    with pytest.raises(ValueError):
        hb.ngram(np.zeros((0, 8), dtype=np.uint32))


def test_bloom_has_no_false_negatives_and_meets_its_plan():
    best = hb.plan(2000, 0.01, vsa="Bloom (SB-OR)")[0]
    dim = (best["dim"] + 31) // 32 * 32
    bloom = hb.Bloom(dim, best["k"], seed=4)
    members = np.arange(2000, dtype=np.uint64) * 7919
    bloom.insert(members)
    assert bloom.contains(members).all()
    others = np.arange(100_000, 120_000, dtype=np.uint64) * 7919 + 1
    fp = bloom.contains(others).mean()
    assert fp < 1.5 * 0.01
    assert abs(bloom.estimate_len() - 2000) < 100
    # The blob round trip keeps every bit; a damaged blob is a FormatError.
    again = hb.Bloom.from_bytes(bloom.to_bytes())
    assert np.array_equal(again.words(), bloom.words())
    assert (again.dim, again.k, again.seed) == (bloom.dim, bloom.k, bloom.seed)
    blob = bytearray(bloom.to_bytes())
    blob[-1] ^= 1
    with pytest.raises(hb.FormatError):
        hb.Bloom.from_bytes(bytes(blob))
    # Union and intersection estimates.
    other = hb.Bloom(dim, best["k"], seed=4)
    other.insert(members[:500])
    other.insert(others[:1000])
    assert abs(bloom.estimate_intersection(other) - 500) < 100
    bloom.union(other)
    assert bloom.contains(others[:1000]).all()
    with pytest.raises(ValueError):
        bloom.union(hb.Bloom(dim + 32, best["k"], seed=4))
    blocked = hb.BlockedBloom(8192, 6, seed=2)
    blocked.insert([1, 2, 3])
    assert list(blocked.contains([1, 2, 3])) == [True] * 3 and 1 in blocked
    assert hb.BlockedBloom.from_bytes(blocked.to_bytes()).contains(2)
    with pytest.raises(ValueError):
        hb.BlockedBloom(8192 + 32, 6)
    for bad in (-1, 2**64, [1, -2], "key", 1.5):
        with pytest.raises(ValueError, match="keys"):
            bloom.insert(bad)


def test_plan_is_the_clis_table():
    exe = cli()
    out = subprocess.run(
        [exe, "plan", "--items", "1000", "--error", "0.001"], capture_output=True, text=True,
        check=True,
    ).stdout
    rows = [line.split("|") for line in out.splitlines() if line.startswith("| ") and "VSA" not in line]
    from_cli = [(r[1].strip(), int(r[2])) for r in rows]
    table = hb.plan(1000, 0.001)
    assert [(p["vsa"], p["dim"]) for p in table] == from_cli
    assert all(p["fp"] <= 0.001 * 1.01 for p in table)
    inter = hb.plan(500, 0.01, task="intersection", epsilon=20)
    assert len(inter) == 5 and inter[0]["bytes"] <= inter[-1]["bytes"]
    with pytest.raises(ValueError, match="epsilon"):
        hb.plan(500, 0.01, task="intersection")
    with pytest.raises(ValueError, match="task"):
        hb.plan(500, 0.01, task="union")
