//! The `hyperbits` command line, run as a user would (`cargo test -p hyperbits-cli`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hyperbits"))
        .args(args)
        .output()
        .expect("runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Runs the tool with `args` and asserts that it fails with `needle` in its error output.
fn refused(args: &[&str], needle: &str) {
    let o = run(args);
    let err = text(&o).1;
    assert!(
        !o.status.success() && err.contains(needle),
        "{needle}: {err}"
    );
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hyperbits-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn digits(file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/data/digits")
        .join(file)
        .display()
        .to_string()
}

#[test]
fn train_eval_info_predict() {
    let model = scratch("digits.hbm");
    let m = model.to_str().unwrap();
    let o = run(&[
        "train",
        &digits("train.csv"),
        "--test",
        &digits("test.csv"),
        "--out",
        m,
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let acc: f64 = out
        .trim()
        .strip_prefix("accuracy: ")
        .unwrap()
        .parse()
        .unwrap();
    assert!(acc >= 0.96, "{out}");
    let (out, _) = text(&run(&["eval", m, &digits("test.csv")]));
    assert!(out.starts_with(&format!("accuracy: {acc:.4}")), "{out}");
    assert!(out.contains("confusion matrix"));
    let (out, _) = text(&run(&["info", m]));
    assert!(
        out.contains("dimension: 2048 bits")
            && out.contains("classes: 10")
            && out.contains("flash: "),
        "{out}"
    );
    let rows = scratch("rows.csv");
    let test = std::fs::read_to_string(digits("test.csv")).unwrap();
    std::fs::write(&rows, test.lines().take(6).collect::<Vec<_>>().join("\n")).unwrap();
    let (out, _) = text(&run(&["predict", m, rows.to_str().unwrap()]));
    let want: Vec<&str> = test
        .lines()
        .skip(1)
        .take(5)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let got: Vec<&str> = out.lines().collect();
    assert_eq!(got.len(), 5);
    assert!(
        got.iter().zip(&want).filter(|(g, w)| g == w).count() >= 4,
        "{got:?} vs {want:?}"
    );
    // With --proba: the same labels, each with a probability in [0, 1].
    let (out, _) = text(&run(&["predict", m, rows.to_str().unwrap(), "--proba"]));
    let with: Vec<(&str, f64)> = out
        .lines()
        .map(|l| {
            let (label, p) = l.split_once(',').unwrap();
            (label, p.parse().unwrap())
        })
        .collect();
    assert_eq!(with.iter().map(|w| w.0).collect::<Vec<_>>(), got);
    assert!(with.iter().all(|w| (0.0..=1.0).contains(&w.1)), "{out}");
    let (out, _) = text(&run(&["info", m]));
    assert!(out.contains("confidence: calibrated"), "{out}");
}

#[test]
fn an_ensemble_trains_and_serves_like_a_classifier() {
    let model = scratch("ensemble.hbm");
    let m = model.to_str().unwrap();
    let o = run(&[
        "train",
        &digits("train.csv"),
        "--test",
        &digits("test.csv"),
        "--ensemble",
        "2",
        "--out",
        m,
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("member 1: encoder:"), "{err}");
    let acc: f64 = out
        .trim()
        .strip_prefix("accuracy: ")
        .unwrap()
        .parse()
        .unwrap();
    assert!(acc >= 0.96, "{out}");
    let (out, _) = text(&run(&["eval", m, &digits("test.csv")]));
    assert!(out.starts_with(&format!("accuracy: {acc:.4}")), "{out}");
    let (out, _) = text(&run(&["info", m]));
    assert!(
        out.contains("members: 2")
            && out.contains("member 1: encoder: ")
            && out.contains("confidence: calibrated"),
        "{out}"
    );
    let rows = scratch("ensemble-rows.csv");
    let test = std::fs::read_to_string(digits("test.csv")).unwrap();
    std::fs::write(&rows, test.lines().take(4).collect::<Vec<_>>().join("\n")).unwrap();
    let (out, _) = text(&run(&["predict", m, rows.to_str().unwrap(), "--proba"]));
    assert_eq!(out.lines().count(), 3, "{out}");
    let bad = run(&[
        "train",
        &digits("train.csv"),
        "--ensemble",
        "17",
        "--out",
        m,
    ]);
    assert!(!bad.status.success());
}

#[test]
fn errors_name_the_file_and_line_and_write_nothing() {
    let out = scratch("never.hbm");
    let cases: &[(&str, &str)] = &[
        ("nolabel.csv", "a,b\n1,2\n"),
        ("nonnum.csv", "label,a\n1,2\n2,x\n"),
        ("ragged.csv", "label,a\n1,2\n2\n"),
        ("empty.csv", ""),
    ];
    let expect = [
        ":1: no column named `label`",
        ":3: column \"a\"",
        ":3: 1 cells",
        "empty",
    ];
    for ((name, body), want) in cases.iter().zip(expect) {
        let p = scratch(name);
        std::fs::write(&p, body).unwrap();
        let r = run(&["train", p.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        let (_, err) = text(&r);
        assert!(!r.status.success());
        assert!(err.contains(name) && err.contains(want), "{err}");
    }
    let r = run(&[
        "train",
        "/nonexistent/train.csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!r.status.success() && text(&r).1.contains("/nonexistent/train.csv"));
    // A test file with other columns than training.
    let short = scratch("short.csv");
    let test = std::fs::read_to_string(digits("test.csv")).unwrap();
    let cut: Vec<String> = test
        .lines()
        .map(|l| l.split(',').take(10).collect::<Vec<_>>().join(","))
        .collect();
    std::fs::write(&short, cut.join("\n")).unwrap();
    let r = run(&[
        "train",
        &digits("train.csv"),
        "--test",
        short.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!r.status.success() && text(&r).1.contains("feature columns differ"));
    assert!(!out.exists(), "nothing may be written on failure");
    // A corrupt model.
    let bad = scratch("bad.hbm");
    std::fs::write(&bad, b"HBIT not really").unwrap();
    let r = run(&["info", bad.to_str().unwrap()]);
    assert!(!r.status.success() && text(&r).1.contains("bad.hbm"));
}

#[test]
fn plan_prints_every_vsa_and_the_cheapest() {
    let (out, _) = text(&run(&[
        "plan",
        "--task",
        "membership",
        "--items",
        "64",
        "--alphabet",
        "100000",
        "--error",
        "1e-3",
    ]));
    for name in ["MAP-I", "MAP-B", "Bloom", "segmented", "Hopfield"] {
        assert!(out.contains(name), "{out}");
    }
    assert!(out.contains("cheapest: Bloom"), "{out}");
    let plot = scratch("plan.svg");
    let r = run(&[
        "plan",
        "--task",
        "intersection",
        "--items",
        "32",
        "--error",
        "0.05",
        "--epsilon",
        "3",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    assert!(r.status.success());
    assert!(std::fs::read_to_string(&plot).unwrap().starts_with("<svg"));
    for bad in [
        ["--items", "0", "--error", "0.1"],
        ["--items", "8", "--error", "2"],
    ] {
        let r = run(&[&["plan"][..], &bad[..]].concat());
        assert!(!r.status.success());
        assert!(text(&r).1.contains("invalid parameter"), "{}", text(&r).1);
    }
    let r = run(&["plan", "--items", "64", "--error", "1e-3", "--memory", "10"]);
    assert!(!r.status.success() && text(&r).1.contains("memory"));
}

/// A SAELens-layout safetensors file: `W_enc [d, h]`, `b_enc`, `W_dec [h, d]`, `b_dec`
/// (`skip` leaves one tensor out).
fn sae_file(d: usize, h: usize, skip: Option<&str>) -> Vec<u8> {
    use safetensors::tensor::{serialize, Dtype, TensorView};
    let m = |n: usize, s: f32| -> Vec<u8> {
        (0..n)
            .flat_map(|i| (s * ((i * 37 % 11) as f32 - 5.0 + (i % 3) as f32 * 0.1)).to_le_bytes())
            .collect()
    };
    let tensors = [
        ("W_enc", vec![d, h], m(d * h, 0.1)),
        ("b_enc", vec![h], m(h, 0.01)),
        ("W_dec", vec![h, d], m(h * d, 0.2)),
        ("b_dec", vec![d], m(d, 0.03)),
    ];
    let views: std::collections::HashMap<String, TensorView<'_>> = tensors
        .iter()
        .filter(|(n, _, _)| Some(*n) != skip)
        .map(|(n, s, b)| {
            (
                n.to_string(),
                TensorView::new(Dtype::F32, s.clone(), b).unwrap(),
            )
        })
        .collect();
    serialize(&views, None).unwrap()
}

#[test]
fn sae_import_info_encode() {
    let (d, h) = (40, 8);
    let st = scratch("sae.safetensors");
    std::fs::write(&st, sae_file(d, h, None)).unwrap();
    let model = scratch("sae.hbm");
    let (s, m) = (st.to_str().unwrap(), model.to_str().unwrap());
    let o = run(&["sae", "import", s, "--k", "3", "--bits", "--out", m]);
    assert!(o.status.success(), "{}", text(&o).1);
    let (out, _) = text(&run(&["info", m]));
    assert!(
        out.contains("latents: 8, k = 3")
            && out.contains("inputs: 40 (bits)")
            && out.contains("architecture: topk"),
        "{out}"
    );

    // Three rows of 40 bits; the tool's codes equal the library's.
    let mut csv = (0..d)
        .map(|j| format!("b{j}"))
        .collect::<Vec<_>>()
        .join(",")
        + "\n";
    let rows: Vec<Vec<u8>> = (0..3)
        .map(|r| (0..d).map(|j| u8::from((j * 7 + r * 3) % 5 < 2)).collect())
        .collect();
    for row in &rows {
        let cells: Vec<String> = row.iter().map(|b| b.to_string()).collect();
        csv += &(cells.join(",") + "\n");
    }
    let inputs = scratch("sae-inputs.csv");
    std::fs::write(&inputs, &csv).unwrap();
    let o = run(&["sae", "encode", m, inputs.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let blob = hyperbits::model::AlignedBlob::read(&model).unwrap();
    let sae = hyperbits::sae::Sae::from_bytes(blob.as_bytes()).unwrap();
    for (line, row) in out.lines().zip(&rows) {
        let mut words = [0u32; 2];
        for (j, &b) in row.iter().enumerate() {
            words[j / 32] |= u32::from(b) << (j % 32);
        }
        let mut top = hyperbits::sae::TopK::<3>::new();
        sae.encode_bits(&words, &mut top).unwrap();
        // Six significant digits of the library's values.
        let printed: Vec<(u16, f32)> = line
            .split(' ')
            .map(|p| {
                let (i, v) = p.split_once(':').unwrap();
                (i.parse().unwrap(), v.parse().unwrap())
            })
            .collect();
        assert_eq!(printed.len(), top.len(), "{line}");
        for ((i, v), (pi, pv)) in top.iter().zip(printed) {
            assert_eq!(i, pi);
            assert!((v - pv).abs() <= 5e-6 * v.abs(), "{v} printed as {pv}");
        }
    }
    assert_eq!(out.lines().count(), 3);
    assert!(out.lines().all(|l| l.contains(':')), "{out}");

    // Ternary sign masks and a threshold: a smaller v2 blob that `info` describes.
    let packed = scratch("sae-ternary.hbm");
    let p = packed.to_str().unwrap();
    let o = run(&[
        "sae",
        "import",
        s,
        "--k",
        "3",
        "--bits",
        "--weights",
        "ternary",
        "--threshold",
        "0.01",
        "--out",
        p,
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    let (out, _) = text(&run(&["info", p]));
    assert!(
        out.contains("Ternary (packed sign masks, popcount)")
            && out.contains("activation threshold: 0.01"),
        "{out}"
    );
    let small = std::fs::metadata(&packed).unwrap().len();
    assert!(small < std::fs::metadata(&model).unwrap().len());
    assert!(run(&["sae", "encode", p, inputs.to_str().unwrap()])
        .status
        .success());
    // A threshold calibrated on rows of bits (the CSV above).
    let o = run(&[
        "sae",
        "import",
        s,
        "--k",
        "3",
        "--bits",
        "--calibration",
        inputs.to_str().unwrap(),
        "--auto-threshold",
        "--out",
        p,
    ]);
    assert!(
        o.status.success() && text(&o).0.contains("activation threshold: "),
        "{}",
        text(&o).1
    );
    refused(
        &[
            "sae",
            "import",
            s,
            "--k",
            "3",
            "--bits",
            "--threshold=-1",
            "--out",
            p,
        ],
        "threshold",
    );

    // Bad input: a missing tensor is named and nothing is written; k out of range; a value
    // that is not a bit.
    let bad = scratch("sae-bad.safetensors");
    std::fs::write(&bad, sae_file(d, h, Some("W_dec"))).unwrap();
    let none = scratch("never.hbm");
    refused(
        &[
            "sae",
            "import",
            bad.to_str().unwrap(),
            "--k",
            "3",
            "--bits",
            "--out",
            none.to_str().unwrap(),
        ],
        "W_dec",
    );
    assert!(!none.exists());
    // A float model needs no calibration rows: each row is quantised with its own scale.
    let float = scratch("sae-float.hbm");
    let f = float.to_str().unwrap();
    let o = run(&["sae", "import", s, "--k", "3", "--out", f]);
    assert!(o.status.success(), "{}", text(&o).1);
    let (out, _) = text(&run(&["info", f]));
    assert!(out.contains("each row's own scale"), "{out}");
    refused(
        &[
            "sae",
            "import",
            s,
            "--k",
            "9",
            "--bits",
            "--out",
            none.to_str().unwrap(),
        ],
        "k = 9",
    );
    assert!(!none.exists());
    std::fs::write(
        &inputs,
        csv.replacen("\n0", "\n2", 1).replacen("\n1", "\n2", 1),
    )
    .unwrap();
    refused(&["sae", "encode", m, inputs.to_str().unwrap()], "0 or 1");
}

#[test]
fn info_shows_an_sae_input_code() {
    use hyperbits::encode::ThresholdCode;
    use hyperbits::sae::Input;
    use hyperbits::train::sae::export::{ExportOptions, FloatSae};
    let (d, h) = (64, 4);
    let sae = FloatSae {
        d_in: d,
        h,
        k: 2,
        input: Input::Bits,
        activation: hyperbits::sae::Activation::TopK,
        thresholds: Vec::new(),
        w_enc: (0..h * d).map(|i| ((i % 7) as f32 - 3.0) / 10.0).collect(),
        b_enc: vec![0.1; h],
        b_pre: vec![0.5; d],
        w_dec: (0..h * d).map(|i| ((i % 5) as f32 - 2.0) / 10.0).collect(),
        b_dec: vec![0.5; d],
    };
    let rows: Vec<f32> = (0..60).map(|i| (i % 9) as f32).collect();
    let thresholds = ThresholdCode::fit(3, 2, d, &rows).unwrap();
    let code = ThresholdCode::new(3, 2, &thresholds).unwrap();
    let path = scratch("sae-code.hbm");
    std::fs::write(
        &path,
        sae.to_blob_with_code(&ExportOptions::default(), &code)
            .unwrap(),
    )
    .unwrap();
    let (out, err) = text(&run(&["info", path.to_str().unwrap()]));
    assert!(
        out.contains("input code: 2 features -> 64 bits (thresholded projection, seed 3)"),
        "{out}{err}"
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::process::Stdio;
    // The reader closes the pipe before the tool has planned anything; its first line of
    // output then meets a closed pipe, and it must end without a panic message.
    let mut child = Command::new(env!("CARGO_BIN_EXE_hyperbits"))
        .args(["plan", "--items", "1000", "--error", "0.001"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("ends");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}

/// A SAELens folder of a JumpReLU SAE: `sae import <folder>` reads its cfg.json, `info` names
/// the architecture, `sae encode` prints one line per row (empty for a row with no active
/// latent) with the library's codes to 6 significant digits; `--k` caps the latents kept;
/// a `gated` folder is refused by name.
#[test]
fn sae_import_of_a_saelens_folder() {
    use safetensors::tensor::{serialize, Dtype, TensorView};
    let (d, h) = (8usize, 16usize);
    let dir = scratch("saelens-jumprelu");
    std::fs::create_dir_all(&dir).unwrap();
    let f32s = |v: Vec<f32>| -> Vec<u8> { v.iter().flat_map(|x| x.to_le_bytes()).collect() };
    // Latent i reads input i % d with weight ±1: a row of ones gives ±1 ± bias per latent.
    let w_enc: Vec<f32> = (0..d * h)
        .map(|at| {
            let (j, i) = (at / h, at % h);
            if i % d == j {
                if i < d {
                    1.0
                } else {
                    -1.0
                }
            } else {
                0.0
            }
        })
        .collect();
    let tensors = [
        ("W_enc", vec![d, h], f32s(w_enc)),
        ("b_enc", vec![h], f32s(vec![0.0; h])),
        ("W_dec", vec![h, d], f32s(vec![0.1; h * d])),
        ("b_dec", vec![d], f32s(vec![0.0; d])),
        (
            "threshold",
            vec![h],
            f32s((0..h).map(|i| 0.1 * i as f32).collect()),
        ),
    ];
    let views: std::collections::HashMap<String, TensorView<'_>> = tensors
        .iter()
        .map(|(n, s, b)| {
            (
                n.to_string(),
                TensorView::new(Dtype::F32, s.clone(), b).unwrap(),
            )
        })
        .collect();
    std::fs::write(
        dir.join("sae_weights.safetensors"),
        serialize(&views, None).unwrap(),
    )
    .unwrap();
    let cfg = format!(
        "{{\"architecture\": \"jumprelu\", \"d_in\": {d}, \"d_sae\": {h}, \
         \"apply_b_dec_to_input\": true, \"normalize_activations\": \"none\"}}"
    );
    std::fs::write(dir.join("cfg.json"), &cfg).unwrap();
    let model = scratch("saelens-jumprelu.hbm");
    let (folder, m) = (dir.to_str().unwrap(), model.to_str().unwrap());
    let o = run(&["sae", "import", folder, "--out", m]);
    assert!(o.status.success(), "{}", text(&o).1);
    assert!(text(&o).0.contains("jumprelu"), "{}", text(&o).0);
    let (out, _) = text(&run(&["info", m]));
    assert!(
        out.contains("architecture: jumprelu") && out.contains("each row's own scale"),
        "{out}"
    );
    // Rows: all ones (latents 0..8 reach 1, above their θ_i = 0.1·i ≤ 0.7; 8..16 reach -1),
    // zeros (nothing fires), and 0.55 (latents 0..=5, whose θ_i is below 0.55).
    let header: Vec<String> = (0..d).map(|j| format!("x{j}")).collect();
    let row = |v: &str| vec![v; d].join(",");
    let csv = format!(
        "{}\n{}\n{}\n{}\n",
        header.join(","),
        row("1"),
        row("0"),
        row("0.55")
    );
    let inputs = scratch("saelens-inputs.csv");
    std::fs::write(&inputs, csv).unwrap();
    let o = run(&["sae", "encode", m, inputs.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let lines: Vec<&str> = out.split('\n').collect();
    assert_eq!(lines.len(), 4, "{out:?}"); // three rows and the final newline
    let latents = |line: &str| -> Vec<(usize, f32)> {
        line.split_whitespace()
            .map(|p| {
                let (i, v) = p.split_once(':').unwrap();
                (i.parse().unwrap(), v.parse().unwrap())
            })
            .collect()
    };
    let ones = latents(lines[0]);
    let mut fired: Vec<usize> = ones.iter().map(|&(i, _)| i).collect();
    fired.sort_unstable();
    assert_eq!(fired, (0..8).collect::<Vec<_>>(), "{out}");
    assert!(ones.iter().all(|&(_, v)| (v - 1.0).abs() < 1e-3), "{out}");
    assert_eq!(lines[1], "", "a row with no active latent is an empty line");
    let mut fired: Vec<usize> = latents(lines[2]).iter().map(|&(i, _)| i).collect();
    fired.sort_unstable();
    assert_eq!(fired, (0..6).collect::<Vec<_>>(), "{out}");
    // --k caps the kept latents.
    let o = run(&["sae", "import", folder, "--k", "3", "--out", m]);
    assert!(o.status.success(), "{}", text(&o).1);
    let (out, _) = text(&run(&["sae", "encode", m, inputs.to_str().unwrap()]));
    assert_eq!(latents(out.lines().next().unwrap()).len(), 3, "{out}");
    // A gated SAE is refused by name, and nothing is written.
    std::fs::write(dir.join("cfg.json"), cfg.replace("jumprelu", "gated")).unwrap();
    let none = scratch("never-gated.hbm");
    refused(
        &["sae", "import", folder, "--out", none.to_str().unwrap()],
        "gated",
    );
    assert!(!none.exists());
}

/// A gzipped windows file as the CLI reads it: `label`, then T samples × C values.
fn windows_file(name: &str, windows: &[(String, Vec<i16>)], values: usize) -> PathBuf {
    use std::io::Write;
    let mut text = String::from("label");
    for i in 0..values {
        text.push_str(&format!(",v{i}"));
    }
    text.push('\n');
    for (label, w) in windows {
        text.push_str(label);
        for v in w {
            text.push_str(&format!(",{v}"));
        }
        text.push('\n');
    }
    let path = scratch(name);
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&path).unwrap(),
        flate2::Compression::fast(),
    );
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap();
    path
}

/// Two classes of 3-channel, 20-sample windows: a slow and a fast wave, with noise.
fn waves(count: usize, seed: u64) -> Vec<(String, Vec<i16>)> {
    let mut state = seed;
    let mut noise = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) % 201) as f64 - 100.0
    };
    (0..count)
        .map(|i| {
            let fast = i % 2 == 1;
            let w = (0..20 * 3)
                .map(|k| {
                    let (t, c) = ((k / 3) as f64, (k % 3) as f64);
                    let f = if fast { 1.3 } else { 0.3 };
                    (400.0 * (f * t + c + i as f64).sin() + noise()) as i16
                })
                .collect();
            (if fast { "fast" } else { "slow" }.to_string(), w)
        })
        .collect()
}

#[test]
fn windows_train_eval_info_predict() {
    let train = windows_file("w-train.csv.gz", &waves(80, 1), 60);
    let test = windows_file("w-test.csv.gz", &waves(40, 2), 60);
    let model = scratch("w.hbm");
    let (t, m) = (train.to_str().unwrap(), model.to_str().unwrap());
    let o = run(&[
        "train",
        t,
        "--test",
        test.to_str().unwrap(),
        "--channels",
        "3",
        "--vectors",
        "0",
        "--hop",
        "5",
        "--out",
        m,
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let accuracy: f64 = out
        .trim()
        .strip_prefix("accuracy: ")
        .unwrap()
        .parse()
        .unwrap();
    assert!(accuracy >= 0.9, "{accuracy}");
    assert!(
        err.contains("window: 20 samples × 3 channels + 1 magnitudes"),
        "{err}"
    );
    let (info, _) = text(&run(&["info", m]));
    assert!(
        info.contains("kind: Series") && info.contains("RAM:") && info.contains("hop 5"),
        "{info}"
    );
    let (eval, _) = text(&run(&["eval", m, test.to_str().unwrap()]));
    assert!(
        eval.starts_with(&format!("accuracy: {accuracy:.4}")),
        "{eval}"
    );
    let (predicted, _) = text(&run(&["predict", m, test.to_str().unwrap(), "--proba"]));
    assert_eq!(predicted.lines().count(), 40);
    assert!(predicted
        .lines()
        .all(|l| l.starts_with("fast,") || l.starts_with("slow,")));
    // A file whose rows are not windows of the model's shape, a non-integer sample, a
    // channel count that does not divide the columns.
    let short = windows_file(
        "w-short.csv.gz",
        &waves(4, 3)
            .into_iter()
            .map(|(l, w)| (l, w[..57].to_vec()))
            .collect::<Vec<_>>(),
        57,
    );
    refused(
        &["predict", m, short.to_str().unwrap()],
        "windows of 20 samples × 3 channels",
    );
    refused(&["train", t, "--channels", "7", "--out", m], "7 channels");
    let path = scratch("w-float.csv");
    std::fs::write(&path, "label,a,b,c,d\nx,1,2,3,4.5\ny,1,2,3,4\n").unwrap();
    refused(
        &[
            "train",
            path.to_str().unwrap(),
            "--channels",
            "2",
            "--out",
            m,
        ],
        "4.5 is not a sample",
    );
}
