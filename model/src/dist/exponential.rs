//! Exponential delay with rate `λ` (per ms): density `λ e^{-λx}` on `x >= 0`,
//! mean `1/λ`.

use super::{check_range, num, Delay, DistError, MAX_SCALE_MS, MIN_SCALE_MS};
use rand::Rng;
use rand_distr::Exp1;
use std::fmt;

/// Exponential distribution.
///
/// ```
/// use quorum_model::dist::{Delay, Exponential};
/// let e = Exponential::with_mean(2.0).unwrap();
/// assert!((e.cdf(2.0) - (1.0 - (-1f64).exp())).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exponential {
    rate: f64,
}

impl Exponential {
    /// `rate` between 1e-9 and 1e6 per ms (the mean between 1e-6 and 1e9
    /// ms; 21 times the mean, the 1 - 1e-9 quantile, stays in the domain).
    pub fn new(rate: f64) -> Result<Self, DistError> {
        check_range(
            "exp",
            "rate",
            rate,
            1.0 / MAX_SCALE_MS,
            1.0 / MIN_SCALE_MS,
            "between 1e-9 and 1e6 (per ms)",
        )?;
        Ok(Exponential { rate })
    }

    /// `mean` between 1e-6 and 1e9 ms.
    pub fn with_mean(mean: f64) -> Result<Self, DistError> {
        check_range(
            "exp",
            "mean",
            mean,
            MIN_SCALE_MS,
            MAX_SCALE_MS,
            "between 1e-6 and 1e9 (ms)",
        )?;
        Self::new(1.0 / mean)
    }

    /// `1 / mean`, per ms.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Ziggurat sampling (rand_distr's `Exp1`), scaled.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let e: f64 = rng.sample(Exp1);
        e / self.rate
    }
}

impl Delay for Exponential {
    fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            0.0
        } else {
            -(-self.rate * x).exp_m1()
        }
    }
    fn sf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            1.0
        } else {
            (-self.rate * x).exp()
        }
    }
    fn pdf(&self, x: f64) -> f64 {
        if x < 0.0 {
            0.0
        } else {
            self.rate * (-self.rate * x).exp()
        }
    }
    fn quantile(&self, p: f64) -> f64 {
        if p <= 0.0 {
            0.0
        } else if p >= 1.0 {
            f64::INFINITY
        } else {
            -(-p).ln_1p() / self.rate
        }
    }
    fn isf(&self, s: f64) -> f64 {
        if s >= 1.0 {
            0.0
        } else if s <= 0.0 {
            f64::INFINITY
        } else {
            -s.ln() / self.rate
        }
    }
    fn mean(&self) -> f64 {
        1.0 / self.rate
    }
    fn support(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }
}

impl fmt::Display for Exponential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exp(rate={})", num(self.rate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{testing, Dist};

    #[test]
    fn family_checks() {
        let d = Dist::Exp(Exponential::new(0.183).unwrap());
        testing::check_family(&d);
        testing::check_roundtrip(&d);
        testing::check_mean_by_integration(&d);
    }

    #[test]
    fn memoryless() {
        let e = Exponential::new(1.7).unwrap();
        let (s, t) = (0.4, 1.3);
        assert!((e.sf(s + t) - e.sf(s) * e.sf(t)).abs() < 1e-15);
    }

    #[test]
    fn rejects_bad_parameters() {
        assert!(Exponential::new(0.0).is_err());
        assert!(Exponential::new(f64::NAN).is_err());
        let err = Exponential::with_mean(-1.0).unwrap_err().to_string();
        assert!(
            err.contains("mean") && err.contains("between 1e-6 and 1e9"),
            "{err}"
        );
        assert!(Exponential::with_mean(1e300).is_err());
        assert!(Exponential::with_mean(1e-7).is_err());
    }
}
