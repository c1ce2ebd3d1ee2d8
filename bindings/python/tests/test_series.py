"""Window classifiers from numpy: the blob equals `hyperbits train --channels`'s byte for
byte, whole-window predictions equal the streamed ones and the CLI's, the HAR data reaches
its target, bad inputs are refused."""

import gzip
import pathlib
import subprocess

import numpy as np
import pytest

import hyperbits as hb
from test_classifier import cli

ROOT = pathlib.Path(__file__).resolve().parents[3]
HAR = ROOT / "examples" / "data" / "har"


def har(name):
    """Windows (n, 64, 6) int16 and labels of a HAR split."""
    with gzip.open(HAR / name, "rt") as f:
        next(f)
        rows = [line.rstrip("\n").split(",") for line in f]
    y = np.array([r[0] for r in rows])
    x = np.array([[int(v) for v in r[1:]] for r in rows], dtype=np.int16).reshape(len(rows), 64, 6)
    return x, y


def synthetic(n, seed, channels=3, length=40):
    """Three classes of waves under noise, integer samples."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)[:, None]
    c = np.arange(channels)[None, :]
    x, y = [], []
    for i in range(n):
        k = i % 3
        phase = rng.uniform(0, 6.3)
        wave = np.sin((0.3, 0.5, 0.3)[k] * t + phase + c)
        if k == 2:
            wave = np.sign(wave)
        x.append(400 * wave + rng.uniform(-300, 300, (length, channels)))
        y.append(("slow", "fast", "square")[k])
    return np.round(x).astype(np.int16), np.array(y)


def test_har_reaches_its_target_and_streams_as_it_predicts():
    xtr, ytr = har("train.csv.gz")
    xva, yva = har("valid.csv.gz")
    clf = hb.WindowClassifier(channels=6, vectors=(0, 3), stage="statistics").fit(xtr, ytr)
    accuracy = clf.score(xva, yva)
    assert accuracy >= 0.93, accuracy
    # Two windows back to back, streamed: the decisions at samples 63, 95 and 127 are the
    # whole-window predictions of the windows ending there.
    stream = xva[:2].reshape(-1, 6)
    at, labels, p = clf.stream(stream)
    assert at.tolist() == [63, 95, 127]
    whole = clf.predict(np.stack([stream[e - 63 : e + 1] for e in at]))
    assert labels.tolist() == whole.tolist()
    assert np.all((p > 0) & (p <= 1))
    proba = clf.predict_proba(xva[:50])
    assert np.allclose(proba.sum(1), 1.0)
    assert (clf.classes_[proba.argmax(1)] == clf.predict(xva[:50])).all()
    assert clf.transform(xva[:3]).shape == (3, 8 * 14)


def test_blob_equals_the_cli_and_round_trips(tmp_path):
    x, y = synthetic(90, 1)
    clf = hb.WindowClassifier(channels=3, vectors=(0,), hop=8, seed=2, stage="temporal", ngram=3).fit(x, y)
    path = tmp_path / "w.csv"
    header = ["label"] + [f"v{i}" for i in range(x.shape[1] * x.shape[2])]
    lines = [",".join(header)] + [
        ",".join([label] + [str(v) for v in row.ravel()]) for label, row in zip(y, x)
    ]
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "w.hbm"
    subprocess.run(
        [cli(), "train", str(path), "--channels", "3", "--vectors", "0", "--hop", "8",
         "--seed", "2", "--stage", "temporal", "--ngram", "3", "--out", str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == clf.to_bytes()
    predicted = subprocess.run(
        [cli(), "predict", str(out), str(path)], check=True, capture_output=True, text=True
    ).stdout.split()
    assert predicted == clf.predict(x).tolist()
    again = hb.WindowClassifier.load(out)
    assert again.hop == 8 and again.channels == 3
    assert again.predict(x).tolist() == clf.predict(x).tolist()
    xt, yt = synthetic(60, 7)
    # The temporal stage on waves of random phase: 0.70 measured (chance 0.33).
    assert clf.score(xt, yt) >= 0.6


def test_bad_inputs_are_refused():
    x, y = synthetic(30, 3)
    with pytest.raises(ValueError):
        hb.WindowClassifier(channels=7).fit(x.reshape(30, -1), y)  # 120 values, not 7 × T
    with pytest.raises(ValueError):
        hb.WindowClassifier(channels=3).fit(x.astype(np.float32) + 0.5, y)
    with pytest.raises(ValueError):
        hb.WindowClassifier(channels=3).fit(x.astype(np.int32) * 1000, y)
    clf = hb.WindowClassifier(channels=3).fit(x, y)
    with pytest.raises(ValueError):
        clf.predict(x[:, :20])
    with pytest.raises(ValueError):
        hb.WindowClassifier(channels=3, stage="spectral").fit(x, y)
    with pytest.raises(ValueError):
        clf.stream(np.zeros((10, 2), dtype=np.int16))
    with pytest.raises(hb.FormatError):
        hb.WindowClassifier.load(clf.to_bytes()[:-3])
    with pytest.raises(ValueError):
        hb.WindowClassifier.load(hb.Classifier().fit(np.eye(4), [0, 1, 0, 1]).to_bytes())
