"""Hopfield memories and SAEs from numpy, checked against the data the emulated boards check
(boards/qemu/data, written by examples/qemu_data.rs): the same blobs, the same recall, the same
latents."""

import pathlib
import struct

import numpy as np
import pytest

import hyperbits as hb

DATA = pathlib.Path(__file__).resolve().parents[3] / "boards" / "qemu" / "data"


def test_hopfield_blob_and_recall_are_the_devices():
    patterns = hb.Codebook(1).vectors(102, 1024)
    memory = hb.Hopfield(patterns)
    assert len(memory) == 102 and memory.dim == 1024
    assert memory.to_bytes() == (DATA / "hopfield.hbm").read_bytes()
    raw = (DATA / "hopfield-recall.bin").read_bytes()
    steps = struct.unpack_from("<I", raw)[0]
    words = np.frombuffer(raw, dtype="<u4", offset=4)
    cue, expected = words[:32], words[32:64]
    state, taken, outcome = memory.recall(cue.reshape(1, -1).astype(np.uint32), max_steps=20)
    assert np.array_equal(state[0], expected) and taken[0] == steps
    assert outcome[0] == "converged" and hb.hamming(state[0], patterns[5]) < 10
    again = hb.Hopfield.from_bytes(memory.to_bytes())
    assert np.array_equal(again.patterns(), patterns)


def test_hopfield_recall_modes_nearest_energy_capacity():
    patterns = hb.Codebook(3).vectors(20, 2048)
    memory = hb.Hopfield(patterns)
    rng = np.random.default_rng(2)
    flips = hb.pack_bits(rng.random((20, 2048)) < 0.1)
    cues = patterns ^ flips
    for update in ("sync", "async", "poly", "exp"):
        state, steps, outcome = memory.recall(cues, update=update, max_steps=30, seed=1)
        assert np.array_equal(state, patterns), update
        assert set(outcome) == {"converged"} and steps.min() >= 1
    index, dist = memory.nearest(cues)
    assert np.array_equal(index, np.arange(20)) and np.all(dist < 300)
    assert np.all(memory.energy(patterns) < memory.energy(cues))
    cap = memory.capacity()
    assert cap["neurons"] == 2048 and cap["patterns"] == 20
    assert abs(cap["critical_patterns"] - 0.138 * 2048) < 1
    with pytest.raises(ValueError, match="update"):
        memory.recall(cues, update="fast")
    with pytest.raises(ValueError, match="bits per vector"):
        memory.recall(cues[:, :8].copy())
    with pytest.raises(ValueError, match="at most 1024"):
        hb.Hopfield(hb.Codebook(1).vectors(1025, 256))
    with pytest.raises(ValueError, match="dimension 96"):
        hb.Hopfield(np.zeros((2, 3), dtype=np.uint32))
    blob = bytearray(memory.to_bytes())
    blob[40] ^= 1
    with pytest.raises(hb.FormatError):
        hb.Hopfield.from_bytes(bytes(blob))


def test_sae_bits_model_gives_the_devices_latents():
    sae = hb.Sae(DATA / "sae.hbm")
    assert (sae.d_in, sae.latents, sae.k, sae.input) == (512, 32, 8, "bits")
    raw = (DATA / "sae-expected.bin").read_bytes()
    case = 16 * 4 + 4 + 8 * 2 + 8 * 4 + 8 * 4 + 16 * 4
    inputs, counts, indices, values = [], [], [], []
    for c in range(16):
        at = c * case
        inputs.append(np.frombuffer(raw, "<u4", 16, at))
        counts.append(struct.unpack_from("<I", raw, at + 64)[0])
        indices.append(np.frombuffer(raw, "<u2", 8, at + 68))
        values.append(np.frombuffer(raw, "<f4", 8, at + 68 + 16 + 32))
    index, value = sae.encode(np.stack(inputs).astype(np.uint32))
    for c in range(16):
        n = counts[c]
        assert np.array_equal(index[c, :n], indices[c][:n])
        assert np.array_equal(value[c, :n], values[c][:n])
        assert np.all(index[c, n:] == -1)
    rec = sae.reconstruct(np.stack(inputs).astype(np.uint32))
    assert rec.shape == (16, 512)
    assert np.array_equal(sae.decode(index, value), rec)
    with pytest.raises(ValueError, match="latent index 32"):
        sae.decode(np.full((1, 2), 32), np.ones((1, 2), dtype=np.float32))
    with pytest.raises(ValueError, match="shape"):
        sae.decode(index, value[:, :4].copy())
    with pytest.raises(ValueError, match="uint32"):
        sae.encode(np.zeros((2, 512), dtype=np.float32))


