use hyperbits::encode::ThresholdCode;
use hyperbits::sae::train::*;
fn main() {
    let e = |k: &str, d: f64| {
        std::env::var(k)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(d)
    };
    let (steps, seeds, lr) = (
        e("STEPS", 3000.0) as usize,
        e("SEEDS", 6.0) as u64,
        e("LR", 3e-4),
    );
    let mut sum = [0.0; 6];
    for seed in 0..seeds {
        let sim = Simulation::new(12000, seed);
        let rep = sim.representation(10000, 3000, seed);
        let rows: Vec<f32> = rep.iter().map(|&v| v as f32).collect();
        let t = ThresholdCode::fit(seed, 4, 512, &rows[..40000]).unwrap();
        let tc = ThresholdCode::new(seed, 4, &t).unwrap();
        let code: Vec<u32> = rows
            .chunks(4)
            .flat_map(|r| {
                let mut w = [0u32; 16];
                tc.encode(r, &mut w).unwrap();
                w
            })
            .collect();
        let dens = code.iter().map(|w| w.count_ones()).sum::<u32>() as f64 / (12000.0 * 512.0);
        let (ctr, cte) = code.split_at(10000 * 16);
        let o = TrainOptions {
            h: 64,
            k: 8,
            steps,
            lr,
            k_aux: 64,
            seed,
            ..Default::default()
        };
        let m = evaluate(
            &train_sae_bits(ctr, 512, &o),
            &unpack_bits(cte, 512),
            &sim.truth[10000..],
        );
        println!(
            "seed {seed} dens {dens:.3}: R2 {:.4} L0 {:.2} X {:.3} A {:.3} B {:.3} be {:.4}",
            m.r2, m.l0, m.max_r[0], m.max_r[1], m.max_r[2], m.bit_error
        );
        for (s, v) in
            sum.iter_mut()
                .zip([m.r2, m.l0, m.max_r[0], m.max_r[1], m.max_r[2], m.bit_error])
        {
            *s += v / seeds as f64;
        }
    }
    println!(
        "mean: R2 {:.4} L0 {:.2} X {:.3} A {:.3} B {:.3} be {:.4}",
        sum[0], sum[1], sum[2], sum[3], sum[4], sum[5]
    );
}
