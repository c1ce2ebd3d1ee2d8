//! The dimension planner: how large a VSA must be for a membership or intersection task at a
//! target error, for every VSA of the library, and which is cheapest.
//!
//! Implements §3.2 and §6 of the capacity spec (`docs/capacity.md`, after Clarkson,
//! Ubaru & Yang, *Capacity Analysis of Vector Symbolic Architectures*, 2023). The "typical"
//! model uses the Gaussian approximations (MAP-I, MAP-B), the exact false-positive formulas
//! (Bloom, segmented) and the χ² model with the Wilson–Hilferty approximation (Hopfield
//! energy test); the spec measured them within 5-8 % of the smallest sufficient dimension.
//! The "rigorous" model gives sufficient bounds (MAP-I: Hoeffding, `8 n ln(1/δ_q)`; MAP-B: the
//! constant from the paper's Theorem 16 proof, `56 n ln(2/δ_q)`, which over-provisions 6-8×).
//!
//! Everything runs without `std` in `f64` through `libm`; thresholds come out as integers, as a
//! device needs them. The planner reproduces the spec's Table P (tests).
#![forbid(unsafe_code)]

use crate::error::Error;

/// The VSAs the planner knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Vsa {
    /// Integer bundle of ±1 atoms (`i8` counters; `i16` beyond 127 items).
    MapI,
    /// Sign of the MAP-I bundle: 1 bit per coordinate.
    MapB,
    /// Sparse atoms of k bits bundled by OR: a Bloom filter.
    SparseOr,
    /// One active bit in each of B blocks of length L, bundled by OR.
    Segmented,
    /// Hebbian Hopfield set memory, energy test (D_h² weights).
    HopfieldEnergy,
    /// Sparse block codes ([`crate::block`]) of [`SPARSE_BLOCK_LEN`] positions a block,
    /// bundled by the blockwise argmax; a member matches the bundle in more blocks than a
    /// threshold. Stored as one byte a block.
    SparseBlock,
}

impl Vsa {
    /// Every VSA, in table order.
    pub const ALL: [Vsa; 6] = [
        Vsa::MapI,
        Vsa::MapB,
        Vsa::SparseOr,
        Vsa::Segmented,
        Vsa::HopfieldEnergy,
        Vsa::SparseBlock,
    ];

    /// Whether [`plan_intersection`] plans this VSA (all but the sparse block codes, whose
    /// argmax bundles have no intersection estimate here).
    pub fn plans_intersection(&self) -> bool {
        *self != Vsa::SparseBlock
    }

    /// A short name.
    pub fn name(&self) -> &'static str {
        match self {
            Vsa::MapI => "MAP-I",
            Vsa::MapB => "MAP-B",
            Vsa::SparseOr => "Bloom (SB-OR)",
            Vsa::Segmented => "segmented (SB-SEG)",
            Vsa::HopfieldEnergy => "Hopfield energy",
            Vsa::SparseBlock => "sparse block code",
        }
    }
}

/// Which error model to plan with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Model {
    /// Gaussian / exact formulas: close to the smallest dimension that works.
    Typical,
    /// Sufficient bounds (MAP-I Hoeffding, MAP-B the paper's constant; the others as typical).
    Rigorous,
}

/// Over what the error target holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Scope {
    /// δ is the error probability of one membership answer.
    PerQuery,
    /// δ bounds the probability that any of the answers for an alphabet of this many symbols
    /// is wrong (δ_q = δ/M per answer, union bound).
    AllOf {
        /// The alphabet size M.
        alphabet: u32,
    },
}

/// The integer acceptance test a device applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Threshold {
    /// Accept when `2·⟨s_j, b⟩ ≥ value` (MAP-I; value = D, i.e. the midpoint `D/2`).
    TwiceScoreAtLeast(u32),
    /// Accept when `hamming(β, s_j) ≤ value` (MAP-B).
    HammingAtMost(u32),
    /// Accept when every active bit of the atom is set (Bloom, segmented).
    AllBitsSet,
    /// Accept when the energy `s_jᵀ W s_j ≥ value` (Hopfield, `(D_h² − D_h)/2`).
    EnergyAtLeast(u64),
    /// Accept when the code matches the bundle in at least `value` blocks (sparse block codes,
    /// [`crate::block::BlockVector::matches`]).
    MatchesAtLeast(u32),
}

