//! Delay laws fitted to what users measure (issue 16): maximum-likelihood
//! fits of the model's families to latency samples, compared by Akaike's
//! information criterion, with the Kolmogorov–Smirnov distance of each
//! fit to the samples.
//!
//! One family per file, each with its maximum-likelihood estimate and the
//! parameters' asymptotic standard errors (the inverse Fisher information):
//! [`exponential`], [`lognormal`], [`gamma`], [`weibull`]. The samples are
//! checked once ([`Samples::new`]).
//!
//! ```
//! use quorum_model::fit::{fit_samples, Family, Samples};
//! use quorum_model::Dist;
//! use rand::SeedableRng;
//!
//! let law: Dist = "lognormal(mu=0.5,sigma=0.8)".parse().unwrap();
//! let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1);
//! let xs: Vec<f64> = (0..10_000).map(|_| law.sample(&mut rng)).collect();
//! let fits = fit_samples(&Samples::new(xs).unwrap(), &Family::ALL).unwrap();
//! assert_eq!(fits[0].family, Family::LogNormal); // the best by AIC first
//! let mu = &fits[0].params[0];
//! assert!((mu.value - 0.5).abs() < 4.0 * mu.std_err);
//! ```

pub mod censored;
pub mod exponential;
pub mod gamma;
pub mod input;
pub mod lognormal;
pub mod weibull;

use crate::dist::{Delay, Dist};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Why samples cannot be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// No samples.
    #[error("no samples")]
    Empty,
    /// Fewer than the fit needs.
    #[error("{got} samples; at least {need} are needed")]
    TooFew {
        /// Samples given.
        got: usize,
        /// Samples needed.
        need: usize,
    },
    /// A sample that is not a finite positive number.
    #[error("sample {index} is {value}: samples must be finite numbers > 0")]
    Sample {
        /// Its position (from 1).
        index: usize,
        /// Its value.
        value: f64,
    },
    /// Every sample equal: no law with a spread fits.
    #[error("every sample is {0}: a constant, not a law with a spread")]
    Constant(f64),
    /// A line of input that cannot be read.
    #[error("line {line}: {message}")]
    Input {
        /// The line (from 1; 0 for the input as a whole).
        line: usize,
        /// What is wrong, one line.
        message: String,
    },
    /// A bucket out of order, overlapping, or not cumulative.
    #[error("bucket {index}: {message}")]
    Bucket {
        /// Its position (from 1).
        index: usize,
        /// What is wrong, one line.
        message: String,
    },
    /// An unknown family name.
    #[error("unknown family '{0}': one of {names}", names = Family::NAMES)]
    Family(String),
    /// The estimate left the family's domain.
    #[error("{family}: {message}")]
    Law {
        /// The family.
        family: &'static str,
        /// Why, one line.
        message: String,
    },
}

/// Positive finite samples (ms), sorted, with the sums every fit uses.
#[derive(Debug, Clone)]
pub struct Samples {
    sorted: Vec<f64>,
    mean: f64,
    mean_ln: f64,
}

impl Samples {
    /// Checks and sorts `xs`: at least two, every one finite and `> 0`,
    /// not all equal.
    pub fn new(mut xs: Vec<f64>) -> Result<Self, FitError> {
        if xs.is_empty() {
            return Err(FitError::Empty);
        }
        if let Some((i, &x)) = xs
            .iter()
            .enumerate()
            .find(|(_, x)| !(x.is_finite() && **x > 0.0))
        {
            return Err(FitError::Sample {
                index: i + 1,
                value: x,
            });
        }
        if xs.len() < 2 {
            return Err(FitError::TooFew {
                got: xs.len(),
                need: 2,
            });
        }
        xs.sort_by(f64::total_cmp);
        if xs[0] == xs[xs.len() - 1] {
            return Err(FitError::Constant(xs[0]));
        }
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let mean_ln = xs.iter().map(|x| x.ln()).sum::<f64>() / n;
        Ok(Samples {
            sorted: xs,
            mean,
            mean_ln,
        })
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// Never: [`Samples::new`] refuses fewer than two.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// In increasing order.
    pub fn sorted(&self) -> &[f64] {
        &self.sorted
    }

    /// The arithmetic mean.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// The mean of the logarithms.
    pub fn mean_ln(&self) -> f64 {
        self.mean_ln
    }

    /// The empirical quantile `p` (the order statistic at `ceil(p n)`).
    pub fn quantile(&self, p: f64) -> f64 {
        let n = self.sorted.len();
        let i = ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
        self.sorted[i]
    }
}

/// The families fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Exponential.
    Exp,
    /// Log-normal.
    LogNormal,
    /// Gamma.
    Gamma,
    /// Weibull.
    Weibull,
}

