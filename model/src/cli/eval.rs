//! `quorum-model eval`: one configuration, exact figures and Monte Carlo.

use super::delays::DelayOptions;
use super::failure::FailureOptions;
use super::heal::HealOptions;
use super::retry::RetryOptions;
use super::topology::{plain_count, TopologyOptions};
use super::Usage;
use crate::eval::{
    cluster_row, evaluate, evaluate_levels, simulation, Config, EvalOptions, Levels, SummaryRow,
};
use crate::failure::FailureModel;
use crate::heal::{Healing, ReadRepair};
use crate::mc;
use crate::mc::timeline::{TimelineSetup, MAX_TIMELINE_N};
use crate::named::Named;
use crate::output::atomic::PendingFile;
use crate::output::curve::tvisibility_csv;
use crate::output::{render, Csv, Json, Table};
use crate::scenario::Scenario;
use crate::topology::{Cluster, Level};
use crate::Fanout;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

pub const EVAL_EXAMPLES: &str = "\
Delays are specs in ms: exp(mean=2), exp(rate=0.5), pareto(xm=1.05,alpha=1.51),
lognormal(mu=0,sigma=1), weibull(shape=1.5,scale=2), gamma(shape=2,scale=1),
const(75), A + B, mix(0.38: pareto(xm=1.05,alpha=1.51), 0.62: exp(rate=0.183)),
empirical(file=lat.txt[,column=NAME]), percentiles(p50=3.75,p99=6.59,p99.9=32.89).
Precedence: preset or scenario < --delay < --w-delay/--a-delay/--r-delay/--s-delay.
Without any delay option every leg is exp(mean=1).

Examples:
  quorum-model eval --n 3 --r 2 --w 2 --p-fail 0.01 --format json
  quorum-model eval --preset lnkd-disk --n 5 --r 2 --w 3
  quorum-model eval --n 3 --r 1 --w 2 --delay 'exp(mean=1)'
  quorum-model eval --n 3 --r 2 --w 2 --w-delay 'pareto(xm=1,alpha=0.9)'
  quorum-model eval --scenario model/scenarios/cloud-zones.toml --n 3 --r 2 --w 2 --timeout-ms 10
  quorum-model eval --preset lnkd-disk --n 3 --r 1 --w 1 --trials 1000000 --curve tvis.csv

Exact figures come from closed forms and numerical integration; p_consistent_t0
and t_visibility_p999_ms come from Monte Carlo (--trials, --seed) with 95% intervals.";

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Number of replicas (>= 1); with --dc, the datacenters' total.
    #[arg(value_parser = super::whole::<usize>(1), allow_hyphen_values = true, long)]
    n: Option<usize>,
    /// Read quorum: responses a read waits for (1..=n); or --read-cl.
    #[arg(value_parser = super::whole::<usize>(1), allow_hyphen_values = true, long, required_unless_present = "read_cl")]
    r: Option<usize>,
    /// Write quorum: acks a write waits for (1..=n); or --write-cl.
    #[arg(value_parser = super::whole::<usize>(1), allow_hyphen_values = true, long, required_unless_present = "write_cl")]
    w: Option<usize>,
    #[command(flatten)]
    topology: TopologyOptions,
    #[command(flatten)]
    delays: DelayOptions,
    #[command(flatten)]
    failure: FailureOptions,
    /// Down probability per replica, comma separated, one per replica.
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        allow_hyphen_values = true,
        conflicts_with_all = ["p_fail", "mttf_hours", "domains", "failure"]
    )]
    p_fail_per_node: Option<Vec<f64>>,
    /// Also report availability this many hours after all nodes were up.
    #[arg(
        long,
        value_name = "T",
        requires = "mttf_hours",
        allow_hyphen_values = true
    )]
    at_hours: Option<f64>,
    /// Operations slower than this fail (availability under timeout).
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    timeout_ms: Option<f64>,
    /// Versions for k-staleness: P(read misses all of the last K writes).
    #[arg(value_parser = super::whole::<u32>(1), allow_hyphen_values = true, long, value_name = "K", default_value_t = 1)]
    k: u32,
    /// Monte Carlo trials (default: 250000, a 95% half-width below 0.002
    /// on p_consistent_t0).
    #[arg(value_parser = super::whole::<u64>(1), allow_hyphen_values = true, long, value_name = "T", default_value_t = crate::mc::DEFAULT_TRIALS)]
    trials: u64,
    /// Seed of the Monte Carlo; the same seed gives the same bytes.
    #[arg(value_parser = super::whole::<u64>(0), allow_hyphen_values = true, long, value_name = "S", default_value_t = crate::mc::DEFAULT_SEED)]
    seed: u64,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(value_parser = super::whole::<usize>(1), allow_hyphen_values = true, long, value_name = "J")]
    threads: Option<usize>,
    /// Also report P(consistent) for a read issued T ms after the write
    /// commits (p_consistent_t, with its 95% interval).
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    consistency_at_ms: Option<f64>,
    /// Reads go to all n replicas (the first r answers count) or to r live
    /// ones picked at random, all awaited (as Cassandra does). Same as
    /// --read-selection all|random.
    #[arg(long, value_enum, default_value_t = FanoutArg::All)]
    read_fanout: FanoutArg,
    /// Which replicas a read asks: all (the first answers that satisfy the
    /// level count; PBS), random (as many live ones as the level needs, all
    /// awaited), closest (those the coordinator expects to be fastest, its
    /// own datacenter first; without datacenters the same as random).
    #[arg(long, value_enum, conflicts_with = "read_fanout")]
    read_selection: Option<SelectionArg>,
    #[command(flatten)]
    retry: RetryOptions,
    #[command(flatten)]
    heal: HealOptions,
    /// Write the t-visibility curve (tvisibility.csv columns) to FILE. With
    /// a failure model with durations (--mttf-hours), the curve of failures
    /// in time: a logarithmic grid from 1 µs to hours.
    #[arg(long, value_name = "FILE")]
    curve: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// The scenario and the configuration: the failure model's checks need
