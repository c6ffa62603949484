//! `quorum-model qs`: a quorum system given as expressions, its resilience,
//! availability, optimal strategy and staleness; `--search` in [`search`],
//! the text output in [`table`].

use super::delays::DelayOptions;
use super::failure::FailureOptions;
use super::Usage;
use crate::dist::presets::Wars;
use crate::dist::Dist;
use crate::failure::FailureModel;
use crate::mc::Quantile;
use crate::qs::avail::{availability, Estimate};
use crate::qs::expr::Shown;
use crate::qs::strategy::{optimal, NodeSpec, Objective, Strategy, Workload};
use crate::qs::QuorumSystem;
use crate::scenario::Scenario;
use clap::{Args, ValueEnum};
use serde::Serialize;

mod search;
mod table;

pub const QS_EXAMPLES: &str = "Examples:
  quorum-model qs --reads 'a*b*c + d*e*f' --read-fraction 0.25
  quorum-model qs --reads 'grid(a,b,c; d,e,f)' --capacity a=1000 --capacity b=500 --read-fraction 0.75
  quorum-model qs --reads 'choose(2, a, b, c)' --p-fail 0.01 --format json
  quorum-model qs --reads 'a*b + c*d' --capacity a=200/100 --capacity b=200/100 --capacity c=100/50 --capacity d=100/50 \
      --latency 'a=const(4)' --latency 'b=const(4)' --latency 'c=const(1)' --latency 'd=const(1)' --optimize latency --load-limit 0.0066667
  quorum-model qs --reads 'weighted(a=2, b=1, c=1; read=2, write=3)' --failure 'per_node(0.01,0.05,0.05)'
  quorum-model qs --reads 'choose(2, a, b, c, d, e)' --writes 'choose(2, a, b, c, d, e)' --partial --uniform
  quorum-model qs --reads 'a*b + c*d' --writes 'a*b + c*d' --partial --preset lnkd-disk --p-fail 0.01
  quorum-model qs --search --nodes a,b,c,d,e,f --p-fail 0.05 --min-availability 0.99 --read-fraction 0.5

Expressions: a*b (both), a+b (either), choose(k, e1, e2, ...), majority(e1, ...),
grid(a, b, c; d, e, f) (a row reads, one node of each row writes),
weighted(a=2, b=1; read=R, write=W) (Gifford's votes). Nodes are numbered in the
order they first appear (the order per_node(...) failure lists follow).

Two kinds of delay: --latency NODE=SPEC is a node's answer time, for the
strategy's latency; --preset, --scenario, --delay and --w-delay ... --s-delay
are the one-way legs (every node alike) of the t-visibility Monte Carlo that
a partial system (--partial) reports, as eval's.";

/// What the strategy minimises.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptimizeArg {
    /// The busiest node's load (1 / capacity).
    Load,
    /// The expected number of nodes contacted.
    Network,
    /// The expected time to a quorum.
    Latency,
}

/// Output.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum QsFormat {
    /// Aligned text.
    Table,
    /// One JSON object.
    Json,
}

