//! The SAE benchmark of `../shared/docs/sae.md` §1.3/§5 for seeds 0, 1, 2: simulate 12,000
//! cells, train the shallow autoencoder whose 4-d latent is the representation (first 10,000
//! cells), train SAEs on it, and score the held-out 2,000 cells: R², L0, dead fraction, and the
//! best |r| of a live latent with each ground-truth variable (means over X, A, B, Y), for the
//! float model and for its int8 export run by the device engine. Models: TopK (h = 16, k = 4)
//! and the paper's L1 SAE (h = 16, λ = 0.1). Targets (spec §6, means over the seeds): TopK
//! R² ≥ 0.998, L0 ≤ 4, X ≥ 0.90, A ≥ 0.74, B ≥ 0.62, training ≤ 10 s; L1 R² ≥ 0.998, L0 ≤ 3,
//! X ≥ 0.90.
//!
//! Run: `cargo run --release --example sae_benchmark`

use hyperbits::model::AlignedBlob;
use hyperbits::sae::export::FloatSae;
use hyperbits::sae::train::{self, metrics, train_sae, Metrics, Simulation, TrainOptions};
use hyperbits::sae::{Sae, TopK};
use std::time::Instant;

const D: usize = 4;

/// Metrics of the float model and of its int8 export on the test rows.
fn evaluate_both(
    sae: &FloatSae,
    train: &[f64],
    test: &[f64],
    truth: &[[f64; 12]],
) -> Result<[Metrics; 2], Box<dyn std::error::Error>> {
    let rows: Vec<Vec<f32>> = test
        .chunks_exact(D)
        .map(|r| r.iter().map(|&v| v as f32).collect())
        .collect();
    let float = train::evaluate(sae, test, truth);
    let calib: Vec<f32> = train.iter().map(|&v| v as f32).collect();
    let blob = AlignedBlob::new(&sae.to_blob(&calib, true)?);
    let device = Sae::from_bytes(blob.as_bytes())?;
    let mut top = TopK::<16>::new();
    let mut out = [0f32; D];
    let (mut icodes, mut ixhat) = (Vec::new(), Vec::new());
    for r in &rows {
        device.encode_dense(r, &mut top)?;
        device.decode(&top, &mut out)?;
        icodes.push(top.iter().map(|(i, v)| (usize::from(i), v)).collect());
        ixhat.extend(out.iter().map(|&v| f64::from(v)));
    }
    let int8 = metrics(test, &ixhat, D, &icodes, sae.h, truth);
    Ok([float, int8])
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (cells, train_cells) = (12_000, 10_000);
    println!("| seed | model | R² | L0 | dead | max|r| X | A | B | Y | SAE training |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let names = ["TopK f32", "TopK int8", "L1 f32", "L1 int8"];
    let mut sums = [[0.0f64; 7]; 4];
    for seed in 0..3u64 {
        let sim = Simulation::new(cells, seed);
        let rep = sim.representation(train_cells, 3000, seed);
        let (train, test) = rep.split_at(train_cells * D);
        let truth = &sim.truth[train_cells..];
        for (m, l1) in [(0, None), (2, Some(0.1))] {
            let start = Instant::now();
            let options = TrainOptions {
                seed,
                l1,
                ..TrainOptions::default()
            };
            let sae = train_sae(train, D, &options);
            let secs = start.elapsed().as_secs_f64();
            for (j, metric) in evaluate_both(&sae, train, test, truth)?.iter().enumerate() {
                row(seed, names[m + j], metric, (j == 0).then_some(secs));
                let v = metric.max_r;
                let all = [metric.r2, metric.l0, metric.dead, v[0], v[1], v[2], v[3]];
                sums[m + j]
                    .iter_mut()
                    .zip(all)
                    .for_each(|(s, x)| *s += x / 3.0);
            }
        }
    }
    for (name, s) in names.iter().zip(sums) {
        println!(
            "| mean | {name} | {:.4} | {:.2} | {:.2} | {:.3} | {:.3} | {:.3} | {:.3} | |",
            s[0], s[1], s[2], s[3], s[4], s[5], s[6]
        );
    }
    Ok(())
}

fn row(seed: u64, name: &str, m: &Metrics, secs: Option<f64>) {
    println!(
        "| {seed} | {name} | {:.4} | {:.2} | {:.2} | {:.3} | {:.3} | {:.3} | {:.3} | {} |",
        m.r2,
        m.l0,
        m.dead,
        m.max_r[0],
        m.max_r[1],
        m.max_r[2],
        m.max_r[3],
        secs.map(|s| format!("{s:.2} s")).unwrap_or_default()
    );
}
