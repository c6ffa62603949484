//! The files a sweep writes into its output directory, and the merge of
//! sharded sweeps.
//!
//! - `summary.csv`, `tvisibility.csv`: the data contract;
//! - `rules_of_thumb.csv`: common advice (N = 10) evaluated, in the
//!   `summary.csv` format;
//! - `sweep.json`: the manifest (scenarios with their delay specs, grid,
//!   trials, seed, shard), so that a merge can check its inputs belong
//!   together.
//!
//! A merge sorts the shards' rows into the canonical order (scenario,
//! failure level spec, n, r, w; a curve's points keep their order) and writes them with the same
//! CSV writer, so it reproduces the unsharded files byte for byte.

use super::atomic::PendingFile;
use super::curve::{tvisibility_csv, CurveRow};
use super::{render, Csv};
use crate::curve::{CURVE_POINTS, CURVE_POINTS_LARGE_N, THIN_ABOVE_N};
use crate::dist::presets::Topology;
use crate::sweep::{group_count, Shard, SweepOutput, SweepSpec};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const SUMMARY: &str = "summary.csv";
pub const TVISIBILITY: &str = "tvisibility.csv";
pub const MANIFEST: &str = "sweep.json";
pub const RULES: &str = "rules_of_thumb.csv";
/// Every pair of consistency levels compared in clusters, in the
/// `summary.csv` format (see [`crate::levels`]).
pub const LEVELS: &str = "levels.csv";
/// The healing mechanisms compared under failures in time, in the
/// `summary.csv` format (see [`crate::mechanisms::healing`]).
pub const HEALING: &str = "healing.csv";
/// Speculative retry thresholds compared, in the `summary.csv` format (see
/// [`crate::mechanisms::retry`]).
pub const RETRY: &str = "retry.csv";
/// The healing comparison's curves (see [`crate::mechanisms::HealingPoint`]).
pub const HEALING_CURVES: &str = "healing_curves.csv";

/// What produced a sweep's files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: String,
    pub scenarios: Vec<ManifestScenario>,
    pub n_max: usize,
    pub p_fail: Vec<f64>,
    /// Every failure level's spec, in canonical order (the `failure`
    /// column's values).
    #[serde(default)]
    pub failures: Vec<String>,
    pub trials: u64,
    pub seed: u64,
    pub curve_points: usize,
    /// Points per curve beyond `thin_above_n` replicas.
    #[serde(default)]
    pub curve_points_large_n: usize,
    #[serde(default)]
    pub thin_above_n: usize,
    /// `I/M`.
    pub shard: String,
    /// Groups in the whole grid, and in this shard.
    pub groups_total: usize,
    pub groups_here: usize,
    /// The clusters levels were compared in (their one-line forms).
    #[serde(default)]
    pub clusters: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestScenario {
    pub name: String,
    pub w: String,
    pub a: String,
    pub r: String,
    pub s: String,
    pub remote_one_way_ms: f64,
}

impl Manifest {
    pub fn new(spec: &SweepSpec, shard: Shard) -> Self {
        Manifest {
            version: env!("CARGO_PKG_VERSION").to_string(),
            scenarios: spec
                .scenarios
                .iter()
                .map(|s| ManifestScenario {
                    name: s.name.clone(),
                    w: s.wars.w.to_string(),
                    a: s.wars.a.to_string(),
                    r: s.wars.r.to_string(),
                    s: s.wars.s.to_string(),
                    remote_one_way_ms: match s.wars.topology {
                        Topology::Uniform => 0.0,
                        Topology::Wan { remote_one_way_ms } => remote_one_way_ms,
                    },
                })
                .collect(),
            n_max: spec.n_max,
            p_fail: spec.p_fail.clone(),
            failures: spec.levels().iter().map(|f| f.spec()).collect(),
            trials: spec.trials,
            seed: spec.seed,
            curve_points: CURVE_POINTS,
            curve_points_large_n: CURVE_POINTS_LARGE_N,
            thin_above_n: THIN_ABOVE_N,
            shard: format!("{}/{}", shard.index, shard.count),
            groups_total: spec.groups().len(),
            groups_here: group_count(spec, shard),
            clusters: spec.clusters.iter().map(|c| c.spec()).collect(),
        }
    }

