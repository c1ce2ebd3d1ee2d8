//! The planner's dimensions deliver the error they promise: for each VSA, build the planned
//! sketch with fixed seeds, and measure false positives and negatives per membership query.

use hyperbits::hopfield::SetMemory;
use hyperbits::plan::{plan_membership, Model, Scope, Vsa};
use hyperbits::sketch::{Bloom, MapBSet, MapISet, Segmented};
use hyperbits::Codebook;

const DQ: f64 = 0.01;

/// Measured error rate within this factor of the target (Monte-Carlo slack: with ≥ 20,000
/// queries at 1 %, 1.25× is more than 3 standard deviations).
const SLACK: f64 = 1.25;

fn plan(vsa: Vsa, n: u32) -> hyperbits::plan::Plan {
    plan_membership(vsa, n, DQ, Scope::PerQuery, Model::Typical).unwrap()
}

#[test]
fn bloom_and_segmented_meet_the_planned_error() {
    for n in [16u32, 64, 256] {
        let p = plan(Vsa::SparseOr, n);
        let (mut fp, mut queries) = (0usize, 0usize);
        for seed in 0..10u64 {
            let mut b = Bloom::new(vec![0u32; p.dim.div_ceil(32) as usize], p.k, seed).unwrap();
            for k in 0..u64::from(n) {
                b.insert(k);
            }
            assert!((0..u64::from(n)).all(|k| b.contains(k)));
            fp += (1_000_000..1_002_000u64).filter(|&k| b.contains(k)).count();
            queries += 2_000;
        }
        let rate = fp as f64 / queries as f64;
        assert!(rate <= DQ * SLACK, "Bloom n={n}: {rate} at D={}", p.dim);

        let s = plan(Vsa::Segmented, n);
        let (mut fp, mut queries) = (0usize, 0usize);
        for seed in 0..10u64 {
            let words = vec![0u32; (s.k * s.block_len).div_ceil(32) as usize];
            let mut g = Segmented::new(words, s.k, s.block_len, seed).unwrap();
            for k in 0..u64::from(n) {
                g.insert(k);
            }
            assert!((0..u64::from(n)).all(|k| g.contains(k)));
            fp += (1_000_000..1_002_000u64).filter(|&k| g.contains(k)).count();
            queries += 2_000;
        }
        let rate = fp as f64 / queries as f64;
        assert!(rate <= DQ * SLACK, "Segmented n={n}: {rate}");
    }
}

/// MAP-I and MAP-B need the dimension at compile time: n = 16 plans to 347 and 561 bits, so
/// the sets use 352 (11 words) and 576 (18 words).
#[test]
fn dense_sets_meet_the_planned_error() {
    assert!(plan(Vsa::MapI, 16).dim <= 352 && plan(Vsa::MapI, 16).dim > 320);
    assert!(plan(Vsa::MapB, 16).dim <= 576 && plan(Vsa::MapB, 16).dim > 544);
    // False positives and false negatives measured separately over many seeds; the
    // per-query error is the worse of the two rates.
    let (mut fp, mut fneg, mut absent, mut present) = ([0usize; 2], [0usize; 2], 0usize, 0usize);
    for seed in 0..400u64 {
        let keys: Vec<u32> = (0..16).collect();
        let mut x = MapISet::<11, i8>::new(seed);
        keys.iter().for_each(|&k| x.insert(k));
        let b = MapBSet::<18>::from_keys(seed, &keys).unwrap();
        fp[0] += (1000..1100).filter(|&k| x.contains(k)).count();
        fp[1] += (1000..1100).filter(|&k| b.contains(k)).count();
        fneg[0] += keys.iter().filter(|&&k| !x.contains(k)).count();
        fneg[1] += keys.iter().filter(|&&k| !b.contains(k)).count();
        absent += 100;
        present += 16;
    }
    for (i, name) in ["MAP-I", "MAP-B"].iter().enumerate() {
        let (fpr, fnr) = (
            fp[i] as f64 / absent as f64,
            fneg[i] as f64 / present as f64,
        );
        assert!(fpr.max(fnr) <= DQ * SLACK, "{name}: FP {fpr}, FN {fnr}");
    }
}

#[test]
fn hopfield_energy_test_meets_the_planned_error() {
    let p = plan(Vsa::HopfieldEnergy, 8);
    assert!(p.dim <= 32);
    let (mut fp, mut queries) = (0usize, 0usize);
    for seed in 0..50u64 {
        let mut m = SetMemory::<1, 8>::new(Codebook::new(seed));
        for k in 0..8 {
            m.insert(k).unwrap();
        }
        assert!((0..8).all(|k| m.contains(k)));
        fp += (100..600).filter(|&k| m.contains(k)).count();
        queries += 500;
    }
    let rate = fp as f64 / queries as f64;
    assert!(rate <= DQ * SLACK, "Hopfield: {rate}");
}
