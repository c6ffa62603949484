//! Gamma delay with shape `k` and scale `θ` (ms): density
//! `x^{k-1} e^{-x/θ} / (Γ(k) θ^k)`, mean `kθ`. Integer shapes are Erlang
//! (the sum of `k` exponentials). CDF and survival are statrs' regularized
//! incomplete gamma functions; sampling is rand_distr's Marsaglia–Tsang.

use super::{check_param, num, quantile_by_search, Delay, DistError};
use rand::Rng;
use statrs::distribution::{Continuous, ContinuousCDF};
use std::fmt;

/// Gamma distribution.
///
/// ```
/// use quorum_model::dist::{Delay, Gamma};
/// let g = Gamma::new(2.0, 1.0).unwrap(); // Erlang-2, rate 1
/// assert!((g.cdf(1.0) - (1.0 - 2.0 * (-1f64).exp())).abs() < 1e-14);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Gamma {
    shape: f64,
    scale: f64,
    exact: statrs::distribution::Gamma,
    sampler: rand_distr::Gamma<f64>,
}

impl PartialEq for Gamma {
    fn eq(&self, other: &Self) -> bool {
        self.shape == other.shape && self.scale == other.scale
    }
}

impl Gamma {
    /// `shape > 0`, `scale > 0` ms.
    pub fn new(shape: f64, scale: f64) -> Result<Self, DistError> {
        check_param("gamma", "shape", shape, 0.0, false, "a finite number > 0")?;
        check_param(
            "gamma",
            "scale",
            scale,
            0.0,
            false,
            "a finite number > 0 (ms)",
        )?;
        let exact = statrs::distribution::Gamma::new(shape, 1.0 / scale)
            .map_err(|e| DistError::invalid("gamma", e.to_string()))?;
        let sampler = rand_distr::Gamma::new(shape, scale)
            .map_err(|e| DistError::invalid("gamma", e.to_string()))?;
        Ok(Gamma {
            shape,
            scale,
            exact,
            sampler,
        })
    }

    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        rng.sample(self.sampler)
    }
}

impl Delay for Gamma {
    fn cdf(&self, x: f64) -> f64 {
        self.exact.cdf(x)
    }
    fn sf(&self, x: f64) -> f64 {
        self.exact.sf(x)
    }
    fn pdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            if x == 0.0 && self.shape == 1.0 {
                1.0 / self.scale
            } else {
                0.0
            }
        } else {
            self.exact.pdf(x)
        }
    }
    fn quantile(&self, p: f64) -> f64 {
        quantile_by_search(self, p)
    }
    fn mean(&self) -> f64 {
        self.shape * self.scale
    }
    fn support(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }
}

impl fmt::Display for Gamma {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "gamma(shape={},scale={})",
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
        for (k, t) in [(2.0, 1.0), (0.6, 3.0), (9.5, 0.2)] {
            let d = Dist::Gamma(Gamma::new(k, t).unwrap());
            testing::check_family(&d);
            testing::check_roundtrip(&d);
        }
        testing::check_mean_by_integration(&Dist::Gamma(Gamma::new(2.0, 1.0).unwrap()));
    }

    #[test]
    fn erlang_matches_its_closed_form() {
        // Erlang-3, rate 2: sf = e^{-2x}(1 + 2x + (2x)^2/2).
        let g = Gamma::new(3.0, 0.5).unwrap();
        for x in [0.1, 1.0, 4.0, 12.0] {
            let y: f64 = 2.0 * x;
            let want = (-y).exp() * (1.0 + y + y * y / 2.0);
            assert!(
                (g.sf(x) - want).abs() < 1e-13 * want.max(1e-300) + 1e-300,
                "{x}"
            );
        }
    }

    #[test]
    fn rejects_bad_parameters() {
        assert!(Gamma::new(-1.0, 1.0).is_err());
        assert!(Gamma::new(1.0, 0.0).is_err());
    }
}
