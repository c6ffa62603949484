//! Delay laws fitted to what users measure (issue 16): maximum-likelihood
//! fits of the model's families to latency samples, ranked by the Bayesian
//! information criterion, with the Kolmogorov–Smirnov and
//! Anderson–Darling distances of each fit to the samples.
//!
//! One family per file, each with its maximum-likelihood estimate and the
//! parameters' asymptotic standard errors (the inverse Fisher information):
//! [`exponential`], [`lognormal`], [`gamma`], [`weibull`], [`pareto`], the
//! PBS-style Pareto–exponential mixture ([`pareto_exp`]) and the shifted
//! forms of the first four ([`shifted`]). The samples are checked once
//! ([`Samples::new`]).
//!
//! Why BIC (`k ln n - 2 ln L`) and not AIC: BIC is consistent. With the
//! thousands of samples a trace holds, AIC's penalty of 2 per parameter
//! lets a needless shift (a nested family with one parameter more) win
//! about one time in ten (8 of 80 samples of a plain log-normal in
//! [`shifted`]'s test, 1 of 80 by BIC). AIC is reported beside it.
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
pub mod file;
pub mod gamma;
pub mod hdr;
pub mod input;
pub mod lognormal;
pub mod pareto;
pub mod pareto_exp;
pub mod shifted;
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
    #[error("{}", at_line(*line, message))]
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

/// `line N: message`, or the message alone for the input as a whole
/// (line 0).
fn at_line(line: usize, message: &str) -> String {
    if line == 0 {
        message.to_string()
    } else {
        format!("line {line}: {message}")
    }
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

    /// Already sorted, positive, finite values with a spread.
    fn from_sorted(sorted: Vec<f64>) -> Self {
        let n = sorted.len() as f64;
        let mean = sorted.iter().sum::<f64>() / n;
        let mean_ln = sorted.iter().map(|x| x.ln()).sum::<f64>() / n;
        Samples {
            sorted,
            mean,
            mean_ln,
        }
    }

    /// At most `m` (at least 2) evenly spaced order statistics, the
    /// smallest and the largest among them: a summary for searches that
    /// would be slow on millions of samples. The samples themselves when
    /// there are no more than `m`.
    pub fn thinned(&self, m: usize) -> std::borrow::Cow<'_, Samples> {
        let n = self.sorted.len();
        let m = m.max(2);
        if n <= m {
            return std::borrow::Cow::Borrowed(self);
        }
        let step = (n - 1) as f64 / (m - 1) as f64;
        let xs = (0..m)
            .map(|i| self.sorted[((i as f64 * step).round() as usize).min(n - 1)])
            .collect();
        std::borrow::Cow::Owned(Samples::from_sorted(xs))
    }

    /// The samples less `c` (`c` below the smallest one).
    pub fn shifted(&self, c: f64) -> Result<Samples, FitError> {
        if !(c >= 0.0 && c < self.sorted[0]) {
            return Err(FitError::Law {
                family: "shifted",
                message: format!("a shift of {c} leaves samples at or below 0"),
            });
        }
        Ok(Samples::from_sorted(
            self.sorted.iter().map(|x| x - c).collect(),
        ))
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Exponential.
    Exp,
    /// Log-normal.
    LogNormal,
    /// Gamma.
    Gamma,
    /// Weibull.
    Weibull,
    /// Pareto.
    Pareto,
    /// PBS's mixture of a Pareto body and an exponential.
    ParetoExp,
    /// A constant plus an exponential.
    ShiftedExp,
    /// A constant plus a log-normal.
    ShiftedLogNormal,
    /// A constant plus a gamma.
    ShiftedGamma,
    /// A constant plus a Weibull.
    ShiftedWeibull,
}

impl Family {
    /// Every family, in the order they are tried.
    pub const ALL: [Family; 10] = [
        Family::Exp,
        Family::LogNormal,
        Family::Gamma,
        Family::Weibull,
        Family::Pareto,
        Family::ParetoExp,
        Family::ShiftedExp,
        Family::ShiftedLogNormal,
        Family::ShiftedGamma,
        Family::ShiftedWeibull,
    ];
    /// Their names.
    pub const NAMES: &'static str = "exp, lognormal, gamma, weibull, pareto, pareto-exp, shifted-exp, shifted-lognormal, shifted-gamma, shifted-weibull";