    fn json(&self) -> String {
        serde_json::to_string_pretty(self).expect("serializable") + "\n"
    }
}

/// A sweep's files being written as its groups finish, in canonical order:
/// rows go to disk at once, so a large sweep's memory stays that of the
/// groups in flight. Nothing appears at the targets until
/// [`SweepWriter::finish`] renames every file into place.
pub struct SweepWriter {
    dir: PathBuf,
    summary: PendingFile,
    curves: PendingFile,
    rows: usize,
    points: usize,
}

impl SweepWriter {
    /// Opens the pending files in `dir` (created if missing) and writes
    /// the headers.
    pub fn create(dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let mut summary = PendingFile::create(&dir.join(SUMMARY))?;
        let mut curves = PendingFile::create(&dir.join(TVISIBILITY))?;
        summary.append(render(&Csv, &[]).as_bytes())?;
        curves.append(empty_tvisibility().as_bytes())?;
        Ok(SweepWriter {
            dir: dir.to_path_buf(),
            summary,
            curves,
            rows: 0,
            points: 0,
        })
    }

    /// Appends a part's rows (the header lines of its rendering dropped).
    pub fn append(&mut self, part: &SweepOutput) -> std::io::Result<()> {
        let body = |text: String| -> String {
            match text.split_once('\n') {
                Some((_, rest)) => rest.to_string(),
                None => String::new(),
            }
        };
        self.summary
            .append(body(render(&Csv, &part.summary)).as_bytes())?;
        if !part.curves.is_empty() {
            self.curves
                .append(body(tvisibility_csv(&part.curves)).as_bytes())?;
        }
        self.rows += part.summary.len();
        self.points += part.curves.len();
        Ok(())
    }

    /// Rows and curve points written so far.
    pub fn counts(&self) -> (usize, usize) {
        (self.rows, self.points)
    }

    /// Writes the rules and the manifest and puts every file in place.
    pub fn finish(self, manifest: &Manifest, extras: &crate::sweep::Extras) -> std::io::Result<()> {
        let rules = &extras.rules;
        let rules_file = PendingFile::create(&self.dir.join(RULES))?;
        let levels_file = PendingFile::create(&self.dir.join(LEVELS))?;
        let healing_file = PendingFile::create(&self.dir.join(HEALING))?;
        let retry_file = PendingFile::create(&self.dir.join(RETRY))?;
        let curves_file = PendingFile::create(&self.dir.join(HEALING_CURVES))?;
        let manifest_file = PendingFile::create(&self.dir.join(MANIFEST))?;
        self.summary.finish()?;
        self.curves.finish()?;
        rules_file.commit(render(&Csv, rules).as_bytes())?;
        levels_file.commit(render(&Csv, &extras.levels).as_bytes())?;
        healing_file.commit(render(&Csv, &extras.healing).as_bytes())?;
        retry_file.commit(render(&Csv, &extras.retry).as_bytes())?;
        curves_file.commit(crate::mechanisms::curves_csv(&extras.healing_curves).as_bytes())?;
        manifest_file.commit(manifest.json().as_bytes())
    }
}

/// Writes the three files into `dir` (created if missing). Each file is
/// written whole or not at all.
#[cfg(test)]
pub fn write_sweep(dir: &Path, manifest: &Manifest, out: &SweepOutput) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let files = [
        (SUMMARY, render(&Csv, &out.summary)),
        (TVISIBILITY, tvisibility_csv(&out.curves)),
        (RULES, render(&Csv, &out.rules)),
        (LEVELS, render(&Csv, &out.levels)),
        (HEALING, render(&Csv, &out.healing)),
        (RETRY, render(&Csv, &out.retry)),
        (
            HEALING_CURVES,
            crate::mechanisms::curves_csv(&out.healing_curves),
        ),
        (MANIFEST, manifest.json()),
    ];
    let pending: Vec<(PendingFile, String)> = files
        .into_iter()
        .map(|(name, text)| Ok((PendingFile::create(&dir.join(name))?, text)))
        .collect::<std::io::Result<_>>()?;
    for (file, text) in pending {
        file.commit(text.as_bytes())?;
    }
    Ok(())
}