#[derive(Args, Debug)]
pub struct QsArgs {
    /// The read quorums, as an expression (see below).
    #[arg(
        long,
        value_name = "EXPR",
        required_unless_present = "search",
        conflicts_with = "search"
    )]
    reads: Option<String>,
    /// The write quorums (default: the reads' dual, every set meeting every
    /// read quorum; or a weighted vote's write threshold). Given, they must
    /// meet every read quorum.
    #[arg(long, value_name = "EXPR")]
    writes: Option<String>,
    /// The share of reads, 0..=1, or a distribution of shares as
    /// SHARE:WEIGHT,SHARE:WEIGHT (the strategy minimises the expectation).
    #[arg(long, value_name = "F", default_value = "1")]
    read_fraction: String,
    /// A node's capacity, NODE=C, or its read and write capacities,
    /// NODE=R/W (default 1). Repeatable.
    #[arg(long, value_name = "NODE=C")]
    capacity: Vec<String>,
    /// A node's answer time, NODE=SPEC, a delay law in ms (default
    /// const(1)). Repeatable.
    #[arg(long, value_name = "NODE=SPEC")]
    latency: Vec<String>,
    /// Strategies of quorums that stay quorums after any F of their nodes
    /// fail (they over-ask).
    #[arg(long, value_name = "F", default_value_t = 0, value_parser = super::whole::<usize>(0))]
    resilience: usize,
    /// What the strategy minimises.
    #[arg(long, value_enum, default_value_t = OptimizeArg::Load)]
    optimize: OptimizeArg,
    /// At most this load (1 / capacity).
    #[arg(long, value_name = "L")]
    load_limit: Option<f64>,
    /// At most this many nodes contacted on average.
    #[arg(long, value_name = "N")]
    network_limit: Option<f64>,
    /// At most this expected time to a quorum, ms.
    #[arg(long, value_name = "MS")]
    latency_limit: Option<f64>,
    #[command(flatten)]
    failure: FailureOptions,
    /// Seed of the Monte Carlo availability (used only where exact work is
    /// too large).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Allow read and write quorums that need not meet (a partial quorum
    /// system, given both --reads and --writes): the output then says how
    /// often a read misses the latest writes (p_stale_k) and, by PBS's WARS
    /// Monte Carlo over the delay legs below, how soon after a write's
    /// commit reads see it (p_consistent_t0, t_visibility_p999_ms).
    #[arg(long, requires = "writes")]
    partial: bool,
    /// The one-way delay legs of the t-visibility Monte Carlo (every node
    /// alike; default exp(mean=1) on each, as eval's).
    #[command(flatten)]
    delays: DelayOptions,
    /// Trials of the t-visibility Monte Carlo (with --partial).
    #[arg(long, default_value_t = crate::mc::DEFAULT_TRIALS, value_parser = super::whole::<u64>(1))]
    trials: u64,
    /// Use the uniform strategy (every minimal quorum equally likely, as
    /// PBS models a threshold's replicas) instead of the optimal one.
    #[arg(long, conflicts_with_all = ["load_limit", "network_limit", "latency_limit"])]
    uniform: bool,
    /// Search these families for the best system over --nodes instead of
    /// taking --reads: thresholds, grids, weighted, nested (Quoracle's
    /// search space: a choose of choices over every partition of the
    /// nodes; comma-separated, default all).
    #[arg(long, value_name = "FAMILIES", num_args = 0..=1, default_missing_value = "thresholds,grids,weighted,nested")]
    search: Option<String>,
    /// The nodes to search over, comma-separated (with --search).
    #[arg(long, value_name = "A,B,...", requires = "search")]
    nodes: Option<String>,
    /// With --search: both sides at least this available under the failure
    /// options.
    #[arg(long, value_name = "A", requires = "search")]
    min_availability: Option<f64>,
    /// With --search: both sides surviving at least this many failures.
    #[arg(long, value_name = "F", requires = "search", value_parser = super::whole::<usize>(0))]
    min_resilience: Option<usize>,
    /// Output.
    #[arg(long, value_enum, default_value_t = QsFormat::Table)]
    format: QsFormat,
}