/// n, which datacenters give.
fn build_scenario(args: &EvalArgs) -> Result<(Scenario, Target), Usage> {
    let mut s = args.delays.scenario().map_err(|e| Usage(e.to_string()))?;
    let target = target(args, &s)?;
    let mut failure = args.failure.clone();
    if let Target::Levels(cluster, _) = &target {
        // The datacenters are the failure domains.
        if failure.p_domain.is_some() && failure.domains.is_none() {
            failure.domains = Some(cluster.dcs.len());
        }
    } else if failure.p_domain.is_some() && failure.domains.is_none() {
        return Err(Usage(
            "--p-domain: needs --domains D, or datacenters (--dc NAME:COUNT), which are then the failure domains".into(),
        ));
    }
    if let Some(model) = failure.model_with(args.p_fail_per_node.clone())? {
        // Crews against n, a per-node list's length: the checks that need n.
        let n = match &target {
            Target::Plain(c) => c.n,
            Target::Levels(c, _) => c.n(),
        };
        model.validate(n).map_err(|e| failure.refusal(&e))?;
        s.failure = model;
    }
    if let Some(t) = args.at_hours {
        if !(t.is_finite() && t >= 0.0) {
            return Err(Usage(format!(
                "--at-hours: must be a finite number >= 0, got {}",
                crate::text::Shown(t)
            )));
        }
    }
    Ok((s, target))
}

/// The t-visibility curve of a strict configuration: 1 everywhere.
fn strict_curve(scenario: &Scenario, config: Config) -> Vec<crate::curve::CurveRow> {
    crate::curve::strict(
        &scenario.name,
        &scenario.failure,
        config.n,
        config.r,
        config.w,
        200,
    )
}

/// The configuration: `(n, r, w)`, or consistency levels in a cluster.
enum Target {
    Plain(Config),
    Levels(Cluster, Levels),
}

fn target(args: &EvalArgs, scenario: &Scenario) -> Result<Target, Usage> {
    let (write_cl, read_cl) = args.topology.levels()?;
    match args.topology.cluster(scenario)? {
        Some(cluster) => {
            let total = cluster.n();
            if let Some(n) = args.n {
                if n != total {
                    return Err(Usage(format!(
                        "--n: the datacenters hold {total} replicas, got --n {n} (drop --n with --dc)"
                    )));
                }
            }
            let level = |cl: Option<Level>, k: Option<usize>| {
                cl.or(k.map(Level::Count)).expect("clap requires one")
            };
            Ok(Target::Levels(
                cluster,
                Levels {
                    write: level(write_cl, args.w),
                    read: level(read_cl, args.r),
                },
            ))
        }
        None => {
            let n = args.n.ok_or_else(|| {
                Usage("--n: the number of replicas is required (or datacenters: --dc NAME:COUNT, --topology)".into())
            })?;
            let r = match read_cl {
                Some(l) => plain_count("read_cl", l, n)?,
                None => args.r.expect("clap requires --r or --read-cl"),
            };
            let w = match write_cl {
                Some(l) => plain_count("write_cl", l, n)?,
                None => args.w.expect("clap requires --w or --write-cl"),
            };
            Ok(Target::Plain(
                Config::new(n, r, w).map_err(|e| Usage::named(&e))?,
            ))
        }
    }
}

