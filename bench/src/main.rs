//! `quorum-bench`: run the real quorum store and compare it with the model.

use clap::{Args, Parser, Subcommand, ValueEnum};

mod garage_cli;
use quorum_bench::chaos::{chaos, ChaosConfig};
use quorum_bench::store::Legs;
use quorum_bench::validate::{validate, ValidateConfig, ValidateReport};
use quorum_bench::validate_chart::ValidateChart;
use quorum_model::cli::delays::DelayOptions;
use quorum_model::cli::retry::RetryOptions;
use quorum_model::cli::topology::{plain_count, TopologyOptions};
use quorum_model::dist::presets::{Topology, Wars};
use quorum_model::eval::{Config, Levels};
use quorum_model::named::Named;
use quorum_model::output::charts::save;
use quorum_model::output::write_atomic;
use quorum_model::topology::Level;
use quorum_model::FailureModel;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "quorum-bench",
    version,
    arg_required_else_help = true,
    about = "A real quorum store on loopback, measured against quorum-model's predictions."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Measure P(consistent at t) and latencies on the real store under the
    /// scenario's injected delays, next to the model's predictions.
    #[command(
        after_help = "Examples:\n  quorum-bench validate --n 3 --r 1 --w 1 --delay 'exp(mean=2)' --w-delay 'exp(mean=10)' --ops 5000 --format json\n  quorum-bench validate --dc east:3 --dc west:3 --dc-delay 'east-west=const(20)' --write-dc east --read-dc west --write-cl LOCAL_QUORUM --read-cl LOCAL_QUORUM --ops 1000\n  quorum-bench validate --preset wan --n 3 --r 1 --w 1 --delay 'exp(mean=1)' --ops 500"
    )]
    Validate(Box<ValidateArgs>),
    /// A workload under random crashes, restarts and partitions of up to
    /// n - max(r, w) replicas, then a heal and a read-back of every
    /// acknowledged write.
    #[command(
        after_help = "Example:\n  quorum-bench chaos --n 5 --r 3 --w 3 --durable --ops 20000 --crash-restart --partitions --format json"
    )]
    Chaos(Box<ChaosArgs>),
    /// Garage (an unmodified Dynamo-style store) on loopback, every RPC
    /// between its nodes delayed by a proxy: t-visibility, latency and a
    /// regular-register check, measured beside the model's prediction.
    /// Needs Garage 2.5.0 built once (.ci/garage-build).
    #[command(
        after_help = "Examples:\n  quorum-bench garage --nodes 3 --mode degraded --delay 'exp(mean=2)' --writes 2000 --format json\n  quorum-bench garage --mode consistent --writes 700 --stop-node 5 --charts-dir target/garage-charts\n\nThe Garage binary: --garage, else $QUORUM_GARAGE, else ~/.cache/quorum-model/garage-2.5.0/bin/garage\n(built by .ci/garage-build: cargo install garage --version 2.5.0 --locked, 15 to 30 minutes on 2 cores).\nExit status: 0 done, 2 refused or failed, 3 finished but the machine was too busy to trust it."
    )]
    Garage(Box<garage_cli::GarageArgs>),
    /// Every Garage comparison of reports/garage.md (3 and 5 nodes in each
    /// mode, a node's stop, the kernel's delayed ACKs, a node's return),
    /// written with its JSON and charts. About 15 minutes.
    #[command(after_help = "Example:\n  quorum-bench garage-report --reports-dir reports")]
    GarageReport(Box<garage_cli::ReportArgs>),
}

/// A whole number of at least `min`; hyphen values are allowed on count
/// options so that `-1` gets this message rather than clap's "unexpected
/// argument".
fn whole(min: usize) -> impl Fn(&str) -> Result<usize, String> + Clone + Send + Sync + 'static {
    move |s: &str| match s.trim().parse::<usize>() {
        Ok(v) if v >= min => Ok(v),
        _ => Err(format!("must be a whole number >= {min}")),
    }
}

/// Seconds, finite and positive.
fn seconds(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => Ok(v),
        _ => Err("must be a number of seconds in (0, 86400]".into()),
    }
}

/// Exit status of a run that finished but could not be believed.
const UNTRUSTWORTHY: u8 = 3;

