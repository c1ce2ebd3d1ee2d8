//! Confidence calibration: Platt's logistic curve fitted to held-out margins, tabulated for
//! the device.
//!
//! Platt, "Probabilistic Outputs for Support Vector Machines" (1999), with the Newton method
//! and target smoothing of Lin, Lin & Weng (2007): the probability that a prediction is right
//! is `1/(1 + exp(−(a·m + b)))` for its margin `m` (second-nearest distance minus nearest, in
//! bits); `a` and `b` minimise the cross-entropy against targets `(N₊ + 1)/(N₊ + 2)` for right
//! and `1/(N₋ + 2)` for wrong answers, which keeps the curve off 0 and 1 on few rows. A curve
//! that falls with the margin (no information in it) is replaced by the constant rate. The
//! device gets [`CONFIDENCE_KNOTS`] values of the curve ([`crate::classify`]'s `CONF`
//! section), spaced to reach where it is within 0.05 % of 1. Cost: a few dozen Newton steps
//! over the held-out rows, once per training.
#![forbid(unsafe_code)]

use std::prelude::rust_2021::*;

use crate::classify::{CONFIDENCE_KNOTS, PROBABILITY_ONE};

/// The fitted curve `p(m) = 1/(1 + exp(−(a·m + b)))`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Platt {
    /// Slope per bit of margin (≥ 0).
    pub a: f64,
    /// Offset.
    pub b: f64,
}

impl Platt {
    /// Fits the curve to `(margin, right)` outcomes. With no outcomes: the constant 1/2.
    pub fn fit(outcomes: &[(u32, bool)]) -> Self {
        let pos = outcomes.iter().filter(|o| o.1).count() as f64;
        let neg = outcomes.len() as f64 - pos;
        let (hi, lo) = ((pos + 1.0) / (pos + 2.0), 1.0 / (neg + 2.0));
        let data: Vec<(f64, f64)> = outcomes
            .iter()
            .map(|&(m, right)| (f64::from(m), if right { hi } else { lo }))
            .collect();
        let constant = Platt {
            a: 0.0,
            b: ((pos + 1.0) / (neg + 1.0)).ln(),
        };
        let loss = |p: &Platt| -> f64 {
            data.iter()
                .map(|&(x, t)| {
                    // Cross-entropy, written to stay finite for large |z|.
                    let z = p.a * x + p.b;
                    if z >= 0.0 {
                        t * (-z).exp().ln_1p() + (1.0 - t) * (z + (-z).exp().ln_1p())
                    } else {
                        t * (-z + z.exp().ln_1p()) + (1.0 - t) * z.exp().ln_1p()
                    }
                })
                .sum()
        };
        let mut p = constant;
        let mut f = loss(&p);
        for _ in 0..100 {
            let (mut g1, mut g2, mut h11, mut h22, mut h21) = (0.0, 0.0, 1e-12, 1e-12, 0.0);
            for &(x, t) in &data {
                let q = sigmoid(p.a * x + p.b);
                let w = q * (1.0 - q);
                g1 += x * (q - t);
                g2 += q - t;
                h11 += x * x * w;
                h22 += w;
                h21 += x * w;
            }
            if g1.abs() < 1e-9 && g2.abs() < 1e-9 {
                break;
            }
            let det = h11 * h22 - h21 * h21;
            let (da, db) = (-(h22 * g1 - h21 * g2) / det, -(-h21 * g1 + h11 * g2) / det);
            // Backtracking: halve the step until the loss falls enough.
            let mut step = 1.0;
            let mut improved = false;
            while step >= 1e-10 {
                let next = Platt {
                    a: p.a + step * da,
                    b: p.b + step * db,
                };
                let fnext = loss(&next);
                if fnext < f + 1e-4 * step * (g1 * da + g2 * db) {
                    (p, f, improved) = (next, fnext, true);
                    break;
                }
                step /= 2.0;
            }
            if !improved {
                break;
            }
        }
        if p.a.is_finite() && p.b.is_finite() && p.a > 0.0 {
            p
        } else {
            constant
        }
    }

    /// The probability at margin `m`.
    pub fn probability(&self, m: f64) -> f64 {
        sigmoid(self.a * m + self.b)
    }

    /// The device's table (`CONF` section): a step, then [`CONFIDENCE_KNOTS`] probabilities
    /// in units of 2^-16 at margins 0, step, 2·step, …, the last where the curve is within
    /// 0.05 % of 1 (at most `dim` bits of margin).
    pub fn table(&self, dim: u32) -> Vec<u32> {
        let last = (CONFIDENCE_KNOTS - 1) as f64;
        let reach = if self.a > 0.0 {
            ((0.9995f64 / 0.0005).ln() - self.b) / self.a
        } else {
            0.0
        };
        let step = (reach / last)
            .ceil()
            .clamp(1.0, f64::from(dim.max(1)) / last);
        let step = step.max(1.0) as u32;
        let mut table = vec![step];
        table.extend((0..CONFIDENCE_KNOTS).map(|i| {
            let p = self.probability(f64::from(step) * i as f64);
            (p * f64::from(PROBABILITY_ONE)).round() as u32
        }));
        table
    }
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::probability_at;

    #[test]
    fn fits_a_known_curve_and_tabulates_it() {
        // Outcomes drawn from p(m) = σ(0.05·m − 1), m = 0..200, 40 rows per margin.
        let truth = Platt { a: 0.05, b: -1.0 };
        let mut outcomes = Vec::new();
        let mut state = crate::rng::SplitMix64::new(3);
        for m in 0..200u32 {
            for _ in 0..40 {
                let right = state.uniform() < truth.probability(f64::from(m));
                outcomes.push((m, right));
            }
        }
        let fit = Platt::fit(&outcomes);
        assert!((fit.a - 0.05).abs() < 0.005, "{fit:?}");
        assert!((fit.b + 1.0).abs() < 0.1, "{fit:?}");
        let table = fit.table(2048);
        assert_eq!(table.len(), 1 + CONFIDENCE_KNOTS);
        assert!(table[1..].windows(2).all(|w| w[0] <= w[1]), "{table:?}");
        for m in [0u32, 17, 40, 100, 150] {
            let device = f64::from(probability_at(&table, m)) / f64::from(PROBABILITY_ONE);
            assert!(
                (device - fit.probability(f64::from(m))).abs() < 0.01,
                "m = {m}"
            );
        }
        // Past the table: the last knot, near certainty.
        assert!(probability_at(&table, 2048) > 65_400);
    }

    #[test]
    fn uninformative_or_one_sided_outcomes_give_a_constant() {
        // Wrong answers at large margins and right ones at small: no information, constant.
        let outcomes: Vec<(u32, bool)> = (0..100).map(|i| (i, i < 70)).collect();
        let fit = Platt::fit(&outcomes);
        assert_eq!(fit.a, 0.0);
        assert!((fit.probability(0.0) - 71.0 / 31.0 / (1.0 + 71.0 / 31.0)).abs() < 1e-9);
        // All right: a high constant, not certainty.
        let all: Vec<(u32, bool)> = (0..50).map(|i| (i, true)).collect();
        let p = Platt::fit(&all).probability(10.0);
        assert!(p > 0.9 && p < 1.0, "{p}");
        assert_eq!(Platt::fit(&[]).probability(5.0), 0.5);
    }
}