    /// The name (the spec language's for the plain families).
    pub fn name(self) -> &'static str {
        match self {
            Family::Exp => "exp",
            Family::LogNormal => "lognormal",
            Family::Gamma => "gamma",
            Family::Weibull => "weibull",
            Family::Pareto => "pareto",
            Family::ParetoExp => "pareto-exp",
            Family::ShiftedExp => "shifted-exp",
            Family::ShiftedLogNormal => "shifted-lognormal",
            Family::ShiftedGamma => "shifted-gamma",
            Family::ShiftedWeibull => "shifted-weibull",
        }
    }

    /// The family a shifted one shifts.
    pub fn unshifted(self) -> Option<Family> {
        match self {
            Family::ShiftedExp => Some(Family::Exp),
            Family::ShiftedLogNormal => Some(Family::LogNormal),
            Family::ShiftedGamma => Some(Family::Gamma),
            Family::ShiftedWeibull => Some(Family::Weibull),
            _ => None,
        }
    }

    fn fit(self, s: &Samples) -> Result<Fitted, FitError> {
        match self {
            Family::Exp => exponential::fit(s),
            Family::LogNormal => lognormal::fit(s),
            Family::Gamma => gamma::fit(s),
            Family::Weibull => weibull::fit(s),
            Family::Pareto => pareto::fit(s),
            Family::ParetoExp => pareto_exp::fit(s),
            Family::ShiftedExp
            | Family::ShiftedLogNormal
            | Family::ShiftedGamma
            | Family::ShiftedWeibull => shifted::fit(s, self),
        }
    }
}

impl Serialize for Family {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
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
    /// information's diagonal entry at the estimate); infinite when the
    /// data do not pin the parameter down (the information is singular
    /// there), serialised as the word `"infinite"`.
    #[serde(serialize_with = "number_or_word")]
    pub std_err: f64,
}

/// A finite number as itself, an infinite one as `"infinite"`, a NaN as
/// `"undefined"`: JSON has no infinities, and `null` would not say which.
fn number_or_word<S: serde::Serializer>(x: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if x.is_finite() {
        serializer.serialize_f64(*x)
    } else if x.is_nan() {
        serializer.serialize_str("undefined")
    } else {
        serializer.serialize_str("infinite")
    }
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
    /// The Bayesian (Schwarz) criterion, `k ln n - 2 ln L` (smaller is
    /// better): the ranking.
    pub bic: f64,
    /// Akaike's criterion, `2k - 2 ln L` (smaller is better).
    pub aic: f64,
    /// The Kolmogorov–Smirnov distance, `sup |F_n - F|` (for buckets, the
    /// largest gap of cumulative shares at their edges).
    pub ks: f64,
    /// The Anderson–Darling statistic `A²`, which weighs the tails (for
    /// samples only).
    pub anderson_darling: Option<f64>,
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

/// Each sample's `(F(x), S(x))` under `law`, one evaluation each: the
/// cumulative below the middle sample and the survival above it, the
/// other as its complement (accurate there, being at least 1/2 or so).
/// Evaluated in parallel in fixed chunks.
fn cdf_sf(s: &Samples, law: &Dist) -> Vec<(f64, f64)> {
    use rayon::prelude::*;
    let xs = s.sorted();
    let mid = xs.len() / 2;
    let mut out = vec![(0.0, 0.0); xs.len()];
    out.par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(c, chunk)| {
            for (j, slot) in chunk.iter_mut().enumerate() {
                let i = c * CHUNK + j;
                *slot = if i < mid {
                    let f = law.cdf(xs[i]);
                    (f, 1.0 - f)
                } else {
                    let sf = law.sf(xs[i]);
                    (1.0 - sf, sf)
                };
            }
        });
    out
}

/// Samples per parallel chunk: fixed, so that sums do not depend on the
/// number of threads.
const CHUNK: usize = 1 << 14;