#[derive(Serialize)]
struct Report {
    nodes: Vec<String>,
    reads: String,
    writes: String,
    /// Minimal quorums (null: more than [`crate::qs::MAX_QUORUMS`]).
    read_quorums: Option<usize>,
    write_quorums: Option<usize>,
    /// Null when an expression repeating nodes is too large to search.
    read_resilience: Option<usize>,
    write_resilience: Option<usize>,
    /// The failure model's spec (null: none given, and no availability).
    failure: Option<String>,
    read_availability: Option<f64>,
    write_availability: Option<f64>,
    /// Exact, or Monte Carlo with an interval.
    read_availability_detail: Option<Estimate>,
    write_availability_detail: Option<Estimate>,
    optimize: Objective,
    read_fraction: Vec<(f64, f64)>,
    resilience_f: usize,
    /// The strategy's figures (null, with a note, when a side has too many
    /// quorums for one).
    load: Option<f64>,
    capacity: Option<f64>,
    network_load: Option<f64>,
    latency_ms: Option<f64>,
    /// Its 99th percentile over the operations.
    latency_p99_ms: Option<f64>,
    /// The optimal strategy: each quorum's probability.
    strategy: Option<StrategyOut>,
    node_loads: Option<Vec<(String, f64)>>,
    /// P(a read's quorum misses the last write's): 0 when they intersect.
    p_disjoint: Option<f64>,
    /// Whether every read quorum meets every write quorum.
    intersecting: bool,
    /// P(a read misses each of the last k writes), k = 1, 2, 3.
    p_stale_k: Option<[f64; 3]>,
    /// `optimal` (the linear program's) or `uniform`.
    strategy_kind: &'static str,
    /// P(a read right after a write's commit sees it), with its 95%
    /// interval: 1 when the quorums intersect, else by Monte Carlo (null:
    /// no trial had both; see `notes`).
    p_consistent_t0: Option<f64>,
    p_consistent_t0_ci_low: Option<f64>,
    p_consistent_t0_ci_high: Option<f64>,
    /// The time after commit by which 99.9% of reads see the write (null:
    /// never, or beyond the simulation's range; see `notes`).
    t_visibility_p999_ms: Option<f64>,
    t_visibility_p999_ms_ci_low: Option<f64>,
    t_visibility_p999_ms_ci_high: Option<f64>,
    /// The Monte Carlo's trials (null: the quorums intersect, exact).
    visibility_trials: Option<u64>,
    /// The delay legs it used.
    delays: String,
    /// Why a figure is null.
    notes: Vec<String>,
}

/// PBS's t-visibility of the system: exact (always consistent) when the
/// quorums intersect, else the WARS Monte Carlo under `legs` and the
/// failure model.
struct Visible {
    /// Estimate, low and high end of the 95% interval.
    p0: Option<(f64, f64, f64)>,
    p999: Quantile,
    trials: Option<u64>,
    notes: Vec<String>,
}

fn visibility(
    qs: &QuorumSystem,
    legs: &Wars,
    model: Option<&FailureModel>,
    args: &QsArgs,
) -> Visible {
    if qs.intersecting() {
        return Visible {
            p0: Some((1.0, 1.0, 1.0)),
            p999: Quantile::Finite {
                estimate: 0.0,
                ci_low: 0.0,
                ci_high: 0.0,
            },
            trials: None,
            notes: Vec::new(),
        };
    }
    let none = FailureModel::NONE;
    let v = crate::qs::visibility::simulate(
        qs,
        legs,
        model.unwrap_or(&none),
        args.trials,
        args.seed,
        None,
    );
    let mut notes = Vec::new();
    if v.both_ok == 0 {
        notes.push("no trial had both a committed write and an answered read: the staleness figures are undefined (null)".into());
    }
    let p999 = v.t_visibility(0.999);
    match p999 {
        Quantile::Infinite => notes.push("t_visibility_p999_ms is null: more than 0.1% of reads never see the write (a node down during the write answered the read)".into()),
        Quantile::OutOfRange => notes.push("t_visibility_p999_ms is null: it lies beyond 2^36 ms, the simulation's range".into()),
        _ => {}
    }
    Visible {
        p0: (v.both_ok > 0).then(|| {
            let p = v.p_consistent_at(0.0);
            (p.estimate, p.ci_low, p.ci_high)
        }),
        p999,
        trials: Some(v.trials),
        notes,
    }
}

