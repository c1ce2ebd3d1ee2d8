"""Type stubs of the compiled module ``hyperbits._hyperbits`` (see the Rust sources in
``bindings/python/src``). Arrays of packed vectors are 2-D, C-contiguous ``uint32``."""

import os
from typing import Any, Dict, List, Optional, Tuple, Union

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

class BlockCodes:
    """Sparse block codes of ``blocks`` blocks of ``length`` positions: a code is a row of
    ``blocks`` ``uint16`` positions (1-D, or 2-D for a batch). Positions of another integer
    type are converted when they fit ``uint16``."""

    def __init__(self, blocks: int, length: int) -> None: ...
    @property
    def blocks(self) -> int: ...
    @property
    def length(self) -> int: ...
    @property
    def dim(self) -> int: ...
    def random(self, seed: int, n_or_indices: Any) -> npt.NDArray[np.uint16]:
        """Items ``0..n`` or ``indices`` of codebook ``seed``: ``(n, blocks)``."""
    def bind(self, a: npt.ArrayLike, b: npt.ArrayLike) -> npt.NDArray[np.uint16]:
        """Positions added block by block, mod ``length``; one row broadcasts."""
    def unbind(self, a: npt.ArrayLike, b: npt.ArrayLike) -> npt.NDArray[np.uint16]:
        """The inverse of :meth:`bind`."""
    def inverse(self, a: npt.ArrayLike) -> npt.NDArray[np.uint16]: ...
    def bundle(self, v: npt.ArrayLike, tie_seed: int = 0) -> npt.NDArray[np.uint16]:
        """Each block's most held position over the rows of ``v`` (seeded ties)."""
    def matches(self, a: npt.ArrayLike, b: npt.ArrayLike) -> Any:
        """Blocks holding the same position: an int for two codes, else an array."""
    def similarity(self, a: npt.ArrayLike, b: npt.ArrayLike) -> Any:
        """``matches / blocks``."""
    def permute(self, a: npt.ArrayLike, shift: int) -> npt.NDArray[np.uint16]:
        """Block ``b`` moves to block ``(b + shift) % blocks``."""

def train_classifier(
    x: npt.NDArray[np.float32],
    labels: List[str],
    dim: int,
    encoder: str,
    levels: int,
    epochs: int,
    margin: Optional[int],
    seed: int,
    reach: float = 1.0,
    ensemble: int = 1,
    decorrelate: Optional[bool] = None,
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
    @property
    def decorrelated(self) -> bool:
        """Whether the model (or a member) decorrelates the features before encoding."""
    def to_bytes(self) -> bytes:
        """The blob."""
    def distances(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.uint32]:
        """Distance of each encoded row to each prototype."""
    def predict(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.int64]:
        """Class index of each row."""
    def predict_with_confidence(
        self, x: npt.NDArray[np.float32]
    ) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """Class index of each row and the calibrated probability that it is right."""

def train_window_classifier(
    x: npt.NDArray[np.int16],
    labels: List[str],
    channels: int,
    vectors: List[int],
    bands: int,
    hop: Optional[int],
    dim: int,
    encoder: str,
    levels: int,
    epochs: int,
    margin: Optional[int],
    seed: int,
    ensemble: int,
    stage: str = "auto",
    ngram: int = 5,
) -> bytes:
    """Trains a window classifier; returns the blob ``hyperbits train --channels`` writes."""

_Decisions = Tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32], npt.NDArray[np.float64]]

class WindowModel:
    """A validated window-classifier blob, run by the device's code."""

    def __init__(self, blob: bytes) -> None: ...
    @property
    def dim(self) -> int:
        """Dimension in bits."""
    @property
    def channels(self) -> int:
        """Channels per sample."""
    @property
    def length(self) -> int:
        """Samples per window."""
    @property
    def hop(self) -> int:
        """Samples between decisions when streaming."""
    @property
    def features(self) -> int:
        """Features of the window stage."""
    @property
    def labels(self) -> List[str]:
        """Class labels in class order."""
    def to_bytes(self) -> bytes:
        """The blob."""
    def window_features(self, x: npt.NDArray[np.int16]) -> npt.NDArray[np.float32]:
        """The window stage's features of each window."""
    def predict(self, x: npt.NDArray[np.int16]) -> _Decisions:
        """Class index, margin and probability (NaN without a table) of each window."""
    def stream(self, samples: npt.NDArray[np.int16]) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.uint32], npt.NDArray[np.float64]]:
        """Streams samples from empty: where each decision came, and the decisions."""

