"""SAE encoding: hyperbits against PyTorch on one thread (run by hand, not in CI).

    pip install ./bindings/python torch safetensors
    python bindings/python/bench/sae_torch.py

A TopK SAE at a published size (d_in 512, d_sae 4096, k 32; SAELens layout, written to a
temporary folder with its cfg.json) encodes 1,024 float rows whose size varies 50x. PyTorch
runs SAELens's TopK encode in float32 (``(x - b_dec) @ W_enc + b_enc``, ``topk``, ReLU) on one
thread; hyperbits imports the folder (int8 weights, rows quantised each with its own scale) and
encodes with ``Sae.encode`` (the device's integer path, rows in batches) and
``Sae.encode(exact=True)`` (f32). Prints the median time per row of each over 11 interleaved
rounds, the median ratio to PyTorch within a round (< 1: hyperbits is faster), and how often
the active set equals PyTorch's. Absolute times move from host to host; the ratios, measured in the same run, are
the claim.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from safetensors.numpy import save_file  # noqa: E402

import hyperbits as hb  # noqa: E402

D, H, K, N = 512, 4096, 32, 1024


def interleaved_times(runs, repeat=11):
    """Median time of each callable, the runs interleaved (one of each per round) so a change
    in the machine's load falls on all of them, and the median of each one's ratio to the
    first within a round."""
    for f in runs.values():
        f()
    times = {name: [] for name in runs}
    for _ in range(repeat):
        for name, f in runs.items():
            start = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - start)
    first = next(iter(runs))
    ratios = {
        name: statistics.median(t / r for t, r in zip(times[name], times[first])) for name in runs
    }
    return {name: statistics.median(t) for name, t in times.items()}, ratios


def main() -> None:
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    w_dec = rng.normal(size=(H, D)).astype(np.float32)
    w_dec /= np.linalg.norm(w_dec, axis=1, keepdims=True)
    tensors = {
        "W_enc": (w_dec.T + 0.02 * rng.normal(size=(D, H))).astype(np.float32),
        "b_enc": (-0.05 * rng.random(H)).astype(np.float32),
        "W_dec": w_dec,
        "b_dec": (0.05 * rng.normal(size=D)).astype(np.float32),
    }
    codes = np.array([rng.choice(H, size=K, replace=False) for _ in range(N)])
    x = (w_dec[codes] * rng.uniform(0.5, 2, size=(N, K, 1))).sum(axis=1)
    x += 0.05 * rng.normal(size=(N, D))
    x = (x * np.geomspace(0.1, 5, N)[:, None] + tensors["b_dec"]).astype(np.float32)

    with tempfile.TemporaryDirectory() as folder:
        save_file(tensors, os.path.join(folder, "sae_weights.safetensors"))
        with open(os.path.join(folder, "cfg.json"), "w") as f:
            json.dump(
                {"architecture": "topk", "d_in": D, "d_sae": H, "k": K,
                 "apply_b_dec_to_input": True, "normalize_activations": "none"},
                f,
            )
        sae = hb.Sae.import_sae(folder, decoder=False)

    t = {k: torch.from_numpy(v) for k, v in tensors.items()}
    tx = torch.from_numpy(x)

    def torch_encode():
        with torch.no_grad():
            pre = (tx - t["b_dec"]) @ t["W_enc"] + t["b_enc"]
            top = torch.topk(pre, K, dim=-1)
            return top.indices, torch.relu(top.values)

    results = {}
    timings, ratios = interleaved_times(
        {
            "torch": torch_encode,
            "hyperbits": lambda: sae.encode(x),
            "hyperbits exact": lambda: sae.encode(x, exact=True),
        }
    )
    want, _ = torch_encode()
    want = want.numpy()
    # Rows that are not near ties: the k-th and (k+1)-th pre-activations (float64) more than
    # 0.5 % of the row's largest |pre-activation| apart.
    pre = (x.astype(np.float64) - tensors["b_dec"]) @ tensors["W_enc"] + tensors["b_enc"]
    ranked = -np.sort(-pre, axis=1)
    clear = (ranked[:, K - 1] - ranked[:, K]) > 0.005 * np.abs(pre).max(axis=1)
    for name, exact in [("hyperbits", False), ("hyperbits exact", True)]:
        index, _ = sae.encode(x, exact=exact)
        same = [set(index[r].tolist()) == set(want[r].tolist()) for r in range(N)]
        results[name] = (np.mean(same), np.mean([s for s, c in zip(same, clear) if c]))
    print(f"SAE d_in {D}, d_sae {H}, k {K}, {N} rows, one thread (torch {torch.__version__})")
    print(f"rows that are not near ties: {clear.sum()} of {N}")
    print("| encoder | time per row | ratio to PyTorch | same active set as PyTorch: all rows, not near ties |")
    print("|---|---:|---:|---:|")
    for name, seconds in timings.items():
        same = "" if name == "torch" else "{:.3f}, {:.3f}".format(*results[name])
        print(
            f"| {name} | {seconds / N * 1e6:.1f} µs | {ratios[name]:.2f} | {same} |"
        )


if __name__ == "__main__":
    main()