/// The delay legs and the failure model a scenario brings (its failure
/// model only where no failure option is given); refused when it carries
/// what qs does not model.
fn legs(args: &QsArgs) -> Result<(Scenario, Option<FailureModel>), Usage> {
    let scenario = args.delays.scenario().map_err(|e| Usage(e.to_string()))?;
    if args.delays.scenario.is_some()
        && (scenario.cluster.is_some()
            || scenario.healing != crate::heal::Healing::default()
            || scenario.speculative_retry != crate::retry::SpeculativeRetry::None)
    {
        return Err(Usage("--scenario: qs takes a scenario's delay legs and failure model; its [topology] datacenters and [healing] are eval's".into()));
    }
    let model = match args.failure.model()? {
        Some(m) => Some(m),
        None if args.delays.scenario.is_some() && scenario.failure != FailureModel::NONE => {
            Some(scenario.failure.clone())
        }
        None => None,
    };
    Ok((scenario, model))
}

/// The scenario's name and its four legs, for the report.
fn legs_text(scenario: &Scenario) -> String {
    let w = &scenario.wars;
    let wan = match w.remote_one_way_ms() {
        0.0 => String::new(),
        ms => format!(" (WAN: +{ms} ms each way to remote nodes)"),
    };
    format!(
        "{}: W={} A={} R={} S={}{wan}",
        scenario.name, w.w, w.a, w.r, w.s
    )
}

#[derive(Serialize)]
struct StrategyOut {
    reads: Vec<QuorumOut>,
    writes: Vec<QuorumOut>,
}

#[derive(Serialize)]
struct QuorumOut {
    quorum: Vec<String>,
    probability: f64,
}

/// `0.25` or `0.1:1,0.75:1`.
fn read_fraction(text: &str) -> Result<Vec<(f64, f64)>, Usage> {
    let bad = |why: String| {
        Usage(format!(
            "--read-fraction: {why}; give F in [0, 1] or F:WEIGHT,F:WEIGHT"
        ))
    };
    let mut out = Vec::new();
    for part in text.split(',') {
        let (f, w) = match part.split_once(':') {
            Some((f, w)) => (f.trim(), w.trim()),
            None => (part.trim(), "1"),
        };
        let f: f64 = f
            .parse()
            .map_err(|_| bad(format!("'{f}' is not a number")))?;
        let w: f64 = w
            .parse()
            .map_err(|_| bad(format!("'{w}' is not a number")))?;
        if !(0.0..=1.0).contains(&f) {
            return Err(bad(format!("{f} is not in [0, 1]")));
        }
        if !(w >= 0.0 && w.is_finite()) {
            return Err(bad(format!("weight {w} must be >= 0")));
        }
        // A share of weight 0 never happens (Quoracle's distributions list
        // them): left out.
        if w > 0.0 {
            out.push((f, w));
        }
    }
    if out.is_empty() {
        return Err(bad("every weight is 0".into()));
    }
    Ok(out)
}

/// `NODE=VALUE` options applied to the nodes' specs.
fn per_node(
    names: &[String],
    flag: &str,
    items: &[String],
    nodes: &mut [NodeSpec],
    apply: impl Fn(&mut NodeSpec, &str, &str) -> Result<(), String>,
) -> Result<(), Usage> {
    for item in items {
        let (name, value) = item
            .split_once('=')
            .ok_or_else(|| Usage(format!("{flag}: '{item}' is not NODE=VALUE")))?;
        let i = names.iter().position(|n| n == name.trim()).ok_or_else(|| {
            Usage(format!(
                "{flag}: {}",
                crate::qs::QsError::UnknownNode(name.trim().to_string(), names.join(", "))
            ))
        })?;
        apply(&mut nodes[i], name.trim(), value.trim())
            .map_err(|e| Usage(format!("{flag}: {e}")))?;
    }
    Ok(())
}

fn capacity(text: &str, name: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(c) if c > 0.0 && c.is_finite() => Ok(c),
        _ => Err(format!(
            "{name}'s capacity must be a number > 0, got '{text}'"
        )),
    }
}

