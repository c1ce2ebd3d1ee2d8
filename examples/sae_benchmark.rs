//! The SAE benchmark of `docs/sae.md` §1.3/§5 for seeds 0, 1, 2: simulate 12,000
//! cells, train the shallow autoencoder whose 4-d latent is the representation (first 10,000
//! cells), train SAEs on it, and score the held-out 2,000 cells: R², L0, dead fraction, the
//! best |r| of a live latent with each ground-truth variable (means over X, A, B, Y) and the
//! bit error, for the float model and for its exports run by the device engine.
//!
//! Models: TopK (h = 16, k = 4) and the paper's L1 SAE (h = 16, λ = 0.1) on the float
//! representation (float, int8; the L1 model also int8 with the activation threshold τ from
//! [`FloatSae::calibrate_threshold`], and with a top-4 cap); a TopK SAE (h = 64, k = 8) on a
//! 512-bit code of it ([`ThresholdCode`]: random projections against thresholds fitted on the
//! training cells; exported with the model, so the device engine encodes the floats itself)
//! as float, int8, ternary and binary encoders (int8 decoder), and on
//! the library's level × id record code of it (float). The spec's
//! §6 targets (means over the seeds) are checked at the end, one line each.
//!
//! Run: `cargo run --release --example sae_benchmark`

use hyperbits::encode::{Level, Record, ThresholdCode};
use hyperbits::model::AlignedBlob;
use hyperbits::sae::{Input, Sae, TopK, Weights};
use hyperbits::train::sae::export::{ExportOptions, FloatSae};
use hyperbits::train::sae::{
    evaluate, metrics, train_sae, train_sae_bits, unpack_bits, Metrics, Simulation, TrainOptions,
};
use hyperbits::BinaryVector;
use std::time::Instant;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Dimensions of the representation and of its bit code.
const D: usize = 4;
const BITS: usize = 512;

/// Metrics of an export of `sae` (as `options`) run by the device engine on the test rows
/// (`test`: floats for a dense model, 0/1 values with their packed `words` for bits).
fn device(
    sae: &FloatSae,
    options: &ExportOptions,
    calibration: &[f64],
    test: &[f64],
    words: &[u32],
    truth: &[[f64; 12]],
) -> Result<Metrics> {
    let calib: Vec<f32> = calibration.iter().map(|&v| v as f32).collect();
    let blob = AlignedBlob::new(&sae.to_blob(&calib, options)?);
    let device = Sae::from_bytes(blob.as_bytes())?;
    let d = sae.d_in;
    let mut top = TopK::<16>::new();
    let mut out = vec![0f32; d];
    let (mut codes, mut xhat) = (Vec::new(), Vec::new());
    for (r, row) in test.chunks_exact(d).enumerate() {
        match sae.input {
            Input::Dense | Input::DensePerRow => {
                let row: Vec<f32> = row.iter().map(|&v| v as f32).collect();
                device.encode_dense(&row, &mut top)?;
            }
            Input::Bits => {
                let n = d.div_ceil(32);
                device.encode_bits(&words[r * n..(r + 1) * n], &mut top)?;
            }
        }
        device.decode(&top, &mut out)?;
        codes.push(top.iter().map(|(i, v)| (usize::from(i), v)).collect());
        xhat.extend(out.iter().map(|&v| f64::from(v)));
    }
    Ok(metrics(test, &xhat, d, &codes, sae.h, truth))
}

