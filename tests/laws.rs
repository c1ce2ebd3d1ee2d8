//! Algebraic laws (property tests) and statistical properties (fixed seeds, stated tolerances).

use hyperbits::encode::{Level, Projection};
use hyperbits::{words, Accumulator, BinaryVector, Codebook, IntegerVector};
use proptest::prelude::*;

const W: usize = 10; // 320 bits: not a multiple of the 16-word block, so tails are exercised
type V = BinaryVector<W>;

fn vector() -> impl Strategy<Value = V> {
    prop::array::uniform10(any::<u32>()).prop_map(V::from_words)
}

fn naive_hamming(a: &V, b: &V) -> u32 {
    (0..V::DIM)
        .filter(|&j| a.bit(j).unwrap() != b.bit(j).unwrap())
        .count() as u32
}

proptest! {
    #[test]
    fn bind_is_its_own_inverse(a in vector(), b in vector()) {
        prop_assert_eq!(a.bind(&b).unbind(&b), a);
        prop_assert_eq!(a.bind(&b), b.bind(&a));
    }

    #[test]
    fn bind_preserves_hamming_distance(a in vector(), b in vector(), c in vector()) {
        prop_assert_eq!(a.bind(&c).hamming(&b.bind(&c)), a.hamming(&b));
    }

    #[test]
    fn permute_preserves_distance_and_inverts(a in vector(), b in vector(), s in 0usize..2000, t in 0usize..2000) {
        prop_assert_eq!(a.permute(s).hamming(&b.permute(s)), a.hamming(&b));
        prop_assert_eq!(a.permute(s).inverse_permute(s), a);
        prop_assert_eq!(a.inverse_permute(s).permute(s), a);
        prop_assert_eq!(a.permute(s).permute(t), a.permute(s + t));
        prop_assert_eq!(a.permute(V::DIM), a);
        // Permutation distributes over binding.
        prop_assert_eq!(a.bind(&b).permute(s), a.permute(s).bind(&b.permute(s)));
    }

    #[test]
    fn hamming_is_a_metric_and_matches_bit_counting(a in vector(), b in vector(), c in vector()) {
        prop_assert_eq!(a.hamming(&b), naive_hamming(&a, &b));
        prop_assert_eq!(a.hamming(&b), b.hamming(&a));
        prop_assert!(a.hamming(&c) <= a.hamming(&b) + b.hamming(&c));
        prop_assert_eq!(a.hamming(&a.complement()), V::DIM as u32);
        prop_assert_eq!(a.count_ones() + a.complement().count_ones(), V::DIM as u32);
    }

    #[test]
    fn bundle_is_majority_and_accumulator_agrees(vs in prop::collection::vec(vector(), 1..12), tie in any::<u64>()) {
        let refs: Vec<&V> = vs.iter().collect();
        let b = V::bundle(&refs, tie).unwrap();
        let tie_v: V = Codebook::new(tie).vector(hyperbits::TIE_INDEX);
        for j in 0..V::DIM {
            let ones = vs.iter().filter(|v| v.bit(j).unwrap()).count();
            let want = if 2 * ones == vs.len() { tie_v.bit(j).unwrap() } else { 2 * ones > vs.len() };
            prop_assert_eq!(b.bit(j).unwrap(), want);
        }
        let mut acc = Accumulator::<W>::new();
        for v in &vs { acc.add(v); }
        prop_assert_eq!(acc.to_binary(tie), b);
        // Bundling is order-independent.
        let rev: Vec<&V> = vs.iter().rev().collect();
        prop_assert_eq!(V::bundle(&rev, tie).unwrap(), b);
    }

    #[test]
    fn weighted_bundle_equals_repetition(vs in prop::collection::vec((vector(), 0u32..4), 1..6), tie in any::<u64>()) {
        prop_assume!(vs.iter().any(|(_, w)| *w > 0));
        let weighted: Vec<(&V, u32)> = vs.iter().map(|(v, w)| (v, *w)).collect();
        let repeated: Vec<&V> = vs.iter().flat_map(|(v, w)| std::iter::repeat_n(v, *w as usize)).collect();
        prop_assert_eq!(V::bundle_weighted(&weighted, tie).unwrap(), V::bundle(&repeated, tie).unwrap());
    }

    #[test]
    fn map_i_bind_of_bipolar_is_xor(a in vector(), b in vector()) {
        let (ia, ib) = (IntegerVector::<i8, W>::from_binary(&a), IntegerVector::<i8, W>::from_binary(&b));
        prop_assert_eq!(ia.bind(&ib).to_binary(0), a.bind(&b));
        prop_assert_eq!(ia.dot(&ib), V::DIM as i64 - 2 * i64::from(a.hamming(&b)));
        prop_assert_eq!(ia.bind(&ib).bind(&ib), ia);
    }
}