pub fn run(args: EvalArgs) -> Result<(), Usage> {
    if args.trials == 0 {
        return Err(Usage("--trials: must be an integer >= 1".into()));
    }
    if args.threads == Some(0) {
        return Err(Usage("--threads: must be an integer >= 1".into()));
    }
    if let Some(t) = args.consistency_at_ms {
        if !(t.is_finite() && t >= 0.0) {
            return Err(Usage(format!(
                "--consistency-at-ms: must be a finite number of ms >= 0, got {}",
                crate::text::Shown(t)
            )));
        }
    }
    let (scenario, target) = build_scenario(&args)?;
    let config = match &target {
        Target::Plain(c) => *c,
        Target::Levels(cluster, _) => Config {
            n: cluster.n(),
            r: 1,
            w: 1,
        },
    };
    if !config.strict() {
        crate::eval::check_simulation(args.trials, config.n, args.k)
            .map_err(|e| Usage::named(&e))?;
    }
    // Refuse an unwritable curve path before any work.
    let curve_file = match &args.curve {
        Some(path) => Some(
            PendingFile::create(path)
                .map_err(|e| Usage(format!("--curve: cannot write '{}': {e}", path.display())))?,
        ),
        None => None,
    };
    let speculative_retry = args.retry.retry_or(scenario.speculative_retry)?;
    let healing = args.heal.healing(&scenario.healing, &scenario.failure)?;
    if healing.any() && matches!(target, Target::Levels(..)) {
        return Err(Usage(
            "--hint-window, --anti-entropy-interval, --read-repair: not modelled with datacenters yet; drop --dc/--topology, or the mechanism".into(),
        ));
    }
    let options = EvalOptions {
        speculative_retry,
        k: args.k,
        timeout_ms: args.timeout_ms,
        at_hours: args.at_hours,
        consistency_t_ms: args.consistency_at_ms,
        read_fanout: match (args.read_selection, args.read_fanout) {
            (Some(SelectionArg::All), _) | (None, FanoutArg::All) => Fanout::All,
            (Some(SelectionArg::Random), _) | (None, FanoutArg::Quorum) => Fanout::Quorum,
            (Some(SelectionArg::Closest), _) => Fanout::Closest,
        },
    };
    let result = match &target {
        Target::Plain(config) => evaluate(&scenario, *config, options),
        Target::Levels(cluster, levels) => evaluate_levels(&scenario, cluster, *levels, options),
    };
    let exact = result.map_err(|e| match (&e, &args.delays.scenario) {
        // Only a scenario file's per-node list can still disagree with --n.
        (crate::eval::ConfigError::Failure(f), Some(path)) => Usage(format!(
            "--scenario: {}: {}",
            path.display(),
            f.named(&|field| format!("failure.{field}"))
        )),
        _ => Usage::named(&e),
    })?;
    let config = exact.config;
    // The curve: exactly 1 for strict configurations, else simulated.
    let (row, curve) = match &target {
        Target::Levels(cluster, _) => {
            let (row, res) = cluster_row(
                &scenario,
                cluster,
                &exact,
                options,
                args.trials,
                args.seed,
                args.threads,
            )
            .map_err(|e| Usage::named(&e))?;
            let curve = match &res {
                Some(res) => crate::curve::cluster_curve_points(&row, &scenario.failure, res, 200),
                None => strict_curve(&scenario, config),
            };
            (row, curve)
        }
        Target::Plain(_) => {
            let mut row = SummaryRow::from_exact(&scenario, &exact, options);
            if config.strict() {
                row.add_strict_consistency();
                (row, strict_curve(&scenario, config))
            } else {
                let setup = simulation(&scenario, config.n, vec![(config.r, config.w)], options);
                let res = mc::run(&setup, args.trials, args.seed, args.threads);
                row.add_monte_carlo(&res);
                let curve = crate::curve::curve_points(
                    &scenario.name,
                    &scenario.failure,
                    config.n,
                    config.r,
                    config.w,
                    &res,
                    200,
                );
                (row, curve)
            }
        }
    };
    let mut row = row;
    let mut curve = curve;
    row.set_healing(&healing);
    if let (Target::Plain(config), true) = (&target, healing.read_repair != ReadRepair::None) {
        // Strict quorums' replies disagree too, right after the commit.
        let setup = simulation(&scenario, config.n, vec![(config.r, config.w)], options);
        let o = mc::read_repair::simulate(
            &setup,
            (config.r, config.w),
            healing.read_repair,
            &[0.0],
            args.trials,
            args.seed,
        );
        row.read_repair_rate = Some(o.rate(0));
    }
    if let Target::Plain(config) = &target {
        if let Some(timeline) =
            add_failures_in_time(&mut row, &scenario, *config, &healing, options, &args)?
        {
            // Under failures in time the curve spans milliseconds to hours.
            curve = timeline
                .curve()
                .into_iter()
                .map(|(t, p)| crate::curve::CurveRow {
                    scenario: scenario.name.clone(),
                    n: config.n,
                    r: config.r,
                    w: config.w,
                    t_ms: t,
                    p_consistent: p.estimate,
                    ci_low: p.ci_low,
                    ci_high: p.ci_high,
                    p_fail: None,
                    failure: scenario.failure.spec(),
                })
                .collect();
        }
    }
    if let Some(file) = curve_file {
        file.commit(tvisibility_csv(&curve).as_bytes())
            .map_err(|e| Usage(format!("--curve: {e}")))?;
    }
    let text = match args.format {
        Format::Table => render(
            &Table {
                scenario: &scenario,
            },
            std::slice::from_ref(&row),
        ),
        Format::Json => render(&Json, std::slice::from_ref(&row)),
        Format::Csv => render(&Csv, std::slice::from_ref(&row)),
    };
    print!("{text}");
    if args.format != Format::Table {
        for note in &row.notes {
            eprintln!("note: {note}");
        }
    }
    Ok(())
}

