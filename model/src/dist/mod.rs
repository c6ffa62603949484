//! One-way message delay distributions, in milliseconds.
//!
//! Every family lives in its own file and implements [`Delay`]: CDF, survival
//! function, density, quantile, mean (possibly infinite) and sampling. [`Dist`]
//! is the closed set of families the rest of the crate works with; it is what
//! the spec language ([`spec`]) parses into and what presets ([`presets`]) are
//! built from.
//!
//! Conventions shared by every family:
//! - delays are non-negative (the support's lower end is `>= 0`);
//! - `sf(x) = 1 - cdf(x)` but is computed directly, so the far tail keeps its
//!   relative accuracy;
//! - `pdf` is the density of the absolutely continuous part; point masses
//!   (`const`, `empirical`) are reported by [`Delay::atoms`];
//! - `mean()` returns `f64::INFINITY` when the mean does not exist;
//! - `tail_index()` is `α` when `sf(x)` falls like `x^-α` (a power law), and
//!   `f64::INFINITY` when every moment is finite.

use rand::Rng;
use std::fmt;

mod constant;
mod empirical;
mod exponential;
mod gamma;
mod lognormal;
mod mixture;
mod pareto;
mod percentiles;
pub mod presets;
pub mod spec;
mod sum;
pub(crate) mod table;
mod weibull;

pub use constant::Constant;
pub use empirical::Empirical;
pub use exponential::Exponential;
pub use gamma::Gamma;
pub use lognormal::LogNormal;
pub use mixture::Mixture;
pub use pareto::Pareto;
pub use percentiles::Percentiles;
pub use sum::{Sum, Work};
pub use weibull::Weibull;

/// Why a distribution could not be built. Each message names the family, the
/// parameter and what is allowed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DistError {
    #[error("{family}: {param} must be {allowed}, got {}", crate::text::Shown(*value))]
    /// A parameter outside its range.
    Parameter {
        /// The family (`exp`, `pareto`, ...).
        family: &'static str,
        /// The parameter.
        param: &'static str,
        /// What it allows.
        allowed: &'static str,
        /// What it was.
        value: f64,
    },
    #[error("{family}: {message}")]
    /// A law that cannot be built for another reason.
    Invalid {
        /// The family.
        family: &'static str,
        /// Why, one line.
        message: String,
    },
}

impl DistError {
    /// The family that refused.
    pub fn family(&self) -> &'static str {
        match self {
            DistError::Parameter { family, .. } | DistError::Invalid { family, .. } => family,
        }
    }

    pub(crate) fn invalid(family: &'static str, message: impl Into<String>) -> Self {
        DistError::Invalid {
            family,
            message: message.into(),
        }
    }
}

/// The domain every delay law is accepted in: delays are computed
/// correctly (to the stated tolerances) and in bounded time for laws whose
/// scale parameters lie between these (1 ns and about 11.6 days) ...
pub const MIN_SCALE_MS: f64 = 1e-6;
/// ... (see [`MIN_SCALE_MS`]) ...
pub const MAX_SCALE_MS: f64 = 1e9;
/// ... and whose far quantiles stay below this (about 31.7 years): the
/// 99.9th percentile for every law, and the `1 - 1e-9` quantile for laws
/// without a power-law tail.
pub const MAX_QUANTILE_MS: f64 = 1e12;

/// Checks `min <= value <= max` (finite); shared by the family
/// constructors so every range error reads the same.
pub(crate) fn check_range(
    family: &'static str,
    param: &'static str,
    value: f64,
    min: f64,
    max: f64,
    allowed: &'static str,
) -> Result<f64, DistError> {
    if value.is_finite() && value >= min && value <= max {
        Ok(value)
    } else {
        Err(DistError::Parameter {
            family,
            param,
            allowed,
            value,
        })
    }
}

