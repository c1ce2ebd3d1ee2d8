"""Encoders: numbers and feature rows to hypervectors, bit for bit the core's (and the
device's) for the same seeds. Dimensions: 256, 512, 1024, 2048, 4096, 8192, 10016 or 10240.

- :class:`Level` -- ``levels`` vectors from one random vector to another, neighbours similar.
- :class:`Thermometer` -- level ``i`` sets the first ``i·D/(levels-1)`` bits.
- :class:`Circular` -- ``steps`` vectors around a circle (angles, hours).
- :class:`Projection` -- the sign of a seeded ±1 random projection of a feature row.
- :class:`Record` -- the majority of ``key_f ⊗ level(x_f)`` over the features of a row.
- :func:`ngram` -- ``ρ^{n-1}(x_1) ⊗ … ⊗ ρ^0(x_n)`` of a sequence of vectors.
"""

from __future__ import annotations

import numpy as np

from . import _hyperbits
from ._vectors import _rows, bind, permute

__all__ = ["Level", "Thermometer", "Circular", "Projection", "Record", "ngram"]


def _indices(values, dtype, name: str) -> np.ndarray:
    raw = np.asarray(values)
    if raw.size and not np.issubdtype(raw.dtype, np.integer):
        raise TypeError(f"{name}: expected integers, got dtype {raw.dtype}")
    info = np.iinfo(dtype)
    if raw.size and (raw.min() < 0 or raw.max() > info.max):
        raise ValueError(f"{name}: values must be in 0..{info.max}")
    return np.ascontiguousarray(raw.reshape(-1), dtype=dtype), raw.shape


def _floats(x, name: str) -> np.ndarray:
    a = np.ascontiguousarray(np.asarray(x, dtype=np.float32))
    if not np.isfinite(a).all():
        raise ValueError(f"{name}: Input contains NaN or infinity")
    return a


def _shaped(out: np.ndarray, shape) -> np.ndarray:
    return out.reshape(tuple(shape) + (out.shape[-1],))


class Level:
    """``levels`` level vectors (2 to 256) under ``seed``: level 0 and the last are unrelated,
    neighbours differ in about ``D / (2·(levels-1))`` bits."""

    def __init__(self, levels: int = 16, seed: int = 0):
        self.levels, self.seed = int(levels), int(seed)

    def vectors(self, levels, dim: int) -> np.ndarray:
        """The vectors of the given level indices: shape ``levels.shape + (dim // 32,)``."""
        idx, shape = _indices(levels, np.uint16, "levels")
        return _shaped(_hyperbits.level_vectors(self.seed, self.levels, idx, int(dim)), shape)

    def encode(self, x, lo: float, hi: float, dim: int) -> np.ndarray:
        """The vector of each value's level, ``x`` quantised on ``[lo, hi]`` as the device
        quantises it."""
        a = _floats(x, "x")
        flat = _hyperbits.level_encode(self.seed, self.levels, a.reshape(-1), float(lo), float(hi), int(dim))
        return _shaped(flat, a.shape)


class Thermometer:
    """``levels`` thermometer codes: level ``i`` sets the first ``round(i·D/(levels-1))``
    bits, so distance grows linearly with the level difference."""

    def __init__(self, levels: int = 16):
        self.levels = int(levels)

    def vectors(self, levels, dim: int) -> np.ndarray:
        """The codes of the given levels."""
        idx, shape = _indices(levels, np.uint32, "levels")
        return _shaped(_hyperbits.thermometer_vectors(self.levels, idx, int(dim)), shape)


class Circular:
    """``steps`` vectors around a circle under ``seed``: step ``i`` is as far from ``i + s``
    as from ``i - s``, and the last step is near the first."""

    def __init__(self, steps: int = 12, seed: int = 0):
        self.steps, self.seed = int(steps), int(seed)

    def vectors(self, steps, dim: int) -> np.ndarray:
        """The vectors of the given steps."""
        idx, shape = _indices(steps, np.uint16, "steps")
        return _shaped(_hyperbits.circular_vectors(self.seed, self.steps, idx, int(dim)), shape)


class Projection:
    """The sign of a ±1 random projection (rows regenerated from ``seed``) of each feature
    row: similar rows give similar vectors."""

    def __init__(self, seed: int = 0):
        self.seed = int(seed)

    def encode(self, X, dim: int) -> np.ndarray:
        """Rows ``X`` (n × features, or one row) to vectors ``(n, dim // 32)``."""
        a = _floats(X, "X")
        one = a.ndim == 1
        out = _hyperbits.projection_encode(self.seed, a.reshape(1, -1) if one else a, int(dim))
        return out[0] if one else out


class Record:
    """The level × feature-id record: for a row of level indices ``l_f``, the majority of
    ``key_f ⊗ level(l_f)`` (keys from codebook ``key_seed``, levels from ``level``), ties
    broken by ``tie_seed``."""

    def __init__(self, key_seed: int = 0, level: Level = None):
        self.key_seed = int(key_seed)
        self.level = level if level is not None else Level()

    def encode(self, levels, dim: int, tie_seed: int = 0) -> np.ndarray:
        """Rows of level indices (n × features, or one row) to vectors."""
        idx = np.asarray(levels)
        one = idx.ndim == 1
        flat, _ = _indices(idx, np.uint16, "levels")
        rows = flat.reshape(1, -1) if one else flat.reshape(idx.shape)
        out = _hyperbits.record_encode(
            self.key_seed, self.level.seed, self.level.levels, rows, int(tie_seed), int(dim)
        )
        return out[0] if one else out


def ngram(vectors: np.ndarray) -> np.ndarray:
    """The n-gram of a sequence of vectors (rows, oldest first): row ``i`` permuted by
    ``n-1-i`` bits, all bound together (the core's ``encode::ngram``)."""
    v, _ = _rows(vectors, "vectors")
    n = len(v)
    if n == 0:
        raise ValueError("an n-gram needs at least one vector")
    out = permute(v[0], n - 1)
    for i in range(1, n):
        out = bind(out, permute(v[i], n - 1 - i))
    return out