def test_sae_dense_model_gives_the_devices_latents():
    sae = hb.Sae((DATA / "sae-dense-small.hbm").read_bytes())
    assert (sae.d_in, sae.latents, sae.k, sae.input) == (67, 41, 8, "dense-calibrated")
    raw = (DATA / "sae-dense-expected.bin").read_bytes()
    case = 67 * 4 + 41 * 4 + 4 + 8 * 4 + 8 * 4
    rows, counts, indices, values = [], [], [], []
    for c in range(8):
        at = c * case
        rows.append(np.frombuffer(raw, "<f4", 67, at))
        at += 67 * 4 + 41 * 4
        counts.append(struct.unpack_from("<I", raw, at)[0])
        indices.append(np.frombuffer(raw, "<u4", 8, at + 4))
        values.append(np.frombuffer(raw, "<f4", 8, at + 36))
    index, value = sae.encode(np.stack(rows).astype(np.float32))
    for c in range(8):
        n = counts[c]
        assert np.array_equal(index[c, :n], indices[c][:n])
        assert np.array_equal(value[c, :n], values[c][:n])
    with pytest.raises(ValueError, match="67"):
        sae.encode(np.zeros((1, 66), dtype=np.float32))
    with pytest.raises(hb.FormatError):
        hb.Sae(b"HBMD" + bytes(60))
    with pytest.raises(OSError):
        hb.Sae(DATA / "missing.hbm")


def test_sae_import_from_safetensors(tmp_path):
    safetensors = pytest.importorskip("safetensors.numpy")
    rng = np.random.default_rng(0)
    d, h = 16, 64
    tensors = {
        "W_enc": rng.normal(size=(d, h)).astype(np.float32),
        "b_enc": np.zeros(h, dtype=np.float32),
        "W_dec": rng.normal(size=(h, d)).astype(np.float32) / 8,
        "b_dec": np.zeros(d, dtype=np.float32),
    }
    path = tmp_path / "sae.safetensors"
    safetensors.save_file(tensors, str(path))
    # Rows whose size varies 50x: each is quantised with its own scale.
    x = (rng.normal(size=(50, d)) * np.geomspace(0.1, 5, 50)[:, None]).astype(np.float32)
    pre = np.maximum(x.astype(np.float64) @ tensors["W_enc"] + tensors["b_enc"], 0)
    def agreement(sae):
        # The float reference's top-4 set, on rows whose 4th and 5th values are apart.
        index, _ = sae.encode(x)
        clear, agree = 0, 0
        for r in range(50):
            order = np.argsort(-pre[r], kind="stable")
            if pre[r, order[3]] - pre[r, order[4]] > 0.05 * pre[r, order[0]]:
                clear += 1
                agree += set(index[r].tolist()) == set(order[:4].tolist())
        return clear, agree

    per_row = hb.Sae.import_sae(path, k=4)
    calibrated = hb.Sae.import_sae(path.read_bytes(), k=4, calibration=x)
    clear, agree = agreement(per_row)
    assert clear >= 10 and agree == clear
    # One scale for rows 50x apart loses the small rows (the reason for per-row scales).
    assert agreement(calibrated)[1] <= agree
    for sae in [per_row, calibrated]:
        assert sae.architecture == "topk"
        assert hb.Sae(sae.to_bytes()).to_bytes() == sae.to_bytes()
    assert hb.Sae.import_sae(path, k=4).input == "dense"
    assert hb.Sae.import_sae(path, k=4, calibration=x).input == "dense-calibrated"
    with pytest.raises(ValueError, match="architecture"):
        hb.Sae.import_sae(path, architecture="gated")
    with pytest.raises(hb.FormatError):
        hb.Sae.import_sae(b"not a safetensors file", k=4)