/// Failures in time and the store's healing mechanisms, as `chaos` and
/// `validate` take them.
#[derive(Args, Debug, Clone)]
struct TimeFaults {
    /// Failures in time: each replica up for Exp(MTTF), then crashed for
    /// Exp(MTTR) and restarted (chaos: instead of --crash-restart), a duration
    /// with a unit (300ms). With it, stale reads' ages are held against the
    /// model's 99.99% t-visibility under these failures.
    #[arg(long, value_name = "DURATION", requires = "mttr")]
    mttf: Option<String>,
    /// Mean time a crashed replica stays down (with --mttf).
    #[arg(long, value_name = "DURATION", requires = "mttf")]
    mttr: Option<String>,
    /// Hinted handoff: the coordinator keeps hints for replicas that missed
    /// a write this long (1s) and replays them every --hint-replay-every.
    #[arg(long, value_name = "DURATION")]
    hint_window: Option<String>,
    /// How often hints are resent until the replica acks.
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "10ms",
        requires = "hint_window"
    )]
    hint_replay_every: String,
    /// Anti-entropy: the coordinator brings every replica up to date with
    /// its peers this often (50ms), each at its own phase.
    #[arg(long, value_name = "DURATION")]
    anti_entropy_interval: Option<String>,
}

/// Failures (MTTF, MTTR in ms), hints (window, period), anti-entropy.
type Faults = (
    Option<(f64, f64)>,
    Option<(std::time::Duration, std::time::Duration)>,
    Option<std::time::Duration>,
);

impl TimeFaults {
    /// The durations checked, or one line naming the flag.
    fn parse(&self) -> Result<Faults, String> {
        let duration = |flag: &str, v: &Option<String>| -> Result<Option<f64>, String> {
            v.as_deref()
                .map(|t| quorum_model::duration::parse_ms(t).map_err(|e| format!("{flag}: {e}")))
                .transpose()
        };
        let failures = match (
            duration("--mttf", &self.mttf)?,
            duration("--mttr", &self.mttr)?,
        ) {
            (Some(f), Some(r)) if f > 0.0 && r > 0.0 => Some((f, r)),
            (None, None) => None,
            _ => return Err("--mttf, --mttr: give both, each a duration > 0 (300ms, 30ms)".into()),
        };
        let ms = |v: f64| std::time::Duration::from_secs_f64(v / 1000.0);
        let hints = match duration("--hint-window", &self.hint_window)? {
            Some(w) => {
                let every = duration("--hint-replay-every", &Some(self.hint_replay_every.clone()))?
                    .expect("a default");
                if every <= 0.0 {
                    return Err("--hint-replay-every: must be a duration > 0".into());
                }
                Some((ms(w), ms(every)))
            }
            None => None,
        };
        let anti_entropy = match duration("--anti-entropy-interval", &self.anti_entropy_interval)? {
            Some(i) if i > 0.0 => Some(ms(i)),
            Some(_) => return Err("--anti-entropy-interval: must be a duration > 0".into()),
            None => None,
        };
        Ok((failures, hints, anti_entropy))
    }
}

