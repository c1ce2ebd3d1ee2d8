"""Window classifiers for sensor streams (accelerometers, gyroscopes, EMG), trained by the
Rust core on numpy windows.

A window is ``T`` samples of ``C`` channels of integers (as a sensor gives them: milli-g,
ADC counts). The window stage computes per-channel statistics and band energies in integer
arithmetic, the 1-bit classifier behind it picks the class; ``to_bytes`` is the blob that
``hyperbits train --channels`` writes and that firmware streams with, one sample at a time,
giving the same answers as ``predict`` and ``stream`` here.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Optional, Sequence, Tuple, Union

import numpy as np

from . import _hyperbits
from ._classifier import _BASES, _read_blob, _write_blob

__all__ = ["WindowClassifier"]

_PARAMS = (
    "channels",
    "vectors",
    "bands",
    "hop",
    "dim",
    "encoder",
    "levels",
    "epochs",
    "margin",
    "seed",
    "ensemble",
    "stage",
    "ngram",
)


def _samples(X, width: Optional[int] = None, channels: Optional[int] = None) -> np.ndarray:
    """``X`` as C-contiguous ``int16`` rows of ``T·C`` values: from ``(n, T, C)`` or
    ``(n, T·C)``; integers in the ``int16`` range, refused clearly otherwise."""
    x = np.asarray(X)
    if x.ndim == 3:
        if channels is not None and x.shape[2] != channels:
            raise ValueError(f"X has {x.shape[2]} channels, expected {channels}")
        x = x.reshape(len(x), -1)
    if x.ndim != 2:
        raise ValueError(f"X: expected windows as (n, T, C) or (n, T·C), got {x.ndim}-D")
    if x.dtype != np.int16:
        if x.dtype.kind not in "iuf":
            raise TypeError(f"X: expected integer samples, got dtype {x.dtype}")
        if x.dtype.kind == "f" and (not np.isfinite(x).all() or np.any(x != np.round(x))):
            raise ValueError("X: samples must be integers (scale them, e.g. to milli-g)")
        if x.size and (x.min() < -32768 or x.max() > 32767):
            raise ValueError("X: samples must fit int16 (-32768..=32767)")
        x = x.astype(np.int16)
    x = np.ascontiguousarray(x)
    if width is not None and x.shape[1] != width:
        raise ValueError(f"X has {x.shape[1]} values per window, the model takes {width}")
    return x


class WindowClassifier(*_BASES):
    """Classifies windows of a multichannel sensor stream with 1-bit prototypes.

    Parameters
    ----------
    channels : int
        Channels per sample (1 to 32).
    vectors : sequence of int
        The first channel of each 3-axis vector (e.g. ``(0, 3)`` for an accelerometer then a
        gyroscope); the magnitude of each becomes a channel too.
    bands : int
        Spectral bands per channel (0 to 16), geometric over the DFT bins.
    hop : int or None
        Samples between decisions when streaming (default: half the window).
    stage : {"auto", "statistics", "temporal"}
        What the classifier sees: per-channel statistics and band energies, or the samples
        through a temporal encoder (the majority of n-grams of per-step level × channel
        records, trained as class centroids); ``"auto"`` picks the more accurate on a held-out
        fifth of the windows.
    ngram : int
        Steps per n-gram of the temporal encoder (1 to 8).
    dim, encoder, levels, epochs, margin, seed, ensemble
        As for :class:`Classifier` (``encoder`` is ``"auto"``, ``"projection"`` or
        ``"record"``). Feature ranges are fitted between the 1st and 99th percentile and the
        perceptron is averaged over its epochs: steadier on people the training data lacks.

    Attributes
    ----------
    classes_ : ndarray
        The labels, in class order.
    model_ : WindowModel
        The compiled model (``window_features``, ``predict``, ``stream``).
    """

    def __init__(
        self,
        channels: int = 1,
        vectors: Sequence[int] = (),
        bands: int = 6,
        hop: Optional[int] = None,
        dim: int = 2048,
        encoder: str = "auto",
        levels: int = 16,
        epochs: int = 30,
        margin: Union[str, int] = "auto",
        seed: int = 0,
        ensemble: int = 1,
        stage: str = "auto",
        ngram: int = 5,
    ):
        self.channels = channels
        self.vectors = vectors
        self.bands = bands
        self.hop = hop
        self.dim = dim
        self.encoder = encoder
        self.levels = levels
        self.epochs = epochs
        self.margin = margin
        self.seed = seed
        self.ensemble = ensemble
        self.stage = stage
        self.ngram = ngram

    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        return {name: getattr(self, name) for name in _PARAMS}

    def set_params(self, **params: Any) -> "WindowClassifier":
        for name, value in params.items():
            if name not in _PARAMS:
                raise ValueError(f"invalid parameter {name!r}; valid ones: {', '.join(_PARAMS)}")
            setattr(self, name, value)
        return self

    def fit(self, X, y) -> "WindowClassifier":
        """Trains on windows ``X`` (``(n, T, C)`` or ``(n, T·C)`` time-major integers) with
        labels ``y`` (any kind numpy holds)."""
        x = _samples(X, channels=int(self.channels))
        y = np.asarray(y).ravel()
        if len(y) != len(x):
            raise ValueError(f"X has {len(x)} windows but y has {len(y)} labels")
        names = [str(v) for v in y.tolist()]
        by_name: Dict[str, Any] = {}
        for name, label in zip(names, y.tolist()):
            if by_name.setdefault(name, label) != label:
                raise ValueError(f"labels {by_name[name]!r} and {label!r} print alike: give distinct labels")
        margin = self.margin
        if isinstance(margin, str):
            if margin != "auto":
                raise ValueError(f'margin {margin!r}: use "auto" or a number of bits')
            margin = None
        blob = _hyperbits.train_window_classifier(
            x,
            names,
            int(self.channels),
            [int(v) for v in self.vectors],
            int(self.bands),
            None if self.hop is None else int(self.hop),
            int(self.dim),
            str(self.encoder),
            int(self.levels),
            int(self.epochs),
            None if margin is None else int(margin),
            int(self.seed),
            int(self.ensemble),
            str(self.stage),
            int(self.ngram),
        )
        self._set_model(_hyperbits.WindowModel(blob), by_name, y.dtype)
        return self

    def _set_model(self, model, by_name=None, dtype=None) -> None:
        self.model_ = model
        if by_name is None:
            self.classes_ = np.array(model.labels)
        else:
            self.classes_ = np.array([by_name[name] for name in model.labels], dtype=dtype)

    def _fitted(self):
        model = getattr(self, "model_", None)
        if model is None:
            raise AttributeError("This WindowClassifier is not fitted yet: call fit first")
        return model

    def _x(self, X) -> np.ndarray:
        model = self._fitted()
        return _samples(X, model.channels * model.length, model.channels)

    def predict(self, X) -> np.ndarray:
        """The label of each window (the device's answer, bit for bit)."""
        classes, _, _ = self._fitted().predict(self._x(X))
        return self.classes_[classes]

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of each class for each window, ``(n, classes)``, as
        :meth:`Classifier.predict_proba` forms them from the calibrated confidence."""
        classes, _, p = self._fitted().predict(self._x(X))
        if np.isnan(p).any():
            raise ValueError("the model carries no confidence table")
        k = len(self.classes_)
        p = np.maximum(p, np.nextafter(1.0 / k, 1.0))
        out = np.repeat(((1.0 - p) / max(k - 1, 1))[:, None], k, axis=1)
        out[np.arange(len(classes)), classes] = p
        return out

    def score(self, X, y) -> float:
        """Accuracy on windows ``X`` with labels ``y``."""
        return float(np.mean(self.predict(X) == np.asarray(y).ravel()))

    def transform(self, X) -> np.ndarray:
        """The window stage's features of each window, ``(n, features)`` ``float32``."""
        return self._fitted().window_features(self._x(X))

    def stream(self, samples) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Feeds ``samples`` (``(n, channels)`` integers, in time order) one at a time to the
        device's streaming path, from empty: the index of the sample after which each
        decision came, its label and its calibrated probability."""
        model = self._fitted()
        s = _samples(samples, model.channels)
        at, classes, _, p = model.stream(s)
        return at, self.classes_[classes], p

    def to_bytes(self) -> bytes:
        """The model blob, as ``hyperbits train --channels`` writes it and firmware loads it."""
        return self._fitted().to_bytes()

    def save(self, path: Union[str, os.PathLike]) -> None:
        """Writes the model blob to ``path`` (a temporary file, then a rename)."""
        _write_blob(self.to_bytes(), path)

    @classmethod
    def load(cls, source: Union[bytes, bytearray, memoryview, str, os.PathLike]) -> "WindowClassifier":
        """A fitted window classifier from a blob or a path to one; labels come back as
        strings."""
        model = _hyperbits.WindowModel(_read_blob(source))
        c = cls(channels=model.channels, dim=model.dim, hop=model.hop)
        c._set_model(model)
        return c
