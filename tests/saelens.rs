//! SAELens folders of every supported architecture (TopK, ReLU, JumpReLU; with and without
//! `apply_b_dec_to_input`), written here with `cfg.json` and `sae_weights.safetensors`,
//! imported, quantised with the default options (int8 weights, per-row int8 input) and encoded;
//! the codes are checked against a float64 forward computed here from the tensors written.
//! Inputs vary 50× in size from row to row, as a language model's residual stream does.
#![cfg(feature = "safetensors")]

use hyperbits::model::AlignedBlob;
use hyperbits::sae::{Activation, Input, LatentVec, Latents, Sae};
use hyperbits::train::sae::export::ExportOptions;
use hyperbits::train::sae::import::{from_folder, ImportOptions};
use safetensors::tensor::{serialize, Dtype, TensorView};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// SplitMix64 uniforms in [0, 1).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-300), self.next());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// The float SAE the folder holds, as written (SAELens layout: `W_enc` is `[d_in, h]`).
struct Weights {
    d: usize,
    h: usize,
    w_enc: Vec<f32>, // [d, h]
    b_enc: Vec<f32>,
    w_dec: Vec<f32>, // [h, d]
    b_dec: Vec<f32>,
    threshold: Vec<f32>,
}

/// Decoder rows of unit norm, the encoder their transpose plus noise (as SAEs trained with
/// tied initialisation end up), biases by architecture.
fn weights(arch: &str, d: usize, h: usize, seed: u64) -> Weights {
    let mut r = Rng(seed);
    let mut w_dec = vec![0f32; h * d];
    for row in w_dec.chunks_exact_mut(d) {
        let v: Vec<f64> = (0..d).map(|_| r.normal()).collect();
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        row.iter_mut()
            .zip(&v)
            .for_each(|(w, x)| *w = (x / norm) as f32);
    }
    let mut w_enc = vec![0f32; d * h];
    for i in 0..h {
        for j in 0..d {
            w_enc[j * h + i] = w_dec[i * d + j] + (0.3 * r.normal() / (d as f64).sqrt()) as f32;
        }
    }
    let b_dec = (0..d).map(|_| (0.05 * r.normal()) as f32).collect();
    let (b_enc, threshold) = match arch {
        "standard" => (
            (0..h).map(|_| (-1.0 - 0.2 * r.next()) as f32).collect(),
            vec![],
        ),
        "jumprelu" => (
            (0..h).map(|_| (0.05 * r.normal()) as f32).collect(),
            (0..h).map(|_| (1.0 + 0.2 * r.next()) as f32).collect(),
        ),
        _ => ((0..h).map(|_| (-0.05 * r.next()) as f32).collect(), vec![]),
    };
    Weights {
        d,
        h,
        w_enc,
        b_enc,
        w_dec,
        b_dec,
        threshold,
    }
}

/// Rows made of four dictionary directions plus noise, each scaled by a factor between `lo`
/// and `hi`: the codes an SAE is meant for, at sizes that vary as real activations do.
/// With `centre`, `b_dec` is added (the data's mean, as SAELens's pre-bias assumes).
fn rows(w: &Weights, n: usize, seed: u64, (lo, hi): (f64, f64), centre: bool) -> Vec<Vec<f32>> {
    let mut r = Rng(seed);
    (0..n)
        .map(|_| {
            let mut x: Vec<f64> = (0..w.d).map(|_| 0.05 * r.normal()).collect();
            let mut used = Vec::new();
            while used.len() < 4 {
                let i = (r.next() * w.h as f64) as usize;
                if used.contains(&i) {
                    continue;
                }
                used.push(i);
                let c = 0.5 + 1.5 * r.next();
                for (xj, &wj) in x.iter_mut().zip(&w.w_dec[i * w.d..(i + 1) * w.d]) {
                    *xj += c * f64::from(wj);
                }
            }
            let scale = lo * (hi / lo).powf(r.next());
            x.iter()
                .zip(&w.b_dec)
                .map(|(v, &b)| (scale * v) as f32 + if centre { b } else { 0.0 })
                .collect()
        })
        .collect()
}