class Bloom:
    """A Bloom filter over bit-packed words (see ``hyperbits.Bloom``)."""

    def __init__(self, dim: int, k: int, seed: int = 0) -> None: ...
    @staticmethod
    def from_bytes(blob: bytes) -> "Bloom":
        """The sketch in a blob."""
    def to_bytes(self) -> bytes:
        """The blob firmware reads in place."""
    def insert(self, keys) -> None:
        """Adds one key or a sequence of keys."""
    def contains(self, keys):
        """Whether each key may be in the set."""
    def __contains__(self, key: int) -> bool: ...
    @property
    def dim(self) -> int:
        """Bits."""
    @property
    def k(self) -> int:
        """Bits per key."""
    @property
    def seed(self) -> int:
        """Hash seed."""
    def words(self) -> npt.NDArray[np.uint32]:
        """The bits as packed words."""
    def union(self, other: "Bloom") -> None:
        """Adds every key of ``other``."""
    def estimate_len(self) -> float:
        """Estimated distinct keys."""
    def estimate_intersection(self, other: "Bloom") -> float:
        """Estimated keys in both."""

class BlockedBloom:
    """A cache-blocked Bloom filter (see ``hyperbits.BlockedBloom``)."""

    def __init__(self, dim: int, k: int, seed: int = 0) -> None: ...
    @staticmethod
    def from_bytes(blob: bytes) -> "BlockedBloom":
        """The sketch in a blob."""
    def to_bytes(self) -> bytes:
        """The blob firmware reads in place."""
    def insert(self, keys) -> None:
        """Adds one key or a sequence of keys."""
    def contains(self, keys):
        """Whether each key may be in the set."""
    def __contains__(self, key: int) -> bool: ...
    @property
    def dim(self) -> int:
        """Bits."""
    @property
    def k(self) -> int:
        """Bits per key."""
    @property
    def seed(self) -> int:
        """Hash seed."""
    def words(self) -> npt.NDArray[np.uint32]:
        """The bits as packed words."""

def plan_table(
    items: int,
    error: float,
    task: str = "membership",
    alphabet: Optional[int] = None,
    epsilon: Optional[float] = None,
    rigorous: bool = False,
    vsa: Optional[str] = None,
) -> List[Dict[str, Any]]:
    """The planner's table as records."""

def level_vectors(seed: int, levels: int, indices: npt.NDArray[np.uint16], dim: int) -> npt.NDArray[np.uint32]:
    """Level vectors."""

def level_encode(seed: int, levels: int, x: npt.NDArray[np.float32], lo: float, hi: float, dim: int) -> npt.NDArray[np.uint32]:
    """Level vectors of quantised values."""

def thermometer_vectors(levels: int, indices: npt.NDArray[np.uint32], dim: int) -> npt.NDArray[np.uint32]:
    """Thermometer codes."""

def circular_vectors(seed: int, steps: int, indices: npt.NDArray[np.uint16], dim: int) -> npt.NDArray[np.uint32]:
    """Circular vectors."""

def projection_encode(seed: int, x: npt.NDArray[np.float32], dim: int) -> npt.NDArray[np.uint32]:
    """Sign random projection of rows."""

def record_encode(
    key_seed: int, level_seed: int, levels: int, rows: npt.NDArray[np.uint16], tie_seed: int, dim: int
) -> npt.NDArray[np.uint32]:
    """Level x feature-id records of rows of level indices."""

