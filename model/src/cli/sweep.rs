//! `quorum-model sweep`: the grid, written as CSVs for notebooks.

use super::progress::Progress;
use super::Usage;
use clap::Args;
use quorum_model::dist::presets::PRESET_NAMES;
use quorum_model::mc::{DEFAULT_SEED, DEFAULT_TRIALS};
use quorum_model::output::charts::SweepData;
use quorum_model::output::report::write_report;
use quorum_model::output::sweep_files::{write_sweep, Manifest, SUMMARY, TVISIBILITY};
use quorum_model::scenario::Scenario;
use quorum_model::sweep::{self, group_count, Shard, SweepSpec};
use std::path::PathBuf;
use std::time::Instant;

pub const SWEEP_EXAMPLES: &str = "\
Without options: the four presets, n = 1..9, every 1 <= r, w <= n, p_fail in
{0, 0.001, 0.01}, written to notebooks-data/.

Examples:
  quorum-model sweep
  quorum-model sweep --presets lnkd-disk,wan --n-max 5 --p-fail 0,0.01
  quorum-model sweep --scenario model/scenarios/cloud-zones.toml --presets lnkd-ssd
  quorum-model sweep --shard 1/4 --out-dir part1     # then: quorum-model merge --out-dir all part1 part2 part3 part4";

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// Presets to sweep, comma separated (default: all four, unless
    /// --scenario is given).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    presets: Option<Vec<String>>,
    /// Scenario file (TOML); repeatable. Its failure model is replaced by
    /// the --p-fail levels.
    #[arg(long, value_name = "FILE")]
    scenario: Vec<PathBuf>,
    /// Largest number of replicas (n = 1..=N).
    #[arg(long, value_name = "N", default_value_t = 9)]
    n_max: usize,
    /// Failure levels: per-replica down probabilities, comma separated.
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "0,0.001,0.01",
        allow_negative_numbers = true
    )]
    p_fail: Vec<f64>,
    /// Monte Carlo trials per (scenario, n, p_fail).
    #[arg(long, value_name = "T", default_value_t = DEFAULT_TRIALS)]
    trials: u64,
    /// Master seed; the same seed gives the same bytes.
    #[arg(long, value_name = "S", default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long, value_name = "J")]
    threads: Option<usize>,
    /// Evaluate only shard I of M (1-based): a deterministic part of the grid.
    #[arg(long, value_name = "I/M")]
    shard: Option<String>,
    /// Where the CSVs go.
    #[arg(long, value_name = "DIR", default_value = "notebooks-data")]
    out_dir: PathBuf,
    /// Where REPORT.md and the charts go (not written for a shard: merge,
    /// then run `quorum-model plot`).
    #[arg(long, value_name = "DIR", default_value = "reports")]
    reports_dir: PathBuf,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

fn scenarios(args: &SweepArgs) -> Result<Vec<Scenario>, Usage> {
    let mut out = Vec::new();
    let names: Vec<String> = match (&args.presets, args.scenario.is_empty()) {
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
    for path in &args.scenario {
        out.push(Scenario::from_file(path).map_err(|e| Usage(format!("--scenario: {e}")))?);
    }
    Ok(out)
}

pub fn run(args: SweepArgs) -> Result<(), Usage> {
    // Everything is checked before any work or any file.
    if args.threads == Some(0) {
        return Err(Usage("--threads: must be an integer >= 1".into()));
    }
    let shard = match &args.shard {
        Some(s) => Shard::parse(s).map_err(|e| Usage(e.to_string()))?,
        None => Shard::WHOLE,
    };
    let spec = SweepSpec {
        scenarios: scenarios(&args)?,
        n_max: args.n_max,
        p_fail: args.p_fail.clone(),
        trials: args.trials,
        seed: args.seed,
    }
    .validated()
    .map_err(|e| Usage(e.to_string()))?;
    if args.out_dir.exists() && !args.out_dir.is_dir() {
        return Err(Usage(format!(
            "--out-dir: '{}' exists and is not a directory",
            args.out_dir.display()
        )));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .map_err(|e| Usage(format!("--threads: {e}")))?;
    let start = Instant::now();
    let progress = Progress::new(group_count(&spec, shard) as u64, "sweep", args.quiet);
    let out = pool
        .install(|| sweep::run(&spec, shard, &|| progress.tick()))
        .map_err(|e| Usage(e.to_string()))?;
    progress.finish();
    write_sweep(&args.out_dir, &Manifest::new(&spec, shard), &out).map_err(|e| {
        Usage(format!(
            "--out-dir: cannot write '{}': {e}",
            args.out_dir.display()
        ))
    })?;
    if shard == Shard::WHOLE {
        let data = SweepData::load(&args.out_dir).map_err(|e| Usage(format!("--out-dir: {e}")))?;
        write_report(&data, &args.reports_dir).map_err(|e| Usage(format!("--reports-dir: {e}")))?;
    }
    if !args.quiet {
        eprintln!(
            "sweep: {} rows, {} curve points, {} trials per group, seed {}, in {:.1} s -> {}/{SUMMARY}, {}/{TVISIBILITY}{}",
            out.summary.len(),
            out.curves.len(),
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
