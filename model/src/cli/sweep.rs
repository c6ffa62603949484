//! `quorum-model sweep`: the grid, written as CSVs for notebooks.

use super::heal::HealOptions;
use super::progress::Progress;
use super::topology::ClusterOptions;
use super::Usage;
use crate::dist::presets::PRESET_NAMES;
use crate::failure::FailureModel;
use crate::mc::{DEFAULT_SEED, DEFAULT_TRIALS};
use crate::output::charts::SweepData;
use crate::output::report::write_report;
use crate::output::sweep_files::{Manifest, SweepWriter, SUMMARY, TVISIBILITY};
use crate::scenario::Scenario;
use crate::sweep::{self, group_count, Shard, SweepSpec};
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

pub const SWEEP_EXAMPLES: &str = "\
Without options: the four presets, n = 1..9, every 1 <= r, w <= n, failure
levels p_fail in {0, 0.001, 0.01} plus repair(mttf=1000,mttr=10,crews=1) and
3 zones (p_domain=0.001, p_fail=0.01) spread and packed, written to
notebooks-data/ and reports/. Giving --p-fail or --failure replaces all of
these levels.

Examples:
  quorum-model sweep
  quorum-model sweep --presets lnkd-disk,wan --max-n 5 --p-fail 0,0.01
  quorum-model sweep --scenario model/scenarios/cloud-zones.toml --presets lnkd-ssd
  quorum-model sweep --shard 1/4 --out-dir part1     # then: quorum-model merge --out-dir all part1 part2 part3 part4
  quorum-model sweep --config model/sweeps/small.toml
  quorum-model sweep --presets lnkd-ssd --max-n 5 --p-fail 0.01 \
      --failure 'repair(mttf=1000,mttr=10,crews=1)' \
      --failure 'domains(d=3,p_domain=0.001,p_fail=0.01,placement=packed)'

Failure specs (--failure, repeatable; the `failure` column of summary.csv):
  iid(p_fail=P)  per_node(P,P,...)  repair(mttf=H,mttr=H[,crews=K])
  domains(d=D,p_domain=P[,p_fail=P][,placement=spread|packed])";

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// A sweep file (TOML) with any of: presets, scenarios, max_n, p_fail,
    /// failures, trials, seed, threads, out_dir, reports_dir. Options given on the
    /// command line override it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Presets to sweep, comma separated (default: all four, unless
    /// --scenario is given).
    #[arg(long, alias = "preset", value_name = "LIST", value_delimiter = ',')]
    presets: Option<Vec<String>>,
    /// Scenario file (TOML); repeatable. Its failure model is replaced by
    /// the sweep's failure levels (--p-fail, --failure).
    #[arg(long, value_name = "FILE")]
    scenario: Vec<PathBuf>,
    /// Largest number of replicas, n = 1..=N (at most 64) [default: 9].
    /// `--n-max` is an older name for it.
    #[arg(value_parser = super::whole::<usize>(1), allow_hyphen_values = true, long = "max-n", alias = "n-max", value_name = "N")]
    n_max: Option<usize>,
    /// Independent failure levels: per-replica down probabilities, comma
    /// separated, each as `eval --p-fail` takes one [default: 0,0.001,0.01,
    /// plus the default --failure levels].
    #[arg(
        long,
        value_name = "P,P,...",
        value_delimiter = ',',
        allow_hyphen_values = true
    )]
    p_fail: Option<Vec<f64>>,
    /// A further failure level (repair, domains, per-node; see below);
    /// repeatable. Added to the --p-fail levels (each spec may contain
    /// commas, so give one per --failure).
    #[arg(long, value_name = "SPEC")]
    failure: Vec<String>,
    /// Monte Carlo trials per (scenario, n, failure level) [default: 250000].
    #[arg(value_parser = super::whole::<u64>(1), allow_hyphen_values = true, long, value_name = "T")]
    trials: Option<u64>,
    /// Master seed; the same seed gives the same bytes [default: 1].
    #[arg(value_parser = super::whole::<u64>(0), allow_hyphen_values = true, long, value_name = "S")]
    seed: Option<u64>,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(value_parser = super::whole::<usize>(1), allow_hyphen_values = true, long, value_name = "J")]
    threads: Option<usize>,
    /// Evaluate only shard I of M (1-based): a deterministic part of the grid.
    #[arg(long, value_name = "I/M")]
    shard: Option<String>,
    /// Where the CSVs go [default: notebooks-data].
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Where REPORT.md and the charts go (not written for a shard: merge,
    /// then run `quorum-model plot`) [default: reports].
    #[arg(long, value_name = "DIR")]
    reports_dir: Option<PathBuf>,
    /// The cluster in which every pair of consistency levels is compared
    /// (levels.csv and the report's table; default: the two-regions and
    /// three-regions presets), as eval takes it. Reads run in the write's
    /// datacenter and in the next one.
    #[command(flatten)]
    cluster: ClusterOptions,
    /// The mechanisms compared under 1% failures in time (healing.csv and
    /// the report's table: none, hints, anti-entropy, both) [default: hints
    /// kept 3h, anti-entropy every 10min].
    #[command(flatten)]
    heal: HealOptions,
    /// A speculative-retry threshold to compare besides none, 50p, 90p,
    /// 95p, 99p and 99.9p (retry.csv and the report's table).
    #[command(flatten)]
    retry: super::retry::RetryOptions,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// Independent failure levels of the default sweep.
pub const DEFAULT_P_FAIL: [f64; 3] = [0.0, 0.001, 0.01];

/// Correlated failure levels of the default sweep: issue 6's repair anchor
/// (MTTF 1000 h, MTTR 10 h, one crew) and three zones, spread and packed.
pub const DEFAULT_FAILURES: [&str; 3] = [
    "repair(mttf=1000,mttr=10,crews=1)",
    "domains(d=3,p_domain=0.001,p_fail=0.01,placement=spread)",
    "domains(d=3,p_domain=0.001,p_fail=0.01,placement=packed)",
];

/// A sweep file: the same settings as the options.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepFile {
    presets: Option<Vec<String>>,
    scenarios: Option<Vec<PathBuf>>,
    #[serde(alias = "n_max")]
    max_n: Option<usize>,
    p_fail: Option<Vec<f64>>,
    failures: Option<Vec<String>>,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    out_dir: Option<PathBuf>,
    reports_dir: Option<PathBuf>,
}

