//! Log-normal delay: `ln X ~ Normal(μ, σ²)` with `μ`, `σ` the parameters of
//! ln ms. Density `exp(-(ln x - μ)²/(2σ²)) / (xσ√(2π))`; mean
//! `exp(μ + σ²/2)`. All moments are finite, so the tail counts as light here.
//! CDF, survival and quantile come from statrs (erfc and its inverse).

use super::{check_range, check_spread, num, Delay, DistError, MAX_SCALE_MS, MIN_SCALE_MS};
use rand::Rng;
use rand_distr::StandardNormal;
use statrs::distribution::{Continuous, ContinuousCDF};
use std::fmt;

/// Log-normal distribution.
///
/// ```
/// use quorum_model::dist::{Delay, LogNormal};
/// let d = LogNormal::new(0.0, 1.0).unwrap();
/// assert!((d.quantile(0.5) - 1.0).abs() < 1e-12); // median e^μ
/// assert!((d.mean() - 0.5f64.exp()).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct LogNormal {
    mu: f64,
    sigma: f64,
    inner: statrs::distribution::LogNormal,
}

impl PartialEq for LogNormal {
    fn eq(&self, other: &Self) -> bool {
        self.mu == other.mu && self.sigma == other.sigma
    }
}

impl LogNormal {
    /// `mu` with the median `e^mu` between 1e-6 and 1e9 ms, `sigma` in
    /// [1e-4, 10] (both of ln ms; at 1e-4 the law is 0.01% wide), and the
    /// far quantiles inside the domain (see [`super::MAX_QUANTILE_MS`]).
    pub fn new(mu: f64, sigma: f64) -> Result<Self, DistError> {
        check_range(
            "lognormal",
            "mu",
            mu,
            MIN_SCALE_MS.ln(),
            MAX_SCALE_MS.ln(),
            "between ln(1e-6) = -13.8155 and ln(1e9) = 20.7233 (the median e^mu in ms)",
        )?;
        check_range(
            "lognormal",
            "sigma",
            sigma,
            1e-4,
            10.0,
            "a number between 1e-4 and 10 (of ln ms)",
        )?;
        let inner = statrs::distribution::LogNormal::new(mu, sigma)
            .map_err(|e| DistError::invalid("lognormal", e.to_string()))?;
        let d = LogNormal { mu, sigma, inner };
        check_spread("lognormal", &d)?;
        Ok(d)
    }

    /// `exp(μ + σZ)` with a ziggurat standard normal `Z`.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let z: f64 = rng.sample(StandardNormal);
        (self.mu + self.sigma * z).exp()
    }
}

impl Delay for LogNormal {
    fn cdf(&self, x: f64) -> f64 {
        self.inner.cdf(x)
    }
    fn sf(&self, x: f64) -> f64 {
        self.inner.sf(x)
    }
    fn pdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            0.0
        } else {
            self.inner.pdf(x)
        }
    }
    fn quantile(&self, p: f64) -> f64 {
        if p <= 0.0 {
            0.0
        } else if p >= 1.0 {
            f64::INFINITY
        } else {
            self.inner.inverse_cdf(p)
        }
    }
    /// `exp(μ + σ Φ⁻¹(1 - s))` with `Φ⁻¹(1 - s) = √2 erfc⁻¹(2s)`.
    fn isf(&self, s: f64) -> f64 {
        if s >= 1.0 {
            0.0
        } else if s <= 0.0 {
            f64::INFINITY
        } else {
            (self.mu
                + self.sigma * std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * s))
            .exp()
        }
    }
    fn mean(&self) -> f64 {
        (self.mu + 0.5 * self.sigma * self.sigma).exp()
    }
    fn lower_power(&self) -> f64 {
        f64::INFINITY
    }
    fn support(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }
}

impl fmt::Display for LogNormal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "lognormal(mu={},sigma={})",
            num(self.mu),
            num(self.sigma)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{testing, Dist};

    #[test]
    fn family_checks() {
        for (mu, s) in [(0.0, 1.0), (1.2, 0.3), (-0.5, 2.0)] {
            let d = Dist::LogNormal(LogNormal::new(mu, s).unwrap());
            testing::check_family(&d);
            testing::check_roundtrip(&d);
        }
        testing::check_mean_by_integration(&Dist::LogNormal(LogNormal::new(1.2, 0.3).unwrap()));
    }

    #[test]
    fn rejects_bad_parameters() {
        assert!(LogNormal::new(0.0, 0.0).is_err());
        assert!(LogNormal::new(f64::INFINITY, 1.0).is_err());
    }
}
