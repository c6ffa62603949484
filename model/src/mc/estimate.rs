//! Estimates with their intervals: Wilson score intervals for probabilities
//! (Wilson, JASA 1927) and distribution-free order-statistic intervals for
//! quantiles (the ranks `Np ± z√(Np(1-p))` bracket the true quantile with
//! probability ≈ 95%; e.g. Conover, Practical Nonparametric Statistics, §3.2).

use super::histogram::{LogHistogram, RankValue};
use serde::Serialize;

/// The normal 97.5% point: 95% two-sided intervals.
pub const Z95: f64 = 1.959_963_984_540_054;
/// The normal 99.95% point: 99.9% two-sided intervals (used where many
/// comparisons are made at once, so that one expected miss in twenty does
/// not decide).
#[cfg(test)]
pub const Z999: f64 = 3.290_526_731_491_926;

/// A probability estimated from `successes` of `trials`, with its Wilson
/// 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Proportion {
    /// The point estimate.
    pub estimate: f64,
    /// Low end of the interval.
    pub ci_low: f64,
    /// High end of the interval.
    pub ci_high: f64,
    /// Successes counted.
    pub successes: u64,
    /// Trials counted.
    pub trials: u64,
}

/// Wilson score interval at 95%.
pub fn wilson(successes: u64, trials: u64) -> Proportion {
    wilson_z(successes, trials, Z95)
}

/// Wilson interval at a chosen normal quantile `z` (3.29: 99.9%).
pub fn wilson_z(successes: u64, trials: u64, z: f64) -> Proportion {
    if trials == 0 {
        return Proportion {
            estimate: f64::NAN,
            ci_low: 0.0,
            ci_high: 1.0,
            successes,
            trials,
        };
    }
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    // At 0 or all successes the bound is exactly 0 or 1 (rounding aside).
    let ci_low = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let ci_high = if successes == trials {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Proportion {
        estimate: p,
        ci_low,
        ci_high,
        successes,
        trials,
    }
}

/// A quantile estimated from a histogram, with its 95% interval (the edges
/// of the bins holding the bracketing ranks, so binning error is inside).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Quantile {
    /// A finite quantile and its interval (`ci_high` may be infinite).
    Finite {
        /// The point estimate.
        estimate: f64,
        /// Low end of the interval.
        ci_low: f64,
        /// High end of the interval.
        ci_high: f64,
    },
    /// At least a fraction `1 - p` of the values are infinite (never).
    Infinite,
    /// The quantile lies beyond the histogram's range (2^36 ms).
    OutOfRange,
    /// No values.
    Empty,
}

impl Quantile {
    /// The point estimate, if finite.
    pub fn estimate(&self) -> Option<f64> {
        match self {
            Quantile::Finite { estimate, .. } => Some(*estimate),
            _ => None,
        }
    }
}

/// The `p`-quantile of the values in `h`, with its 95% interval.
pub fn quantile(h: &LogHistogram, p: f64) -> Quantile {
    quantile_z(h, p, Z95)
}

/// [`quantile`] with the interval at normal quantile `z`.
pub fn quantile_z(h: &LogHistogram, p: f64, z: f64) -> Quantile {
    let n = h.count();
    if n == 0 {
        return Quantile::Empty;
    }
    let nf = n as f64;
    let k = ((p * nf).ceil() as u64).clamp(1, n);
    let spread = z * (nf * p * (1.0 - p)).sqrt();
    let lo_rank = ((nf * p - spread).floor() as u64).clamp(1, n);
    let hi_rank = ((nf * p + spread).ceil() as u64 + 1).clamp(1, n);
    let point = match h.rank(k) {
        RankValue::Finite { estimate, .. } => estimate,
        RankValue::Infinite => return Quantile::Infinite,
        RankValue::OutOfRange => return Quantile::OutOfRange,
    };
    let ci_low = match h.rank(lo_rank) {
        RankValue::Finite { low, .. } => low,
        _ => point,
    };
    let ci_high = match h.rank(hi_rank) {
        RankValue::Finite { high, .. } => high,
        _ => f64::INFINITY,
    };
    Quantile::Finite {
        estimate: point,
        ci_low,
        ci_high,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_brackets_the_estimate() {
        let p = wilson(439, 1000);
        assert!(p.ci_low < 0.439 && 0.439 < p.ci_high);
        assert!((p.ci_high - p.ci_low) < 0.07);
    }
    use rand::{Rng, SeedableRng};

    #[test]
    fn wilson_covers_about_95_percent() {
        // Many small replications: the interval should hold the true p in
        // close to 95% of them (Wilson is slightly conservative on average).
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1927);
        for &(p, n) in &[(0.5, 100u64), (0.1, 200), (0.9, 50), (0.02, 1000)] {
            let reps = 4000;
            let mut covered = 0;
            for _ in 0..reps {
                let s = (0..n).filter(|_| rng.random::<f64>() < p).count() as u64;
                let w = wilson(s, n);
                if w.ci_low <= p && p <= w.ci_high {
                    covered += 1;
                }
            }
            let rate = covered as f64 / reps as f64;
            // 4000 replications: the coverage estimate's SE is ~0.35%.
            assert!(
                (0.925..=0.975).contains(&rate),
                "p={p} n={n}: coverage {rate}"
            );
        }
    }

    #[test]
    fn wilson_handles_the_edges() {
        let zero = wilson(0, 100);
        assert_eq!(zero.ci_low, 0.0);
        assert!(zero.ci_high > 0.0 && zero.ci_high < 0.05);
        let all = wilson(100, 100);
        assert_eq!(all.ci_high, 1.0);
    }

    #[test]
    fn quantile_interval_covers_the_truth() {
        // Exp(1) median ln 2: the 95% interval from 20 000 samples holds it
        // in about 95% of 300 replications.
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        let truth = 2f64.ln();
        let mut covered = 0;
        let reps = 300;
        for _ in 0..reps {
            let mut h = LogHistogram::new();
            for _ in 0..20_000 {
                let x: f64 = rng.sample(rand_distr::Exp1);
                h.record(x);
            }
            if let Quantile::Finite {
                ci_low, ci_high, ..
            } = quantile(&h, 0.5)
            {
                if ci_low <= truth && truth <= ci_high {
                    covered += 1;
                }
            }
        }
        let rate = covered as f64 / reps as f64;
        assert!(rate >= 0.92, "coverage {rate}");
    }

    #[test]
    fn infinite_mass_gives_infinite_quantiles() {
        let mut h = LogHistogram::new();
        for _ in 0..998 {
            h.record(1.0);
        }
        h.record(f64::INFINITY);
        h.record(f64::INFINITY);
        assert!(matches!(quantile(&h, 0.99), Quantile::Finite { .. }));
        assert_eq!(quantile(&h, 0.999), Quantile::Infinite);
    }
}
