//! A measurement file fitted as a whole: what it holds (guessed from the
//! content unless given), read in its unit, every family asked for fitted
//! to it. Both `quorum-model fit` and the spec language's
//! `fit(file=..., family=...)` go through [`fit_text`].

use super::censored::{fit_buckets, Buckets};
use super::input::{self, Unit};
use super::{fit_samples, Family, Fit, FitError, Samples};
use std::fmt;
use std::str::FromStr;

/// What a measurement file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Samples, one per line or a CSV column.
    Samples,
    /// An HdrHistogram interval log.
    Hdr,
    /// A `nodetool proxyhistograms`-style percentile table.
    Nodetool,
    /// A Prometheus text exposition of a histogram.
    Prometheus,
}

impl Kind {
    /// The names accepted.
    pub const NAMES: &'static str = "samples, hdr, nodetool, prometheus";

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Samples => "samples",
            Kind::Hdr => "hdr",
            Kind::Nodetool => "nodetool",
            Kind::Prometheus => "prometheus",
        }
    }

    /// A guess from the content: an HdrHistogram log, Prometheus buckets,
    /// a nodetool table, else samples.
    pub fn guess(text: &str) -> Kind {
        if super::hdr::looks_like_log(text) {
            Kind::Hdr
        } else if text.contains("_bucket{") {
            Kind::Prometheus
        } else if text
            .lines()
            .any(|l| l.trim_start().starts_with("Percentile"))
        {
            Kind::Nodetool
        } else {
            Kind::Samples
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [Kind::Samples, Kind::Hdr, Kind::Nodetool, Kind::Prometheus]
            .into_iter()
            .find(|k| k.name() == s.trim())
            .ok_or_else(|| format!("unknown input '{}': one of {}", s.trim(), Kind::NAMES))
    }
}

/// How to read a measurement: each `None` guessed or defaulted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Source<'a> {
    /// What the file holds (default: guessed from the content).
    pub kind: Option<Kind>,
    /// The unit of its values (default: what a Prometheus metric's name or
    /// a nodetool header says; µs for an HdrHistogram log; else ms).
    pub unit: Option<Unit>,
    /// Samples: the CSV column; nodetool: the operation's column; hdr:
    /// the intervals' tag.
    pub column: Option<&'a str>,
    /// Nodetool: observations behind the table (default 1000; it sets
    /// only the standard errors).
    pub count: Option<u64>,
}

/// A measurement's fits.
#[derive(Debug, Clone)]
pub struct FileFit {
    /// What the file held.
    pub kind: Kind,
    /// The unit its values were read in.
    pub unit: Unit,
    /// Samples, or observations in the buckets.
    pub observations: u64,
    /// Every family's fit, best (smallest BIC) first.
    pub fits: Vec<Fit>,
    /// What `Fit::ks` measures for this input.
    pub goodness_of_fit: &'static str,
    /// The data's survival `S(x) = P(X > x)`, ms, increasing `x`: after
    /// each distinct sample (at most [`SURVIVAL_POINTS`], evenly spaced in
    /// rank, and the tail's last ones kept), or at each finite bucket edge.
    pub survival: Vec<(f64, f64)>,
}

/// At most this many points of a sample's empirical survival are kept.
pub const SURVIVAL_POINTS: usize = 2000;

/// The empirical survival after each sample, thinned in rank to about
/// [`SURVIVAL_POINTS`] but keeping the last 200 (the tail, the part a
/// log-survival chart is for); the last sample, whose survival is 0, is
/// left out.
fn sample_survival(s: &Samples) -> Vec<(f64, f64)> {
    let xs = s.sorted();
    let n = xs.len();
    let step = (n / SURVIVAL_POINTS).max(1);
    (0..n - 1)
        .filter(|&i| i % step == 0 || i + 200 >= n)
        // After equal samples, only the last one's survival.
        .filter(|&i| xs[i + 1] > xs[i])
        .map(|i| (xs[i], (n - 1 - i) as f64 / n as f64))
        .collect()
}

/// Reads `text` as `source` says and fits every family of `families`.
pub fn fit_text(text: &str, source: &Source<'_>, families: &[Family]) -> Result<FileFit, FitError> {
    let kind = source.kind.unwrap_or_else(|| Kind::guess(text));
    const EDGES: &str = "largest gap at the bucket edges";
    let buckets = |b: Buckets, unit: Unit| -> Result<FileFit, FitError> {
        Ok(FileFit {
            kind,
            unit,
            observations: b.total(),
            fits: fit_buckets(&b, families)?,
            goodness_of_fit: EDGES,
            survival: b
                .cumulative()
                .into_iter()
                .map(|(x, f)| (x, 1.0 - f))
                .collect(),
        })
    };
    match kind {
        Kind::Samples => {
            let unit = source.unit.unwrap_or(Unit::Ms);
            let xs = input::samples(text, unit, source.column)?;
            let observations = xs.len() as u64;
            let s = Samples::new(xs)?;
            Ok(FileFit {
                kind,
                unit,
                observations,
                fits: fit_samples(&s, families)?,
                goodness_of_fit: "kolmogorov-smirnov and anderson-darling",
                survival: sample_survival(&s),
            })
        }
        Kind::Hdr => {
            let unit = source.unit.unwrap_or(Unit::Us);
            buckets(super::hdr::read(text, unit, source.column)?, unit)
        }
        Kind::Prometheus => {
            let unit = source
                .unit
                .or_else(|| input::prometheus_unit(text))
                .unwrap_or(Unit::S);
            buckets(input::prometheus(text, unit)?, unit)
        }
        Kind::Nodetool => {
            let b = input::nodetool(
                text,
                source.unit,
                source.column,
                source.count.unwrap_or(1000),
            )?;
            let unit = source.unit.unwrap_or(if text.contains("(millis)") {
                Unit::Ms
            } else {
                Unit::Us
            });
            buckets(b, unit)
        }
    }
}