/// The float64 forward of SAELens's `encode` on the tensors as written: the pre-activations.
fn pre(w: &Weights, x: &[f32], apply_b_dec: bool) -> Vec<f64> {
    (0..w.h)
        .map(|i| {
            let dot: f64 = (0..w.d)
                .map(|j| {
                    let c = f64::from(x[j])
                        - if apply_b_dec {
                            f64::from(w.b_dec[j])
                        } else {
                            0.0
                        };
                    f64::from(w.w_enc[j * w.h + i]) * c
                })
                .sum();
            dot + f64::from(w.b_enc[i])
        })
        .collect()
}

/// The float64 code: `(latent, value)`, largest first; `None` when the row is a near tie: a
/// latent within 2 % of the row's largest |pre-activation| from its decision boundary (the k-th
/// largest against the next, 0, a JumpReLU threshold), where rounding the weights to int8 can
/// move it across.
fn reference(pre: &[f64], arch: &str, k: usize, threshold: &[f32]) -> Option<Vec<(usize, f64)>> {
    let scale = pre.iter().fold(0f64, |m, v| m.max(v.abs())).max(1e-12);
    let near = |a: f64, b: f64| (a - b).abs() < 0.02 * scale;
    let mut order: Vec<usize> = (0..pre.len()).collect();
    order.sort_by(|&a, &b| pre[b].total_cmp(&pre[a]));
    let active: Vec<usize> = match arch {
        "topk" => {
            if near(pre[order[k - 1]], pre[order[k]]) {
                return None;
            }
            order[..k].to_vec()
        }
        "jumprelu" => {
            if (0..pre.len()).any(|i| near(pre[i], f64::from(threshold[i]).max(0.0))) {
                return None;
            }
            order
                .into_iter()
                .filter(|&i| pre[i] > f64::from(threshold[i]))
                .collect()
        }
        _ => order,
    };
    if active.iter().any(|&i| near(pre[i], 0.0)) {
        return None;
    }
    Some(
        active
            .into_iter()
            .filter(|&i| pre[i] > 0.0)
            .map(|i| (i, pre[i]))
            .collect(),
    )
}

fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Writes a SAELens folder: `cfg.json`, `sae_weights.safetensors` and a
/// `sparsity.safetensors` (which the import ignores).
fn write_folder(dir: &Path, w: &Weights, cfg: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("cfg.json"), cfg).unwrap();
    let mut tensors = vec![
        ("W_enc", vec![w.d, w.h], f32_bytes(&w.w_enc)),
        ("b_enc", vec![w.h], f32_bytes(&w.b_enc)),
        ("W_dec", vec![w.h, w.d], f32_bytes(&w.w_dec)),
        ("b_dec", vec![w.d], f32_bytes(&w.b_dec)),
    ];
    if !w.threshold.is_empty() {
        tensors.push(("threshold", vec![w.h], f32_bytes(&w.threshold)));
    }
    let save = |tensors: &[(&str, Vec<usize>, Vec<u8>)], path: PathBuf| {
        let views: HashMap<String, TensorView<'_>> = tensors
            .iter()
            .map(|(n, s, b)| {
                (
                    n.to_string(),
                    TensorView::new(Dtype::F32, s.clone(), b).unwrap(),
                )
            })
            .collect();
        std::fs::write(path, serialize(&views, None).unwrap()).unwrap();
    };
    save(&tensors, dir.join("sae_weights.safetensors"));
    let sparsity = vec![("sparsity", vec![w.h], f32_bytes(&vec![-3.0; w.h]))];
    save(&sparsity, dir.join("sparsity.safetensors"));
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hyperbits-saelens-{}", std::process::id()));
    dir.join(name)
}

fn cfg(arch: &str, d: usize, h: usize, k: usize, apply_b_dec: bool) -> String {
    let k = if arch == "topk" {
        format!(", \"k\": {k}")
    } else {
        String::new()
    };
    format!(
        "{{\"architecture\": \"{arch}\", \"d_in\": {d}, \"d_sae\": {h}, \"dtype\": \"float32\", \
         \"device\": \"cpu\", \"apply_b_dec_to_input\": {apply_b_dec}, \
         \"normalize_activations\": \"none\", \"reshape_activations\": \"none\"{k}, \
         \"metadata\": {{\"hook_name\": \"blocks.0.hook_resid_pre\"}}}}"
    )
}

/// How one model's codes compare with the float64 forward.
#[derive(Debug, Default)]
struct Agreement {
    rows: usize,
    ties: usize,
    same_set: usize,
    /// The largest |value − reference| over kept latents, as a share of the row's largest
    /// activation.
    worst: f64,
}

