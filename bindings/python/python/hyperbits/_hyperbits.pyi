"""Type stubs of the compiled module ``hyperbits._hyperbits`` (see the Rust sources in
``bindings/python/src``). Arrays of packed vectors are 2-D, C-contiguous ``uint32``."""

from typing import List, Optional, Tuple

import numpy as np
import numpy.typing as npt

__version__: str

class FormatError(ValueError):
    """A model blob that cannot be read."""

def codebook_vectors(seed: int, indices: npt.NDArray[np.uint32], dim: int) -> npt.NDArray[np.uint32]:
    """Item vectors ``indices`` of codebook ``seed``: ``(len(indices), dim // 32)``."""

def bind(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """Row-wise XOR, one row broadcasting against many."""

def bundle(v: npt.NDArray[np.uint32], seed: int) -> npt.NDArray[np.uint32]:
    """Majority of the rows, seeded ties."""

def permute(v: npt.NDArray[np.uint32], shift: int) -> npt.NDArray[np.uint32]:
    """Cyclic rotation of every row by ``shift`` bits."""

def hamming(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """Row-wise Hamming distances, one row broadcasting against many."""

def hamming_matrix(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """All pairwise distances: ``(len(a), len(b))``."""

def nearest(
    queries: npt.NDArray[np.uint32], db: npt.NDArray[np.uint32], k: int
) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32]]:
    """The ``k`` nearest rows of ``db`` per query: indices and distances, ``(n, k)`` each."""

def count_ones(v: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """Bits set per row."""

def train_classifier(
    x: npt.NDArray[np.float32],
    labels: List[str],
    dim: int,
    encoder: str,
    levels: int,
    epochs: int,
    margin: Optional[int],
    seed: int,
) -> bytes:
    """Trains a classifier; returns the model blob ``hyperbits train`` writes."""

class ClassifierModel:
    """A validated classifier blob, run by the device's code."""

    def __init__(self, blob: bytes) -> None: ...
    @property
    def dim(self) -> int:
        """Dimension in bits."""
    @property
    def features(self) -> int:
        """Input features."""
    @property
    def labels(self) -> List[str]:
        """Class labels in class order."""
    def to_bytes(self) -> bytes:
        """The blob."""
    def distances(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.uint32]:
        """Distance of each encoded row to each prototype."""
    def predict(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.int64]:
        """Class index of each row."""