impl Family {
    /// Every family, in the order they are tried.
    pub const ALL: [Family; 4] = [
        Family::Exp,
        Family::LogNormal,
        Family::Gamma,
        Family::Weibull,
    ];
    /// Their names, as the spec language spells them.
    pub const NAMES: &'static str = "exp, lognormal, gamma, weibull";

    /// The name, as the spec language spells it.
    pub fn name(self) -> &'static str {
        match self {
            Family::Exp => "exp",
            Family::LogNormal => "lognormal",
            Family::Gamma => "gamma",
            Family::Weibull => "weibull",
        }
    }

    fn fit(self, s: &Samples) -> Result<Fitted, FitError> {
        match self {
            Family::Exp => exponential::fit(s),
            Family::LogNormal => lognormal::fit(s),
            Family::Gamma => gamma::fit(s),
            Family::Weibull => weibull::fit(s),
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Family {
    type Err = FitError;
    fn from_str(s: &str) -> Result<Self, FitError> {
        Family::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| FitError::Family(s.trim().to_string()))
    }
}

/// A parameter's estimate and its asymptotic standard error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    /// Its name in the spec language.
    pub name: &'static str,
    /// The estimate.
    pub value: f64,
    /// Its standard error (the square root of the inverse Fisher
    /// information's diagonal entry at the estimate).
    pub std_err: f64,
}

/// A family's maximum-likelihood fit, as each family's file makes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// The fitted law.
    pub dist: Dist,
    /// Its parameters.
    pub params: Vec<Param>,
    /// The log-likelihood of the samples under it.
    pub log_likelihood: f64,
}

/// One candidate: a family's fit and how well it fits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit {
    /// The family.
    pub family: Family,
    /// The fitted law as a spec (`--delay "$(...)"`).
    pub spec: String,
    /// Its parameters.
    pub params: Vec<Param>,
    /// The log-likelihood.
    pub log_likelihood: f64,
    /// Akaike's criterion, `2k - 2 ln L` (smaller is better).
    pub aic: f64,
    /// The Kolmogorov–Smirnov distance, `sup |F_n - F|`.
    pub ks: f64,
    /// Fitted and observed p50, p99, p99.9 (ms).
    pub quantiles: Vec<QuantileCheck>,
    #[serde(skip)]
    /// The fitted law.
    pub dist: Dist,
}

/// A fitted quantile beside the observed one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QuantileCheck {
    /// The probability.
    pub p: f64,
    /// The fitted law's quantile, ms.
    pub fitted: f64,
    /// The data's, ms (`None` from buckets, which do not have it).
    pub observed: Option<f64>,
}

/// The Kolmogorov–Smirnov distance between the samples and `law`.
pub fn ks_distance(s: &Samples, law: &Dist) -> f64 {
    let n = s.len() as f64;
    s.sorted()
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = law.cdf(x);
            (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
        })
        .fold(0.0, f64::max)
}

/// Fits every family of `families` to `s`, best (smallest AIC) first. A
/// family whose estimate leaves its domain is left out; if every one
/// does, the first error.
pub fn fit_samples(s: &Samples, families: &[Family]) -> Result<Vec<Fit>, FitError> {
    rank(
        families,
        |family| family.fit(s),
        |law| ks_distance(s, law),
        |p| Some(s.quantile(p)),
    )
}