/// The checks every family's constructor ends with: the far quantiles are
/// inside [`MAX_QUANTILE_MS`] (a law that spreads further than that is
/// not a delay, and its tables would not be trustworthy).
pub(crate) fn check_spread<D: Delay + ?Sized>(
    family: &'static str,
    d: &D,
) -> Result<(), DistError> {
    let q = d.quantile(0.999);
    if q.is_nan() || q > MAX_QUANTILE_MS {
        return Err(DistError::invalid(
            family,
            format!(
                "its 99.9th percentile is {q:.4e} ms; delays must stay below {MAX_QUANTILE_MS:e} ms (about 31.7 years)"
            ),
        ));
    }
    if d.tail_index().is_infinite() {
        let q = d.quantile(1.0 - 1e-9);
        if q.is_nan() || q > MAX_QUANTILE_MS {
            return Err(DistError::invalid(
                family,
                format!(
                    "its 1 - 1e-9 quantile is {q:.4e} ms; delays must stay below {MAX_QUANTILE_MS:e} ms (about 31.7 years): a smaller spread or scale is needed"
                ),
            ));
        }
    }
    Ok(())
}

/// The interface every delay family implements.
pub trait Delay {
    /// `P(X <= x)`.
    fn cdf(&self, x: f64) -> f64;
    /// `P(X > x)`, computed without forming `1 - cdf`.
    fn sf(&self, x: f64) -> f64;
    /// `(P(X <= x), P(X > x))`, each accurate in its own tail (one table
    /// look-up for tabulated laws).
    fn cdf_sf(&self, x: f64) -> (f64, f64) {
        let s = self.sf(x);
        if s < 0.5 {
            (1.0 - s, s)
        } else {
            let c = self.cdf(x);
            (c, 1.0 - c)
        }
    }
    /// Density of the absolutely continuous part at `x`.
    fn pdf(&self, x: f64) -> f64;
    /// The generalized inverse `inf { x : cdf(x) >= p }` for `p` in `[0, 1]`.
    fn quantile(&self, p: f64) -> f64;
    /// The inverse survival function `inf { x : sf(x) <= s }`: the upper
    /// tail's quantiles, for survival levels too small for `1 - s` to be a
    /// double (`s = 1e-30`).
    fn isf(&self, s: f64) -> f64 {
        isf_by_search(self, s)
    }
    /// `E[X]`, `f64::INFINITY` if it does not exist.
    fn mean(&self) -> f64;
    /// Smallest and largest values the delay can take.
    fn support(&self) -> (f64, f64);
    /// Power-law tail index (`f64::INFINITY` for light tails).
    fn tail_index(&self) -> f64 {
        f64::INFINITY
    }
    /// `k` such that `P(X <= lo + z)` behaves like `z^k` as `z -> 0` (`lo`
    /// the support's lower end): 1 for a density that is finite and
    /// positive there, the shape for gamma and Weibull laws (below 1 the
    /// density is infinite at `lo`), infinity for a law flatter than any
    /// power (log-normal). Integrals switch to log coordinates below 1.
    fn lower_power(&self) -> f64 {
        1.0
    }
    /// Point masses `(value, probability)`.
    fn atoms(&self) -> Vec<(f64, f64)> {
        Vec::new()
    }
    /// Probability carried by the density (1 minus the atoms' mass).
    fn continuous_mass(&self) -> f64 {
        1.0
    }
    /// Points where the density jumps or has a kink (integration splits there).
    fn breakpoints(&self) -> Vec<f64> {
        vec![self.support().0]
    }
}

/// Any delay distribution the crate knows.
///
/// ```
/// use quorum_model::dist::{Delay, Dist};
/// let d: Dist = "exp(mean=2)".parse().unwrap();
/// assert!((d.mean() - 2.0).abs() < 1e-12);
/// assert!((d.quantile(0.5) - 2.0 * 2f64.ln()).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    /// Exponential.
    Exp(Exponential),
    /// Log-normal.
    LogNormal(LogNormal),
    /// Pareto (power-law tail).
    Pareto(Pareto),
    /// Weibull.
    Weibull(Weibull),
    /// Gamma.
    Gamma(Gamma),
    /// A constant.
    Const(Constant),
    /// The sum of independent laws (a convolution).
    Sum(Sum),
    /// A mixture: each law with its weight.
    Mixture(Mixture),
    /// The empirical law of samples.
    Empirical(Empirical),
    /// Interpolated from published percentiles.
    Percentiles(Percentiles),
}

