"""hyperbits against its peers, in one process and one thread (run by hand, not in CI).

    pip install ./bindings/python bhv torch-hd scikit-learn
    python bindings/python/bench/peers.py

Prints one Markdown table: the median time of each operation over repeated runs, for
hyperbits, bhv (its C++ ``NativePackedBHV``) and torchhd where they have it, and the ratio of
hyperbits to each peer (< 1: hyperbits is faster). Absolute times move from host to host; the
ratios, measured in the same run, are the claim. Peers that are not installed are skipped and
say so.

- scan: the nearest of 10,000 vectors to one query, D = 8192 (bhv ``closest``).
- majority of 255 vectors, D = 8192 (bhv ``majority``).
- sparse block codes, 1,024 blocks of 256 positions (torchhd ``BSBCTensor``): binding 1,000
  pairs, the bundle of 255 codes (torchhd: ``multibundle``, a per-block ``torch.mode``; ties
  differ: hyperbits breaks them by a seeded hash), and the matching blocks of one code against
  10,000.
- digits (examples/data/digits, 1347 training rows, 450 test rows): training, inference on
  the test rows, and accuracy; torchhd's best pipeline on this set (level x id record,
  float32, centroids trained by OnlineHD's adaptive rule, D = 2048; 0.962 in
  examples/data/digits/README.md).
"""

from __future__ import annotations

import os
import pathlib
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import hyperbits as hb  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[3]
D = 8192


def median_time(f, repeat=31, inner=1):
    """Median seconds of one call of ``f`` over ``repeat`` runs of ``inner`` calls."""
    f()
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(inner):
            f()
        runs.append((time.perf_counter() - t) / inner)
    return statistics.median(runs)


def fmt(seconds):
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def ratio(ours, theirs):
    return "-" if ours is None or theirs is None else f"{ours / theirs:.2f}"


def bhv_module():
    try:
        from bhv.cnative import CNativePackedBHV, _DIMENSION

        if _DIMENSION() != D:
            print(f"bhv is built for D = {_DIMENSION()}, not {D}: skipped")
            return None
        return CNativePackedBHV
    except ImportError:
        print("bhv is not installed (pip install bhv): skipped")
        return None


def to_bhv(B, words: np.ndarray):
    """The same bits as a bhv vector (bhv reads 1024 little-endian bytes)."""
    return B.from_bytes(np.ascontiguousarray(words, dtype="<u4").tobytes())


def scan_and_majority(rows):
    book = hb.Codebook(1)
    db = book.vectors(10_000, D)
    q = book.vector(10_001, D)
    ours_scan = median_time(lambda: hb.nearest(q, db))
    v255 = book.vectors(255, D)
    ours_maj = median_time(lambda: hb.bundle(v255), inner=20)
    B = bhv_module()
    bhv_scan = bhv_maj = None
    if B is not None:
        bdb = [to_bhv(B, r) for r in db]
        bq = to_bhv(B, q)
        assert bq.closest(bdb) == int(hb.nearest(q, db)[0][0]), "bhv finds another nearest"
        bhv_scan = median_time(lambda: bq.closest(bdb))
        b255 = [to_bhv(B, r) for r in v255]
        same = np.frombuffer(B.majority(b255).to_bytes(), "<u4")
        assert np.array_equal(same, hb.bundle(v255)), "bhv's majority differs"
        bhv_maj = median_time(lambda: B.majority(b255), inner=20)
    rows.append(("scan 1 vs 10,000, D = 8192", ours_scan, bhv_scan, None))
    rows.append(("majority of 255, D = 8192", ours_maj, bhv_maj, None))