/// The library's record code of the representation rows: field `f` is `key_f ⊗ level(x_f)`
/// with 32 levels over the feature's range in `fit`, bundled by majority (512 bits).
fn record_code(rows: &[f64], fit: &[f64], seed: u64) -> Result<Vec<u32>> {
    let encoder = Record::new(seed + 1, Level::new(seed + 100, 32)?);
    let range = |f: usize| {
        let col = fit.chunks_exact(D).map(|r| r[f] as f32);
        (
            col.clone().fold(f32::MAX, f32::min),
            col.fold(f32::MIN, f32::max),
        )
    };
    let ranges: Vec<(f32, f32)> = (0..D).map(range).collect();
    let mut out = Vec::with_capacity(rows.len() / D * BITS / 32);
    for row in rows.chunks_exact(D) {
        let levels: Vec<u16> = (0..D)
            .map(|f| {
                encoder
                    .values()
                    .quantize(row[f] as f32, ranges[f].0, ranges[f].1)
            })
            .collect();
        let v: BinaryVector<{ BITS / 32 }> = encoder.encode_levels(&levels, seed)?;
        out.extend_from_slice(v.as_words());
    }
    Ok(out)
}

/// Per-model sums of the printed metrics, for the means.
struct Table {
    names: Vec<&'static str>,
    sums: Vec<[f64; 9]>,
}

impl Table {
    fn row(&mut self, seed: u64, name: &'static str, m: &Metrics, secs: Option<f64>) {
        let v = [
            m.r2,
            m.l0,
            m.dead,
            m.max_r[0],
            m.max_r[1],
            m.max_r[2],
            m.max_r[3],
            100.0 * m.bit_error,
            secs.unwrap_or(0.0),
        ];
        print_row(&seed.to_string(), name, &v, secs);
        let at = match self.names.iter().position(|&n| n == name) {
            Some(at) => at,
            None => {
                self.names.push(name);
                self.sums.push([0.0; 9]);
                self.names.len() - 1
            }
        };
        self.sums[at]
            .iter_mut()
            .zip(v)
            .for_each(|(s, x)| *s += x / 3.0);
    }

    /// The mean of metric `m` (0 R², 1 L0, 3-5 max|r| X, A, B, 7 bit error %, 8 training
    /// seconds) of `model`.
    fn mean(&self, model: &str, m: usize) -> f64 {
        let at = self.names.iter().position(|&n| n == model);
        at.map_or(f64::NAN, |at| self.sums[at][m])
    }

    /// Prints the spec's §6 targets with the measured means.
    fn check(&self) {
        let (r2, l0, x, a, b, bits) = (0, 1, 3, 4, 5, 7);
        let delta = |f: &str, q: &str| {
            [x, a, b]
                .iter()
                .map(|&m| (self.mean(f, m) - self.mean(q, m)).abs())
                .fold(0.0, f64::max)
        };
        // (what, measured, target, whether larger is better)
        let targets = [
            ("TopK f32 R²", self.mean("TopK f32", r2), 0.998, true),
            ("TopK f32 L0", self.mean("TopK f32", l0), 4.0, false),
            ("TopK f32 max|r| X", self.mean("TopK f32", x), 0.90, true),
            ("TopK f32 max|r| A", self.mean("TopK f32", a), 0.74, true),
            ("TopK f32 max|r| B", self.mean("TopK f32", b), 0.62, true),
            (
                "TopK training, s per seed",
                self.mean("TopK f32", 8),
                10.0,
                false,
            ),
            ("L1 f32 R²", self.mean("L1 f32", r2), 0.998, true),
            ("L1 f32 L0", self.mean("L1 f32", l0), 3.0, false),
            ("L1 f32 max|r| X", self.mean("L1 f32", x), 0.90, true),
            ("TopK int8 R²", self.mean("TopK int8", r2), 0.998, true),
            (
                "TopK int8 |Δ max|r|| (worst group)",
                delta("TopK f32", "TopK int8"),
                0.02,
                false,
            ),
            ("L1 int8 R²", self.mean("L1 int8", r2), 0.998, true),
            (
                "L1 int8 |Δ max|r|| (worst group)",
                delta("L1 f32", "L1 int8"),
                0.02,
                false,
            ),
            (
                "L1 top-4 cap int8 R²",
                self.mean("L1 top-4 cap int8", r2),
                0.99,
                true,
            ),
            ("bits f32 R²", self.mean("bits f32", r2), 0.995, true),
            (
                "bits f32 bit error %",
                self.mean("bits f32", bits),
                0.5,
                false,
            ),
            ("bits f32 max|r| X", self.mean("bits f32", x), 0.80, true),
            ("bits f32 max|r| A", self.mean("bits f32", a), 0.73, true),
            ("bits f32 max|r| B", self.mean("bits f32", b), 0.69, true),
            ("bits int8 R²", self.mean("bits int8", r2), 0.995, true),
            (
                "bits int8 bit error %",
                self.mean("bits int8", bits),
                0.1,
                false,
            ),
            (
                "bits int8 |Δ max|r|| (worst group)",
                delta("bits f32", "bits int8"),
                0.02,
                false,
            ),
            (
                "bits ternary R²",
                self.mean("bits ternary enc", r2),
                0.93,
                true,
            ),
            (
                "bits ternary bit error %",
                self.mean("bits ternary enc", bits),
                1.0,
                false,
            ),
            (
                "bits binary R²",
                self.mean("bits binary enc", r2),
                0.83,
                true,
            ),
            (
                "bits binary bit error %",
                self.mean("bits binary enc", bits),
                2.0,
                false,
            ),
            (
                "bits binary max|r| X",
                self.mean("bits binary enc", x),
                0.78,
                true,
            ),
        ];
        println!();
        println!("| spec §6 target (mean of seeds 0-2) | measured | target | met |");
        println!("|---|---:|---:|---|");
        for (what, got, target, larger) in targets {
            let met = if larger { got >= target } else { got <= target };
            let cmp = if larger { "≥" } else { "≤" };
            let verdict = if met { "yes" } else { "NO" };
            println!("| {what} | {got:.4} | {cmp} {target} | {verdict} |");
        }
    }

