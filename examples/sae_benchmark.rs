//! The SAE benchmark of `../shared/docs/sae.md` §1.3/§5 (float-input TopK SAE, h = 16, k = 4)
//! for seeds 0, 1, 2: simulate 12,000 cells, train the shallow autoencoder whose 4-d latent is
//! the representation (first 10,000 cells), train the SAE on it, and score the held-out 2,000
//! cells: R², L0, dead fraction, and the best |r| of a live latent with each ground-truth
//! variable (means over X, A, B, Y) for the float model and for its int8 export run by the
//! device engine. Targets (spec §6, means over the seeds): R² ≥ 0.998, L0 ≤ 4, X ≥ 0.90,
//! A ≥ 0.74, B ≥ 0.62, training ≤ 10 s.
//!
//! Run: `cargo run --release --example sae_benchmark`

use hyperbits::model::AlignedBlob;
use hyperbits::sae::train::{metrics, train_topk, Metrics, Simulation, TrainOptions};
use hyperbits::sae::{Sae, TopK};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (cells, train_cells, d) = (12_000, 10_000, 4);
    println!("| seed | model | R² | L0 | dead | max|r| X | A | B | Y | SAE training |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let mut sums = [[0.0f64; 7]; 2];
    for seed in 0..3u64 {
        let sim = Simulation::new(cells, seed);
        let rep = sim.representation(train_cells, 3000, seed);
        let (train, test) = rep.split_at(train_cells * d);
        let truth = &sim.truth[train_cells..];
        let start = Instant::now();
        let sae = train_topk(
            train,
            d,
            &TrainOptions {
                seed,
                ..TrainOptions::default()
            },
        );
        let secs = start.elapsed().as_secs_f64();

        let rows: Vec<Vec<f32>> = test
            .chunks_exact(d)
            .map(|r| r.iter().map(|&v| v as f32).collect())
            .collect();
        let codes: Vec<Vec<(usize, f32)>> = rows.iter().map(|r| sae.encode(r)).collect();
        let xhat: Vec<f64> = codes
            .iter()
            .flat_map(|c| sae.decode(c))
            .map(f64::from)
            .collect();
        let float = metrics(test, &xhat, d, &codes, sae.h, truth);

        let calib: Vec<f32> = train.iter().map(|&v| v as f32).collect();
        let blob = AlignedBlob::new(&sae.to_blob(&calib, true)?);
        let device = Sae::from_bytes(blob.as_bytes())?;
        let mut top = TopK::<4>::new();
        let mut out = [0f32; 4];
        let mut icodes = Vec::new();
        let mut ixhat = Vec::new();
        for r in &rows {
            device.encode_dense(r, &mut top)?;
            device.decode(&top, &mut out)?;
            icodes.push(top.iter().map(|(i, v)| (usize::from(i), v)).collect());
            ixhat.extend(out.iter().map(|&v| f64::from(v)));
        }
        let int8 = metrics(test, &ixhat, d, &icodes, sae.h, truth);
        for (which, (m, name)) in [(&float, "f32"), (&int8, "int8")].into_iter().enumerate() {
            row(seed, name, m, if which == 0 { Some(secs) } else { None });
            let v = [
                m.r2, m.l0, m.dead, m.max_r[0], m.max_r[1], m.max_r[2], m.max_r[3],
            ];
            sums[which]
                .iter_mut()
                .zip(v)
                .for_each(|(s, x)| *s += x / 3.0);
        }
    }
    for (name, s) in [("f32", sums[0]), ("int8", sums[1])] {
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