#[derive(Args, Debug)]
struct ChaosArgs {
    /// Replicas.
    #[arg(long, value_parser = whole(1), allow_hyphen_values = true)]
    n: usize,
    /// Read quorum: answers a read waits for (1..=n).
    #[arg(long, value_parser = whole(1), allow_hyphen_values = true)]
    r: usize,
    /// Write quorum: acks a write waits for (1..=n).
    #[arg(long, value_parser = whole(1), allow_hyphen_values = true)]
    w: usize,
    /// Replicas log and fsync each write before acknowledging it.
    #[arg(long)]
    durable: bool,
    /// Operations in the workload: half writes, half reads.
    #[arg(long, value_name = "K", default_value_t = 10_000, value_parser = whole(1), allow_hyphen_values = true)]
    ops: usize,
    /// Crash and restart replicas during the workload.
    #[arg(long)]
    crash_restart: bool,
    /// Partition replicas from the coordinator for 15 ms at a time.
    #[arg(long)]
    partitions: bool,
    #[command(flatten)]
    faults: TimeFaults,
    /// Writes never rewrite a key (reads pick one written before): what a
    /// non-durable replica forgets on restart stays forgotten.
    #[arg(long)]
    fresh_keys: bool,
    /// Delays as for `validate` and `quorum-model eval` [default: every leg
    /// exp(mean=0.2)]. The WAN topology and a scenario's failure model are
    /// not used: chaos injects its own faults.
    #[command(flatten)]
    delays: DelayOptions,
    /// Seed of the injected delays, faults and workload.
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// The run's time budget in seconds: refused up front if it would take
    /// longer, and no new operation once spent.
    #[arg(long, value_name = "S", default_value_t = 600.0, value_parser = seconds, allow_hyphen_values = true)]
    budget_s: f64,
    /// Output: a table for people or JSON.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Args, Debug)]
struct ValidateArgs {
    /// Replicas (with --dc: the datacenters' total).
    #[arg(long, value_parser = whole(1), allow_hyphen_values = true)]
    n: Option<usize>,
    /// Read quorum: answers a read waits for (1..=n); or --read-cl.
    #[arg(long, value_parser = whole(1), allow_hyphen_values = true, required_unless_present = "read_cl")]
    r: Option<usize>,
    /// Write quorum: acks a write waits for (1..=n); or --write-cl.
    #[arg(long, value_parser = whole(1), allow_hyphen_values = true, required_unless_present = "write_cl")]
    w: Option<usize>,
    /// Datacenters and consistency levels as for `quorum-model eval`: the
    /// store's replicas get their datacenter's legs and the coordinators
    /// delay every message between datacenters.
    #[command(flatten)]
    topology: TopologyOptions,
    /// Delays as for `quorum-model eval` (wan: a random coordinator
    /// datacenter per operation).
    #[command(flatten)]
    delays: DelayOptions,
    /// Operations to measure: writes, each read back at every point of the
    /// t grid. `--writes` is an older name for it.
    #[arg(long, alias = "writes", value_name = "K", default_value_t = 1000, value_parser = whole(1), allow_hyphen_values = true)]
    ops: usize,
    /// Reads ask every replica (all), or r drawn at random and await them
    /// all (quorum).
    #[arg(long, value_enum, default_value_t = FanoutArg::All)]
    read_fanout: FanoutArg,
    #[command(flatten)]
    retry: RetryOptions,
    #[command(flatten)]
    faults: TimeFaults,
    /// Read repair: none, or blocking (a read whose answers disagree writes
    /// the newest value to the stale replicas among them before it
    /// returns). With it each write is read back once, at one grid point in
    /// turn, and the repair rate and read p99 are compared with the model.
    #[arg(long, value_name = "none|blocking", default_value = "none")]
    read_repair: String,
    /// Seed of the injected delays and of the prediction.
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// Writes in flight at once.
    #[arg(long, value_name = "C", default_value_t = 8, value_parser = whole(1), allow_hyphen_values = true)]
    concurrency: usize,
    /// The run's time budget in seconds: refused up front if it would take
    /// longer, stopped (and judged untrustworthy) once spent.
    #[arg(long, value_name = "S", default_value_t = 600.0, value_parser = seconds, allow_hyphen_values = true)]
    budget_s: f64,
    /// Where validate-curve.csv and charts/validate-curve.{svg,png} go.
    #[arg(long, value_name = "DIR", default_value = "validate-report")]
    reports_dir: PathBuf,
    /// Also write the measurement as HdrHistogram interval logs here (µs):
    /// injected-{w,a,r,s}.hlog, the delays the replicas drew per leg, and
    /// measured-{write,read}.hlog, the operations' latencies. `quorum-model
    /// fit DIR/injected-w.hlog` gives the leg's law back.
    #[arg(long, value_name = "DIR")]
    hdr_dir: Option<PathBuf>,
    /// Output: a table for people or JSON.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum FanoutArg {
    /// Every replica; the first r answers count.
    All,
    /// r replicas drawn at random, all awaited.
    Quorum,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// Aligned text.
    Table,
    /// One JSON object.
    Json,
}

fn main() -> ExitCode {
    quorum_model::cli::default_sigpipe();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // No subcommand: the help, as asked for, not an error.
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                print!("{}", e.render());
                return ExitCode::SUCCESS;
            }
            let text = e.render().to_string();
            // One line: clap's first, with what it lists after a colon
            // (the missing flag).
            let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
            let mut first = lines.next().unwrap_or("invalid arguments").to_string();
            if first.ends_with(':') {
                first = format!("{first} {}", lines.next().unwrap_or(""));
            }
            eprintln!("{first} (see --help)");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Validate(args) => run_validate(*args),
        Command::Chaos(args) => run_chaos(*args),
        Command::Garage(args) => garage_cli::run(*args),
        Command::GarageReport(args) => garage_cli::report(*args),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(UNTRUSTWORTHY),
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

/// `Ok(false)`: the run finished but cannot be believed (exit status 3).
fn run_validate(args: ValidateArgs) -> Result<bool, String> {
    if args.ops == 0 {
        return Err("--ops: must be an integer >= 1".into());
    }
    let scenario = args.delays.scenario().map_err(|e| e.to_string())?;
    let usage = |u: quorum_model::cli::Usage| u.0;
    let (write_cl, read_cl) = args.topology.levels().map_err(usage)?;
    let cluster = args.topology.cluster(&scenario).map_err(usage)?;
    let (config, topology) = match cluster {
        Some(c) => {
            if args.n.is_some_and(|n| n != c.n()) {
                return Err(format!(
                    "--n: the datacenters hold {} replicas (drop --n with --dc)",
                    c.n()
                ));
            }
            let level = |cl: Option<Level>, k: Option<usize>| cl.or(k.map(Level::Count));
            let levels = Levels {
                write: level(write_cl, args.w).expect("clap requires --w or --write-cl"),
                read: level(read_cl, args.r).expect("clap requires --r or --read-cl"),
            };
            (
                Config {
                    n: c.n(),
                    r: 1,
                    w: 1,
                },
                Some((c, levels)),
            )
        }
        None => {
            let n = args.n.ok_or(
                "--n: the number of replicas is required (or datacenters: --dc NAME:COUNT)",
            )?;
            let count = |field: &str, cl: Option<Level>, k: Option<usize>| match cl {
                Some(l) => plain_count(field, l, n).map_err(usage),
                None => Ok(k.expect("clap requires one")),
            };
            let r = count("read_cl", read_cl, args.r)?;
            let w = count("write_cl", write_cl, args.w)?;
            (
                Config::new(n, r, w).map_err(|e| e.named(&quorum_model::cli::flag))?,
                None,
            )
        }
    };
    let (failures, hints, anti_entropy) = args.faults.parse()?;
    let report = validate(&ValidateConfig {
        scenario,
        config,
        writes: args.ops,
        seed: args.seed,
        concurrency: args.concurrency.max(1),
        grid_points: 12,
        trials: 250_000,
        budget: std::time::Duration::from_secs_f64(args.budget_s),
        topology,
        read_fanout: match args.read_fanout {
            FanoutArg::All => quorum_model::Fanout::All,
            FanoutArg::Quorum => quorum_model::Fanout::Quorum,
        },
        retry: args.retry.retry().map_err(|u| u.0)?,
        read_repair: args
            .read_repair
            .parse()
            .map_err(|e| format!("--read-repair: {e}"))?,
        failures,
        hints,
        anti_entropy,
        hdr_dir: args.hdr_dir.clone(),
    })?;
    std::fs::create_dir_all(&args.reports_dir).map_err(|e| format!("--reports-dir: {e}"))?;
    write_atomic(
        &args.reports_dir.join("validate-curve.csv"),
        curve_csv(&report).as_bytes(),
    )
    .map_err(|e| format!("--reports-dir: {e}"))?;
    save(&ValidateChart(&report), &args.reports_dir.join("charts"))
        .map_err(|e| format!("--reports-dir: {e}"))?;
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("serializable")
        ),
        Format::Table => print_table(&report),
    }
    for reason in &report.trust_reasons {
        eprintln!("warning: untrustworthy: {reason}");
    }
    Ok(report.trustworthy)
}

