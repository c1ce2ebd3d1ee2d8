"""hyperbits: hyperdimensional computing (vector symbolic architectures) over bit-packed
numpy arrays, with models that run unchanged on microcontrollers.

Vectors are ``np.uint32`` words, shape ``(n, D/32)``; bit ``i`` of a vector is bit ``i % 32``
of word ``i // 32``, as the Rust core and the firmware pack them, so the same seed gives the
same bits here and on the device.

- :class:`Codebook` -- seeded random item vectors.
- :func:`bind`, :func:`bundle`, :func:`permute` -- the algebra.
- :func:`hamming`, :func:`hamming_matrix`, :func:`similarity`, :func:`nearest`,
  :func:`count_ones` -- comparisons and search.
- :func:`pack_bits`, :func:`unpack_bits` -- to and from 0/1 arrays.
- :func:`factorize` -- resonator networks: the factors of a product of codebook items.
- :class:`BlockCodes` -- sparse block codes (B blocks of L positions, one active each):
  exact binding by position addition, argmax bundling, as the device's ``BlockVector``.
- :class:`Multiset`, :class:`Dictionary`, :class:`Sequence`, :class:`Stack`, :class:`Graph`,
  :class:`Tree`, :class:`Automaton` -- data structures in one hypervector each, with the
  planner's ``capacity(error)``.
- :class:`Level`, :class:`Thermometer`, :class:`Circular`, :class:`Projection`,
  :class:`Record`, :func:`ngram` -- encoders, bit for bit the device's.
- :class:`Bloom`, :class:`BlockedBloom`, :func:`plan` -- sketches and the dimension planner.
- :class:`Hopfield` -- associative memory of up to 1,024 patterns (classic and dense recall).
- :class:`Sdm` -- sparse distributed memory (Kanerva): seeded hard locations, writes and reads
  within a Hamming radius, autoassociative recall, its bit-error analysis and capacity.
- :class:`Sae` -- sparse autoencoders: import a SAELens folder or safetensors file, encode and
  reconstruct batches.
- :class:`Classifier` -- a scikit-learn style estimator whose ``to_bytes()`` is the model blob
  ``hyperbits train`` writes and firmware loads.
- :class:`WindowClassifier` -- windows of a sensor stream (IMU, EMG) classified whole or
  streamed sample by sample, as the device streams them.
- :class:`FormatError` -- a model blob that cannot be read (a ``ValueError``).
"""

from ._hyperbits import (
    Automaton,
    BlockCodes,
    Dictionary,
    FormatError,
    Graph,
    Hopfield,
    Multiset,
    Sae,
    Sdm,
    Sequence,
    Stack,
    Tree,
    __version__,
)
from ._classifier import Classifier
from ._encoders import Circular, Level, Projection, Record, Thermometer, ngram
from ._series import WindowClassifier
from ._sketch import BlockedBloom, Bloom, plan
from ._vectors import (
    Codebook,
    bind,
    bundle,
    count_ones,
    factorize,
    hamming,
    hamming_matrix,
    nearest,
    pack_bits,
    permute,
    similarity,
    unpack_bits,
)

__all__ = [
    "Automaton",
    "BlockCodes",
    "Dictionary",
    "Graph",
    "Multiset",
    "Sequence",
    "Stack",
    "Tree",
    "BlockedBloom",
    "Bloom",
    "Circular",
    "Level",
    "Projection",
    "Record",
    "Thermometer",
    "ngram",
    "plan",
    "Codebook",
    "Classifier",
    "FormatError",
    "Hopfield",
    "Sdm",
    "Sae",
    "bind",
    "bundle",
    "count_ones",
    "factorize",
    "hamming",
    "hamming_matrix",
    "nearest",
    "pack_bits",
    "permute",
    "similarity",
    "unpack_bits",
    "WindowClassifier",
    "__version__",
]