/// The nodes' capacities and latencies from the options.
fn node_specs(names: &[String], args: &QsArgs) -> Result<Vec<NodeSpec>, Usage> {
    let mut nodes = vec![NodeSpec::default(); names.len()];
    per_node(
        names,
        "--capacity",
        &args.capacity,
        &mut nodes,
        |n, name, v| {
            match v.split_once('/') {
                Some((r, w)) => {
                    n.read_capacity = capacity(r.trim(), name)?;
                    n.write_capacity = capacity(w.trim(), name)?;
                }
                None => {
                    let c = capacity(v, name)?;
                    n.read_capacity = c;
                    n.write_capacity = c;
                }
            }
            Ok(())
        },
    )?;
    per_node(
        names,
        "--latency",
        &args.latency,
        &mut nodes,
        |n, name, v| {
            n.latency = v.parse::<Dist>().map_err(|e| format!("{name}: {e}"))?;
            Ok(())
        },
    )?;
    Ok(nodes)
}

/// The workload and its limits from the options.
fn workload(args: &QsArgs) -> Result<Workload, Usage> {
    let fractions = read_fraction(&args.read_fraction)?;
    for (flag, v) in [
        ("--load-limit", args.load_limit),
        ("--network-limit", args.network_limit),
        ("--latency-limit", args.latency_limit),
    ] {
        if let Some(x) = v {
            if !(x > 0.0 && x.is_finite()) {
                return Err(Usage(format!("{flag}: must be a number > 0, got {x}")));
            }
        }
    }
    let objective = match args.optimize {
        OptimizeArg::Load => Objective::Load,
        OptimizeArg::Network => Objective::Network,
        OptimizeArg::Latency => Objective::Latency,
    };
    for (flag, set, clash) in [
        ("--load-limit", args.load_limit.is_some(), Objective::Load),
        (
            "--network-limit",
            args.network_limit.is_some(),
            Objective::Network,
        ),
        (
            "--latency-limit",
            args.latency_limit.is_some(),
            Objective::Latency,
        ),
    ] {
        if set && objective == clash {
            return Err(Usage(format!(
                "{flag}: cannot limit what --optimize minimises"
            )));
        }
    }
    Ok(Workload {
        read_fraction: fractions,
        objective,
        load_limit: args.load_limit,
        network_limit: args.network_limit,
        latency_limit: args.latency_limit,
        f: args.resilience,
    })
}

