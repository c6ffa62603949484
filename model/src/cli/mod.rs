//! Subcommands of the `quorum-model` binary: each parses its options, calls
//! the library, and writes files or prints. Progress bars live in one
//! place (`progress`). Flag names are chosen here ([`flag`]), not in the
//! library.

pub mod delays;
pub(crate) mod eval;
pub(crate) mod failure;
pub(crate) mod fit;
pub mod heal;
pub(crate) mod merge;
pub(crate) mod plan;
pub(crate) mod plot;
pub(crate) mod progress;
pub(crate) mod qs;
pub mod retry;
pub(crate) mod sweep;
pub mod topology;

use crate::named::Named;

/// A refusal: printed as one line, exit code 2.
pub struct Usage(pub String);

impl Usage {
    /// A library error, its fields named as this command line's flags.
    pub fn named(e: &dyn Named) -> Usage {
        Usage(e.named(&flag))
    }
}

/// The flag that sets a library input field: `mttr_hours` is
/// `--mttr-hours`. The one place the command line's names are chosen; where
/// a flag is not its field's name in kebab case, the table says so.
pub fn flag(field: &str) -> String {
    let renamed = match field {
        // The sweep's largest n (its files keep the key `n_max`).
        "n_max" => "max_n",
        // A plan requires strictness rather than setting a level.
        "slo_strict" => "require_strict",
        // One leg override per flag.
        "legs" => "leg",
        other => other,
    };
    format!("--{}", renamed.replace('_', "-"))
}

/// A whole number of at least `min`, for count options. Clap would take
/// `-1` for a flag and print nothing about the allowed range; parsed here
/// (the options also allow hyphen values) every wrong count gets one line
/// saying what is allowed: `invalid value '-1' for '--n <N>': must be a
/// whole number >= 1`.
pub fn whole<T>(min: u64) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static
where
    T: TryFrom<u64>,
{
    move |s: &str| {
        let t = s.trim();
        let err = || format!("must be a whole number >= {min}");
        let v: u64 = match t.parse::<u64>() {
            Ok(v) => v,
            Err(_) => {
                // "1e3" or "12.0" are whole numbers too; anything else is not.
                let f: f64 = t.parse().map_err(|_| err())?;
                if f.fract() != 0.0 || f < 0.0 || f > u64::MAX as f64 {
                    return Err(err());
                }
                f as u64
            }
        };
        if v < min {
            return Err(err());
        }
        T::try_from(v).map_err(|_| format!("{v} is too large"))
    }
}

use crate::dist::presets;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "quorum-model",
    version,
    arg_required_else_help = true,
    about = "What a quorum configuration (n replicas, read quorum r, write quorum w) buys a replicated store: availability, staleness and latency.",
    after_help = "Examples:\n  quorum-model sweep\n  quorum-model eval --n 3 --r 2 --w 2 --p-fail 0.01\n  quorum-model eval --preset lnkd-disk --n 3 --r 1 --w 1 --format json\n  quorum-model presets"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Evaluate one configuration: availability, staleness, latency.
    #[command(after_help = eval::EVAL_EXAMPLES)]
    Eval(Box<eval::EvalArgs>),
    /// Sweep a grid of scenarios x n x (r, w) x failure levels: CSVs, charts, report.
    #[command(after_help = sweep::SWEEP_EXAMPLES)]
    Sweep(Box<sweep::SweepArgs>),
    /// The cheapest configurations meeting SLOs, the cluster they need, and a worksheet.
    #[command(after_help = plan::PLAN_EXAMPLES)]
    Plan(Box<plan::PlanArgs>),
    /// Combine the outputs of sharded sweeps into one (byte-identical to an unsharded run).
    #[command(
        after_help = "Examples:\n  quorum-model sweep --max-n 5 --shard 1/2 --out-dir shards/1 --quiet\n  quorum-model sweep --max-n 5 --shard 2/2 --out-dir shards/2 --quiet\n  quorum-model merge --out-dir merged shards/1 shards/2\n  quorum-model plot --data merged --reports-dir merged-reports"
    )]
    Merge(merge::MergeArgs),
    /// Redraw the report's charts from existing CSVs, without recomputing.
    #[command(
        after_help = "Examples:\n  quorum-model plot                                  # notebooks-data/ -> reports/\n  quorum-model plot --data merged --reports-dir merged-reports"
    )]
    Plot(plot::PlotArgs),
    /// The delay law that best fits a measurement (samples, a Prometheus
    /// histogram, a nodetool table): its spec, or every candidate.
    #[command(after_help = fit::FIT_EXAMPLES)]
    Fit(Box<fit::FitArgs>),
    /// A quorum system beyond thresholds (grids, choose, weighted votes):
    /// resilience, availability and the LP-optimal strategy's load,
    /// capacity, network load and latency.
    #[command(after_help = qs::QS_EXAMPLES)]
    Qs(Box<qs::QsArgs>),
    /// List the published delay presets with their parameters and sources.
    #[command(
        after_help = "Examples:\n  quorum-model presets\n  quorum-model eval --preset lnkd-disk --n 3 --r 1 --w 1"
    )]
    Presets,
}

/// Lets a closed pipe end the process as it ends other Unix tools
/// (`quorum-model presets | head -1`): Rust ignores SIGPIPE, so `print!`
/// would panic on the write instead.
pub fn default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to its default at start-up,
    // before any thread is spawned, has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// The `quorum-model` binary: parses the command line and runs it.
pub fn main() -> ExitCode {
    default_sigpipe();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => return clap_error(e),
    };
    let result = match cli.command {
        Command::Eval(args) => eval::run(*args),
        Command::Plan(args) => match plan::run(*args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
        Command::Sweep(args) => sweep::run(*args),
        Command::Merge(args) => merge::run(args),
        Command::Fit(args) => fit::run(*args),
        Command::Qs(args) => qs::run(*args),
        Command::Plot(args) => plot::run(args),
        Command::Presets => {
            for p in presets::all() {
                println!("{p}");
            }
            println!("Clusters (eval --topology NAME):\n");
            for p in crate::topology::CLUSTER_PRESETS {
                println!("{}: {}", p.name, p.description);
                println!("  source: {}", p.source);
                println!("  topology: {}\n", p.spec);
            }
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Usage(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Clap's messages span several lines; usage errors become one line.
fn clap_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        // No subcommand: the help, as asked for, not an error.
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            print!("{}", e.render());
            ExitCode::SUCCESS
        }
        _ => {
            let text = e.render().to_string();
            let first: Vec<&str> = text
                .lines()
                .map(str::trim)
                .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
                .filter(|l| !l.is_empty())
                .collect();
            let msg = first.join(" ");
            let msg = msg.strip_prefix("error: ").unwrap_or(&msg);
            eprintln!("error: {msg} (see --help)");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every flag says what it is, and every subcommand shows examples.
    #[test]
    fn every_flag_has_help_and_every_command_examples() {
        let cli = Cli::command();
        let mut missing = Vec::new();
        for sub in cli.get_subcommands() {
            if sub.get_after_help().is_none() {
                missing.push(format!("{}: no examples", sub.get_name()));
            }
            for arg in sub.get_arguments() {
                if arg.get_help().is_none() {
                    missing.push(format!("{} --{}", sub.get_name(), arg.get_id()));
                }
            }
        }
        assert!(missing.is_empty(), "{missing:?}");
    }
}