class Hopfield:
    """A Hopfield memory of packed patterns (at most 1,024)."""

    def __init__(self, patterns: npt.NDArray[np.uint32]) -> None: ...
    @staticmethod
    def from_bytes(blob: bytes) -> "Hopfield":
        """The memory in a blob."""
    def to_bytes(self) -> bytes:
        """The blob firmware reads in place."""
    @property
    def dim(self) -> int:
        """Neurons."""
    def __len__(self) -> int: ...
    def patterns(self) -> npt.NDArray[np.uint32]:
        """The stored patterns."""
    def recall(
        self,
        cues: npt.NDArray[np.uint32],
        update: str = "sync",
        max_steps: int = 100,
        seed: int = 0,
        degree: int = 3,
        halving: int = 16,
    ) -> Tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32], List[str]]:
        """Final states, steps and outcomes of recalling each cue."""
    def nearest(self, x: npt.NDArray[np.uint32]) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32]]:
        """Nearest stored pattern of each row."""
    def energy(self, x: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
        """Energy of each row."""
    def capacity(self) -> Dict[str, float]:
        """Classical capacity figures."""

class Sae:
    """A quantised sparse autoencoder."""

    def __init__(self, source: Union[bytes, str, "os.PathLike[str]"]) -> None: ...
    @staticmethod
    def import_sae(
        source: Union[bytes, str, "os.PathLike[str]"],
        k: Optional[int] = None,
        calibration: Optional[npt.NDArray[np.float32]] = None,
        bits: bool = False,
        subtract_b_dec: Optional[bool] = None,
        architecture: Optional[str] = None,
        weights: str = "int8",
        decoder: bool = True,
        threshold: float = 0.0,
    ) -> "Sae":
        """Quantises the SAE of a SAELens folder or a safetensors file."""
    def to_bytes(self) -> bytes:
        """The blob firmware reads in place."""
    @property
    def d_in(self) -> int:
        """Inputs per row."""
    @property
    def latents(self) -> int:
        """Latents h."""
    @property
    def k(self) -> int:
        """Latents kept per row."""
    @property
    def input(self) -> str:
        """"dense" (per-row scale), "dense-calibrated" or "bits"."""
    @property
    def architecture(self) -> str:
        """"topk", "standard" (ReLU) or "jumprelu"."""
    @property
    def has_decoder(self) -> bool:
        """Whether the blob holds a decoder."""
    def encode(
        self, x: npt.NDArray[Any], exact: bool = False
    ) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """The active latents' indices and values of each row (at most k)."""
    def decode(
        self, indices: npt.NDArray[np.int64], values: npt.NDArray[np.float32]
    ) -> npt.NDArray[np.float32]:
        """Inputs reconstructed from codes (-1: an unused slot)."""
    def reconstruct(self, x: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
        """Each row encoded and decoded."""

def learn_classifier(
    blob: bytes, x: npt.NDArray[np.float32], labels: List[str], seen: List[int]
) -> Tuple[bytes, List[int]]:
    """Folds labelled rows into a classifier with the device's learner."""

def factorize(
    products: npt.NDArray[np.uint32],
    codebooks: npt.NDArray[np.uint32],
    method: str = "restarting",
    max_sweeps: int = 200,
    keep: int = 16,
    noise: int = 0,
    restart_after: int = 5,
    accept: Optional[int] = None,
    seed: int = 0,
) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32], npt.NDArray[np.bool_]]:
    """Resonator factorisation of a batch of products."""

class Sdm:
    """Sparse distributed memory: ``locations`` seeded hard locations of ``dim``-bit addresses,
    ``i8`` counters for ``data_dim``-bit words (default ``dim``), activated within ``radius``
    (default: the radius reaching ``activation`` of all addresses)."""

    def __init__(
        self,
        locations: int,
        dim: int,
        data_dim: Optional[int] = None,
        radius: Optional[int] = None,
        activation: float = 0.05,
        seed: int = 0,
    ) -> None: ...
    @property
    def locations(self) -> int: ...
    @property
    def dim(self) -> int: ...
    @property
    def data_dim(self) -> int: ...
    @property
    def radius(self) -> int: ...
    @property
    def writes(self) -> int: ...
    @property
    def activation(self) -> float: ...
    def addresses(self) -> npt.NDArray[np.uint32]: ...
    def write(self, addresses: npt.NDArray[np.uint32], data: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
        """Writes row i of ``data`` at row i of ``addresses``; the locations each reached."""
    def read(self, addresses: npt.NDArray[np.uint32]) -> Tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint64]]:
        """The words read and the locations each read from (0: zeros, none near)."""
    def recall(
        self, cues: npt.NDArray[np.uint32], max_steps: int = 10
    ) -> Tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
        """Iterated reads from noisy cues: the words and the reads made."""
    def clear(self) -> None: ...
    def bit_error(self, items: int) -> float: ...
    def capacity(self, error: float) -> int: ...