    fn means(&self) {
        for (name, s) in self.names.iter().zip(&self.sums) {
            print_row("mean", name, s, None);
        }
    }
}

fn print_row(seed: &str, name: &str, v: &[f64; 9], secs: Option<f64>) {
    let bit_error = if name.starts_with("bits") {
        format!("{:.3}", v[7])
    } else {
        "–".into()
    };
    println!(
        "| {seed} | {name} | {:.4} | {:.2} | {:.2} | {:.3} | {:.3} | {:.3} | {:.3} | {bit_error} | {} |",
        v[0],
        v[1],
        v[2],
        v[3],
        v[4],
        v[5],
        v[6],
        secs.map(|s| format!("{s:.2} s")).unwrap_or_default()
    );
}

fn main() -> Result<()> {
    let (cells, train_cells) = (12_000, 10_000);
    println!("| seed | model | R² | L0 | dead | max|r| X | A | B | Y | bit err % | SAE training |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let mut table = Table {
        names: Vec::new(),
        sums: Vec::new(),
    };
    let int8 = ExportOptions::default();
    for seed in 0..3u64 {
        let sim = Simulation::new(cells, seed);
        let rep = sim.representation(train_cells, 3000, seed);
        let (train, test) = rep.split_at(train_cells * D);
        let truth = &sim.truth[train_cells..];
        for (names, l1) in [
            (["TopK f32", "TopK int8"], None),
            (["L1 f32", "L1 int8"], Some(0.1)),
        ] {
            let start = Instant::now();
            let options = TrainOptions {
                seed,
                l1,
                ..TrainOptions::default()
            };
            let sae = train_sae(train, D, &options);
            let secs = start.elapsed().as_secs_f64();
            let float = evaluate(&sae, test, truth);
            let quantised = device(&sae, &int8, train, test, &[], truth)?;
            table.row(seed, names[0], &float, Some(secs));
            table.row(seed, names[1], &quantised, None);
            if l1.is_some() {
                // int8 with the threshold τ that restores the float model's L0 on the
                // training rows.
                let rows: Vec<f32> = train.iter().map(|&v| v as f32).collect();
                let threshold = sae.calibrate_threshold(&rows, &int8)?;
                let options = ExportOptions {
                    threshold,
                    ..ExportOptions::default()
                };
                let m = device(&sae, &options, train, test, &[], truth)?;
                table.row(seed, "L1 int8 + τ", &m, None);
                // Deployed with a top-4 cap (spec §3.1).
                let capped = FloatSae {
                    k: 4,
                    ..sae.clone()
                };
                table.row(
                    seed,
                    "L1 top-4 cap f32",
                    &evaluate(&capped, test, truth),
                    None,
                );
                let m = device(&capped, &int8, train, test, &[], truth)?;
                table.row(seed, "L1 top-4 cap int8", &m, None);
            }
        }
        // The 512-bit code of the representation (thresholds fitted on the training cells).
        let floats: Vec<f32> = rep.iter().map(|&v| v as f32).collect();
        let thresholds = ThresholdCode::fit(seed, D, BITS, &floats[..train_cells * D])?;
        let encoder = ThresholdCode::new(seed, D, &thresholds)?;
        let mut code = vec![0u32; cells * BITS / 32];
        for (row, words) in floats.chunks_exact(D).zip(code.chunks_exact_mut(BITS / 32)) {
            encoder.encode(row, words)?;
        }
        let (code_train, code_test) = code.split_at(train_cells * BITS / 32);
        let start = Instant::now();
        // lr 2e-4 for 3,000 steps: over seeds 0-5 the best of the settings tried (mean max|r|
        // X 0.862, A 0.771, B 0.680; lr 3e-4: 0.843 / 0.762 / 0.677; 2,000 steps: 0.849 /
        // 0.765 / 0.677; longer runs reconstruct better and recover less).
        let bit_options = TrainOptions {
            h: 64,
            k: 8,
            steps: 3000,
            lr: 2e-4,
            k_aux: 64,
            seed,
            ..TrainOptions::default()
        };
        let sae = train_sae_bits(code_train, BITS, &bit_options);
        let secs = start.elapsed().as_secs_f64();
        let test_bits = unpack_bits(code_test, BITS);
        table.row(
            seed,
            "bits f32",
            &evaluate(&sae, &test_bits, truth),
            Some(secs),
        );
        // The device engine, given the blob with its code, encodes the test floats itself.
        let blob = AlignedBlob::new(&sae.to_blob_with_code(&ExportOptions::default(), &encoder)?);
        let device_code = Sae::from_bytes(blob.as_bytes())?
            .input_code()
            .copied()
            .ok_or("the blob lost its input code")?;
        let mut words = [0u32; BITS / 32];
        for (row, expected) in floats[train_cells * D..]
            .chunks_exact(D)
            .zip(code_test.chunks_exact(BITS / 32))
        {
            device_code.encode(row, &mut words)?;
            if words[..] != *expected {
                return Err("the device's input code differs from the host's".into());
            }
        }
        for (name, weights) in [
            ("bits int8", Weights::Int8),
            ("bits ternary enc", Weights::Ternary),
            ("bits binary enc", Weights::Binary),
        ] {
            let options = ExportOptions {
                weights,
                ..ExportOptions::default()
            };
            let m = device(&sae, &options, &[], &test_bits, code_test, truth)?;
            table.row(seed, name, &m, None);
        }
        // The same SAE settings on the library's no_std level × id record code (spec §7:
        // re-measure with the library's encoder): 32 levels over each feature's training
        // range, majority of the 4 bound fields.
        let code = record_code(&rep, train, seed)?;
        let (code_train, code_test) = code.split_at(train_cells * BITS / 32);
        let start = Instant::now();
        let sae = train_sae_bits(code_train, BITS, &bit_options);
        let secs = start.elapsed().as_secs_f64();
        let m = evaluate(&sae, &unpack_bits(code_test, BITS), truth);
        table.row(seed, "bits (record code) f32", &m, Some(secs));
    }
    table.means();
    table.check();
    Ok(())
}
