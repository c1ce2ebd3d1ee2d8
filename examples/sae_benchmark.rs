//! The SAE benchmark of `../shared/docs/sae.md` §1.3/§5 for seeds 0, 1, 2: simulate 12,000
//! cells, train the shallow autoencoder whose 4-d latent is the representation (first 10,000
//! cells), train SAEs on it, and score the held-out 2,000 cells: R², L0, dead fraction, the
//! best |r| of a live latent with each ground-truth variable (means over X, A, B, Y) and the
//! bit error, for the float model and for its exports run by the device engine.
//!
//! Models: TopK (h = 16, k = 4) and the paper's L1 SAE (h = 16, λ = 0.1) on the float
//! representation (float, int8; the L1 model also int8 with the activation threshold τ from
//! [`FloatSae::calibrate_threshold`]); a TopK SAE (h = 64, k = 8) on a 512-bit code of it (random
//! projections with thresholds drawn from the data, [`threshold_code`]) as float, int8,
//! ternary and binary encoders (int8 decoder). Targets (spec §6, means over the seeds): TopK
//! R² ≥ 0.998, L0 ≤ 4, X ≥ 0.90, A ≥ 0.74, B ≥ 0.62, training ≤ 10 s; L1 R² ≥ 0.998, L0 ≤ 3,
//! X ≥ 0.90; bits R² ≥ 0.995, bit error ≤ 0.5 %, X ≥ 0.80, A ≥ 0.73, B ≥ 0.69; int8 R² ≥ 0.995,
//! bit error ≤ 0.1 %; ternary R² ≥ 0.93, bit error ≤ 1 %; binary R² ≥ 0.83, bit error ≤ 2 %,
//! X ≥ 0.78.
//!
//! Run: `cargo run --release --example sae_benchmark`

use hyperbits::model::AlignedBlob;
use hyperbits::sae::export::{ExportOptions, FloatSae};
use hyperbits::sae::train::{
    evaluate, metrics, threshold_code, train_sae, train_sae_bits, unpack_bits, Metrics, Simulation,
    TrainOptions,
};
use hyperbits::sae::{Input, Sae, TopK, Weights};
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
            Input::Dense => {
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

/// Per-model sums of the printed metrics, for the means.
struct Table {
    names: Vec<&'static str>,
    sums: Vec<[f64; 8]>,
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
        ];
        print_row(&seed.to_string(), name, &v, secs);
        let at = match self.names.iter().position(|&n| n == name) {
            Some(at) => at,
            None => {
                self.names.push(name);
                self.sums.push([0.0; 8]);
                self.names.len() - 1
            }
        };
        self.sums[at]
            .iter_mut()
            .zip(v)
            .for_each(|(s, x)| *s += x / 3.0);
    }

    fn means(&self) {
        for (name, s) in self.names.iter().zip(&self.sums) {
            print_row("mean", name, s, None);
        }
    }
}

fn print_row(seed: &str, name: &str, v: &[f64; 8], secs: Option<f64>) {
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
            }
        }
        // The 512-bit code of the representation (thresholds fitted on the training cells).
        let code = threshold_code(&rep, train, D, BITS, seed);
        let (code_train, code_test) = code.split_at(train_cells * BITS / 32);
        let start = Instant::now();
        let options = TrainOptions {
            h: 64,
            k: 8,
            steps: 2000,
            k_aux: 64,
            seed,
            ..TrainOptions::default()
        };
        let sae = train_sae_bits(code_train, BITS, &options);
        let secs = start.elapsed().as_secs_f64();
        let test_bits = unpack_bits(code_test, BITS);
        table.row(
            seed,
            "bits f32",
            &evaluate(&sae, &test_bits, truth),
            Some(secs),
        );
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
    }
    table.means();
    Ok(())
}