/// The Kolmogorov–Smirnov distance between the samples and `law`.
pub fn ks_distance(s: &Samples, law: &Dist) -> f64 {
    ks_of(&cdf_sf(s, law))
}

fn ks_of(fs: &[(f64, f64)]) -> f64 {
    let n = fs.len() as f64;
    fs.iter()
        .enumerate()
        .map(|(i, &(f, _))| (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs()))
        .fold(0.0, f64::max)
}

/// The Anderson–Darling statistic of the samples against `law`:
/// `A² = -n - (1/n) Σ (2i-1) [ln F(x_i) + ln S(x_{n+1-i})]` (Anderson and
/// Darling, 1954), each probability kept off 0 by 1e-300 so that a sample
/// outside the law's support gives a large finite value.
pub fn anderson_darling(s: &Samples, law: &Dist) -> f64 {
    ad_of(&cdf_sf(s, law))
}

fn ad_of(fs: &[(f64, f64)]) -> f64 {
    let n = fs.len();
    let sum: f64 = (0..n)
        .map(|i| (2 * i + 1) as f64 * (fs[i].0.max(1e-300).ln() + fs[n - 1 - i].1.max(1e-300).ln()))
        .sum();
    -(n as f64) - sum / n as f64
}

/// Fits every family of `families` to `s`, best (smallest BIC) first. A
/// family whose estimate leaves its domain is left out; if every one
/// does, the first error.
pub fn fit_samples(s: &Samples, families: &[Family]) -> Result<Vec<Fit>, FitError> {
    rank(
        families,
        s.len() as f64,
        |family| family.fit(s),
        |law| {
            let fs = cdf_sf(s, law);
            (ks_of(&fs), Some(ad_of(&fs)))
        },
        |p| Some(s.quantile(p)),
    )
}