macro_rules! each {
    ($self:expr, $d:ident => $body:expr) => {
        match $self {
            Dist::Exp($d) => $body,
            Dist::LogNormal($d) => $body,
            Dist::Pareto($d) => $body,
            Dist::Weibull($d) => $body,
            Dist::Gamma($d) => $body,
            Dist::Const($d) => $body,
            Dist::Sum($d) => $body,
            Dist::Mixture($d) => $body,
            Dist::Empirical($d) => $body,
            Dist::Percentiles($d) => $body,
        }
    };
}

impl Delay for Dist {
    fn cdf(&self, x: f64) -> f64 {
        each!(self, d => d.cdf(x))
    }
    fn sf(&self, x: f64) -> f64 {
        each!(self, d => d.sf(x))
    }
    fn cdf_sf(&self, x: f64) -> (f64, f64) {
        each!(self, d => d.cdf_sf(x))
    }
    fn lower_power(&self) -> f64 {
        each!(self, d => d.lower_power())
    }
    fn pdf(&self, x: f64) -> f64 {
        each!(self, d => d.pdf(x))
    }
    fn quantile(&self, p: f64) -> f64 {
        each!(self, d => d.quantile(p))
    }
    fn isf(&self, s: f64) -> f64 {
        each!(self, d => d.isf(s))
    }
    fn mean(&self) -> f64 {
        each!(self, d => d.mean())
    }
    fn support(&self) -> (f64, f64) {
        each!(self, d => d.support())
    }
    fn tail_index(&self) -> f64 {
        each!(self, d => d.tail_index())
    }
    fn atoms(&self) -> Vec<(f64, f64)> {
        each!(self, d => d.atoms())
    }
    fn continuous_mass(&self) -> f64 {
        each!(self, d => d.continuous_mass())
    }
    fn breakpoints(&self) -> Vec<f64> {
        each!(self, d => d.breakpoints())
    }
}

impl Dist {
    /// Draws one delay.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        each!(self, d => d.sample(rng))
    }
}

/// A law is a `rand` distribution of delays in ms, so it plugs into any
/// code that samples with `rand`.
///
/// ```
/// use quorum_model::dist::Dist;
/// use rand::distr::Distribution;
/// use rand::SeedableRng;
/// let d: Dist = "pareto(xm=1,alpha=3)".parse().unwrap();
/// let mut rng = rand::rngs::StdRng::seed_from_u64(1);
/// let draws: Vec<f64> = d.sample_iter(&mut rng).take(1000).collect();
/// assert!(draws.iter().all(|x| *x >= 1.0));
/// ```
impl rand::distr::Distribution<f64> for Dist {
    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        Dist::sample(self, rng)
    }
}

impl Dist {
    /// The distribution of `self + other` for independent delays.
    pub fn plus(&self, other: &Dist) -> Dist {
        Sum::of(vec![self.clone(), other.clone()])
    }

    /// `self` delayed by a constant `ms` (e.g. a WAN hop).
    pub fn shifted(&self, ms: f64) -> Dist {
        if ms == 0.0 {
            return self.clone();
        }
        Sum::of(vec![
            self.clone(),
            Dist::Const(Constant::new(ms).expect("finite shift")),
        ])
    }

    /// Whether evaluating the CDF takes a numerical integral (a sum of two or
    /// more random terms, possibly inside a mixture).
    pub fn needs_integration(&self) -> bool {
        match self {
            Dist::Sum(s) => s.is_convolution(),
            Dist::Mixture(m) => m.components().any(|(_, d)| d.needs_integration()),
            _ => false,
        }
    }

    /// Whether the distribution has no density at all (only point masses).
    pub fn is_discrete(&self) -> bool {
        self.continuous_mass() == 0.0
    }

