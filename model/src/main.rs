//! `quorum-model`: a thin command line over the library.

mod cli;

use clap::{Parser, Subcommand};
use cli::{eval, merge, plan, plot, sweep, Usage};
use quorum_model::dist::presets;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "quorum-model",
    version,
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
    Merge(merge::MergeArgs),
    /// Redraw the report's charts from existing CSVs, without recomputing.
    Plot(plot::PlotArgs),
    /// List the published delay presets with their parameters and sources.
    Presets,
}

fn main() -> ExitCode {
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
        Command::Plot(args) => plot::run(args),
        Command::Presets => {
            for p in presets::all() {
                println!("{p}");
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
