"""A scikit-learn style classifier with 1-bit prototypes, trained by the Rust core.

``fit`` runs the trainer of ``hyperbits train`` on the rows (as ``float32``) and keeps the
model blob it writes; ``predict`` runs the blob through the code the device runs. So the blob
from ``to_bytes`` / ``save`` is byte-identical to the CLI's for the same rows, labels and
options, flashes unchanged, and predicts there what it predicts here.

When scikit-learn is installed the class derives from its ``ClassifierMixin`` and
``BaseEstimator`` (``clone``, ``Pipeline``, ``cross_val_score``, ``GridSearchCV`` work); without
it, it keeps the same ``get_params`` / ``set_params`` / ``score`` by itself.
"""

from __future__ import annotations

import collections
import os
import warnings
from typing import Any, Dict, Union

import numpy as np

from . import _hyperbits

__all__ = ["Classifier"]

_PARAMS = ("dim", "encoder", "levels", "reach", "epochs", "margin", "seed", "ensemble", "decorrelate")


def _write_blob(blob: bytes, path: Union[str, os.PathLike]) -> None:
    """Writes ``blob`` to ``path`` through a temporary file and a rename, so a failure leaves
    nothing half-written there."""
    path = os.fspath(path)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(blob)
    os.replace(tmp, path)


