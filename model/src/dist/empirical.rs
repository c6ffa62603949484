//! Empirical delay: the sample's own distribution (the ECDF), each observed
//! value a point mass `1/m`. Read from a file with one number per line, or
//! from one column of a CSV file with a header. Nothing is smoothed: a
//! quantile is an observed value and the tail ends at the largest sample.
//!
//! A day of latency logs holds millions of samples, and every exact figure
//! sums over the point masses. A sample with more than [`MAX_DISTINCT`]
//! distinct values is therefore reduced once, at load: its values are
//! merged into bins of relative width [`BIN_WIDTH`] (0.2%; wider only if
//! the sample spans more than a factor of about 3,600), each bin an atom
//! at the mean of its samples carrying their count. Every sample moves by
//! less than the bin width, so every percentile of the reduced law is
//! within that relative distance of the sample's own, the mean is kept
//! exactly, and [`Dist::notes`](super::Dist::notes) says so.

use super::{Delay, DistError, MAX_SCALE_MS};
use rand::Rng;
use std::fmt;
use std::path::{Path, PathBuf};

/// Samples with at most this many distinct values are kept exactly.
pub const MAX_DISTINCT: usize = 4096;
/// Relative width of the bins a larger sample is merged into.
pub const BIN_WIDTH: f64 = 0.002;

/// Where the samples came from, kept so the spec can be printed back.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    File {
        path: PathBuf,
        column: Option<String>,
    },
    Memory,
    /// Point masses the crate built (a sum of discrete terms).
    Atoms,
}

/// An empirical distribution.
///
/// ```
/// use quorum_model::dist::{Delay, Empirical};
/// let e = Empirical::from_samples(vec![3.0, 1.0, 2.0, 2.0]).unwrap();
/// assert_eq!(e.cdf(2.0), 0.75);
/// assert_eq!(e.quantile(0.5), 2.0);
/// assert_eq!(e.mean(), 2.0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Empirical {
    /// Atom values, increasing.
    values: Vec<f64>,
    /// Cumulative weight up to and including each atom (sample counts, or
    /// probabilities for built atoms); the last is `total`.
    cumulative: Vec<f64>,
    /// Weight strictly above each atom, summed from the top.
    above: Vec<f64>,
    total: f64,
    /// Number of samples (0 for built atoms).
    samples: usize,
    mean: f64,
    /// Relative bin width if values were merged.
    binned: Option<f64>,
    source: Source,
}

impl Empirical {
    /// At least one sample; every sample between 0 and 1e9 ms.
    pub fn from_samples(samples: Vec<f64>) -> Result<Self, DistError> {
        Self::build(samples, Source::Memory)
    }