// --- Statistics at D = 8192 with fixed seeds -------------------------------------------------
// A normalised distance between independent vectors has standard deviation
// sqrt(0.25 / 8192) = 0.0055; the tolerances below are at least 3.5 standard deviations of
// the averaged quantity, so a correct implementation fails with probability well under 1e-3
// (and, the seeds being fixed, deterministically passes or fails).

const WB: usize = words(8192);
type Big = BinaryVector<WB>;

#[test]
fn random_vectors_are_nearly_orthogonal_and_balanced() {
    let book = Codebook::new(2025);
    let vs: Vec<Big> = (0..20).map(|i| book.vector(i)).collect();
    for (i, a) in vs.iter().enumerate() {
        assert!((a.density() - 0.5).abs() < 0.02, "density {}", a.density());
        for b in &vs[i + 1..] {
            let d = 1.0 - a.similarity(b);
            assert!((d - 0.5).abs() < 0.02, "distance {d}");
        }
    }
}

/// Probability that one member decides a majority of n (capacity spec, §2.3): the expected
/// normalised distance from the bundle to a member is (1 − p_n)/2.
fn p_n(n: usize) -> f64 {
    let odd = if n.is_multiple_of(2) { n + 1 } else { n };
    let mut p = 1.0;
    let mut k = 1;
    while k < odd {
        p *= k as f64 / (k + 1) as f64;
        k += 2;
    }
    p
}

#[test]
fn bundles_stay_closer_to_members_by_the_expected_margin() {
    assert!((p_n(3) - 0.5).abs() < 1e-12 && (p_n(8) - 0.27344).abs() < 1e-5);
    for (k, seed) in [
        (3usize, 1u64),
        (4, 2),
        (5, 3),
        (7, 4),
        (9, 5),
        (16, 6),
        (31, 7),
    ] {
        let book = Codebook::new(seed);
        let mut total = 0.0;
        let mut trials = 0;
        for t in 0..8u32 {
            let vs: Vec<Big> = (0..k as u32).map(|i| book.vector(t * 100 + i)).collect();
            let refs: Vec<&Big> = vs.iter().collect();
            let b = Big::bundle(&refs, u64::from(t)).unwrap();
            for v in &vs {
                total += 1.0 - f64::from(b.similarity(v));
                trials += 1;
            }
            // A non-member is at chance.
            let outsider: Big = book.vector(t * 100 + 99);
            assert!((1.0 - b.similarity(&outsider) - 0.5).abs() < 0.025);
        }
        let mean = total / f64::from(trials);
        let expected = (1.0 - p_n(k)) / 2.0;
        // The mean over 8·k member distances: tolerance 0.01 (k = 3: expected 0.25).
        assert!(
            (mean - expected).abs() < 0.01,
            "k={k}: mean {mean:.4}, expected {expected:.4}"
        );
    }
}

#[test]
fn level_and_projection_encoders_keep_neighbourhoods() {
    let level = Level::new(77, 32).unwrap();
    let v: Vec<Big> = (0..32).map(|i| level.vector(i).unwrap()).collect();
    for i in 0..31 {
        let step = 1.0 - v[i].similarity(&v[i + 1]);
        assert!((step - 0.5 / 31.0).abs() < 0.01, "step {i}: {step}");
    }
    assert!((1.0 - v[0].similarity(&v[31]) - 0.5).abs() < 0.02);
    // Projection: with many features, distance ≈ angle / π. Build y at 60 degrees from x out
    // of x and a component z orthogonal to it (64 features, deterministic values).
    let p = Projection::new(78);
    let mut state = 12345u32;
    let mut next = || {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5
    };
    let x: Vec<f32> = (0..64).map(|_| next()).collect();
    let mut z: Vec<f32> = (0..64).map(|_| next()).collect();
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(p, q)| p * q).sum::<f32>();
    let c = dot(&z, &x) / dot(&x, &x);
    z.iter_mut().zip(&x).for_each(|(zi, xi)| *zi -= c * xi);
    let (nx, nz) = (dot(&x, &x).sqrt(), dot(&z, &z).sqrt());
    let y: Vec<f32> = x
        .iter()
        .zip(&z)
        .map(|(xi, zi)| 0.5 * xi / nx + 0.866_025_4 * zi / nz)
        .collect();
    let (a, b): (Big, Big) = (p.encode(&x).unwrap(), p.encode(&y).unwrap());
    let d = 1.0 - a.similarity(&b);
    assert!((d - 1.0 / 3.0).abs() < 0.02, "distance {d}");
}
