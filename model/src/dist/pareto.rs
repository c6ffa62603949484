//! Pareto (type I) delay with scale `xm` and shape `α`: survival
//! `(xm/x)^α` for `x >= xm`, density `α xm^α / x^(α+1)`. The mean
//! `α xm / (α - 1)` exists only for `α > 1`; the tail index is `α`.
//! PBS (Bailis et al., VLDB 2012, Table 3) fits its bodies with this family.

use super::{check_range, check_spread, num, Delay, DistError, MAX_SCALE_MS, MIN_SCALE_MS};
use rand::Rng;
use rand_distr::Exp1;
use std::fmt;

/// Pareto distribution.
///
/// ```
/// use quorum_model::dist::{Delay, Pareto};
/// let p = Pareto::new(1.0, 0.9).unwrap();
/// assert!(p.mean().is_infinite()); // α <= 1: no mean
/// assert!((p.quantile(0.5) - 2f64.powf(1.0 / 0.9)).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pareto {
    xm: f64,
    alpha: f64,
}

impl Pareto {
    /// `xm` between 1e-6 and 1e9 ms, `alpha` in [0.1, 1e4] (at 1e4 the
    /// law is 0.01% wide), and the 99.9th percentile inside the domain
    /// (see [`super::MAX_QUANTILE_MS`]).
    pub fn new(xm: f64, alpha: f64) -> Result<Self, DistError> {
        check_range(
            "pareto",
            "xm",
            xm,
            MIN_SCALE_MS,
            MAX_SCALE_MS,
            "between 1e-6 and 1e9 (ms)",
        )?;
        check_range(
            "pareto",
            "alpha",
            alpha,
            0.1,
            1e4,
            "a number between 0.1 and 1e4",
        )?;
        let d = Pareto { xm, alpha };
        check_spread("pareto", &d)?;
        Ok(d)
    }

    /// `xm · e^{E/α}` with `E ~ Exp(1)`, the same law as `xm / U^{1/α}`.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let e: f64 = rng.sample(Exp1);
        self.xm * (e / self.alpha).exp()
    }
}

impl Delay for Pareto {
    fn cdf(&self, x: f64) -> f64 {
        if x <= self.xm {
            0.0
        } else {
            -(self.alpha * (self.xm / x).ln()).exp_m1()
        }
    }
    fn sf(&self, x: f64) -> f64 {
        if x <= self.xm {
            1.0
        } else {
            (self.xm / x).powf(self.alpha)
        }
    }
    fn pdf(&self, x: f64) -> f64 {
        if x < self.xm {
            0.0
        } else {
            self.alpha / x * (self.xm / x).powf(self.alpha)
        }
    }
    fn quantile(&self, p: f64) -> f64 {
        if p <= 0.0 {
            self.xm
        } else if p >= 1.0 {
            f64::INFINITY
        } else {
            self.xm * (-(-p).ln_1p() / self.alpha).exp()
        }
    }
    fn isf(&self, s: f64) -> f64 {
        if s >= 1.0 {
            self.xm
        } else if s <= 0.0 {
            f64::INFINITY
        } else {
            self.xm * (-s.ln() / self.alpha).exp()
        }
    }
    fn mean(&self) -> f64 {
        if self.alpha > 1.0 {
            self.alpha * self.xm / (self.alpha - 1.0)
        } else {
            f64::INFINITY
        }
    }
    fn support(&self) -> (f64, f64) {
        (self.xm, f64::INFINITY)
    }
    fn tail_index(&self) -> f64 {
        self.alpha
    }
}

impl fmt::Display for Pareto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pareto(xm={},alpha={})", num(self.xm), num(self.alpha))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{testing, Dist};

    #[test]
    fn family_checks() {
        for (xm, a) in [(1.05, 1.51), (0.235, 10.0), (1.0, 0.9)] {
            let d = Dist::Pareto(Pareto::new(xm, a).unwrap());
            testing::check_family(&d);
            testing::check_roundtrip(&d);
        }
        testing::check_mean_by_integration(&Dist::Pareto(Pareto::new(0.235, 10.0).unwrap()));
    }

    #[test]
    fn tail_is_a_power_law() {
        let p = Pareto::new(2.0, 1.5).unwrap();
        assert!((p.sf(200.0) - 100f64.powf(-1.5)).abs() < 1e-18);
        assert_eq!(p.tail_index(), 1.5);
    }

    #[test]
    fn rejects_bad_parameters() {
        let err = Pareto::new(1.0, 0.0).unwrap_err().to_string();
        assert!(
            err.contains("alpha") && err.contains("between 0.1 and 1e4"),
            "{err}"
        );
        assert!(Pareto::new(-1.0, 2.0).is_err());
        assert!(Pareto::new(1.7976931348623157e308, 8852.0).is_err());
        // A tail so heavy the 99.9th percentile is beyond the domain.
        let err = Pareto::new(1.0, 0.2).unwrap_err().to_string();
        assert!(err.contains("99.9th percentile"), "{err}");
    }
}