/// Why shards cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("{0} was produced by a different sweep (scenarios, grid, trials or seed differ)")]
    Mismatch(PathBuf),
    #[error("shards do not cover 1..{count} exactly once (got {got})")]
    Coverage { count: usize, got: String },
    #[error("give at least one shard directory")]
    Empty,
    #[error("{0}")]
    Csv(super::csv_check::CsvError),
    #[error(
        "{path}: its columns differ from {first}'s (shards of one sweep have the same columns)"
    )]
    Columns { path: PathBuf, first: PathBuf },
}

fn read(path: &Path) -> Result<String, MergeError> {
    std::fs::read_to_string(path).map_err(|e| MergeError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Rows of a CSV as records, with its header, checked (see
/// [`super::csv_check`]).
fn records(
    path: &Path,
    required: &[&str],
) -> Result<(csv::StringRecord, Vec<csv::StringRecord>), MergeError> {
    let c = super::csv_check::read_checked(path, required).map_err(MergeError::Csv)?;
    Ok((c.header, c.rows))
}

/// Canonical sort key: scenario, failure level, n, r, w (independent
/// levels' specs sort in increasing p_fail).
fn key(
    header: &csv::StringRecord,
    row: &csv::StringRecord,
) -> (String, String, usize, usize, usize) {
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .and_then(|i| row.get(i))
            .unwrap_or("")
    };
    let num = |name: &str| col(name).parse::<usize>().unwrap_or(0);
    (
        col("scenario").to_string(),
        col("failure").to_string(),
        num("n"),
        num("r"),
        num("w"),
    )
}

fn sorted_csv(header: &csv::StringRecord, mut rows: Vec<csv::StringRecord>) -> String {
    rows.sort_by(|a, b| {
        let (ka, kb) = (key(header, a), key(header, b));
        ka.0.cmp(&kb.0)
            .then(ka.1.cmp(&kb.1))
            .then(ka.2.cmp(&kb.2))
            .then(ka.3.cmp(&kb.3))
            .then(ka.4.cmp(&kb.4))
    });
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).expect("memory");
    for row in &rows {
        w.write_record(row).expect("memory");
    }
    String::from_utf8(w.into_inner().expect("memory")).expect("UTF-8")
}

/// The merged files' contents, in [`MERGED`] order.
pub fn merge(dirs: &[PathBuf]) -> Result<[String; 8], MergeError> {
    if dirs.is_empty() {
        return Err(MergeError::Empty);
    }
    let mut manifests = Vec::new();
    for d in dirs {
        let path = d.join(MANIFEST);
        let m: Manifest = serde_json::from_str(&read(&path)?).map_err(|e| MergeError::Read {
            path: path.clone(),
            message: e.to_string(),
        })?;
        manifests.push(m);
    }
    let first = manifests[0].clone();
    let same = |m: &Manifest| {
        Manifest {
            shard: first.shard.clone(),
            groups_here: first.groups_here,
            ..m.clone()
        } == first
    };
    if let Some(i) = manifests.iter().position(|m| !same(m)) {
        return Err(MergeError::Mismatch(dirs[i].clone()));
    }
    let shards: Vec<&str> = manifests.iter().map(|m| m.shard.as_str()).collect();
    let count = first
        .shard
        .split('/')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(1);
    let mut seen: Vec<String> = shards.iter().map(|s| s.to_string()).collect();
    seen.sort();
    let mut want: Vec<String> = (1..=count).map(|i| format!("{i}/{count}")).collect();
    want.sort();
    if seen != want {
        return Err(MergeError::Coverage {
            count,
            got: shards.join(", "),
        });
    }
    let mut merged: [String; 8] = Default::default();
    use super::csv_check::{SUMMARY_REQUIRED, TVISIBILITY_REQUIRED};
    for (slot, name, required) in [
        (0, SUMMARY, SUMMARY_REQUIRED),
        (1, TVISIBILITY, TVISIBILITY_REQUIRED),
        (2, RULES, SUMMARY_REQUIRED),
    ] {
        let mut header: Option<(csv::StringRecord, PathBuf)> = None;
        let mut rows = Vec::new();
        for d in dirs {
            let path = d.join(name);
            let (h, r) = records(&path, required)?;
            match &header {
                Some((first, first_path)) if *first != h => {
                    return Err(MergeError::Columns {
                        path,
                        first: first_path.clone(),
                    })
                }
                Some(_) => {}
                None => header = Some((h, path)),
            }
            rows.extend(r);
        }
        let header = header.map(|h| h.0);
        merged[slot] = sorted_csv(header.as_ref().expect("at least one shard"), rows);
    }
    // The comparisons come whole from the shard that owns the first group
    // (the others' files are empty): their rows keep their order.
    for (slot, name) in [(4, LEVELS), (5, HEALING), (6, RETRY), (7, HEALING_CURVES)] {
        let mut header: Option<csv::StringRecord> = None;
        let mut rows = Vec::new();
        for d in dirs {
            let path = d.join(name);
            if !path.exists() {
                continue;
            }
            let required: &[&str] = if name == HEALING_CURVES {
                &["mechanisms", "t_ms"]
            } else {
                SUMMARY_REQUIRED
            };
            let (h, r) = records(&path, required)?;
            header.get_or_insert(h);
            rows.extend(r);
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        if let Some(h) = &header {
            w.write_record(h).expect("memory");
        }
        for row in &rows {
            w.write_record(row).expect("memory");
        }
        merged[slot] = String::from_utf8(w.into_inner().expect("memory")).expect("UTF-8");
    }
    let whole = Manifest {
        shard: "1/1".into(),
        groups_here: first.groups_total,
        ..first
    };
    merged[3] = whole.json();
    Ok(merged)
}

/// The files [`merge`] returns, in order.
pub const MERGED: [&str; 8] = [
    SUMMARY,
    TVISIBILITY,
    RULES,
    MANIFEST,
    LEVELS,
    HEALING,
    RETRY,
    HEALING_CURVES,
];

/// An empty curve file's header, for callers that need it.
pub fn empty_tvisibility() -> String {
    tvisibility_csv(&Vec::<CurveRow>::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_files_are_the_bytes_of_the_whole_in_memory() {
        use crate::scenario::Scenario;
        use crate::sweep::{run, run_into, Shard, SweepSpec};
        let s = SweepSpec {
            scenarios: vec![Scenario::from_preset("lnkd-ssd").unwrap()],
            n_max: 4,
            p_fail: vec![0.0, 0.01],
            failures: Vec::new(),
            trials: 3_000,
            seed: 3,
            clusters: vec!["a:2,b:2;a-b=const(5)".parse().unwrap()],
            healing: crate::mechanisms::default_settings(),
            retry: None,
        }
        .validated()
        .unwrap();
        let base = std::env::temp_dir().join(format!("qm-stream-{}", std::process::id()));
        // A process id is reused: start from nothing, not from an earlier
        // run's files.
        let _ = std::fs::remove_dir_all(&base);
        let (a, b) = (base.join("memory"), base.join("streamed"));
        let whole = run(&s, Shard::WHOLE, &|| {}).unwrap();
        let manifest = Manifest::new(&s, Shard::WHOLE);
        write_sweep(&a, &manifest, &whole).unwrap();
        let mut writer = SweepWriter::create(&b).unwrap();
        let mut parts = 0;
        let rules = run_into(&s, Shard::WHOLE, &|| {}, &mut |part| {
            parts += 1;
            writer.append(&part).map_err(|e| e.to_string())
        })
        .unwrap();
        // Nothing is visible before the end.
        assert!(!b.join("summary.csv").exists());
        writer.finish(&manifest, &rules).unwrap();
        assert_eq!(parts, s.groups().len());
        for f in [
            "summary.csv",
            "tvisibility.csv",
            "rules_of_thumb.csv",
            "levels.csv",
            "healing.csv",
            "retry.csv",
            "healing_curves.csv",
            "sweep.json",
        ] {
            assert_eq!(
                std::fs::read(a.join(f)).unwrap(),
                std::fs::read(b.join(f)).unwrap(),
                "{f}"
            );
        }
    }
}