fn compare(
    sae: &Sae<'_>,
    w: &Weights,
    arch: &str,
    k: usize,
    apply: bool,
    f32_path: bool,
) -> Agreement {
    let mut a = Agreement::default();
    let mut code = LatentVec::new();
    // TopK is scale-free: rows vary 50× (0.1 to 5). ReLU and JumpReLU compare with fixed
    // biases and thresholds, which only make sense at the scale the model was trained for.
    let range = if arch == "topk" {
        (0.1, 5.0)
    } else {
        (1.0, 2.0)
    };
    for x in rows(w, 250, 99, range, apply) {
        a.rows += 1;
        let p = pre(w, &x, apply);
        let Some(want) = reference(&p, arch, k, &w.threshold) else {
            a.ties += 1;
            continue;
        };
        if f32_path {
            sae.encode_f32(&x, &mut code).unwrap();
        } else {
            sae.encode_dense(&x, &mut code).unwrap();
        }
        let mut got: Vec<u16> = code.indices().to_vec();
        let mut set: Vec<u16> = want.iter().map(|&(i, _)| i as u16).collect();
        got.sort_unstable();
        set.sort_unstable();
        if got == set {
            a.same_set += 1;
        }
        let top = p.iter().cloned().fold(0f64, f64::max).max(1e-12);
        for (&i, &v) in code.indices().iter().zip(code.values()) {
            let err = (f64::from(v) - p[usize::from(i)]).abs() / top;
            a.worst = a.worst.max(err);
        }
    }
    a
}

#[test]
fn saelens_folders_of_every_architecture_match_a_float64_forward() {
    let (d, h, k) = (256, 256, 4);
    for (n, arch) in ["topk", "standard", "jumprelu"].into_iter().enumerate() {
        for apply in [true, false] {
            let w = weights(arch, d, h, 7 + n as u64);
            let dir = scratch(&format!("{arch}-{apply}"));
            write_folder(&dir, &w, &cfg(arch, d, h, k, apply));
            let float = from_folder(&dir, &ImportOptions::default()).unwrap();
            let want_act = match arch {
                "topk" => Activation::TopK,
                "standard" => Activation::Relu,
                _ => Activation::JumpRelu,
            };
            assert_eq!(float.activation, want_act);
            assert_eq!(float.k, if arch == "topk" { k } else { h });
            assert_eq!(float.input, Input::DensePerRow);
            assert_eq!(float.b_pre == w.b_dec, apply, "{arch}");
            let blob = AlignedBlob::new(&float.to_blob(&[], &ExportOptions::default()).unwrap());
            let sae = Sae::from_bytes(blob.as_bytes()).unwrap();
            assert_eq!(sae.activation(), want_act);
            let int8 = compare(&sae, &w, arch, k, apply, false);
            let exact = compare(&sae, &w, arch, k, apply, true);
            eprintln!("{arch} apply_b_dec {apply}: int8 {int8:?}, f32 {exact:?}");
            for (path, a) in [("int8", &int8), ("f32", &exact)] {
                let clear = a.rows - a.ties;
                assert!(
                    clear >= a.rows / 2,
                    "{arch} {path}: too many near ties {a:?}"
                );
                assert!(
                    a.same_set * 100 >= clear * 99,
                    "{arch} {apply} {path}: same set on {} of {clear} rows",
                    a.same_set
                );
                assert!(a.worst <= 0.02, "{arch} {apply} {path}: {a:?}");
            }
        }
    }
}