def _read_blob(source: Union[bytes, bytearray, memoryview, str, os.PathLike]) -> bytes:
    """The bytes of a blob given as bytes or as a path to a file."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    with open(os.fspath(source), "rb") as f:
        return f.read()


class _Params:
    """``get_params`` / ``set_params`` / ``score`` without scikit-learn."""

    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        return {name: getattr(self, name) for name in _PARAMS}

    def set_params(self, **params: Any) -> "_Params":
        for name, value in params.items():
            if name not in _PARAMS:
                raise ValueError(f"invalid parameter {name!r}; valid ones: {', '.join(_PARAMS)}")
            setattr(self, name, value)
        return self

    def score(self, X, y, sample_weight=None) -> float:
        y = np.asarray(y)
        hit = (self.predict(X) == y).astype(np.float64)
        return float(np.average(hit, weights=sample_weight))


try:  # pragma: no cover - which branch runs depends on the environment
    from sklearn.base import BaseEstimator, ClassifierMixin

    _BASES: tuple = (ClassifierMixin, BaseEstimator)
except ImportError:  # pragma: no cover
    _BASES = (_Params,)


def _features(X, n_features=None) -> np.ndarray:
    """``X`` as C-contiguous ``float32`` rows (a view when it already is one), refused clearly
    when it cannot be."""
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        raise TypeError("X: sparse input is not supported; pass a dense array (X.toarray())")
    x = np.asarray(X)
    if x.dtype.kind == "c":
        raise ValueError("X: Complex data not supported")
    if x.ndim != 2:
        raise ValueError(
            f"Expected 2D array, got {x.ndim}-D array instead. Reshape your data with "
            "X.reshape(-1, 1) for one feature or X.reshape(1, -1) for one sample"
        )
    try:
        x = np.ascontiguousarray(x, dtype=np.float32)
    except TypeError as e:
        raise TypeError(f"X: expected numbers: {e}") from e
    except ValueError as e:
        raise ValueError(f"X: expected numbers: {e}") from e
    if not np.isfinite(x).all():
        raise ValueError("X: Input contains NaN or infinity")
    if x.shape[1] == 0:
        raise ValueError("X: 0 feature(s) (shape=%s) while a minimum of 1 is required." % (x.shape,))
    if n_features is not None and x.shape[1] != n_features:
        raise ValueError(
            f"X has {x.shape[1]} features, but Classifier is expecting {n_features} features as input"
        )
    return x


class Classifier(*_BASES):
    """Hyperdimensional classifier: features encoded to ``dim``-bit vectors, one 1-bit
    prototype per class, trained by a margin perceptron (the CLI's trainer and defaults).

    Parameters
    ----------
    dim : int
        Dimension in bits: 256, 512, 1024, 2048, 4096, 8192, 10016 or 10240.
    encoder : {"auto", "projection", "record", "sinusoid", "thermometer"}
        ``"auto"`` picks among the sign projection, a 16-level record and (up to 32
        features) binarised random Fourier features at three reaches, with the margin, by
        5-fold cross-validation below 1,000 rows, else on a held-out fifth of the rows.
        ``"thermometer"`` (concatenated per-feature thermometer codes) is only used when
        asked for.
    levels : int
        Levels of the record encoder (2 to 256) when ``encoder="record"``.
    reach : float
        Reach of the sinusoid encoder when ``encoder="sinusoid"``: the distance at which two
        rows' codes become unrelated, relative to the median distance between training rows.
    epochs : int
        Perceptron epochs (training stops early when an epoch changes nothing).
    margin : "auto" or int
        Margin in bits; ``"auto"`` picks it on a held-out fifth of the training rows.
    seed : int
        Seed of everything random: encoder vectors, row order, ties.
    ensemble : int
        Members (1 to 16): with more than one, that many classifiers of different seeds
        (each choosing its own encoder and margin) vote by summed distance; K× the flash for
        prototypes and K× the work per prediction. ``partial_fit`` takes single models only.
    decorrelate : "auto" or bool
        Whiten the features before scaling and encoding them (a linear map fitted on the
        training rows; up to 32 features): ``"auto"`` lets ``encoder="auto"`` try every
        encoder both ways and keep the decorrelation only if it is significantly better on
        the held-out rows (a given encoder then runs without).

    Attributes
    ----------
    classes_ : ndarray
        The labels, in class order (numeric when every label is an integer, else sorted as
        text, as the CLI orders them).
    n_features_in_ : int
        Features seen in ``fit``.
    """

    def __init__(
        self,
        dim: int = 2048,
        encoder: str = "auto",
        levels: int = 16,
        reach: float = 1.0,
        epochs: int = 30,
        margin: Union[str, int] = "auto",
        seed: int = 0,
        ensemble: int = 1,
        decorrelate: Union[str, bool] = "auto",
    ):
        self.dim = dim
        self.encoder = encoder
        self.levels = levels
        self.reach = reach
        self.epochs = epochs
        self.margin = margin
        self.seed = seed
        self.ensemble = ensemble
        self.decorrelate = decorrelate

    # --- training -------------------------------------------------------------------------

    def fit(self, X, y) -> "Classifier":
        """Trains on rows ``X`` (n × features) with labels ``y`` (n values of any kind numpy
        holds: ints, strings, ...)."""
        x = _features(X)
        if y is None:
            raise ValueError("Classifier requires y to be passed, but the target y is None")
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            try:
                from sklearn.exceptions import DataConversionWarning as warning
            except ImportError:  # pragma: no cover
                warning = UserWarning
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected; it is raveled",
                warning,
                stacklevel=2,
            )
            y = y.ravel()
        if y.ndim != 1:
            raise ValueError(f"y should be a 1d array of labels, got shape {y.shape}")
        if len(y) != len(x):
            raise ValueError(f"X has {len(x)} rows but y has {len(y)} labels")
        if len(x) == 0:
            raise ValueError("Found array with 0 sample(s) (shape=%s) while a minimum of 1 is required." % (x.shape,))
        if y.dtype.kind == "f":
            if not np.isfinite(y).all():
                raise ValueError("y: Input contains NaN or infinity")
            if np.any(y != np.round(y)):
                raise ValueError(
                    "Unknown label type: 'continuous'; a classifier needs class labels, not "
                    "a continuous target"
                )
        names = [str(v) for v in y.tolist()]
        by_name = {}
        for name, label in zip(names, y.tolist()):
            if by_name.setdefault(name, label) != label:
                raise ValueError(f"labels {by_name[name]!r} and {label!r} print alike: give distinct labels")
        if len(by_name) < 2:
            raise ValueError(
                f"Classifier needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {next(iter(by_name))!r}"
            )
        margin = self.margin
        if isinstance(margin, str):
            if margin != "auto":
                raise ValueError(f'margin {margin!r}: use "auto" or a number of bits')
            margin = None
        elif margin is not None:
            margin = int(margin)
            if margin < 0:
                raise ValueError(f"margin {margin}: must be at least 0")
        decorrelate = self.decorrelate
        if isinstance(decorrelate, str):
            if decorrelate != "auto":
                raise ValueError(f'decorrelate {decorrelate!r}: use "auto", True or False')
            decorrelate = None
        elif isinstance(decorrelate, (bool, np.bool_)):
            decorrelate = bool(decorrelate)
        else:
            raise ValueError(f'decorrelate {decorrelate!r}: use "auto", True or False')
        blob = _hyperbits.train_classifier(
            x,
            names,
            int(self.dim),
            str(self.encoder),
            int(self.levels),
            int(self.epochs),
            margin,
            int(self.seed),
            float(self.reach),
            int(self.ensemble),
            decorrelate,
        )
        self._set_model(_hyperbits.ClassifierModel(blob), by_name, y.dtype)
        counts = collections.Counter(names)
        self._seen = [counts[label] for label in self.model_.labels]
        return self

    def partial_fit(self, X, y, classes=None) -> "Classifier":
        """Trains on data that comes in chunks (too much to hold at once).

        The first call is ``fit`` on its chunk: the encoder, the feature scaling, the margin
        and the perceptron epochs are all chosen and run on those rows, so make the first
        chunk a representative sample with every class you can. Each later chunk is folded
        in by the device's learner (``hyperbits::learn::Learner``): a class prototype becomes
        the bitwise majority of itself, counted as the rows it already stands for (up to
        65,535), and the chunk's rows of that class; a new label becomes a new class. Later
        chunks get no margin retraining and do not change the scaling, so their accuracy
        gain is that of a running majority (the centroid method), not of ``fit``.
        ``classes`` is accepted for scikit-learn's signature and not needed.
        """
        if getattr(self, "model_", None) is None:
            return self.fit(X, y)
        if int(self.ensemble) != 1:
            raise ValueError("partial_fit folds chunks into a single model: use ensemble=1")
        model = self.model_
        x = _features(X, model.features)
        y = np.asarray(y).ravel()
        if len(y) != len(x):
            raise ValueError(f"X has {len(x)} rows but y has {len(y)} labels")
        if len(x) == 0:
            return self
        names = [str(v) for v in y.tolist()]
        by_name = {str(c): c for c in self.classes_.tolist()}
        for name, label in zip(names, y.tolist()):
            by_name.setdefault(name, label)
        seen = getattr(self, "_seen", None) or [0] * len(model.labels)
        blob, seen = _hyperbits.learn_classifier(model.to_bytes(), x, names, seen)
        self._set_model(_hyperbits.ClassifierModel(blob), by_name, None)
        self._seen = seen
        return self

    def _set_model(self, model, by_name=None, dtype=None) -> None:
        self.model_ = model
        labels = model.labels
        if by_name is None:
            self.classes_ = np.array(labels)
        else:
            self.classes_ = np.array([by_name[name] for name in labels], dtype=dtype)
        self.n_features_in_ = model.features

    # --- inference ------------------------------------------------------------------------

    def _fitted(self):
        model = getattr(self, "model_", None)
        if model is None:
            try:
                from sklearn.exceptions import NotFittedError
            except ImportError:  # pragma: no cover
                NotFittedError = AttributeError
            raise NotFittedError(
                "This Classifier instance is not fitted yet. Call 'fit' with appropriate "
                "arguments before using this estimator."
            )
        return model

    def predict(self, X) -> np.ndarray:
        """The label of each row (the device's prediction, bit for bit)."""
        model = self._fitted()
        return self.classes_[model.predict(_features(X, model.features))]

    def decision_function(self, X) -> np.ndarray:
        """Similarity of each row to each class prototype, ``1 - 2·hamming/D`` in
        ``[-1, 1]``: shape ``(n, classes)``; with two classes, the second's similarity minus
        the first's, shape ``(n,)`` (scikit-learn's convention)."""
        model = self._fitted()
        d = model.distances(_features(X, model.features)).astype(np.float64)
        sim = 1.0 - 2.0 * d / model.dim
        return sim[:, 1] - sim[:, 0] if sim.shape[1] == 2 else sim

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of each class for each row, ``(n, classes)``: the predicted class
        gets the calibrated probability that it is right (the device's confidence: Platt's
        curve over the margin between the two nearest prototypes, fitted on held-out rows in
        ``fit``), raised to just above ``1/classes`` where it is lower; the other classes
        share the rest equally. So
        ``predict_proba(X).argmax(1)`` is ``predict``'s class. (Near a tie the calibrated
        probability can fall below ``1/classes``; ``model_.predict_with_confidence`` gives it
        as the device does.)"""
        model = self._fitted()
        classes, p = model.predict_with_confidence(_features(X, model.features))
        k = len(self.classes_)
        p = np.maximum(p, np.nextafter(1.0 / k, 1.0))
        out = np.repeat(((1.0 - p) / max(k - 1, 1))[:, None], k, axis=1)
        out[np.arange(len(classes)), classes] = p
        return out

    def distances(self, X) -> np.ndarray:
        """Hamming distance of each encoded row to each class prototype: ``(n, classes)``."""
        model = self._fitted()
        return model.distances(_features(X, model.features))

    # --- the blob -------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The model blob, as ``hyperbits train`` writes it and firmware loads it."""
        return self._fitted().to_bytes()

    def save(self, path: Union[str, os.PathLike]) -> None:
        """Writes the model blob to ``path`` (atomically: a temporary file, then a rename)."""
        _write_blob(self.to_bytes(), path)

    @classmethod
    def load(cls, source: Union[bytes, bytearray, memoryview, str, os.PathLike]) -> "Classifier":
        """A fitted classifier from a model blob or a path to one (written by ``save``, the
        CLI or firmware). Labels come back as strings; ``dim`` is read from the blob."""
        model = _hyperbits.ClassifierModel(_read_blob(source))
        c = cls(dim=model.dim)
        c._set_model(model)
        return c

    def __sklearn_tags__(self):  # pragma: no cover - only with scikit-learn
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