/// Options after merging the command line over the sweep file over defaults.
struct Settings {
    presets: Option<Vec<String>>,
    scenarios: Vec<PathBuf>,
    n_max: usize,
    p_fail: Vec<f64>,
    failures: Vec<FailureModel>,
    trials: u64,
    seed: u64,
    threads: Option<usize>,
    out_dir: PathBuf,
    reports_dir: PathBuf,
}

fn settings(args: &SweepArgs) -> Result<Settings, Usage> {
    let file = match &args.config {
        None => SweepFile::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Usage(format!("--config: cannot read '{}': {e}", path.display())))?;
            let mut f: SweepFile = toml::from_str(&text).map_err(|e| {
                Usage(format!(
                    "--config: {}: {}",
                    path.display(),
                    e.message().replace('\n', " ")
                ))
            })?;
            // Paths in the file are relative to the file.
            let base = path.parent().unwrap_or(std::path::Path::new("."));
            let anchor = |p: &mut PathBuf| {
                if p.is_relative() {
                    *p = base.join(&p);
                }
            };
            f.scenarios.iter_mut().flatten().for_each(anchor);
            f.out_dir.iter_mut().for_each(anchor);
            f.reports_dir.iter_mut().for_each(anchor);
            f
        }
    };
    let p_fail = args.p_fail.clone().or(file.p_fail.clone());
    let failure_specs = if args.failure.is_empty() {
        file.failures.clone()
    } else {
        Some(args.failure.clone())
    };
    // Defaults only when neither kind of level is given.
    let (p_fail, failure_specs) = match (p_fail, failure_specs) {
        (None, None) => (
            DEFAULT_P_FAIL.to_vec(),
            DEFAULT_FAILURES.iter().map(|s| s.to_string()).collect(),
        ),
        (p, f) => (p.unwrap_or_default(), f.unwrap_or_default()),
    };
    let failures = failure_specs
        .iter()
        .map(|f| {
            f.parse::<FailureModel>()
                .map_err(|e| Usage(format!("--failure: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Settings {
        failures,
        presets: args.presets.clone().or(file.presets),
        scenarios: if args.scenario.is_empty() {
            file.scenarios.unwrap_or_default()
        } else {
            args.scenario.clone()
        },
        n_max: args.n_max.or(file.max_n).unwrap_or(9),
        p_fail,
        trials: args.trials.or(file.trials).unwrap_or(DEFAULT_TRIALS),
        seed: args.seed.or(file.seed).unwrap_or(DEFAULT_SEED),
        threads: args.threads.or(file.threads),
        out_dir: args
            .out_dir
            .clone()
            .or(file.out_dir)
            .unwrap_or_else(|| "notebooks-data".into()),
        reports_dir: args
            .reports_dir
            .clone()
            .or(file.reports_dir)
            .unwrap_or_else(|| "reports".into()),
    })
}

fn scenarios(args: &Settings) -> Result<Vec<Scenario>, Usage> {
    let mut out = Vec::new();
    let names: Vec<String> = match (&args.presets, args.scenarios.is_empty()) {
        (Some(list), _) => list.clone(),
        (None, true) => PRESET_NAMES.iter().map(|s| s.to_string()).collect(),
        (None, false) => Vec::new(),
    };
    for name in names {
        out.push(Scenario::from_preset(name.trim()).map_err(|_| {
            Usage(format!(
                "--presets: unknown preset '{}'; allowed: {}",
                name.trim(),
                PRESET_NAMES.join(", ")
            ))
        })?);
    }
    for path in &args.scenarios {
        out.push(Scenario::from_file(path).map_err(|e| Usage(format!("--scenario: {e}")))?);
    }
    Ok(out)
}

pub fn run(cli: SweepArgs) -> Result<(), Usage> {
    let args = settings(&cli)?;
    // Everything is checked before any work or any file.
    if args.threads == Some(0) {
        return Err(Usage("--threads: must be an integer >= 1".into()));
    }
    let shard = match &cli.shard {
        Some(s) => Shard::parse(s).map_err(|e| Usage::named(&e))?,
        None => Shard::WHOLE,
    };
    if cli.cluster.read_dc.is_some() {
        return Err(Usage(
            "--read-dc: the sweep compares reads in the write's datacenter and in the next one; give --write-dc".into(),
        ));
    }
    let clusters = match cli.cluster.cluster(&Scenario::default_exponential())? {
        Some(c) => vec![c],
        None => crate::levels::default_clusters(),
    };
    let spec = SweepSpec {
        scenarios: scenarios(&args)?,
        n_max: args.n_max,
        p_fail: args.p_fail.clone(),
        failures: args.failures.clone(),
        trials: args.trials,
        seed: args.seed,
        clusters,
        healing: cli.heal.healing(
            &crate::mechanisms::default_settings(),
            &crate::FailureModel::Repair(crate::mechanisms::REPAIR),
        )?,
        retry: cli
            .retry
            .speculative_retry
            .is_some()
            .then(|| cli.retry.retry())
            .transpose()?,
    }
    .validated()
    .map_err(|e| Usage::named(&e))?;
    for (flag, dir) in [
        ("--out-dir", &args.out_dir),
        ("--reports-dir", &args.reports_dir),
    ] {
        if dir.exists() && !dir.is_dir() {
            return Err(Usage(format!(
                "{flag}: '{}' exists and is not a directory",
                dir.display()
            )));
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .map_err(|e| Usage(format!("--threads: {e}")))?;
    let start = Instant::now();
    let progress = Progress::new(group_count(&spec, shard) as u64, "sweep", cli.quiet);
    // Rows go to disk as groups finish; the files appear only when all
    // are written.
    let mut writer = SweepWriter::create(&args.out_dir).map_err(|e| {
        Usage(format!(
            "--out-dir: cannot write '{}': {e}",
            args.out_dir.display()
        ))
    })?;
    let extras = pool
        .install(|| {
            sweep::run_into(&spec, shard, &|| progress.tick(), &mut |part| {
                writer.append(&part).map_err(|e| {
                    format!("--out-dir: cannot write '{}': {e}", args.out_dir.display())
                })
            })
        })
        .map_err(|e| Usage::named(&e))?;
    progress.finish();
    let (rows, points) = writer.counts();
    writer
        .finish(&Manifest::new(&spec, shard), &extras)
        .map_err(|e| {
            Usage(format!(
                "--out-dir: cannot write '{}': {e}",
                args.out_dir.display()
            ))
        })?;
    if shard == Shard::WHOLE {
        let data = SweepData::load(&args.out_dir).map_err(|e| Usage(format!("--out-dir: {e}")))?;
        write_report(&data, &args.reports_dir).map_err(|e| Usage(format!("--reports-dir: {e}")))?;
    }
    if !cli.quiet {
        eprintln!(
            "sweep: {} rows, {} curve points, {} trials per group, seed {}, in {:.1} s -> {}/{SUMMARY}, {}/{TVISIBILITY}{}",
            rows,
            points,
            spec.trials,
            spec.seed,
            start.elapsed().as_secs_f64(),
            args.out_dir.display(),
            args.out_dir.display(),
            if shard == Shard::WHOLE { format!(", {}/REPORT.md", args.reports_dir.display()) } else { String::new() }
        );
    }
    Ok(())
}
