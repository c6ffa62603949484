//! Weibull delay with shape `k` and scale `λ` (ms): survival
//! `exp(-(x/λ)^k)`, mean `λ Γ(1 + 1/k)`. Light-tailed for every `k > 0`.

use super::{check_param, num, Delay, DistError};
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
    /// `shape > 0`, `scale > 0` ms.
    pub fn new(shape: f64, scale: f64) -> Result<Self, DistError> {
        check_param("weibull", "shape", shape, 0.0, false, "a finite number > 0")?;
        check_param(
            "weibull",
            "scale",
            scale,
            0.0,
            false,
            "a finite number > 0 (ms)",
        )?;
        Ok(Weibull { shape, scale })
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
        let z = x / self.scale;
        self.shape / self.scale * z.powf(self.shape - 1.0) * (-z.powf(self.shape)).exp()
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
    fn mean(&self) -> f64 {
        self.scale * statrs::function::gamma::gamma(1.0 + 1.0 / self.shape)
    }
    fn support(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
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