/// Each family's fit by `fit`, ranked by BIC for `n` observations (best
/// first), with its `distance` to the data (KS-like, and Anderson–Darling
/// when there is one) and its quantiles beside the `observed` ones. A
/// family whose fit fails is left out; if every one does, the first error.
pub(crate) fn rank(
    families: &[Family],
    n: f64,
    fit: impl Fn(Family) -> Result<Fitted, FitError> + Sync,
    distance: impl Fn(&Dist) -> (f64, Option<f64>) + Sync,
    observed: impl Fn(f64) -> Option<f64>,
) -> Result<Vec<Fit>, FitError> {
    use rayon::prelude::*;
    // The families in parallel; each one's result is computed alone, so
    // the threads change nothing but the time.
    type Measured = Result<(Fitted, (f64, Option<f64>)), FitError>;
    let fitted: Vec<(Family, Measured)> = families
        .par_iter()
        .map(|&family| {
            (
                family,
                fit(family).map(|f| {
                    let d = distance(&f.dist);
                    (f, d)
                }),
            )
        })
        .collect();
    let mut out = Vec::new();
    let mut first_err = None;
    for (family, result) in fitted {
        match result {
            Ok((f, (ks, anderson_darling))) => {
                let k = f.params.len() as f64;
                out.push(Fit {
                    family,
                    spec: f.dist.to_string(),
                    bic: k * n.ln() - 2.0 * f.log_likelihood,
                    aic: 2.0 * k - 2.0 * f.log_likelihood,
                    ks,
                    anderson_darling,
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
    out.sort_by(|a, b| a.bic.total_cmp(&b.bic));
    Ok(out)
}

/// The inverse of a symmetric positive-definite matrix (an information
/// matrix) by Gauss–Jordan elimination with partial pivoting; `None` when
/// it is singular.
pub(crate) fn invert(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let d = m.len();
    let mut a: Vec<Vec<f64>> = m
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut r = row.clone();
            r.extend((0..d).map(|j| f64::from(u8::from(i == j))));
            r
        })
        .collect();
    for col in 0..d {
        let pivot = (col..d).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))?;
        let p = a[pivot][col];
        if p.abs() <= 1e-300 || !p.is_finite() {
            return None;
        }
        a.swap(col, pivot);
        let p = a[col][col];
        for v in a[col].iter_mut() {
            *v /= p;
        }
        let pivot_row = a[col].clone();
        for (row, r) in a.iter_mut().enumerate() {
            let factor = r[col];
            if row != col && factor != 0.0 {
                for (v, p) in r.iter_mut().zip(&pivot_row) {
                    *v -= factor * p;
                }
            }
        }
    }
    Some(a.into_iter().map(|r| r[d..].to_vec()).collect())
}

/// A law the dist module refused, as a fit error (its message without
/// the family's name, which the error adds).
fn law_error(family: &'static str, e: crate::dist::DistError) -> FitError {
    let text = e.to_string();
    let message = text
        .strip_prefix(&format!("{}: ", e.family()))
        .map_or(text.clone(), str::to_string);
    FitError::Law {
        family,
        message: format!("the estimate leaves the delay domain ({message})"),
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
    #[allow(clippy::needless_range_loop)] // a matrix product reads best indexed
    fn invert_gives_the_identity_back() {
        let m = vec![
            vec![4.0, 1.0, 0.5],
            vec![1.0, 3.0, 0.2],
            vec![0.5, 0.2, 2.0],
        ];
        let inv = invert(&m).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let p: f64 = (0..3).map(|k| m[i][k] * inv[k][j]).sum();
                assert!((p - f64::from(u8::from(i == j))).abs() < 1e-12);
            }
        }
        assert!(invert(&[vec![1.0, 2.0], vec![2.0, 4.0]]).is_none());
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
        let e = "burr".parse::<Family>().unwrap_err().to_string();
        assert!(e.contains("exp, lognormal, gamma, weibull, pareto"), "{e}");
    }

    /// The Anderson–Darling statistic against its definition,
    /// `n ∫ (F_n(t) - t)² / (t (1 - t)) dt` over the law's probabilities
    /// `t`, by the midpoint rule; small for the true law, large for a
    /// wrong one.
    #[test]
    fn anderson_darling_matches_its_integral() {
        let law: Dist = "exp(mean=2)".parse().unwrap();
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(9);
        let xs: Vec<f64> = (0..50).map(|_| law.sample(&mut rng)).collect();
        let s = Samples::new(xs).unwrap();
        for against in ["exp(mean=2)", "exp(mean=3)", "lognormal(mu=0,sigma=1)"] {
            let d: Dist = against.parse().unwrap();
            let us: Vec<f64> = s.sorted().iter().map(|&x| d.cdf(x)).collect();
            let n = us.len() as f64;
            let steps = 2_000_000;
            let mut integral = 0.0;
            for k in 0..steps {
                let t = (k as f64 + 0.5) / steps as f64;
                let fn_t = us.partition_point(|&u| u <= t) as f64 / n;
                integral += (fn_t - t).powi(2) / (t * (1.0 - t));
            }
            let integral = n * integral / steps as f64;
            let a2 = anderson_darling(&s, &d);
            assert!(
                (a2 - integral).abs() < 1e-3 * integral.max(1.0),
                "{against}: {a2} vs {integral}"
            );
        }
        let truth = anderson_darling(&s, &law);
        let wrong = anderson_darling(&s, &"lognormal(mu=0,sigma=1)".parse().unwrap());
        assert!(truth < 2.5 && wrong > 2.0 * truth, "{truth} {wrong}");
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
            (
                "mix(0.38: pareto(xm=1.05,alpha=1.51), 0.62: exp(rate=0.183))",
                Family::ParetoExp,
                vec![0.38, 1.05, 1.51, 0.183],
            ),
            (
                "const(0.4) + lognormal(mu=0.2,sigma=0.6)",
                Family::ShiftedLogNormal,
                vec![0.4, 0.2, 0.6],
            ),
            ("pareto(xm=2,alpha=3)", Family::Pareto, vec![2.0, 3.0]),
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
                    fits.iter().map(|f| (f.family, f.bic)).collect::<Vec<_>>()
                );
            } else {
                assert_eq!(
                    best.family,
                    family,
                    "{spec}: {:?}",
                    fits.iter().map(|f| (f.family, f.bic)).collect::<Vec<_>>()
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