def test_sae_from_a_saelens_jumprelu_folder(tmp_path):
    """A SAELens folder (cfg.json, sae_weights.safetensors) of a JumpReLU SAE: the codes match
    a float64 forward in numpy, on the device's integer path and on the f32 one."""
    safetensors = pytest.importorskip("safetensors.numpy")
    rng = np.random.default_rng(1)
    d, h = 64, 128
    w_dec = rng.normal(size=(h, d))
    w_dec /= np.linalg.norm(w_dec, axis=1, keepdims=True)
    tensors = {
        "W_enc": (w_dec.T + 0.02 * rng.normal(size=(d, h))).astype(np.float32),
        "b_enc": (0.05 * rng.normal(size=h)).astype(np.float32),
        "W_dec": w_dec.astype(np.float32),
        "b_dec": (0.05 * rng.normal(size=d)).astype(np.float32),
        "threshold": rng.uniform(0.8, 1.0, size=h).astype(np.float32),
    }
    folder = tmp_path / "layer_3"
    folder.mkdir()
    safetensors.save_file(tensors, str(folder / "sae_weights.safetensors"))
    (folder / "cfg.json").write_text(
        '{"architecture": "jumprelu", "d_in": %d, "d_sae": %d, "apply_b_dec_to_input": true, '
        '"normalize_activations": "none", "dtype": "float32"}' % (d, h)
    )
    sae = hb.Sae.import_sae(folder)
    assert (sae.architecture, sae.k, sae.latents) == ("jumprelu", h, h)
    codes = rng.choice(h, size=(100, 3))
    x = (w_dec[codes].sum(axis=1) * rng.uniform(1, 2, size=(100, 1)) + tensors["b_dec"]).astype(
        np.float32
    )
    pre = (x.astype(np.float64) - tensors["b_dec"]) @ tensors["W_enc"] + tensors["b_enc"]
    theta = tensors["threshold"].astype(np.float64)
    for exact in [False, True]:
        index, value = sae.encode(x, exact=exact)
        clear = agree = 0
        for r in range(100):
            scale = np.abs(pre[r]).max()
            if np.any(np.abs(pre[r] - theta) < 0.02 * scale):
                continue  # a near tie
            clear += 1
            want = set(np.flatnonzero(pre[r] > theta).tolist())
            got = index[r][index[r] >= 0]
            agree += set(got.tolist()) == want
            top = max(pre[r].max(), 1e-12)
            assert np.all(np.abs(value[r][: len(got)] - pre[r][got]) <= 0.02 * top)
        assert clear >= 50 and agree == clear, (clear, agree)


def test_sdm_reads_what_was_written_as_its_analysis_predicts():
    mem = hb.Sdm(locations=512, dim=256, activation=0.04, seed=1)
    assert (mem.locations, mem.dim, mem.data_dim) == (512, 256, 256)
    assert mem.activation >= 0.04 and 0 < mem.radius < 128
    # Location i's address is item i of the codebook: the device's addresses.
    assert np.array_equal(mem.addresses(), hb.Codebook(1).vectors(512, 256))
    keys, values = hb.Codebook(2).vectors(40, 256), hb.Codebook(3).vectors(40, 256)
    reached = mem.write(keys, values)
    assert reached.shape == (40,) and reached.min() > 0 and mem.writes == 40
    words, locations = mem.read(keys)
    assert np.array_equal(locations, reached)
    measured = hb.hamming(words, values).sum() / (40 * 256)
    predicted = mem.bit_error(40)
    assert abs(measured - predicted) < 0.01 + 0.3 * predicted
    assert mem.capacity(predicted) >= 39
    # A cue far from every location reads zeros from none.
    lonely = hb.Sdm(locations=4, dim=64, radius=0)
    words, locations = lonely.read(hb.Codebook(9).vectors(1, 64))
    assert locations[0] == 0 and not words.any()
    mem.clear()
    assert mem.writes == 0 and mem.read(keys[:1])[1][0] > 0
    assert not mem.read(keys[:1])[0].any()


def test_sdm_recall_cleans_a_noisy_cue_and_checks_shapes():
    mem = hb.Sdm(locations=512, dim=256, activation=0.05, seed=5)
    stored = hb.Codebook(7).vectors(10, 256)
    mem.write(stored, stored)
    cue = stored[3:4].copy()
    cue[0, :8] ^= 1 << 5  # eight bits off
    recalled, steps = mem.recall(cue, max_steps=10)
    assert hb.hamming(recalled, stored[3:4])[0] <= 2 and 2 <= steps[0] < 10
    hetero = hb.Sdm(locations=16, dim=64, data_dim=96, radius=30)
    with pytest.raises(ValueError, match="dim == data_dim"):
        hetero.recall(hb.Codebook(0).vectors(1, 64))
    with pytest.raises(ValueError, match="bits"):
        hetero.write(hb.Codebook(0).vectors(1, 64), hb.Codebook(0).vectors(1, 64))
    with pytest.raises(ValueError, match="addresses for"):
        hetero.write(hb.Codebook(0).vectors(2, 64), hb.Codebook(0).vectors(1, 96))
    with pytest.raises(ValueError, match="radius"):
        hb.Sdm(locations=4, dim=64, radius=65)
    with pytest.raises(ValueError, match="locations"):
        hb.Sdm(locations=0, dim=64)
    with pytest.raises(MemoryError):
        hb.Sdm(locations=2**24, dim=2**20)
    # Arrays of the wrong kind say what was expected (packed words are never converted).
    with pytest.raises(TypeError, match="expected dtype uint32 .* got int64"):
        mem.read(stored.astype(np.int64))
    with pytest.raises(TypeError, match="got 1-D"):
        mem.recall(stored[3])
    with pytest.raises(TypeError, match="got list"):
        hb.Hopfield([[1, 2]])