/// A planned VSA for a task.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Plan {
    /// The VSA.
    pub vsa: Vsa,
    /// Its dimension D (for Hopfield: the neuron count D_h).
    pub dim: u32,
    /// Bloom: hash functions k. Segmented and sparse block codes: blocks B. Otherwise 0.
    pub k: u32,
    /// Segmented and sparse block codes: block length L. Otherwise 0.
    pub block_len: u32,
    /// The acceptance test (membership plans).
    pub threshold: Threshold,
    /// Predicted false-positive rate of one answer (membership plans).
    pub fp: f64,
    /// Predicted false-negative rate of one answer (membership plans).
    pub fn_: f64,
    /// Bytes of storage on the device.
    pub bytes: u32,
}

/// Standard normal upper tail `Q(t) = P(N(0,1) > t)`.
pub fn gaussian_tail(t: f64) -> f64 {
    0.5 * libm::erfc(t / core::f64::consts::SQRT_2)
}

/// `z(p)`: the `t` with `Q(t) = p`, for `0 < p < 1` (bisection on `erfc`, 100 steps).
pub fn gaussian_quantile(p: f64) -> f64 {
    let (mut lo, mut hi) = (-40.0f64, 40.0f64);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if gaussian_tail(mid) > p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// `p_n`: the probability that one member decides the sign of a MAP-B bundle of n
/// (`p_1 = 1`, `p_{n+2} = p_n·n/(n+1)` for odd n, `p_n = p_{n+1}` for even n).
pub fn p_n(n: u32) -> f64 {
    let odd = if n.is_multiple_of(2) { n + 1 } else { n };
    let mut p = 1.0;
    let mut k = 1;
    while k < odd {
        p *= f64::from(k) / f64::from(k + 1);
        k += 2;
    }
    p
}

/// Bloom false-positive rate `(1 − (1 − 1/D)^{kn})^k`.
pub fn bloom_fp(dim: u32, k: u32, n: u32) -> f64 {
    let miss = libm::pow(1.0 - 1.0 / f64::from(dim), f64::from(k) * f64::from(n));
    libm::pow(1.0 - miss, f64::from(k))
}

/// The Bloom hash count for D bits and n items: `round(D ln 2 / n)`, at least 1.
pub fn bloom_k(dim: u32, n: u32) -> u32 {
    (libm::round(f64::from(dim) * core::f64::consts::LN_2 / f64::from(n)) as u32).max(1)
}

/// `P(χ²_n ≥ x)` by the Wilson–Hilferty approximation.
pub fn chi2_tail(n: u32, x: f64) -> f64 {
    let k = f64::from(n);
    let v = 2.0 / (9.0 * k);
    gaussian_tail((libm::cbrt(x / k) - (1.0 - v)) / libm::sqrt(v))
}

/// Hopfield energy-test false-positive rate for D_h neurons and n items (χ² model).
fn hopfield_fp(dh: u32, n: u32) -> f64 {
    chi2_tail(n, f64::from(n) + (f64::from(dh) - 1.0) / 2.0)
}

/// Hopfield energy-test false-negative rate (Gaussian model of the overlaps).
fn hopfield_fn(dh: u32, n: u32) -> f64 {
    if n <= 1 {
        return 0.0;
    }
    gaussian_tail((f64::from(dh) - 1.0) / (2.0 * libm::sqrt(2.0 * (f64::from(n) - 1.0))))
}

fn check(n: u32, delta: f64) -> Result<(), Error> {
    if n == 0 {
        return Err(Error::InvalidParameter("items: n must be at least 1"));
    }
    if !(delta > 0.0 && delta < 1.0) {
        return Err(Error::InvalidParameter(
            "error: δ must lie strictly between 0 and 1",
        ));
    }
    Ok(())
}

/// The per-answer error target for a scope.
fn per_query(n: u32, delta: f64, scope: Scope) -> Result<f64, Error> {
    check(n, delta)?;
    match scope {
        Scope::PerQuery => Ok(delta),
        Scope::AllOf { alphabet } => {
            if alphabet < n {
                return Err(Error::InvalidParameter(
                    "alphabet: M must be at least the number of items n",
                ));
            }
            Ok(delta / f64::from(alphabet))
        }
    }
}

/// Smallest `d` in `from..=to` with `ok(d)`, scanning upwards.
fn smallest(from: u32, to: u32, ok: impl Fn(u32) -> bool) -> Option<u32> {
    (from..=to).find(|&d| ok(d))
}

const MAX_DIM: u32 = 1 << 30;

/// The smallest `d ≥ from / 2` with `ok(d)` for a predicate that holds from some point on:
/// doubling from `from` up to `limit`, then bisecting. Error: `ok` fails at `limit`.
fn smallest_doubling(from: u32, limit: u32, ok: impl Fn(u32) -> bool) -> Result<u32, Error> {
    let (mut lo, mut hi) = (from / 2, from);
    while !ok(hi) {
        lo = hi;
        hi = hi
            .checked_mul(2)
            .filter(|&h| h <= limit)
            .ok_or(Error::InvalidParameter(
                "the planned dimension exceeds 2^30",
            ))?;
    }
    while lo + 1 < hi {
        let mid = lo + (hi - lo) / 2;
        if ok(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(hi)
}

/// The membership plan of `vsa` for n items at per-answer error `dq`.
fn membership(vsa: Vsa, n: u32, dq: f64, model: Model) -> Result<Plan, Error> {
    let z = gaussian_quantile(dq);
    let big = |d: f64| {
        if d.is_finite() && d <= f64::from(MAX_DIM) {
            Ok(libm::ceil(d) as u32)
        } else {
            Err(Error::InvalidParameter(
                "the planned dimension exceeds 2^30",
            ))
        }
    };
    let counter_bytes = if n <= 127 { 1 } else { 2 };
    let plan =
        match vsa {
            Vsa::MapI => {
                let dim = match model {
                    Model::Typical => big(4.0 * f64::from(n) * z * z)?,
                    Model::Rigorous => big(8.0 * f64::from(n) * libm::log(1.0 / dq))?,
                };
                let (fp, fn_) = predict_membership(vsa, dim, n);
                Plan {
                    vsa,
                    dim,
                    k: 0,
                    block_len: 0,
                    threshold: Threshold::TwiceScoreAtLeast(dim),
                    fp,
                    fn_,
                    bytes: dim.saturating_mul(counter_bytes),
                }
            }
            Vsa::MapB => {
                let p = p_n(n);
                let dim = match model {
                    Model::Typical => big(4.0 * z * z / (p * p))?,
                    Model::Rigorous => big(56.0 * f64::from(n) * libm::log(2.0 / dq))?,
                };
                let (fp, fn_) = predict_membership(vsa, dim, n);
                Plan {
                    vsa,
                    dim,
                    k: 0,
                    block_len: 0,
                    threshold: Threshold::HammingAtMost(mapb_threshold(dim, n)),
                    fp,
                    fn_,
                    bytes: dim.div_ceil(8),
                }
            }
            Vsa::SparseOr => {
                let estimate = big(f64::from(n) * libm::log(1.0 / dq)
                    / (core::f64::consts::LN_2 * core::f64::consts::LN_2))?;
                let limit = estimate.saturating_mul(2).saturating_add(64).min(MAX_DIM);
                let dim = smallest(1, limit, |d| bloom_fp(d, bloom_k(d, n), n) <= dq).ok_or(
                    Error::InvalidParameter("the planned dimension exceeds 2^30"),
                )?;
                let k = bloom_k(dim, n);
                Plan {
                    vsa,
                    dim,
                    k,
                    block_len: 0,
                    threshold: Threshold::AllBitsSet,
                    fp: bloom_fp(dim, k, n),
                    fn_: 0.0,
                    bytes: dim.div_ceil(8),
                }
            }
            Vsa::Segmented => {
                let l = (libm::round(f64::from(n) / core::f64::consts::LN_2) as u32).max(2);
                let fill = 1.0 - libm::pow(1.0 - 1.0 / f64::from(l), f64::from(n));
                let blocks = big(libm::log(dq) / libm::log(fill))?.max(1);
                let dim = blocks.checked_mul(l).filter(|&d| d <= MAX_DIM).ok_or(
                    Error::InvalidParameter("the planned dimension exceeds 2^30"),
                )?;
                Plan {
                    vsa,
                    dim,
                    k: blocks,
                    block_len: l,
                    threshold: Threshold::AllBitsSet,
                    fp: libm::pow(fill, f64::from(blocks)),
                    fn_: 0.0,
                    bytes: dim.div_ceil(8),
                }
            }
            Vsa::HopfieldEnergy => {
                let dh = smallest(2, 1 << 15, |d| hopfield_fp(d, n) <= dq).ok_or(
                    Error::InvalidParameter("the planned dimension exceeds 2^15 neurons"),
                )?;
                let energy = (u64::from(dh) * u64::from(dh) - u64::from(dh)).div_ceil(2);
                Plan {
                    vsa,
                    dim: dh,
                    k: 0,
                    block_len: 0,
                    threshold: Threshold::EnergyAtLeast(energy),
                    fp: hopfield_fp(dh, n),
                    fn_: hopfield_fn(dh, n),
                    bytes: (dh * dh).saturating_mul(counter_bytes),
                }
            }
            Vsa::SparseBlock => {
                let ok = |blocks: u32| {
                    let (_, fp, fn_) = block_threshold(blocks, SPARSE_BLOCK_LEN, n);
                    fp <= dq && fn_ <= dq
                };
                let hi = smallest_doubling(1, MAX_DIM / SPARSE_BLOCK_LEN, ok)?;
                let (t, fp, fn_) = block_threshold(hi, SPARSE_BLOCK_LEN, n);
                Plan {
                    vsa,
                    dim: hi * SPARSE_BLOCK_LEN,
                    k: hi,
                    block_len: SPARSE_BLOCK_LEN,
                    threshold: Threshold::MatchesAtLeast(t),
                    fp,
                    fn_,
                    bytes: hi,
                }
            }
        };
    Ok(plan)
}

/// The block length the planner gives sparse block codes: 256 positions, one byte a block.
/// At a fixed storage of B bytes the longest blocks are best (a non-member matches a block
/// with probability 1/L, a member about 1/n whatever L).
pub const SPARSE_BLOCK_LEN: u32 = 256;

/// The probability that a member of an argmax bundle of `n` random sparse block codes with
/// blocks of `l` positions keeps its position in a block (ties broken uniformly).
///
/// The member's position is held by `k = 1 + Binomial(n − 1, 1/l)` codes; the other
/// `m = n − k` fall uniformly on the other `l − 1` positions. Exact for k = 1 (the member
/// wins, one of n, only if the others are all distinct) and k = 2 (the others hold at most
/// two each; a tie among t + 1 positions held twice is won with probability 1/(t + 1)).
/// For k ≥ 3 the other positions' counts are taken as independent Poisson((n − k)/(l − 1)):
/// with `a` the chance that one has fewer than k and `π` exactly k, the member wins with
/// probability `((a + π)^l − a^l)/(l·π)`. Against simulation: within 2 % (relative) at
/// l = 256 for n from 16 to 1000; up to 8 % high for short blocks holding several codes each
/// (l = 4 to 32, n = 2l to 3l).
pub fn block_member_match(n: u32, l: u32) -> f64 {
    if n <= 1 {
        return 1.0;
    }
    let (lf, others) = (f64::from(l.max(2)), n - 1);
    let bins = l.max(2) - 1;
    let ln_bins = libm::log(f64::from(bins));
    let mut total = 0.0;
    for extra in 0..=others {
        let pmf = libm::exp(
            ln_choose(others, extra)
                + f64::from(extra) * libm::log(1.0 / lf)
                + f64::from(others - extra) * libm::log1p(-1.0 / lf),
        );
        if pmf < 1e-18 {
            continue;
        }
        let k = extra + 1;
        let m = n - k;
        let win = match k {
            // All m others on distinct positions, then a tie of n.
            1 if m <= bins => {
                libm::exp(
                    libm::lgamma(f64::from(bins) + 1.0)
                        - libm::lgamma(f64::from(bins - m) + 1.0)
                        - f64::from(m) * ln_bins,
                ) / f64::from(n)
            }
            1 => 0.0,
            // t positions held twice, m − 2t once, all distinct.
            2 => (0..=m / 2)
                .filter(|&t| t <= bins && m - 2 * t <= bins - t)
                .map(|t| {
                    libm::exp(
                        ln_choose(bins, t)
                            + ln_choose(bins - t, m - 2 * t)
                            + libm::lgamma(f64::from(m) + 1.0)
                            - f64::from(t) * core::f64::consts::LN_2
                            - f64::from(m) * ln_bins,
                    ) / f64::from(t + 1)
                })
                .sum(),
            _ => {
                let rate = f64::from(m) / f64::from(bins);
                // Poisson(rate): P(count < k) and P(count = k).
                let (mut below, mut term) = (0.0, libm::exp(-rate));
                for i in 0..k {
                    below += term;
                    term *= rate / f64::from(i + 1);
                }
                let at = term;
                if at < 1e-300 {
                    libm::pow(below, lf - 1.0)
                } else {
                    (libm::pow(below + at, lf) - libm::pow(below, lf)) / (lf * at)
                }
            }
        };
        total += pmf * win;
    }
    total.min(1.0)
}

/// `ln C(n, k)`.
fn ln_choose(n: u32, k: u32) -> f64 {
    libm::lgamma(f64::from(n) + 1.0)
        - libm::lgamma(f64::from(k) + 1.0)
        - libm::lgamma(f64::from(n - k) + 1.0)
}

/// `P(Binomial(trials, p) ≥ t)`, summed in log space.
fn binomial_at_least(trials: u32, p: f64, t: u32) -> f64 {
    if t == 0 {
        return 1.0;
    }
    if t > trials {
        return 0.0;
    }
    let (lp, lq) = (libm::log(p), libm::log1p(-p));
    let term =
        |i: u32| libm::exp(ln_choose(trials, i) + f64::from(i) * lp + f64::from(trials - i) * lq);
    // Sum the shorter side.
    if f64::from(t) > p * f64::from(trials) {
        (t..=trials).map(term).sum::<f64>().min(1.0)
    } else {
        (1.0 - (0..t).map(term).sum::<f64>()).max(0.0)
    }
}

/// The membership test of a sparse block code bundle of `n` items in `blocks` blocks of `l`:
/// the threshold (matching blocks) that minimises the larger error, and the predicted
/// (false-positive, false-negative) rates there.
pub fn block_threshold(blocks: u32, l: u32, n: u32) -> (u32, f64, f64) {
    let q = block_member_match(n, l);
    let chance = 1.0 / f64::from(l.max(2));
    let mut best = (blocks + 1, 0.0, 1.0);
    // The best threshold lies between the two means.
    let from = libm::floor(chance * f64::from(blocks)) as u32;
    let to = (libm::ceil(q * f64::from(blocks)) as u32 + 1).min(blocks);
    for t in from.max(1)..=to.max(1) {
        let fp = binomial_at_least(blocks, chance, t);
        let fn_ = 1.0 - binomial_at_least(blocks, q, t);
        if fp.max(fn_) < f64::max(best.1, best.2) {
            best = (t, fp, fn_);
        }
    }
    best
}

/// The MAP-B midpoint threshold `⌊D(2 − p_n)/4⌋` (Hamming distance).
pub fn mapb_threshold(dim: u32, n: u32) -> u32 {
    libm::floor(f64::from(dim) * (2.0 - p_n(n)) / 4.0) as u32
}

/// Plans a membership sketch of `vsa` for up to `n` items at error `delta` over `scope`.
/// Errors: n = 0, δ outside (0, 1), an alphabet smaller than n, a dimension beyond 2^30.
///
/// ```
/// use hyperbits::plan::{plan_membership, Model, Scope, Vsa};
/// let p = plan_membership(Vsa::SparseOr, 64, 1e-3, Scope::AllOf { alphabet: 100_000 }, Model::Typical).unwrap();
/// assert!(p.fp <= 1e-3 / 100_000.0);
/// ```
pub fn plan_membership(
    vsa: Vsa,
    n: u32,
    delta: f64,
    scope: Scope,
    model: Model,
) -> Result<Plan, Error> {
    membership(vsa, n, per_query(n, delta, scope)?, model)
}

/// Plans every VSA for the same membership task; the cheapest (fewest bytes) first.
pub fn compare_membership(
    n: u32,
    delta: f64,
    scope: Scope,
    model: Model,
) -> Result<[Plan; 6], Error> {
    let dq = per_query(n, delta, scope)?;
    let mut plans = [
        membership(Vsa::MapI, n, dq, model)?,
        membership(Vsa::MapB, n, dq, model)?,
        membership(Vsa::SparseOr, n, dq, model)?,
        membership(Vsa::Segmented, n, dq, model)?,
        membership(Vsa::HopfieldEnergy, n, dq, model)?,
        membership(Vsa::SparseBlock, n, dq, model)?,
    ];
    plans.sort_unstable_by_key(|p| (p.bytes, p.dim));
    Ok(plans)
}

/// Predicted `(false positive, false negative)` rates of one membership answer for `vsa` at
/// dimension `dim` holding `n` items (typical model; Bloom with `k = round(D ln 2/n)`,
/// segmented with `L = round(n/ln 2)`, Hopfield with `D_h = dim`).
pub fn predict_membership(vsa: Vsa, dim: u32, n: u32) -> (f64, f64) {
    let (d, nf) = (f64::from(dim), f64::from(n.max(1)));
    match vsa {
        Vsa::MapI => (
            gaussian_tail(0.5 * libm::sqrt(d / nf)),
            if n <= 1 {
                0.0
            } else {
                gaussian_tail(0.5 * libm::sqrt(d / (nf - 1.0)))
            },
        ),
        Vsa::MapB => {
            let p = p_n(n.max(1));
            (
                gaussian_tail(p * libm::sqrt(d) / 2.0),
                if p >= 1.0 {
                    0.0
                } else {
                    gaussian_tail(p * libm::sqrt(d) / (2.0 * libm::sqrt(1.0 - p * p)))
                },
            )
        }
        Vsa::SparseOr => (bloom_fp(dim, bloom_k(dim, n.max(1)), n), 0.0),
        Vsa::Segmented => {
            let l = (libm::round(nf / core::f64::consts::LN_2) as u32).max(2);
            let blocks = dim / l;
            let fill = 1.0 - libm::pow(1.0 - 1.0 / f64::from(l), nf);
            (libm::pow(fill, f64::from(blocks)), 0.0)
        }
        Vsa::HopfieldEnergy => (hopfield_fp(dim, n), hopfield_fn(dim, n)),
        Vsa::SparseBlock => {
            let (_, fp, fn_) = block_threshold(dim / SPARSE_BLOCK_LEN, SPARSE_BLOCK_LEN, n.max(1));
            (fp, fn_)
        }
    }
}

/// The most items `vsa` can hold at dimension `dim` with per-answer error at most `dq`
/// (typical model). For Hopfield, `D_h = ⌊√dim⌋` so that `D_h² ≤ dim` weights.
pub fn max_items(vsa: Vsa, dim: u32, dq: f64) -> u32 {
    let ok = |n: u32| match vsa {
        Vsa::HopfieldEnergy => {
            let dh = libm::floor(libm::sqrt(f64::from(dim))) as u32;
            hopfield_fp(dh, n) <= dq
        }
        Vsa::MapI => {
            let z = gaussian_quantile(dq);
            libm::ceil(4.0 * f64::from(n) * z * z) <= f64::from(dim)
        }
        Vsa::MapB => {
            let z = gaussian_quantile(dq);
            let p = p_n(n);
            libm::ceil(4.0 * z * z / (p * p)) <= f64::from(dim)
        }
        Vsa::SparseBlock => {
            let (fp, fn_) = predict_membership(vsa, dim, n);
            fp <= dq && fn_ <= dq
        }
        _ => predict_membership(vsa, dim, n).0 <= dq,
    };
    let mut n = 0;
    while n < dim && ok(n + 1) {
        n += 1;
    }
    n
}

/// Standard deviation of the intersection-size estimate of `vsa` at dimension `dim` for sets
/// of sizes `nx`, `ny` with `c` common items (spec §3.2; Hopfield with `D_h = dim`).
pub fn intersection_sd(vsa: Vsa, dim: u32, nx: u32, ny: u32, c: u32) -> f64 {
    let (d, x, y, c) = (f64::from(dim), f64::from(nx), f64::from(ny), f64::from(c));
    match vsa {
        Vsa::MapI => libm::sqrt((x * y + c * c - 2.0 * c) / d),
        Vsa::MapB => {
            let rho = if x * y > 0.0 {
                c / libm::sqrt(x * y)
            } else {
                0.0
            };
            let r0 = 2.0 / core::f64::consts::PI * libm::asin(rho.min(1.0));
            core::f64::consts::FRAC_PI_2
                * libm::sqrt(x * y)
                * libm::sqrt((1.0 - rho * rho).max(0.0) * (1.0 - r0 * r0) / d)
        }
        Vsa::SparseOr | Vsa::Segmented => {
            let q = if vsa == Vsa::SparseOr {
                let k = bloom_k(dim, nx.max(1));
                libm::pow(1.0 - 1.0 / d, f64::from(k))
            } else {
                1.0 - 1.0 / f64::from((libm::round(x / core::f64::consts::LN_2) as u32).max(2))
            };
            let u = x + y - c;
            let var = (libm::pow(q, -u) + 2.0 * libm::pow(q, -c)
                - libm::pow(q, -x)
                - libm::pow(q, -y)
                - 1.0)
                / (d * libm::log(q) * libm::log(q));
            libm::sqrt(var.max(0.0))
        }
        Vsa::HopfieldEnergy => libm::sqrt(2.0 * (x * y + c * c - 2.0 * c) / (d * (d - 1.0))),
        Vsa::SparseBlock => f64::INFINITY,
    }
}

/// Plans an intersection-size estimate: the smallest dimension at which the estimate of
/// `|X ∩ Y|` for `|X| = nx`, `|Y| = ny` is within `±eps` with probability `1 − delta`, for the
/// worst overlap `c` (typical model: `z(δ/2)·SD ≤ ε`). Errors: empty sets, δ or ε out of range.
pub fn plan_intersection(vsa: Vsa, nx: u32, ny: u32, eps: f64, delta: f64) -> Result<Plan, Error> {
    check(nx.min(ny), delta)?;
    if !vsa.plans_intersection() {
        return Err(Error::InvalidParameter(
            "vsa: no intersection estimate is planned for sparse block codes",
        ));
    }
    if !(eps > 0.0 && eps.is_finite()) {
        return Err(Error::InvalidParameter(
            "error: ε must be a positive number",
        ));
    }
    let z = gaussian_quantile(delta / 2.0);
    let worst = |d: u32| {
        (0..=nx.min(ny))
            .map(|c| intersection_sd(vsa, d, nx, ny, c))
            .fold(0.0, f64::max)
    };
    let ok = |d: u32| z * worst(d) <= eps;
    // Grow geometrically, then bisect (the SD falls with D).
    let dim = smallest_doubling(4, MAX_DIM, ok)?;
    let (k, block_len, bytes) = match vsa {
        Vsa::MapI => (
            0,
            0,
            dim.saturating_mul(if nx.max(ny) <= 127 { 1 } else { 2 }),
        ),
        Vsa::MapB => (0, 0, dim.div_ceil(8)),
        Vsa::SparseOr => (bloom_k(dim, nx), 0, dim.div_ceil(8)),
        Vsa::Segmented => {
            let l = (libm::round(f64::from(nx) / core::f64::consts::LN_2) as u32).max(2);
            (dim.div_ceil(l), l, dim.div_ceil(8))
        }
        Vsa::HopfieldEnergy | Vsa::SparseBlock => (0, 0, dim.saturating_mul(dim)),
    };
    Ok(Plan {
        vsa,
        dim,
        k,
        block_len,
        threshold: Threshold::AllBitsSet,
        fp: 0.0,
        fn_: 0.0,
        bytes,
    })
}

/// Checks that a plan fits a device's memory. Error: it needs more than `budget` bytes.
pub fn fits(plan: &Plan, budget: u32) -> Result<(), Error> {
    if plan.bytes > budget {
        return Err(Error::InvalidParameter(
            "memory: the planned dimension does not fit the target's memory budget",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Table P1 of the capacity spec (§6.4): D for n items at per-query error dq.
    #[test]
    fn reproduces_table_p1() {
        #[rustfmt::skip]
        let rows: [(u32, f64, [u32; 6], u32, u32); 12] = [
            // n, dq, [MAP-I typ, MAP-I rig, MAP-B typ, MAP-B paper, Bloom typ, k], Hopfield Dh, Dh²
            (8, 1e-2, [174, 295, 290, 2374, 78, 7], 26, 676),
            (8, 1e-3, [306, 443, 511, 3406, 116, 10], 38, 1444),
            (8, 1e-6, [724, 885, 1209, 6500, 231, 20], 73, 5329),
            (32, 1e-2, [693, 1179, 1106, 9495, 308, 7], 45, 2025),
            (32, 1e-3, [1223, 1769, 1951, 13621, 461, 10], 63, 3969),
            (32, 1e-6, [2893, 3537, 4615, 26000, 921, 20], 109, 11881),
            (128, 1e-2, [2771, 4716, 4370, 37979, 1229, 7], 82, 6724),
            (128, 1e-3, [4890, 7074, 7711, 54484, 1841, 10], 112, 12544),
            (128, 1e-6, [11569, 14148, 18244, 103999, 3682, 20], 184, 33856),
            (512, 1e-2, [11084, 18863, 17428, 151914, 4913, 7], 156, 24336),
            (512, 1e-3, [19558, 28295, 30751, 217934, 7362, 10], 211, 44521),
            (512, 1e-6, [46275, 56589, 72760, 415993, 14724, 20], 335, 112225),
        ];
        let near = |a: u32, b: u32| a.abs_diff(b) <= 1;
        for (n, dq, [it, ir, bt, bp, bloom, k], dh, dh2) in rows {
            let p = |v, m| membership(v, n, dq, m).unwrap();
            assert!(
                near(p(Vsa::MapI, Model::Typical).dim, it),
                "MAP-I typ n={n} dq={dq}"
            );
            assert!(
                near(p(Vsa::MapI, Model::Rigorous).dim, ir),
                "MAP-I rig n={n} dq={dq}"
            );
            assert!(
                near(p(Vsa::MapB, Model::Typical).dim, bt),
                "MAP-B typ n={n} dq={dq}"
            );
            assert!(
                near(p(Vsa::MapB, Model::Rigorous).dim, bp),
                "MAP-B pap n={n} dq={dq}"
            );
            let b = p(Vsa::SparseOr, Model::Typical);
            assert!(
                near(b.dim, bloom) && b.k == k,
                "Bloom n={n} dq={dq}: {} k={}",
                b.dim,
                b.k
            );
            let h = p(Vsa::HopfieldEnergy, Model::Typical);
            assert!(near(h.dim, dh), "Hopfield n={n} dq={dq}: {}", h.dim);
            assert!(
                (h.dim * h.dim).abs_diff(dh2) <= 2 * dh + 1,
                "Hopfield weights n={n}"
            );
        }
    }

    /// Table P2 (§6.4): the most items at dimension D.
    #[test]
    fn reproduces_table_p2() {
        #[rustfmt::skip]
        let rows: [(u32, f64, [u32; 4]); 18] = [
            (256, 1e-2, [11, 7, 26, 2]), (256, 1e-3, [6, 3, 17, 0]), (256, 1e-6, [2, 0, 8, 0]),
            (512, 1e-2, [23, 15, 53, 5]), (512, 1e-3, [13, 9, 35, 0]), (512, 1e-6, [5, 3, 17, 0]),
            (1024, 1e-2, [47, 29, 106, 14]), (1024, 1e-3, [26, 17, 71, 4]), (1024, 1e-6, [11, 7, 35, 0]),
            (2048, 1e-2, [94, 59, 213, 33]), (2048, 1e-3, [53, 33, 142, 13]), (2048, 1e-6, [22, 13, 71, 0]),
            (4096, 1e-2, [189, 119, 426, 75]), (4096, 1e-3, [107, 67, 284, 34]), (4096, 1e-6, [45, 29, 142, 4]),
            (8192, 1e-2, [378, 241, 853, 159]), (8192, 1e-3, [214, 137, 569, 78]), (8192, 1e-6, [90, 57, 284, 17]),
        ];
        for (d, dq, expect) in rows {
            let got = [Vsa::MapI, Vsa::MapB, Vsa::SparseOr, Vsa::HopfieldEnergy]
                .map(|v| max_items(v, d, dq));
            for (g, e) in got.iter().zip(expect) {
                assert!(g.abs_diff(e) <= 1, "D={d} dq={dq}: {got:?} vs {expect:?}");
            }
        }
    }

    #[test]
    fn numerics_and_bad_inputs() {
        assert!((gaussian_quantile(0.025) - 1.959_964).abs() < 1e-5);
        assert!((gaussian_quantile(1e-6) - 4.753_424).abs() < 1e-5);
        assert!((p_n(8) - 0.273_44).abs() < 1e-5 && (p_n(64) - 0.099_35).abs() < 1e-5);
        let bad = |n, d, s| plan_membership(Vsa::MapI, n, d, s, Model::Typical).unwrap_err();
        assert_eq!(
            bad(0, 0.1, Scope::PerQuery),
            Error::InvalidParameter("items: n must be at least 1")
        );
        assert!(
            matches!(bad(5, 0.0, Scope::PerQuery), Error::InvalidParameter(m) if m.contains("δ"))
        );
        assert!(matches!(
            bad(5, 1.5, Scope::PerQuery),
            Error::InvalidParameter(_)
        ));
        assert!(matches!(
            bad(5, f64::NAN, Scope::PerQuery),
            Error::InvalidParameter(_)
        ));
        assert!(
            matches!(bad(50, 0.1, Scope::AllOf { alphabet: 10 }), Error::InvalidParameter(m) if m.contains("alphabet"))
        );
        let p = plan_membership(
            Vsa::SparseOr,
            64,
            1e-3,
            Scope::AllOf { alphabet: 100_000 },
            Model::Typical,
        )
        .unwrap();
        assert!(fits(&p, 100).is_err() && fits(&p, 1 << 20).is_ok());
        assert!(plan_intersection(Vsa::MapI, 64, 64, 0.0, 0.1).is_err());
        let cheapest =
            compare_membership(64, 1e-3, Scope::AllOf { alphabet: 100_000 }, Model::Typical)
                .unwrap();
        assert!(matches!(cheapest[0].vsa, Vsa::SparseOr | Vsa::Segmented));
    }

    /// Intersection plans against Table C's standard deviations (|X| = |Y| = 64, c = 16).
    #[test]
    fn intersection_sd_matches_table_c() {
        for (vsa, d, sd) in [
            (Vsa::MapI, 256, 4.11),
            (Vsa::MapI, 1024, 2.05),
            (Vsa::MapB, 1024, 3.00),
            (Vsa::SparseOr, 1024, 2.48),
            (Vsa::HopfieldEnergy, 32, 2.95),
        ] {
            let got = intersection_sd(vsa, d, 64, 64, 16);
            assert!((got - sd).abs() / sd < 0.03, "{vsa:?} D={d}: {got} vs {sd}");
        }
        let p = plan_intersection(Vsa::MapI, 64, 64, 4.0, 0.05).unwrap();
        // z(0.025)² · (64·64 + 64² − 128)/16 at the worst c = 64.
        let expect = (1.959_964f64.powi(2) * (4096.0 + 4096.0 - 128.0) / 16.0).ceil() as u32;
        assert!(p.dim.abs_diff(expect) <= 1, "{} vs {expect}", p.dim);
    }
}