    /// Reads samples from `path`: one number per line (blank lines and lines
    /// starting with `#` are skipped), or, with `column`, the named column
    /// (or 1-based index) of a CSV file whose first row is a header.
    pub fn from_file(path: &Path, column: Option<&str>) -> Result<Self, DistError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            DistError::invalid(
                "empirical",
                format!("cannot read file '{}': {e}", path.display()),
            )
        })?;
        let samples = match column {
            None => parse_lines(&text, path)?,
            Some(col) => parse_csv_column(&text, path, col)?,
        };
        Self::build(
            samples,
            Source::File {
                path: path.to_path_buf(),
                column: column.map(str::to_string),
            },
        )
    }

    /// Point masses `(value, probability)` the crate built (probabilities
    /// sum to 1), with the bin width if they were merged.
    pub(crate) fn from_discrete(atoms: Vec<(f64, f64)>, binned: Option<f64>) -> Self {
        let mean = atoms.iter().map(|(x, m)| x * m).sum();
        let mut e = Self::from_weighted(atoms, 0, mean, Source::Atoms);
        e.binned = binned;
        e
    }

    fn from_weighted(atoms: Vec<(f64, f64)>, samples: usize, mean: f64, source: Source) -> Self {
        let values: Vec<f64> = atoms.iter().map(|a| a.0).collect();
        let mut cumulative = Vec::with_capacity(atoms.len());
        let mut acc = 0.0;
        for (_, w) in &atoms {
            acc += w;
            cumulative.push(acc);
        }
        let mut above = vec![0.0; atoms.len()];
        let mut acc = 0.0;
        for i in (0..atoms.len()).rev() {
            above[i] = acc;
            acc += atoms[i].1;
        }
        let total = *cumulative.last().unwrap_or(&1.0);
        Empirical {
            values,
            cumulative,
            above,
            total,
            samples,
            mean,
            binned: None,
            source,
        }
    }

    fn build(mut samples: Vec<f64>, source: Source) -> Result<Self, DistError> {
        if samples.is_empty() {
            return Err(DistError::invalid(
                "empirical",
                "no samples (the file is empty)",
            ));
        }
        if let Some(bad) = samples
            .iter()
            .find(|x| !(x.is_finite() && **x >= 0.0 && **x <= MAX_SCALE_MS))
        {
            return Err(DistError::Parameter {
                family: "empirical",
                param: "sample",
                allowed: "numbers between 0 and 1e9 (ms)",
                value: *bad,
            });
        }
        samples.sort_by(f64::total_cmp);
        let m = samples.len();
        let mean = samples.iter().sum::<f64>() / m as f64;
        let mut atoms: Vec<(f64, f64)> = Vec::new();
        for &x in &samples {
            match atoms.last_mut() {
                Some((v, w)) if *v == x => *w += 1.0,
                _ => atoms.push((x, 1.0)),
            }
        }
        let mut binned = None;
        if atoms.len() > MAX_DISTINCT {
            let (merged, width) = reduce(&atoms);
            atoms = merged;
            binned = Some(width);
        }
        let mut e = Self::from_weighted(atoms, m, mean, source);
        e.binned = binned;
        Ok(e)
    }

    /// Number of samples (0 for point masses the crate built).
    pub fn len(&self) -> usize {
        self.samples
    }

    /// Always false: construction refuses an empty sample.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Number of point masses the law is evaluated over.
    pub fn atom_count(&self) -> usize {
        self.values.len()
    }

    /// The relative bin width, if the sample was reduced.
    pub fn bin_width(&self) -> Option<f64> {
        self.binned
    }

    pub(crate) fn notes(&self) -> Vec<String> {
        match self.binned {
            Some(w) if self.samples == 0 => vec![format!(
                "a sum of discrete delays has more than {} point masses: they were merged into {} bins of relative width {:.2}% (each value moves by less than that)",
                super::sum::MAX_ATOMS,
                self.values.len(),
                100.0 * w
            )],
            Some(w) => vec![format!(
                "{self}: {} samples with more than {MAX_DISTINCT} distinct values were merged into {} bins of relative width {:.2}%: every percentile of the law used is within {:.2}% of the sample's own, the mean is exact",
                self.samples,
                self.values.len(),
                100.0 * w,
                100.0 * w
            )],
            _ => Vec::new(),
        }
    }

    /// Draws one sample uniformly (bootstrap resampling): a uniform index
    /// into the samples, mapped to its atom.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        if self.samples > 0 {
            let k = rng.random_range(0..self.samples) as f64;
            let i = self.cumulative.partition_point(|c| *c <= k);
            self.values[i.min(self.values.len() - 1)]
        } else {
            let u: f64 = rng.random::<f64>() * self.total;
            let i = self.cumulative.partition_point(|c| *c <= u);
            self.values[i.min(self.values.len() - 1)]
        }
    }

    /// Index of the first atom `> x`.
    fn first_above(&self, x: f64) -> usize {
        self.values.partition_point(|v| *v <= x)
    }
}

/// Merges sorted `(value, count)` atoms into bins of relative width
/// [`BIN_WIDTH`] (wider if that leaves more than [`MAX_DISTINCT`] bins),
/// each at its samples' mean. Zero stays its own atom.
fn reduce(atoms: &[(f64, f64)]) -> (Vec<(f64, f64)>, f64) {
    let positive: Vec<f64> = atoms.iter().map(|a| a.0).filter(|x| *x > 0.0).collect();
    let span = match (positive.first(), positive.last()) {
        (Some(a), Some(b)) => (b / a).ln(),
        _ => 0.0,
    };
    let width = BIN_WIDTH.max((span / (MAX_DISTINCT - 2) as f64).exp_m1());
    let step = width.ln_1p();
    let origin = positive.first().copied().unwrap_or(1.0).ln();
    let mut out: Vec<(f64, f64)> = Vec::new();
    let mut current: Option<(i64, f64, f64)> = None; // (bin, count, sum)
    for &(x, c) in atoms {
        let bin = if x > 0.0 {
            ((x.ln() - origin) / step).floor() as i64
        } else {
            -1
        };
        match &mut current {
            Some((b, n, sum)) if *b == bin => {
                *n += c;
                *sum += c * x;
            }
            _ => {
                if let Some((_, n, sum)) = current {
                    out.push((sum / n, n));
                }
                current = Some((bin, c, c * x));
            }
        }
    }
    if let Some((_, n, sum)) = current {
        out.push((sum / n, n));
    }
    (out, width)
}

fn parse_lines(text: &str, path: &Path) -> Result<Vec<f64>, DistError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let v: f64 = t.parse().map_err(|_| {
            let hint = if t.contains(',') {
                " (for a CSV file, name the column: empirical(file=...,column=NAME))"
            } else {
                ""
            };
            DistError::invalid(
                "empirical",
                format!("{}:{}: '{t}' is not a number{hint}", path.display(), i + 1),
            )
        })?;
        out.push(v);
    }
    Ok(out)
}