    /// Points that locate the bulk and tails of the distribution: its
    /// breakpoints and a ladder of quantiles from `1e-12` to `1 - 1e-12`.
    /// Numerical integrals over this distribution split at these points so
    /// that no feature is missed, however narrow.
    pub fn landmarks(&self) -> Vec<f64> {
        let mut out = self.breakpoints();
        let ladder = match self {
            Dist::Sum(s) => s.table_landmarks(),
            _ => None,
        };
        match ladder {
            Some(l) => out.extend(l),
            None => out.extend(table::ladder(|p| self.quantile(p), |s| self.isf(s))),
        }
        out.retain(|x| x.is_finite());
        out.sort_by(f64::total_cmp);
        out.dedup();
        out
    }

    /// Notes on how this law is computed that a user should see: point
    /// masses merged into bins, a table that missed its tolerance.
    pub fn notes(&self) -> Vec<String> {
        match self {
            Dist::Sum(s) => s.notes(),
            Dist::Mixture(m) => {
                let mut out: Vec<String> = m.components().flat_map(|(_, d)| d.notes()).collect();
                out.dedup();
                out
            }
            Dist::Empirical(e) => e.notes(),
            _ => Vec::new(),
        }
    }

    /// The smallest tail probability (of `F` or `S`) this law holds
    /// accurately: 0 for closed forms, the table's floor where it is a
    /// tabulated sum (below, its tails are extrapolated).
    pub fn tail_floor(&self) -> f64 {
        match self {
            Dist::Sum(s) => s.tail_floor(),
            Dist::Mixture(m) => m
                .components()
                .map(|(_, d)| d.tail_floor())
                .fold(0.0, f64::max),
            _ => 0.0,
        }
    }

    /// Convolution tables and point masses evaluating this law needs.
    pub fn work(&self) -> Work {
        match self {
            Dist::Sum(s) => s.work(),
            Dist::Mixture(m) => m
                .components()
                .map(|(_, d)| d.work())
                .fold(Work::default(), Work::plus),
            Dist::Empirical(e) => Work {
                atoms: e.atom_count(),
                ..Work::default()
            },
            _ => Work::default(),
        }
    }

    /// For a discrete law whose atoms were merged into bins: their
    /// relative width.
    pub(crate) fn binned_width(&self) -> Option<f64> {
        match self {
            Dist::Empirical(e) => e.bin_width(),
            Dist::Mixture(m) => m.components().find_map(|(_, d)| d.binned_width()),
            _ => None,
        }
    }
}

impl fmt::Display for Dist {
    /// The canonical spec string; parsing it gives the same distribution.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        each!(self, d => fmt::Display::fmt(d, f))
    }
}

/// Quantile of a non-decreasing CDF by bracketing and root finding; used by
/// families with no closed-form inverse. Above the median it inverts the
/// survival function, so `p = 1 - 1e-12` keeps its precision.
pub(crate) fn quantile_by_search<D: Delay + ?Sized>(d: &D, p: f64) -> f64 {
    let (lo, hi) = d.support();
    if p.is_nan() || p <= 0.0 {
        return lo;
    }
    if p >= 1.0 {
        return hi;
    }
    if d.cdf(lo) >= p {
        return lo;
    }
    if p > 0.5 {
        return isf_by_search(d, 1.0 - p);
    }
    let h = |x: f64| d.cdf(x);
    let start = if lo > 0.0 { lo * 2.0 } else { 1.0 };
    let upper = match crate::numeric::root::bracket_above(h, p, start) {
        Some(u) => u.min(hi),
        None => return f64::INFINITY,
    };
    crate::numeric::root::invert_increasing(h, p, lo, upper)
}

/// The inverse survival function by bracketing and root finding on the
/// survival function (accurate relative to itself in the tail).
pub(crate) fn isf_by_search<D: Delay + ?Sized>(d: &D, s: f64) -> f64 {
    let (lo, hi) = d.support();
    if s.is_nan() || s >= 1.0 {
        return lo;
    }
    if s <= 0.0 {
        return hi;
    }
    if s > 0.5 {
        return d.quantile(1.0 - s);
    }
    if d.sf(lo) <= s {
        return lo;
    }
    let h = |x: f64| -d.sf(x);
    let start = if lo > 0.0 { lo * 2.0 } else { 1.0 };
    let upper = match crate::numeric::root::bracket_above(h, -s, start) {
        Some(u) => u.min(hi),
        None => return f64::INFINITY,
    };
    crate::numeric::root::invert_increasing(h, -s, lo, upper)
}

