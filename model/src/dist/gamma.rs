//! Gamma delay with shape `k` and scale `θ` (ms): density
//! `x^{k-1} e^{-x/θ} / (Γ(k) θ^k)`, mean `kθ`. Integer shapes are Erlang
//! (the sum of `k` exponentials). CDF and survival are statrs' regularized
//! incomplete gamma functions; sampling is rand_distr's Marsaglia–Tsang.

use super::{check_range, check_spread, num, quantile_by_search, Delay, DistError};
use super::{MAX_SCALE_MS, MIN_SCALE_MS};
use rand::Rng;
use statrs::function::gamma::{checked_gamma_lr, checked_gamma_ur, ln_gamma};
use std::fmt;

/// Shapes accepted: below 0.1 almost all the mass sits at zero (a tenth of
/// it below 1e-10 of the scale); above 1e4 (1% wide) statrs' incomplete
/// gamma function loses accuracy (about 1e-15 times the shape, relative:
/// 2e-10 at 1e5, against mpmath), beyond what the tables promise. For a
/// narrower law use `lognormal` with a small `sigma`.
pub const SHAPE_RANGE: (f64, f64) = (0.1, 1e4);

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
    /// `ln Γ(k) + k ln θ`, the density's normalising constant.
    ln_norm: f64,
    sampler: rand_distr::Gamma<f64>,
}

impl PartialEq for Gamma {
    fn eq(&self, other: &Self) -> bool {
        self.shape == other.shape && self.scale == other.scale
    }
}

impl Gamma {
    /// `shape` in [0.1, 1e4], `scale > 0` ms with the mean `shape * scale`
    /// between 1e-6 and 1e9 ms, and the far quantiles inside the domain
    /// (see [`super::MAX_QUANTILE_MS`]).
    pub fn new(shape: f64, scale: f64) -> Result<Self, DistError> {
        check_range(
            "gamma",
            "shape",
            shape,
            SHAPE_RANGE.0,
            SHAPE_RANGE.1,
            "a number between 0.1 and 1e4 (for a narrower law, lognormal with a small sigma)",
        )?;
        check_range(
            "gamma",
            "scale",
            scale,
            f64::MIN_POSITIVE,
            MAX_SCALE_MS,
            "a number > 0 and at most 1e9 (ms)",
        )?;
        check_range(
            "gamma",
            "mean (shape * scale)",
            shape * scale,
            MIN_SCALE_MS,
            MAX_SCALE_MS,
            "between 1e-6 and 1e9 (ms)",
        )?;
        let g = Self::merged(shape, scale);
        check_spread("gamma", &g)?;
        Ok(g)
    }

    /// Without the domain checks: the sum of gammas of one scale, whose
    /// shape may exceed the range a user may give (the terms were checked).
    pub(crate) fn merged(shape: f64, scale: f64) -> Self {
        Gamma {
            shape,
            scale,
            ln_norm: ln_gamma(shape) + shape * scale.ln(),
            sampler: rand_distr::Gamma::new(shape, scale).expect("checked shape and scale"),
        }
    }

    /// Shape `k`.
    pub fn shape(&self) -> f64 {
        self.shape
    }

    /// Scale `θ`, ms (mean `kθ`).
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// A draw (Marsaglia and Tsang, via `rand_distr`).
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        rng.sample(self.sampler)
    }
}

impl Delay for Gamma {
    fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 || x.is_nan() {
            return 0.0;
        }
        checked_gamma_lr(self.shape, x / self.scale).unwrap_or(1.0)
    }
    fn sf(&self, x: f64) -> f64 {
        if x <= 0.0 || x.is_nan() {
            return 1.0;
        }
        checked_gamma_ur(self.shape, x / self.scale).unwrap_or(0.0)
    }
    /// In log space: `x^{k-1}` alone overflows for large shapes.
    fn pdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            if x == 0.0 && self.shape == 1.0 {
                1.0 / self.scale
            } else {
                0.0
            }
        } else if x.is_infinite() {
            0.0
        } else {
            ((self.shape - 1.0) * x.ln() - x / self.scale - self.ln_norm).exp()
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
    fn lower_power(&self) -> f64 {
        self.shape
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
        assert!(Gamma::new(0.05, 1.0).is_err());
        assert!(Gamma::new(2e4, 1.0).is_err());
        assert!(Gamma::new(2.0, 1e-308).is_err());
        assert!(Gamma::new(1e-3, 1e300).is_err());
    }

    #[test]
    fn large_shapes_keep_their_density() {
        // x^{k-1} overflows for k = 400 at x = 1000; in log space the
        // density still integrates to its CDF: compare with a difference
        // quotient of the CDF.
        let g = Gamma::new(400.0, 2.5).unwrap();
        for x in [900.0, 1000.0, 1100.0] {
            let h = 1e-3;
            let fd = (g.cdf(x + h) - g.cdf(x - h)) / (2.0 * h);
            assert!(
                (g.pdf(x) / fd - 1.0).abs() < 1e-6,
                "{x}: {} vs {fd}",
                g.pdf(x)
            );
        }
    }
}
