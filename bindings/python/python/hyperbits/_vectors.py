"""Bit-packed hypervectors as numpy arrays, and their algebra.

A vector of D bits is D/32 ``np.uint32`` words; bit ``i`` is bit ``i % 32`` of word
``i // 32``, exactly as the Rust core and the firmware pack it. A batch is a 2-D array of
shape ``(n, D/32)``; every function takes one vector (1-D) or a batch (2-D) and answers in
kind. Inputs are used in place, never copied: they must be ``uint32`` and C-contiguous, and
anything else is refused with a ``TypeError`` or ``ValueError`` naming the argument.
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from . import _hyperbits

__all__ = [
    "Codebook",
    "bind",
    "bundle",
    "permute",
    "hamming",
    "hamming_matrix",
    "nearest",
    "count_ones",
    "similarity",
    "pack_bits",
    "unpack_bits",
]


def _rows(a, name: str) -> Tuple[np.ndarray, bool]:
    """``a`` as a 2-D uint32 array (a view, never a copy) and whether it was one vector."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{name}: expected a numpy array of uint32 words, got {type(a).__name__}")
    if a.dtype != np.uint32:
        raise TypeError(
            f"{name}: expected dtype uint32 (packed words), got {a.dtype}; "
            "use hyperbits.pack_bits to pack 0/1 bits"
        )
    if a.ndim == 1:
        return a.reshape(1, -1), True
    if a.ndim == 2:
        return a, False
    raise ValueError(f"{name}: expected a vector (1-D) or a batch of vectors (2-D), got {a.ndim}-D")


class Codebook:
    """Seeded random item vectors: the same ``(seed, index)`` gives the same bits here, in
    Rust, in C and on every microcontroller, so a device regenerates them instead of storing
    them.

    >>> book = Codebook(42)
    >>> book.vectors(3, 2048).shape
    (3, 64)
    """

    def __init__(self, seed: int = 0):
        if not 0 <= int(seed) < 2**64:
            raise ValueError(f"seed {seed}: must be in 0..2**64")
        self.seed = int(seed)

    def vectors(self, n_or_indices, dim: int) -> np.ndarray:
        """Item vectors ``0..n`` (an int) or of the given indices (a sequence of ints in
        ``0..2**32``), each ``dim`` bits: shape ``(n, dim // 32)``."""
        if isinstance(n_or_indices, (int, np.integer)):
            if n_or_indices < 0:
                raise ValueError(f"n = {n_or_indices}: must be at least 0")
            indices = np.arange(int(n_or_indices), dtype=np.uint32)
        else:
            raw = np.asarray(n_or_indices)
            if raw.ndim != 1 or (raw.size and not np.issubdtype(raw.dtype, np.integer)):
                raise ValueError("indices: expected a 1-D sequence of integers")
            if raw.size and (raw.min() < 0 or raw.max() >= 2**32):
                raise ValueError("indices: must be in 0..2**32")
            indices = np.ascontiguousarray(raw, dtype=np.uint32)
        return _hyperbits.codebook_vectors(self.seed, indices, int(dim))

    def vector(self, index: int, dim: int) -> np.ndarray:
        """Item vector ``index``: shape ``(dim // 32,)``."""
        return self.vectors([index], dim)[0]

    def __repr__(self) -> str:
        return f"Codebook({self.seed})"