/// Formats a parameter so that it parses back to the same `f64`.
pub(crate) fn num(x: f64) -> String {
    format!("{x}")
}

#[cfg(test)]
pub(crate) mod testing {
    //! Shared checks run against every family.
    use super::*;
    use rand::SeedableRng;

    /// cdf + sf = 1, cdf is non-decreasing, quantile inverts cdf, the
    /// sample mean and a few sample quantiles agree with the formulas.
    pub fn check_family(d: &Dist) {
        let (lo, _) = d.support();
        let mut prev = 0.0;
        for i in 0..200 {
            let x =
                lo + 0.37 * i as f64 * (1.0 + i as f64 / 20.0) * d.quantile(0.5).max(0.1) / 10.0;
            let c = d.cdf(x);
            let s = d.sf(x);
            assert!((0.0..=1.0).contains(&c), "{d}: cdf({x}) = {c}");
            assert!((c + s - 1.0).abs() < 1e-9, "{d}: cdf+sf at {x} = {}", c + s);
            assert!(c >= prev - 1e-12, "{d}: cdf decreases at {x}");
            prev = c;
        }
        for p in [0.01, 0.3, 0.5, 0.9, 0.99, 0.999] {
            let q = d.quantile(p);
            assert!(d.cdf(q) >= p - 1e-9, "{d}: cdf(q({p})) = {}", d.cdf(q));
            if d.continuous_mass() == 1.0 {
                assert!(
                    (d.cdf(q) - p).abs() < 1e-8,
                    "{d}: cdf(q({p})) = {}",
                    d.cdf(q)
                );
            }
        }
        // Sampling agrees with the quantiles: the empirical CDF at the
        // median and p90 is within 5 standard errors (n = 40 000).
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        let m = 40_000;
        let samples: Vec<f64> = (0..m).map(|_| d.sample(&mut rng)).collect();
        assert!(
            samples.iter().all(|x| *x >= lo - 1e-12),
            "{d}: sample below support"
        );
        for p in [0.5, 0.9] {
            let q = d.quantile(p);
            let frac = samples.iter().filter(|x| **x <= q).count() as f64 / m as f64;
            let want = d.cdf(q);
            let se = (want * (1.0 - want) / m as f64).sqrt().max(1e-4);
            assert!(
                (frac - want).abs() < 5.0 * se,
                "{d}: ecdf at q({p}) = {frac}, cdf = {want}"
            );
        }
    }

    /// Printing the spec and parsing it back gives the same distribution.
    pub fn check_roundtrip(d: &Dist) {
        let again: Dist = d.to_string().parse().unwrap_or_else(|e| panic!("{d}: {e}"));
        assert_eq!(&again, d);
    }

    /// ∫ sf = mean, checked by quadrature against the closed form.
    pub fn check_mean_by_integration(d: &Dist) {
        let m = d.mean();
        let (lo, _) = d.support();
        let hi = d.quantile(1.0 - 1e-13);
        let integral = crate::numeric::quad::integrate_pieces(
            |x| d.sf(x),
            0.0,
            hi,
            &d.landmarks(),
            crate::numeric::quad::EXACT,
        )
        .value;
        // A power-law tail beyond `hi` holds sf(hi) hi / (α - 1).
        let alpha = d.tail_index();
        let integral = integral
            + if alpha.is_finite() {
                d.sf(hi) * hi / (alpha - 1.0)
            } else {
                0.0
            };
        assert!(lo >= 0.0);
        assert!(
            (integral - m).abs() < 1e-6 * m.max(1.0),
            "{d}: ∫sf = {integral}, mean = {m}"
        );
    }
}
