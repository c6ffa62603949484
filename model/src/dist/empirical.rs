//! Empirical delay: the sample's own distribution (the ECDF), each observed
//! value a point mass `1/m`. Read from a file with one number per line, or
//! from one column of a CSV file with a header. Nothing is smoothed: a
//! quantile is an observed value and the tail ends at the largest sample.

use super::{Delay, DistError};
use rand::Rng;
use std::fmt;
use std::path::{Path, PathBuf};

/// Where the samples came from, kept so the spec can be printed back.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    File {
        path: PathBuf,
        column: Option<String>,
    },
    Memory,
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
    sorted: Vec<f64>,
    atoms: Vec<(f64, f64)>,
    mean: f64,
    source: Source,
}

impl Empirical {
    /// At least one sample; every sample finite and `>= 0` ms.
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

    fn build(mut samples: Vec<f64>, source: Source) -> Result<Self, DistError> {
        if samples.is_empty() {
            return Err(DistError::invalid(
                "empirical",
                "no samples (the file is empty)",
            ));
        }
        if let Some(bad) = samples.iter().find(|x| !(x.is_finite() && **x >= 0.0)) {
            return Err(DistError::Parameter {
                family: "empirical",
                param: "sample",
                allowed: "finite numbers >= 0 (ms)",
                value: *bad,
            });
        }
        samples.sort_by(f64::total_cmp);
        let m = samples.len() as f64;
        let mut atoms: Vec<(f64, f64)> = Vec::new();
        for &x in &samples {
            match atoms.last_mut() {
                Some((v, w)) if *v == x => *w += 1.0 / m,
                _ => atoms.push((x, 1.0 / m)),
            }
        }
        let mean = samples.iter().sum::<f64>() / m;
        Ok(Empirical {
            sorted: samples,
            atoms,
            mean,
            source,
        })
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// Always false: construction refuses an empty sample.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// Draws one of the samples uniformly (bootstrap resampling).
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.sorted[rng.random_range(0..self.sorted.len())]
    }

    /// Number of samples `<= x`.
    fn count_le(&self, x: f64) -> usize {
        self.sorted.partition_point(|v| *v <= x)
    }
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
        self.count_le(x) as f64 / self.sorted.len() as f64
    }
    fn sf(&self, x: f64) -> f64 {
        (self.sorted.len() - self.count_le(x)) as f64 / self.sorted.len() as f64
    }
    fn pdf(&self, _x: f64) -> f64 {
        0.0
    }
    fn quantile(&self, p: f64) -> f64 {
        let m = self.sorted.len();
        let k = (p * m as f64).ceil() as usize;
        self.sorted[k.clamp(1, m) - 1]
    }
    fn mean(&self) -> f64 {
        self.mean
    }
    fn support(&self) -> (f64, f64) {
        (self.sorted[0], self.sorted[self.sorted.len() - 1])
    }
    fn atoms(&self) -> Vec<(f64, f64)> {
        self.atoms.clone()
    }
    fn continuous_mass(&self) -> f64 {
        0.0
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
            Source::Memory => write!(f, "empirical(<{} samples in memory>)", self.sorted.len()),
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
        assert_eq!(by_name.sorted, vec![1.5, 2.5, 4.0]);
        assert_eq!(by_name.sorted, by_index.sorted);
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
