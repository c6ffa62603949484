//! Weibull delay with shape `k` and scale `λ` (ms): survival
//! `exp(-(x/λ)^k)`, mean `λ Γ(1 + 1/k)`. Light-tailed for every `k > 0`.

use super::{check_range, check_spread, num, Delay, DistError, MAX_SCALE_MS, MIN_SCALE_MS};
use rand::Rng;
use rand_distr::Exp1;
use std::fmt;

/// Weibull distribution.
///
/// ```
/// use quorum_model::dist::{Delay, Weibull};
/// let w = Weibull::new(1.0, 2.0).unwrap(); // shape 1 is Exp(mean 2)
/// assert!((w.mean() - 2.0).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weibull {
    shape: f64,
    scale: f64,
}

impl Weibull {
    /// `shape` in [0.1, 1e4] (at 1e4 the law is 0.01% wide), `scale`
    /// between 1e-6 and 1e9 ms, and the far quantiles inside the domain
    /// (see [`super::MAX_QUANTILE_MS`]).
    pub fn new(shape: f64, scale: f64) -> Result<Self, DistError> {
        check_range(
            "weibull",
            "shape",
            shape,
            0.1,
            1e4,
            "a number between 0.1 and 1e4",
        )?;
        check_range(
            "weibull",
            "scale",
            scale,
            MIN_SCALE_MS,
            MAX_SCALE_MS,
            "between 1e-6 and 1e9 (ms)",
        )?;
        let w = Weibull { shape, scale };
        check_spread("weibull", &w)?;
        Ok(w)
    }

    /// `λ E^{1/k}` with `E ~ Exp(1)` (inverse transform of the survival).
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let e: f64 = rng.sample(Exp1);
        self.scale * e.powf(1.0 / self.shape)
    }
}

impl Delay for Weibull {
    fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            0.0
        } else {
            -(-(x / self.scale).powf(self.shape)).exp_m1()
        }
    }
    fn sf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            1.0
        } else {
            (-(x / self.scale).powf(self.shape)).exp()
        }
    }
    fn pdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            // The density at 0 is infinite for shape < 1, 1/λ for shape 1.
            return if x == 0.0 && self.shape == 1.0 {
                1.0 / self.scale
            } else {
                0.0
            };
        }
        if x.is_infinite() {
            return 0.0;
        }
        // In log space: z^{k-1} alone overflows for large shapes.
        let ln_z = (x / self.scale).ln();
        ((self.shape / self.scale).ln() + (self.shape - 1.0) * ln_z - (self.shape * ln_z).exp())
            .exp()
    }
    fn quantile(&self, p: f64) -> f64 {
        if p <= 0.0 {
            0.0
        } else if p >= 1.0 {
            f64::INFINITY
        } else {
            self.scale * (-(-p).ln_1p()).powf(1.0 / self.shape)
        }
    }
    fn isf(&self, s: f64) -> f64 {
        if s >= 1.0 {
            0.0
        } else if s <= 0.0 {
            f64::INFINITY
        } else {
            self.scale * (-s.ln()).powf(1.0 / self.shape)
        }
    }
    fn mean(&self) -> f64 {
        self.scale * statrs::function::gamma::gamma(1.0 + 1.0 / self.shape)
    }
    fn support(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }
    fn lower_power(&self) -> f64 {
        self.shape
    }
}

impl fmt::Display for Weibull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "weibull(shape={},scale={})",
            num(self.shape),
            num(self.scale)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{testing, Dist};

    #[test]
    fn family_checks() {
        for (k, l) in [(1.5, 2.0), (0.7, 1.0), (3.0, 5.0)] {
            let d = Dist::Weibull(Weibull::new(k, l).unwrap());
            testing::check_family(&d);
            testing::check_roundtrip(&d);
        }
        testing::check_mean_by_integration(&Dist::Weibull(Weibull::new(1.5, 2.0).unwrap()));
    }

    #[test]
    fn shape_one_is_exponential() {
        let w = Weibull::new(1.0, 4.0).unwrap();
        let e = crate::dist::Exponential::with_mean(4.0).unwrap();
        for x in [0.1, 1.0, 7.0, 30.0] {
            assert!((w.sf(x) - e.sf(x)).abs() < 1e-15);
        }
    }

    #[test]
    fn rejects_bad_parameters() {
        assert!(Weibull::new(0.0, 1.0).is_err());
        assert!(Weibull::new(1.0, -2.0).is_err());
    }
}