/// Each family's fit by `fit`, ranked by AIC (best first), with its
/// `distance` to the data and its quantiles beside the `observed` ones. A
/// family whose fit fails is left out; if every one does, the first error.
pub(crate) fn rank(
    families: &[Family],
    fit: impl Fn(Family) -> Result<Fitted, FitError>,
    distance: impl Fn(&Dist) -> f64,
    observed: impl Fn(f64) -> Option<f64>,
) -> Result<Vec<Fit>, FitError> {
    let mut out = Vec::new();
    let mut first_err = None;
    for &family in families {
        match fit(family) {
            Ok(f) => {
                let k = f.params.len() as f64;
                out.push(Fit {
                    family,
                    spec: f.dist.to_string(),
                    aic: 2.0 * k - 2.0 * f.log_likelihood,
                    ks: distance(&f.dist),
                    quantiles: [0.5, 0.99, 0.999]
                        .into_iter()
                        .map(|p| QuantileCheck {
                            p,
                            fitted: f.dist.quantile(p),
                            observed: observed(p),
                        })
                        .collect(),
                    params: f.params,
                    log_likelihood: f.log_likelihood,
                    dist: f.dist,
                });
            }
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    if out.is_empty() {
        return Err(first_err.unwrap_or(FitError::Empty));
    }
    out.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    Ok(out)
}

/// A law the dist module refused, as a fit error.
fn law_error(family: &'static str, e: crate::dist::DistError) -> FitError {
    FitError::Law {
        family,
        message: e.to_string(),
    }
}

/// The trigamma function `ψ'(x)`, `x > 0`: the recurrence
/// `ψ'(x) = ψ'(x + 1) + 1/x²` up to `x >= 10`, then the asymptotic series
/// `1/x + 1/(2x²) + Σ B₂ₖ / x^{2k+1}` (Abramowitz and Stegun 6.4.12),
/// whose first omitted term is below 3e-14 there. statrs has the
/// digamma, not this.
pub fn trigamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 10.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let x2 = 1.0 / (x * x);
    // B2 = 1/6, B4 = -1/30, B6 = 1/42, B8 = -1/30, B10 = 5/66.
    let series = 1.0 / x
        + x2 / 2.0
        + (1.0 / 6.0 - (1.0 / 30.0 - (1.0 / 42.0 - (1.0 / 30.0 - 5.0 / 66.0 * x2) * x2) * x2) * x2)
            * x2
            / x;
    acc + series
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn trigamma_matches_its_known_values_and_the_digamma_slope() {
        use std::f64::consts::PI;
        // ψ'(1) = π²/6, ψ'(1/2) = π²/2, ψ'(2) = π²/6 - 1.
        assert!((trigamma(1.0) - PI * PI / 6.0).abs() < 1e-12);
        assert!((trigamma(0.5) - PI * PI / 2.0).abs() < 1e-12);
        assert!((trigamma(2.0) - (PI * PI / 6.0 - 1.0)).abs() < 1e-12);
        // Against a central difference of statrs' digamma.
        for x in [0.3, 1.7, 5.5, 12.0, 300.0] {
            let h = 1e-5 * x;
            let slope = (statrs::function::gamma::digamma(x + h)
                - statrs::function::gamma::digamma(x - h))
                / (2.0 * h);
            assert!(
                (trigamma(x) - slope).abs() < 1e-6 * slope.abs().max(1.0),
                "{x}"
            );
        }
    }

    #[test]
    fn bad_samples_are_refused_with_their_place() {
        assert_eq!(Samples::new(vec![]).unwrap_err(), FitError::Empty);
        assert_eq!(
            Samples::new(vec![1.0, -2.0]).unwrap_err(),
            FitError::Sample {
                index: 2,
                value: -2.0
            }
        );
        assert!(matches!(
            Samples::new(vec![1.0, f64::NAN]).unwrap_err(),
            FitError::Sample { index: 2, .. }
        ));
        assert_eq!(
            Samples::new(vec![3.0]).unwrap_err(),
            FitError::TooFew { got: 1, need: 2 }
        );
        assert_eq!(
            Samples::new(vec![3.0, 3.0]).unwrap_err(),
            FitError::Constant(3.0)
        );
        let e = "pareto".parse::<Family>().unwrap_err().to_string();
        assert!(e.contains("exp, lognormal, gamma, weibull"), "{e}");
    }

    /// 10^4 draws of each known law: its family wins by AIC and every
    /// parameter lands within four standard errors.
    #[test]
    fn known_laws_are_recognised_and_recovered() {
        for (spec, family, truth) in [
            ("exp(mean=2)", Family::Exp, vec![0.5]),
            (
                "lognormal(mu=0.4,sigma=0.9)",
                Family::LogNormal,
                vec![0.4, 0.9],
            ),
            ("gamma(shape=3,scale=0.7)", Family::Gamma, vec![3.0, 0.7]),
            (
                "weibull(shape=0.7,scale=2)",
                Family::Weibull,
                vec![0.7, 2.0],
            ),
            ("weibull(shape=3,scale=5)", Family::Weibull, vec![3.0, 5.0]),
        ] {
            let law: Dist = spec.parse().unwrap();
            let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(42);
            let xs: Vec<f64> = (0..10_000).map(|_| law.sample(&mut rng)).collect();
            let fits = fit_samples(&Samples::new(xs).unwrap(), &Family::ALL).unwrap();
            // The exponential is the gamma and Weibull of shape 1: those
            // may tie with it; the others must win outright.
            let best = &fits[0];
            if family == Family::Exp {
                let exp = fits.iter().find(|f| f.family == Family::Exp).unwrap();
                assert!(
                    exp.aic <= best.aic + 4.0,
                    "{spec}: {:?}",
                    fits.iter().map(|f| (f.family, f.aic)).collect::<Vec<_>>()
                );
            } else {
                assert_eq!(
                    best.family,
                    family,
                    "{spec}: {:?}",
                    fits.iter().map(|f| (f.family, f.aic)).collect::<Vec<_>>()
                );
            }
            let mine = fits.iter().find(|f| f.family == family).unwrap();
            for (p, t) in mine.params.iter().zip(&truth) {
                assert!(
                    (p.value - t).abs() < 4.0 * p.std_err,
                    "{spec} {}: {} ± {} vs {t}",
                    p.name,
                    p.value,
                    p.std_err
                );
            }
            assert!(mine.ks < 0.02, "{spec}: KS {}", mine.ks);
        }
    }
}
