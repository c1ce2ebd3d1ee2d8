//! Hopfield capacity evidence at N = 1024 (run with `cargo test --release --test hopfield --
//! --include-ignored`; CI does). Cues have 10 % or 20 % of their bits flipped; patterns,
//! cues and noise are seeded.

use hyperbits::hopfield::{Hopfield, Interaction, Update};
use hyperbits::{BinaryVector, Codebook};

const W: usize = 32; // N = 1024

/// `v` with exactly `flips` distinct bits flipped (positions from a seeded shuffle).
fn noisy(v: &BinaryVector<W>, flips: usize, seed: u64) -> BinaryVector<W> {
    let mut idx: Vec<usize> = (0..1024).collect();
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for i in (1..idx.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        idx.swap(i, (x % (i as u64 + 1)) as usize);
    }
    let mut out = *v;
    for &i in &idx[..flips] {
        let b = out.bit(i).unwrap();
        out.set_bit(i, !b).unwrap();
    }
    out
}

fn memory<const P: usize>(seed: u64, count: u32) -> Hopfield<W, P> {
    let book = Codebook::new(seed);
    let mut m = Hopfield::new();
    for i in 0..count {
        m.store(book.vector(i)).unwrap();
    }
    m
}

#[test]
#[ignore = "heavy: run in release"]
fn classic_recalls_at_load_0_10_within_2_percent() {
    // Three independent memories, 1,000 cues per noise level and update rule.
    let cases = [
        (0.10, Update::Synchronous),
        (0.20, Update::Synchronous),
        (0.10, Update::Asynchronous { seed: 5 }),
    ];
    for (noise, update) in cases {
        let (mut ok, mut exact, mut trials) = (0, 0, 0);
        for seed in 1..=3u64 {
            let m = memory::<102>(seed, 102);
            for t in 0..1000 {
                let target = m.patterns()[t % 102];
                let cue = noisy(&target, (1024.0 * noise) as usize, seed * 10_000 + t as u64);
                let r = m.recall(&cue, update, 50);
                let wrong = r.state.hamming(&target);
                ok += usize::from(wrong <= 20);
                exact += usize::from(wrong == 0);
                trials += 1;
            }
        }
        let rate = ok as f64 / trials as f64;
        println!("classic, P/N = 0.10, noise {noise}, {update:?}: {ok}/{trials} within 2 %, {exact} exact");
        assert!(rate >= 0.99, "noise {noise}: {rate}");
    }
}

#[test]
#[ignore = "heavy: run in release"]
fn dense_recalls_exactly_at_p_equals_n() {
    let m = memory::<1024>(2, 1024);
    for interaction in [
        Interaction::Polynomial { degree: 3 },
        Interaction::Exponential { halving: 8 },
    ] {
        let trials = 100;
        let mut exact = 0;
        for t in 0..trials {
            let target = m.patterns()[(t * 37) % 1024];
            let cue = noisy(&target, 102, t as u64 + 100);
            if m.dense_recall(&cue, interaction, 5).unwrap().state == target {
                exact += 1;
            }
        }
        println!("dense {interaction:?}, P = N = 1024, 10 % noise: {exact}/{trials} exact");
        assert!(
            exact * 100 >= 99 * trials,
            "{interaction:?}: {exact}/{trials}"
        );
    }
}