/// t-visibility under failures in time, where the failure model has
/// durations (the simulation, for its curve); otherwise why not.
fn add_failures_in_time(
    row: &mut SummaryRow,
    scenario: &Scenario,
    config: Config,
    healing: &Healing,
    options: EvalOptions,
    args: &EvalArgs,
) -> Result<Option<crate::mc::timeline::Timeline>, Usage> {
    let FailureModel::Repair(repair) = &scenario.failure else {
        row.no_timeline("they need a failure model with durations (--mttf-hours and --mttr-hours); with a probability of being down, t_visibility_p999_ms is the figure");
        return Ok(None);
    };
    if healing.sloppy_quorum {
        row.notes.push("sloppy quorum: hinted writes count toward w, so a write commits whenever the nodes keeping hints are up (write_availability counts only real replicas); reads do not see a hinted write until its replay".into());
    }
    if config.strict() && !healing.sloppy_quorum {
        row.t_visibility_failures_p999_ms = Some(0.0);
        row.t_visibility_failures_p9999_ms = Some(0.0);
        return Ok(None);
    }
    if config.n > MAX_TIMELINE_N {
        row.no_timeline(&format!(
            "following every replica in time is limited to n <= {MAX_TIMELINE_N}"
        ));
        return Ok(None);
    }
    let setup = TimelineSetup::new(
        &scenario.wars,
        *repair,
        healing.clone(),
        (config.n, config.r, config.w),
        options.read_fanout != Fanout::All,
    );
    let timeline = crate::mc::timeline::simulate(&setup, args.trials, args.seed, args.threads);
    row.add_timeline(&timeline);
    Ok(Some(timeline))
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectionArg {
    /// Every replica; the first answers that satisfy the level count.
    All,
    /// The replicas the coordinator expects to be fastest.
    Closest,
    /// As many live replicas as the level needs, picked at random.
    Random,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FanoutArg {
    /// Every replica; the first r answers make the read.
    All,
    /// r live replicas picked at random; all r awaited.
    Quorum,
}