#[test]
fn older_configs_log_thresholds_and_overrides() {
    let (d, h) = (32, 64);
    // SAELens before v6: "standard" with activation_fn_str "topk" and its k in kwargs.
    let w = weights("topk", d, h, 3);
    let dir = scratch("old-topk");
    write_folder(
        &dir,
        &w,
        &format!(
            "{{\"architecture\": \"standard\", \"d_in\": {d}, \"d_sae\": {h}, \
             \"activation_fn_str\": \"topk\", \"activation_fn_kwargs\": {{\"k\": 5}}}}"
        ),
    );
    let float = from_folder(&dir, &ImportOptions::default()).unwrap();
    assert_eq!((float.activation, float.k), (Activation::TopK, 5));
    // SAELens's default for apply_b_dec_to_input is true.
    assert_eq!(float.b_pre, w.b_dec);
    // Flags override the file.
    let capped = ImportOptions {
        k: Some(3),
        pre_bias: Some(hyperbits::train::sae::import::PreBias::None),
        ..ImportOptions::default()
    };
    let float = from_folder(&dir, &capped).unwrap();
    assert_eq!(float.k, 3);
    assert!(float.b_pre.iter().all(|&b| b == 0.0));

    // A JumpReLU training checkpoint keeps log_threshold.
    let mut w = weights("jumprelu", d, h, 4);
    let log: Vec<f32> = w.threshold.iter().map(|t| t.ln()).collect();
    let dir = scratch("log-threshold");
    let thresholds = std::mem::take(&mut w.threshold);
    write_folder(&dir, &w, &cfg("jumprelu", d, h, 0, true));
    let tensors = [
        ("W_enc", vec![d, h], f32_bytes(&w.w_enc)),
        ("b_enc", vec![h], f32_bytes(&w.b_enc)),
        ("W_dec", vec![h, d], f32_bytes(&w.w_dec)),
        ("b_dec", vec![d], f32_bytes(&w.b_dec)),
        ("log_threshold", vec![h], f32_bytes(&log)),
    ];
    let views: HashMap<String, TensorView<'_>> = tensors
        .iter()
        .map(|(n, s, b)| {
            let view = TensorView::new(Dtype::F32, s.clone(), b).unwrap();
            (n.to_string(), view)
        })
        .collect();
    let bytes = serialize(&views, None).unwrap();
    std::fs::write(dir.join("sae_weights.safetensors"), bytes).unwrap();
    let float = from_folder(&dir, &ImportOptions::default()).unwrap();
    assert_eq!(float.activation, Activation::JumpRelu);
    for (a, b) in float.thresholds.iter().zip(&thresholds) {
        assert!((a - b).abs() <= 1e-6 * b, "{a} {b}");
    }
}

#[test]
fn unsupported_configs_are_refused_by_name() {
    let (d, h) = (16, 32);
    let w = weights("topk", d, h, 5);
    for (cfg, needle) in [
        (cfg("gated", d, h, 4, true), "gated"),
        (cfg("batchtopk", d, h, 4, true), "batchtopk"),
        (
            cfg("topk", d, h, 4, true).replace("\"none\", \"reshape", "\"layer_norm\", \"reshape"),
            "layer_norm",
        ),
        (
            cfg("topk", d, h, 4, true).replace(
                "\"none\", \"reshape",
                "\"constant_norm_rescale\", \"reshape",
            ),
            "constant_norm_rescale",
        ),
        (cfg("topk", d + 1, h, 4, true), "d_in"),
        (cfg("topk", d, h * 2, 4, true), "d_sae"),
        (cfg("topk", d, h, 4, true).replace(", \"k\": 4", ""), "k"),
        (cfg("jumprelu", d, h, 4, true), "threshold"),
        ("not json".to_string(), "cfg.json"),
    ] {
        let dir = scratch(&format!("bad-{needle}"));
        write_folder(&dir, &w, &cfg);
        let e = from_folder(&dir, &ImportOptions::default()).unwrap_err();
        assert!(e.to_string().contains(needle), "{needle}: {e}");
    }
    // A folder without weights.
    let dir = scratch("empty");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("cfg.json"), cfg("topk", d, h, 4, true)).unwrap();
    let e = from_folder(&dir, &ImportOptions::default()).unwrap_err();
    assert!(e.to_string().contains("sae_weights.safetensors"), "{e}");
}

/// `expected_average_only_in` with a stored factor folds it as SAELens does: W_enc·f, W_dec/f,
/// b_dec/f.
#[test]
fn a_norm_scaling_factor_is_folded() {
    let (d, h) = (16, 32);
    let w = weights("topk", d, h, 6);
    let dir = scratch("norm-factor");
    let text = cfg("topk", d, h, 4, false).replace(
        "\"normalize_activations\": \"none\"",
        "\"normalize_activations\": \"expected_average_only_in\", \"norm_scaling_factor\": 2.0",
    );
    write_folder(&dir, &w, &text);
    let float = from_folder(&dir, &ImportOptions::default()).unwrap();
    // Latent-major after import: W_enc[i][j] = file W_enc[j][i]·2.
    assert_eq!(float.w_enc[1], w.w_enc[h] * 2.0);
    assert_eq!(float.b_dec[0], w.b_dec[0] / 2.0);
}