class Multiset:
    """A multiset of symbols with counts, in one hypervector."""
    def __init__(self, dim: int = 2048, seed: int = 0) -> None: ...
    def insert(self, symbol: int, count: int = 1) -> None: ...
    def remove(self, symbol: int) -> None: ...
    def count(self, symbol: int) -> int: ...
    def __contains__(self, symbol: int) -> bool: ...
    def __len__(self) -> int: ...
    def capacity(self, error: float) -> int: ...

class Dictionary:
    """Keys to values ``0..values``, in one hypervector."""
    def __init__(self, values: int, dim: int = 2048, key_seed: int = 0, value_seed: int = 1) -> None: ...
    def insert(self, key: int, value: int) -> None: ...
    def remove(self, key: int, value: int) -> None: ...
    def get(self, key: int) -> Optional[int]: ...
    def __len__(self) -> int: ...
    def capacity(self, error: float) -> int: ...

class Sequence:
    """A sequence of symbols ``0..alphabet``, positions encoded by rotation."""
    def __init__(self, alphabet: int, dim: int = 2048, seed: int = 0) -> None: ...
    def push(self, symbol: int) -> None: ...
    def get(self, position: int) -> Optional[int]: ...
    def find(self, pattern: List[int]) -> Optional[int]: ...
    def follows(self, pattern: List[int]) -> Optional[int]: ...
    def __len__(self) -> int: ...
    def capacity(self, error: float) -> int: ...

class Stack:
    """A stack of symbols ``0..alphabet``."""
    def __init__(self, alphabet: int, dim: int = 2048, seed: int = 0) -> None: ...
    def push(self, symbol: int) -> None: ...
    def pop(self) -> Optional[int]: ...
    def peek(self) -> Optional[int]: ...
    def __len__(self) -> int: ...
    def capacity(self, error: float) -> int: ...

class Graph:
    """A graph over nodes ``0..nodes``, directed or not."""
    def __init__(self, nodes: int, directed: bool = False, dim: int = 2048, seed: int = 0) -> None: ...
    def add_edge(self, a: int, b: int) -> None: ...
    def remove_edge(self, a: int, b: int) -> None: ...
    def has_edge(self, a: int, b: int) -> bool: ...
    def neighbours(self, node: int) -> List[int]: ...
    def predecessors(self, node: int) -> List[int]: ...
    @property
    def nodes(self) -> int: ...
    def __len__(self) -> int: ...
    def capacity(self, error: float) -> int: ...

class Tree:
    """A binary tree with values ``0..values`` at leaves addressed by a path like ``"LRL"``."""
    def __init__(self, values: int, dim: int = 2048, branch_seed: int = 0, value_seed: int = 1) -> None: ...
    def insert(self, path_: str, value: int) -> None: ...
    def remove(self, path_: str, value: int) -> None: ...
    def get(self, path_: str) -> Optional[int]: ...
    def __len__(self) -> int: ...
    def capacity(self, error: float) -> int: ...

class Automaton:
    """A finite-state automaton over states ``0..states`` and tokens ``0..tokens``."""
    def __init__(self, states: int, tokens: int, dim: int = 2048, state_seed: int = 0, token_seed: int = 1) -> None: ...
    def add_transition(self, source: int, token: int, target: int) -> None: ...
    def next(self, state: int, token: int) -> Optional[int]: ...
    def run(self, start: int, tokens: List[int]) -> Optional[int]: ...
    def accepts(self, start: int, tokens: List[int], accepting: List[int]) -> bool: ...
    def __len__(self) -> int: ...
    def capacity(self, error: float) -> int: ...