pub fn run(args: QsArgs) -> Result<(), Usage> {
    if let Some(families) = &args.search {
        return search::run(&args, families);
    }
    let reads = args.reads.as_deref().unwrap_or_default();
    let built = QuorumSystem::large(reads, args.writes.as_deref(), args.partial);
    let qs = built.map_err(|e| match &e {
        crate::qs::QsError::Expr { side, error } => Usage(format!("--{side}: {error}")),
        crate::qs::QsError::Disjoint { .. } if args.writes.is_some() => Usage(format!(
            "--writes: {e} (--partial allows it, and reports the staleness)"
        )),
        crate::qs::QsError::TooManyToCheck => Usage(format!("--writes: {e}")),
        _ => Usage(format!("--reads: {e}")),
    })?;
    let nodes = node_specs(qs.names(), &args)?;
    let work = workload(&args)?;
    let (objective, fractions) = (work.objective, work.read_fraction.clone());
    let (scenario, model) = legs(&args)?;
    let (ra, wa) = match &model {
        Some(m) => {
            let named = |e: crate::failure::FailureError| Usage::named(&e);
            (
                Some(availability(qs.reads(), qs.n(), m, args.seed).map_err(named)?),
                Some(availability(qs.writes(), qs.n(), m, args.seed ^ 0x5752).map_err(named)?),
            )
        }
        None => (None, None),
    };
    // A strategy gives each minimal quorum a probability: none for a side
    // too large to list, whose other figures still follow.
    let s: Option<Strategy> = if !qs.listed() {
        None
    } else if args.uniform {
        Some(crate::qs::strategy::uniform(
            &qs,
            &nodes,
            &work.read_fraction,
        ))
        .transpose()
        .map_err(|e| Usage(format!("strategy: {e}")))?
    } else {
        Some(optimal(&qs, &nodes, &work).map_err(|e| {
            let flag = match e {
                crate::qs::strategy::StrategyError::NotResilient { .. }
                | crate::qs::strategy::StrategyError::TooManyNodes(_) => "--resilience",
                crate::qs::strategy::StrategyError::ReadFraction(_) => "--read-fraction",
                _ => "strategy",
            };
            Usage(format!("{flag}: {e}"))
        })?)
    };
    let mut vis = visibility(&qs, &scenario.wars, model.as_ref(), &args);
    if s.is_none() {
        let side = if qs.read_quorums().is_empty() {
            "read"
        } else {
            "write"
        };
        vis.notes.insert(0, format!(
            "no strategy (load, capacity, network_load, latency_ms, strategy, node_loads, p_stale_k are null): more than {} minimal {side} quorums, and a strategy gives each a probability",
            crate::qs::MAX_QUORUMS
        ));
    }
    if s.as_ref().is_some_and(|s| s.latency_ms.is_infinite()) {
        vis.notes.push("latency_ms is null: the mean time to a quorum is infinite (the strategy uses a quorum whose answer can wait on nodes with delay tails of total index <= 1)".into());
    }
    let (t999, t999_lo, t999_hi) = match vis.p999 {
        Quantile::Finite {
            estimate,
            ci_low,
            ci_high,
        } => (
            Some(estimate),
            Some(ci_low),
            ci_high.is_finite().then_some(ci_high),
        ),
        _ => (None, None, None),
    };
    let out = |qs_: &[(Vec<String>, f64)]| -> Vec<QuorumOut> {
        qs_.iter()
            .map(|(q, p)| QuorumOut {
                quorum: q.clone(),
                probability: *p,
            })
            .collect()
    };
    let report = Report {
        nodes: qs.names().to_vec(),
        reads: Shown(qs.reads(), qs.names()).to_string(),
        writes: Shown(qs.writes(), qs.names()).to_string(),
        read_quorums: Some(qs.read_quorums().len()).filter(|&n| n > 0),
        write_quorums: Some(qs.write_quorums().len()).filter(|&n| n > 0),
        read_resilience: qs.read_resilience(),
        write_resilience: qs.write_resilience(),
        failure: model.as_ref().map(|m| m.spec()),
        read_availability: ra.map(|a| a.p),
        write_availability: wa.map(|a| a.p),
        read_availability_detail: ra,
        write_availability_detail: wa,
        optimize: objective,
        read_fraction: fractions,
        resilience_f: args.resilience,
        load: s.as_ref().map(|s| s.load),
        capacity: s.as_ref().map(|s| s.capacity),
        network_load: s.as_ref().map(|s| s.network_load),
        latency_ms: s.as_ref().map(|s| s.latency_ms).filter(|l| l.is_finite()),
        latency_p99_ms: s.as_ref().map(|s| s.latency_p99_ms),
        strategy: s.as_ref().map(|s| StrategyOut {
            reads: out(&s.reads),
            writes: out(&s.writes),
        }),
        node_loads: s.as_ref().map(|s| s.node_loads.clone()),
        p_disjoint: s.as_ref().map(|s| s.p_disjoint),
        intersecting: qs.intersecting(),
        p_stale_k: s.as_ref().map(|s| s.p_stale_k),
        strategy_kind: if args.uniform { "uniform" } else { "optimal" },
        p_consistent_t0: vis.p0.map(|p| p.0),
        p_consistent_t0_ci_low: vis.p0.map(|p| p.1),
        p_consistent_t0_ci_high: vis.p0.map(|p| p.2),
        t_visibility_p999_ms: t999,
        t_visibility_p999_ms_ci_low: t999_lo,
        t_visibility_p999_ms_ci_high: t999_hi,
        visibility_trials: vis.trials,
        delays: legs_text(&scenario),
        notes: vis.notes,
    };
    match args.format {
        QsFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| Usage(e.to_string()))?
        ),
        QsFormat::Table => table::print(&report),
    }
    Ok(())
}