def bind(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Binding (XOR), its own inverse; one vector broadcasts against a batch."""
    (x, one_x), (y, one_y) = _rows(a, "a"), _rows(b, "b")
    out = _hyperbits.bind(x, y)
    return out[0] if one_x and one_y else out


def bundle(vectors: np.ndarray, seed: int = 0) -> np.ndarray:
    """Bitwise majority of the rows of ``vectors`` (1 to 65,535 of them); an even count
    breaks ties with the codebook ``seed``'s tie vector, as the core's ``bundle`` does."""
    v, _ = _rows(vectors, "vectors")
    return _hyperbits.bundle(v, int(seed))


def permute(v: np.ndarray, shift: int = 1) -> np.ndarray:
    """Cyclic rotation by ``shift`` bits: bit ``j`` moves to ``(j + shift) mod D``; a
    negative shift rotates back."""
    x, one = _rows(v, "v")
    out = _hyperbits.permute(x, int(shift))
    return out[0] if one else out


def hamming(a: np.ndarray, b: np.ndarray):
    """Hamming distance (differing bits), row by row; one vector broadcasts against a batch.
    Two vectors give an ``int``, otherwise an array of ``uint32``."""
    (x, one_x), (y, one_y) = _rows(a, "a"), _rows(b, "b")
    out = _hyperbits.hamming(x, y)
    return int(out[0]) if one_x and one_y else out


def similarity(a: np.ndarray, b: np.ndarray):
    """``1 - hamming / D``: 1 for equal vectors, about 0.5 for unrelated ones."""
    x, _ = _rows(a, "a")
    return 1.0 - np.asarray(hamming(a, b), dtype=np.float64) / (32 * x.shape[1])


def hamming_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Every pairwise distance: ``(len(a), len(b))`` of ``uint32``."""
    (x, _), (y, _) = _rows(a, "a"), _rows(b, "b")
    return _hyperbits.hamming_matrix(x, y)


def nearest(queries: np.ndarray, db: np.ndarray, k: int = 1):
    """The ``k`` rows of ``db`` nearest to each query, nearest first (equal distances: lower
    index first). Returns ``(indices, distances)``, each ``(len(queries), k)``, or ``(k,)``
    for a single query vector."""
    (q, one), (d, _) = _rows(queries, "queries"), _rows(db, "db")
    index, dist = _hyperbits.nearest(q, d, int(k))
    return (index[0], dist[0]) if one else (index, dist)


def count_ones(v: np.ndarray):
    """Bits set to one in each vector."""
    x, one = _rows(v, "v")
    out = _hyperbits.count_ones(x)
    return int(out[0]) if one else out


def pack_bits(bits) -> np.ndarray:
    """0/1 values of shape ``(..., D)`` (D a multiple of 32) as packed words ``(..., D/32)``."""
    b = np.asarray(bits)
    if b.shape[-1] % 32:
        raise ValueError(f"{b.shape[-1]} bits: D must be a multiple of 32")
    packed = np.packbits(b.astype(bool), axis=-1, bitorder="little")
    return np.ascontiguousarray(packed).view("<u4").astype(np.uint32, copy=False)


def unpack_bits(words: np.ndarray) -> np.ndarray:
    """Packed words ``(..., D/32)`` as 0/1 ``uint8`` values ``(..., D)``."""
    w = np.ascontiguousarray(words, dtype="<u4")
    return np.unpackbits(w.view(np.uint8), axis=-1, bitorder="little")



def factorize(
    products: np.ndarray,
    codebooks: np.ndarray,
    method: str = "restarting",
    max_sweeps: int = 200,
    keep: int = 16,
    noise: int = 0,
    restart_after: int = 5,
    accept: Optional[int] = None,
    seed: int = 0,
):
    """Factorise products of codebook items with a resonator network.

    ``products``: one vector or ``(n, D/32)`` words, each the binding (XOR) of one item from
    each codebook; ``codebooks``: ``(F, M, D/32)`` words, F from 1 to 4 factors of M ≤ 256
    items each. Returns ``(indices, sweeps, verified)``: the item chosen for each factor
    (``(n, F)``, ``int64``), the sweeps spent (restarts included, at most ``max_sweeps``) and
    whether the bound chosen items are within ``accept`` bits of the product (default D/4).

    ``method="restarting"`` (the default) keeps only the ``keep`` largest similarities in each
    update, checks the decoded factors exactly after every sweep and restarts from random
    estimates every ``restart_after`` sweeps; ``"plain"`` is the outer-product resonator of
    Frady et al. (2020). The same seed gives the same factorisation as the Rust core.
    """
    p, one = _rows(products, "products")
    if not isinstance(codebooks, np.ndarray) or codebooks.dtype != np.uint32 or codebooks.ndim != 3:
        raise TypeError("codebooks: expected a (F, M, D/32) numpy array of uint32 words")
    indices, sweeps, verified = _hyperbits.factorize(
        p, codebooks, method, int(max_sweeps), int(keep), int(noise), int(restart_after),
        None if accept is None else int(accept), int(seed),
    )
    return (indices[0], sweeps[0], verified[0]) if one else (indices, sweeps, verified)