def block_codes(rows):
    blocks, length = 1024, 256
    sbc = hb.BlockCodes(blocks, length)
    a, b = sbc.random(1, 1000), sbc.random(2, 1000)
    many = sbc.random(3, 10_000)
    ours = (
        median_time(lambda: sbc.bind(a, b), repeat=15),
        median_time(lambda: sbc.bundle(many[:255]), repeat=15),
        median_time(lambda: sbc.matches(many[0], many), repeat=15),
    )
    theirs = (None, None, None)
    try:
        import torch
        from torchhd.tensors.bsbc import BSBCTensor
    except ImportError:
        print("torchhd is not installed (pip install torch-hd): block codes without it")
    else:
        torch.set_num_threads(1)
        ta = BSBCTensor(torch.from_numpy(a.astype(np.int64)))
        ta.block_size = length
        tb = BSBCTensor(torch.from_numpy(b.astype(np.int64)))
        tb.block_size = length
        tm = BSBCTensor(torch.from_numpy(many.astype(np.int64)))
        tm.block_size = length
        with torch.no_grad():
            theirs = (
                median_time(lambda: ta.bind(tb), repeat=15),
                median_time(lambda: tm[:255].multibundle(), repeat=15),
                median_time(lambda: tm[0].dot_similarity(tm), repeat=15),
            )
    names = (
        "block codes: bind 1,000 pairs (1,024 × 256)",
        "block codes: bundle of 255",
        "block codes: matches, 1 vs 10,000",
    )
    for name, o, t in zip(names, ours, theirs):
        rows.append((name, o, None, t))


def read_digits(name):
    path = ROOT / "examples" / "data" / "digits" / name
    with open(path) as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float32)
    at = header.index("label")
    y = data[:, at].astype(np.int64)
    X = np.delete(data, at, axis=1)
    return X, y


def digits(rows):
    X, y = read_digits("train.csv")
    Xt, yt = read_digits("test.csv")
    clf = hb.Classifier(dim=2048)
    t = time.perf_counter()
    clf.fit(X, y)
    ours_train = time.perf_counter() - t
    ours_pred = median_time(lambda: clf.predict(Xt), repeat=11)
    ours_acc = clf.score(Xt, yt)
    th = torchhd_digits(X, y, Xt, yt)
    theirs_train, theirs_pred, theirs_acc = th if th else (None, None, None)
    rows.append(("digits: training (D = 2048)", ours_train, None, theirs_train))
    rows.append(("digits: predict 450 rows", ours_pred, None, theirs_pred))
    print(
        f"digits accuracy: hyperbits {ours_acc:.4f}"
        + (f", torchhd record + OnlineHD {theirs_acc:.4f}" if th else "")
    )


def torchhd_digits(X, y, Xt, yt):
    """torchhd's best pipeline on this split (examples/data/digits/README.md): the level x id
    record (float MAP), a centroid model trained with OnlineHD's adaptive rule, D = 2048."""
    try:
        import torch
        import torchhd
        from torchhd.models import Centroid
    except ImportError:
        print("torchhd is not installed (pip install torch-hd): skipped")
        return None
    torch.set_num_threads(1)
    torch.manual_seed(0)
    dim, features = 2048, X.shape[1]
    keys = torchhd.embeddings.Random(features, dim)
    levels = torchhd.embeddings.Level(17, dim, low=0.0, high=16.0)

    def encode(x):
        return torchhd.hash_table(keys.weight, levels(x)).sign()

    xs, xt = torch.tensor(X), torch.tensor(Xt)
    ys = torch.tensor(y)
    model = Centroid(dim, 10)
    t = time.perf_counter()
    with torch.no_grad():
        hs = encode(xs)
        for _ in range(10):
            for i in range(0, len(hs), 64):
                model.add_online(hs[i:i + 64], ys[i:i + 64], lr=0.035)
        model.normalize()
    train = time.perf_counter() - t
    with torch.no_grad():
        pred = median_time(lambda: model(encode(xt), dot=True).argmax(1), repeat=11)
        acc = float((model(encode(xt), dot=True).argmax(1).numpy() == yt).mean())
    return train, pred, acc


def main():
    rows = []
    scan_and_majority(rows)
    block_codes(rows)
    digits(rows)
    print()
    print("| operation | hyperbits | bhv | torchhd | hyperbits / bhv | hyperbits / torchhd |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, ours, bhv, th in rows:
        print(
            f"| {name} | {fmt(ours)} | {fmt(bhv)} | {fmt(th)} | {ratio(ours, bhv)} | "
            f"{ratio(ours, th)} |"
        )


if __name__ == "__main__":
    main()