/// `Ok(false)`: the budget ran out before the workload finished.
fn run_chaos(args: ChaosArgs) -> Result<bool, String> {
    let config =
        Config::new(args.n, args.r, args.w).map_err(|e| e.named(&quorum_model::cli::flag))?;
    if args.ops == 0 {
        return Err("--ops: must be an integer >= 1".into());
    }
    let scenario = if args.delays.is_empty() {
        let mut s = quorum_model::Scenario::default_exponential();
        s.wars = Wars::uniform("exp(mean=0.2)".parse().expect("a valid spec"));
        s
    } else {
        args.delays.scenario().map_err(|e| e.to_string())?
    };
    if let Topology::Wan { .. } = scenario.wars.topology {
        return Err("--preset/--scenario: the WAN topology (a random local replica per operation) is not supported by chaos".into());
    }
    if scenario.failure != FailureModel::NONE {
        return Err("--scenario: chaos injects its own faults (--crash-restart, --partitions); remove the file's [failure] table".into());
    }
    let wars = scenario.wars;
    if !args.crash_restart && !args.partitions && args.faults.mttf.is_none() {
        eprintln!("note: neither --crash-restart nor --partitions: a fault-free run");
    }
    let (failures, hints, anti_entropy) = args.faults.parse()?;
    if failures.is_some() && (args.crash_restart || args.partitions) {
        return Err(
            "--mttf/--mttr: they replace --crash-restart and --partitions; give one or the other"
                .into(),
        );
    }
    let report = chaos(&ChaosConfig {
        config,
        legs: Legs {
            w: wars.w,
            a: wars.a,
            r: wars.r,
            s: wars.s,
        },
        durable: args.durable,
        ops: args.ops,
        crash_restart: args.crash_restart,
        partitions: args.partitions,
        seed: args.seed,
        clients: 8,
        keys: 50,
        budget: std::time::Duration::from_secs_f64(args.budget_s),
        failures,
        hints,
        anti_entropy,
        fresh_keys: args.fresh_keys,
    })?;
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("serializable")
        ),
        Format::Table => {
            println!(
                "n = {}, r = {}, w = {}, {}: {} operations, {} crashes, {} restarts, {} partitions",
                report.n,
                report.r,
                report.w,
                if report.durable {
                    "durable"
                } else {
                    "not durable"
                },
                report.ops,
                report.crashes,
                report.restarts,
                report.partitions
            );
            println!("acknowledged writes   {}", report.acknowledged_writes);
            println!("lost writes           {}", report.lost_writes);
            println!("stale reads           {}", report.stale_reads);
            println!("failed operations     {}", report.failed_ops);
            if report.anti_entropy_rounds > 0 {
                println!(
                    "anti-entropy          {} rounds, {} versions pushed",
                    report.anti_entropy_rounds, report.anti_entropy_pushes
                );
            }
            if report.hints_delivered + report.hints_dropped > 0 {
                println!(
                    "hints                 {} delivered, {} dropped",
                    report.hints_delivered, report.hints_dropped
                );
            }
            if args.faults.mttf.is_some() {
                let oldest = report.stale_read_ages_ms.last().copied();
                let verdict = match (report.model_t_visibility_p9999_ms, report.stale_reads_beyond_model) {
                    (Some(b), Some(beyond)) => format!(
                        "{b:.1} ms; stale reads older than it (+ {:.1} ms the timer and the disk ran late): {beyond}",
                        report.timer_lateness_max_ms
                    ),
                    _ => "never (no mechanism bounds them)".into(),
                };
                println!(
                    "stale reads' ages     oldest {}; model's 99.99% t-visibility under these failures: {verdict}",
                    oldest.map_or("-".into(), |a| format!("{a:.1} ms")),
                );
            }
        }
    }
    if report.stopped_early {
        eprintln!(
            "warning: untrustworthy: the budget ran out after {} of {} operations",
            report.issued_ops, report.ops
        );
    }
    Ok(!report.stopped_early)
}