fn parse_csv_column(text: &str, path: &Path, column: &str) -> Result<Vec<f64>, DistError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| DistError::invalid("empirical", format!("{}: {e}", path.display())))?
        .clone();
    let index = match headers.iter().position(|h| h == column) {
        Some(i) => i,
        None => match column.parse::<usize>() {
            Ok(k) if k >= 1 && k <= headers.len() => k - 1,
            _ => {
                let names: Vec<&str> = headers.iter().collect();
                return Err(DistError::invalid(
                    "empirical",
                    format!(
                        "{}: no column '{column}'; the header has {} (or give a 1-based index)",
                        path.display(),
                        names.join(", ")
                    ),
                ));
            }
        },
    };
    let mut out = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record
            .map_err(|e| DistError::invalid("empirical", format!("{}: {e}", path.display())))?;
        let cell = record.get(index).unwrap_or("").trim();
        if cell.is_empty() {
            continue;
        }
        let v: f64 = cell.parse().map_err(|_| {
            DistError::invalid(
                "empirical",
                format!(
                    "{}:{}: '{cell}' in column '{column}' is not a number",
                    path.display(),
                    row + 2
                ),
            )
        })?;
        out.push(v);
    }
    Ok(out)
}

impl Delay for Empirical {
    fn cdf(&self, x: f64) -> f64 {
        let i = self.first_above(x);
        if i == 0 {
            0.0
        } else {
            self.cumulative[i - 1] / self.total
        }
    }
    fn sf(&self, x: f64) -> f64 {
        let i = self.first_above(x);
        if i == 0 {
            1.0
        } else {
            self.above[i - 1] / self.total
        }
    }
    fn pdf(&self, _x: f64) -> f64 {
        0.0
    }
    fn quantile(&self, p: f64) -> f64 {
        // The first atom whose cumulative weight reaches p.
        let target = p * self.total;
        let i = self.cumulative.partition_point(|c| *c < target);
        self.values[i.min(self.values.len() - 1)]
    }
    fn isf(&self, s: f64) -> f64 {
        // The first atom with at most s of the weight above it.
        let target = s * self.total;
        let i = self.above.partition_point(|a| *a > target);
        self.values[i.min(self.values.len() - 1)]
    }
    fn mean(&self) -> f64 {
        self.mean
    }
    fn support(&self) -> (f64, f64) {
        (self.values[0], self.values[self.values.len() - 1])
    }
    fn atoms(&self) -> Vec<(f64, f64)> {
        let mut prev = 0.0;
        self.values
            .iter()
            .zip(&self.cumulative)
            .map(|(x, c)| {
                let m = (c - prev) / self.total;
                prev = *c;
                (*x, m)
            })
            .collect()
    }
    fn continuous_mass(&self) -> f64 {
        0.0
    }
    /// Every atom: the CDF jumps there, and integrals over it (a mean
    /// latency) split there to stay exact.
    fn breakpoints(&self) -> Vec<f64> {
        self.values.clone()
    }
}

impl fmt::Display for Empirical {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::File { path, column: None } => write!(f, "empirical(file={})", path.display()),
            Source::File {
                path,
                column: Some(c),
            } => write!(f, "empirical(file={},column={c})", path.display()),
            Source::Memory => write!(f, "empirical(<{} samples in memory>)", self.samples),
            Source::Atoms => write!(f, "empirical(<{} point masses>)", self.values.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{testing, Dist};

    fn temp_file(name: &str, body: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("qm-empirical-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn family_checks() {
        let body: String = (1..=500)
            .map(|i| format!("{}\n", (i as f64 * 0.37) % 11.0))
            .collect();
        let p = temp_file("lines.txt", &body);
        let d = Dist::Empirical(Empirical::from_file(&p, None).unwrap());
        testing::check_family(&d);
        testing::check_roundtrip(&d);
    }

    #[test]
    fn reads_a_csv_column_by_name_and_index() {
        let p = temp_file("lat.csv", "op,latency_ms\nread,1.5\nwrite,2.5\nread,4\n");
        let by_name = Empirical::from_file(&p, Some("latency_ms")).unwrap();
        let by_index = Empirical::from_file(&p, Some("2")).unwrap();
        assert_eq!(by_name.values, vec![1.5, 2.5, 4.0]);
        assert_eq!(by_name.values, by_index.values);
        let err = Empirical::from_file(&p, Some("nope"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no column 'nope'") && err.contains("latency_ms"),
            "{err}"
        );
    }

    #[test]
    fn refuses_empty_missing_and_malformed_files() {
        let empty = temp_file("empty.txt", "# only a comment\n\n");
        assert!(Empirical::from_file(&empty, None)
            .unwrap_err()
            .to_string()
            .contains("empty"));
        let missing = Path::new("/nonexistent/lat.txt");
        assert!(Empirical::from_file(missing, None)
            .unwrap_err()
            .to_string()
            .contains("cannot read"));
        let bad = temp_file("bad.txt", "1.0\nfast\n");
        let err = Empirical::from_file(&bad, None).unwrap_err().to_string();
        assert!(err.contains(":2:") && err.contains("fast"), "{err}");
        let neg = temp_file("neg.txt", "1.0\n-2\n");
        assert!(Empirical::from_file(&neg, None).is_err());
    }

    #[test]
    fn quantile_is_an_observed_value() {
        let e = Empirical::from_samples(vec![5.0, 1.0, 3.0, 2.0, 4.0]).unwrap();
        assert_eq!(e.quantile(0.0), 1.0);
        assert_eq!(e.quantile(0.2), 1.0);
        assert_eq!(e.quantile(0.21), 2.0);
        assert_eq!(e.quantile(1.0), 5.0);
    }
}