fn curve_csv(r: &ValidateReport) -> String {
    let mut out = String::from("scenario,n,r,w,t_ms,issued_ms,measured,predicted,reads\n");
    for p in &r.curve {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            r.scenario, r.n, r.r, r.w, p.t_ms, p.issued_ms, p.measured, p.predicted, p.reads
        ));
    }
    out
}

fn print_table(r: &ValidateReport) {
    if r.topology == "uniform" {
        println!(
            "{}  n = {}, r = {}, w = {}: {} writes, {} reads",
            r.scenario, r.n, r.r, r.w, r.writes, r.reads
        );
    } else {
        println!(
            "{}  n = {}, writes {}, reads {}: {} writes, {} reads",
            r.scenario, r.n, r.write_cl, r.read_cl, r.writes, r.reads
        );
        println!("topology  {}", r.topology);
    }
    println!("{:<28}{:>12}{:>12}", "", "measured", "predicted");
    let rows = [
        (
            "P(consistent at t = 0)",
            r.measured.p_consistent_t0,
            r.predicted.p_consistent_t0,
            "",
        ),
        (
            "write latency p50",
            r.measured.write_latency_p50_ms,
            r.predicted.write_latency_p50_ms,
            " ms",
        ),
        (
            "write latency p99",
            r.measured.write_latency_p99_ms,
            r.predicted.write_latency_p99_ms,
            " ms",
        ),
        (
            "read latency p50",
            r.measured.read_latency_p50_ms,
            r.predicted.read_latency_p50_ms,
            " ms",
        ),
        (
            "read latency p99",
            r.measured.read_latency_p99_ms,
            r.predicted.read_latency_p99_ms,
            " ms",
        ),
    ];
    for (label, m, p, unit) in rows {
        println!(
            "{label:<28}{:>12}{:>12}",
            format!("{m:.4}{unit}"),
            format!("{p:.4}{unit}")
        );
    }
    println!(
        "largest |measured - predicted| over the t curve: {:.4}",
        r.max_curve_deviation
    );
    println!("regular-register violations: {}", r.stale_reads_strict);
    if r.failures != "none" {
        println!(
            "failures in time {} ({} crashes), mechanisms {}: the predicted curve is the model's timeline",
            r.failures, r.crashes, r.mechanisms
        );
    }
    if let (Some(m), Some(p)) = (r.retries_per_read_measured, r.retries_per_read_predicted) {
        println!(
            "speculative retry {}: {m:.4} extra requests per read measured, {p:.4} predicted",
            r.speculative_retry
        );
    }
    if let (Some(m), Some(p), Some(lm), Some(lp)) = (
        r.read_repair_rate_measured,
        r.read_repair_rate_predicted,
        r.read_repair_read_p99_measured,
        r.read_repair_read_p99_predicted,
    ) {
        println!(
            "read repair {}: {m:.4} of reads repaired measured, {p:.4} predicted; read p99 with repairs {lm:.4} ms measured, {lp:.4} ms predicted",
            r.read_repair
        );
    }
    println!(
        "overhead of the real path (same workload, no injected delay; added to the predicted latencies): write {:.3} ms, read {:.3} ms",
        r.overhead_write_ms, r.overhead_read_ms
    );
    let l = &r.scheduler_lateness;
    println!(
        "injection timer lateness: mean {:.1} µs, p99 {} µs, max {} µs over {} actions",
        l.mean_us, l.p99_us, l.max_us, l.actions
    );
    println!(
        "predicted from the delays delivered (each leg plus that lateness): P(consistent at t = 0) {:.4}, read p50 {:.4} ms, write p50 {:.4} ms; largest curve gap {:.4}",
        r.compensated.p_consistent_t0,
        r.compensated.read_latency_p50_ms,
        r.compensated.write_latency_p50_ms,
        r.max_curve_deviation_compensated
    );
    if r.timed_out > 0 {
        println!("operations past their deadline: {}", r.timed_out);
    }
    if r.trustworthy {
        println!(
            "trustworthy: yes (the timer delivered the delays; see the README for the criteria)"
        );
    } else {
        println!("trustworthy: no (exit status 3)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every flag says what it is, and every subcommand shows an example.
    #[test]
    fn every_flag_has_help_and_every_command_an_example() {
        let cli = Cli::command();
        let mut missing = Vec::new();
        for sub in cli.get_subcommands() {
            if sub.get_after_help().is_none() {
                missing.push(format!("{}: no example", sub.get_name()));
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
