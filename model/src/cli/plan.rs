//! `quorum-model plan`: the cheapest configurations that meet SLOs, the
//! cluster they need, and a worksheet. Exit 0 with a choice, 1 when nothing
//! meets the SLOs (with the explanation on stderr), 2 on bad input.

use super::delays::DelayOptions;
use super::failure::FailureOptions;
use super::heal::HealOptions;
use super::retry::RetryOptions;
use super::topology::ClusterOptions;
use super::Usage;
use crate::failure::FailureModel;
use crate::output::atomic::PendingFile;
use crate::output::plan_record::{records, PlanRecord};
use crate::output::worksheet::{worksheet, WorksheetInput};
use crate::plan::capacity::{NodeSpec, Workload};
use crate::plan::explain::explain;
use crate::plan::slo::{Percentile, Slo, Status};
use crate::plan::{measure, rank, sensitivity, PlanInput};
use crate::topology::{datacenters_part, is_cluster, Cluster};
use crate::Fanout;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

pub const PLAN_EXAMPLES: &str = "\
Examples:
  quorum-model plan --preset lnkd-disk --p-fail 0.01 --slo-read-availability 0.9999 \\
      --slo-write-availability 0.999 --slo-consistency 0.999@10ms --slo-write-p99-ms 30 --max-n 7
  quorum-model plan --preset lnkd-ssd --p-fail 0.01 --slo-read-availability 0.9999 --require-strict \\
      --reads-per-s 40000 --writes-per-s 10000 --data-gb 3000 \\
      --node-ops-per-s 25000 --node-disk-gb 1000 --worksheet plan.md
  quorum-model plan --preset wan --mttf-hours 2000 --mttr-hours 24 --repair-crews 1 \\
      --slo-read-p999-ms 200 --slo-write-availability 0.9999 --format json

Every SLO is optional. --slo-consistency P@T: a read issued T ms after the
write commits sees it with probability at least P (Monte Carlo; a
configuration counts only if its whole 95% interval clears P, and one whose
interval straddles P is flagged 'uncertain', never chosen).
Exit status: 0 with a choice, 1 when nothing meets the SLOs (the explanation
is on stderr), 2 on bad input.";

#[derive(Args, Debug)]
pub struct PlanArgs {
    #[command(flatten)]
    delays: DelayOptions,
    #[command(flatten)]
    failure: FailureOptions,
    /// Datacenters, as eval takes them: the plan then searches the replica
    /// count of each datacenter (the counts given are replaced; the total
    /// at most --max-n) and the consistency levels ONE, TWO, LOCAL_ONE,
    /// LOCAL_QUORUM, QUORUM, EACH_QUORUM, ALL for writes and for reads.
    #[command(flatten)]
    cluster: ClusterOptions,
    /// Read availability at least A (0 < A < 1).
    #[arg(long, value_name = "A", allow_hyphen_values = true)]
    slo_read_availability: Option<f64>,
    /// Write availability at least A (0 < A < 1).
    #[arg(long, value_name = "A", allow_hyphen_values = true)]
    slo_write_availability: Option<f64>,
    /// Read latency p99 at most X ms.
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    slo_read_p99_ms: Option<f64>,
    /// Read latency p99.9 at most X ms.
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    slo_read_p999_ms: Option<f64>,
    /// Write latency p99 at most X ms.
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    slo_write_p99_ms: Option<f64>,
    /// Write latency p99.9 at most X ms.
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    slo_write_p999_ms: Option<f64>,
    /// P@T: a read T ms after commit sees the write with probability >= P
    /// (e.g. 0.999@10ms).
    #[arg(long, value_name = "P@T")]
    slo_consistency: Option<String>,
    /// Only strict quorums (r + w > n).
    #[arg(long)]
    require_strict: bool,
    /// Largest replication factor to consider.
    #[arg(value_parser = super::whole::<usize>(1), allow_hyphen_values = true, long, value_name = "N", default_value_t = 9)]
    max_n: usize,
    /// Reads per second the cluster must serve.
    #[arg(
        long,
        value_name = "X",
        default_value_t = 0.0,
        allow_hyphen_values = true
    )]
    reads_per_s: f64,
    /// Writes per second the cluster must serve.
    #[arg(
        long,
        value_name = "X",
        default_value_t = 0.0,
        allow_hyphen_values = true
    )]
    writes_per_s: f64,
    /// Data size, one copy, in GB.
    #[arg(
        long,
        value_name = "GB",
        default_value_t = 0.0,
        allow_hyphen_values = true
    )]
    data_gb: f64,
    /// Replica operations per second one node serves at full utilization.
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    node_ops_per_s: Option<f64>,
    /// Disk per node, GB.
    #[arg(long, value_name = "GB", allow_hyphen_values = true)]
    node_disk_gb: Option<f64>,
    /// Fraction of each node's throughput and disk to plan for.
    #[arg(
        long,
        value_name = "U",
        default_value_t = 0.6,
        allow_hyphen_values = true
    )]
    target_utilization: f64,
    /// Reads go to all n replicas, or to r of them (as Cassandra does).
    #[arg(long, value_enum, default_value_t = FanoutArg::All)]
    read_fanout: FanoutArg,
    #[command(flatten)]
    retry: RetryOptions,
    /// Hints, anti-entropy and read repair: recorded with every candidate;
    /// read repair's writes count in the load.
    #[command(flatten)]
    heal: HealOptions,
    /// Cost of one node.
    #[arg(
        long,
        value_name = "C",
        default_value_t = 1.0,
        allow_hyphen_values = true
    )]
    cost_per_node: f64,
    /// Monte Carlo trials per n, for the consistency SLO (default 250000);
    /// with datacenters, per candidate (default 20000).
    #[arg(value_parser = super::whole::<u64>(1), allow_hyphen_values = true, long, value_name = "T")]
    trials: Option<u64>,
    /// Seed of the Monte Carlo (the same as eval's for the same --seed).
    #[arg(value_parser = super::whole::<u64>(0), allow_hyphen_values = true, long, value_name = "S", default_value_t = crate::mc::DEFAULT_SEED)]
    seed: u64,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(value_parser = super::whole::<usize>(1), allow_hyphen_values = true, long, value_name = "J")]
    threads: Option<usize>,
    /// Write a capacity-planning worksheet (Markdown) to FILE.
    #[arg(long, value_name = "FILE")]
    worksheet: Option<PathBuf>,
    /// Output format of the ranked list.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Rows of the table format (json and csv hold every qualifying row).
    #[arg(value_parser = super::whole::<usize>(1), allow_hyphen_values = true, long, value_name = "K", default_value_t = 15)]
    top: usize,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FanoutArg {
    All,
    Quorum,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
}

fn slos(args: &PlanArgs) -> Result<Vec<Slo>, Usage> {
    let mut out = Vec::new();
    if let Some(a) = args.slo_read_availability {
        out.push(Slo::ReadAvailability(a));
    }
    if let Some(a) = args.slo_write_availability {
        out.push(Slo::WriteAvailability(a));
    }
    for (v, read, percentile) in [
        (args.slo_read_p99_ms, true, Percentile::P99),
        (args.slo_read_p999_ms, true, Percentile::P999),
        (args.slo_write_p99_ms, false, Percentile::P99),
        (args.slo_write_p999_ms, false, Percentile::P999),
    ] {
        if let Some(ms) = v {
            out.push(if read {
                Slo::ReadLatency { percentile, ms }
            } else {
                Slo::WriteLatency { percentile, ms }
            });
        }
    }
    if let Some(text) = &args.slo_consistency {
        out.push(Slo::parse_consistency(text).map_err(|e| Usage::named(&e))?);
    }
    if args.require_strict {
        out.push(Slo::Strict);
    }
    Ok(out)
}

fn input(args: &PlanArgs) -> Result<PlanInput, Usage> {
    if args.threads == Some(0) {
        return Err(Usage("--threads: must be an integer >= 1".into()));
    }
    let mut scenario = args.delays.scenario().map_err(|e| Usage(e.to_string()))?;
    let cluster = args.cluster.cluster(&scenario)?;
    let mut failure = args.failure.clone();
    if failure.p_domain.is_some() && failure.domains.is_none() {
        match &cluster {
            // The datacenters are the failure domains.
            Some(c) => failure.domains = Some(c.dcs.len()),
            None => {
                return Err(Usage(
                    "--p-domain: needs --domains D, or datacenters (--dc NAME:COUNT), which are then the failure domains".into(),
                ))
            }
        }
    }
    if let Some(model) = failure.model()? {
        if matches!(model, FailureModel::PerNode(_)) {
            return Err(Usage("--failure: per_node(...) needs a fixed n; plan takes iid(...), repair(...) or domains(...)".into()));
        }
        scenario.failure = model;
    }
    if matches!(scenario.failure, FailureModel::PerNode(_)) {
        return Err(Usage("--scenario: failure.p_fail_per_node needs a fixed n; plan takes p_fail, a repair model or domains".into()));
    }
    scenario.healing = args.heal.healing(&scenario.healing, &scenario.failure)?;
    let speculative_retry = args.retry.retry_or(scenario.speculative_retry)?;
    let input = PlanInput {
        scenario,
        slos: slos(args)?,
        max_n: args.max_n,
        workload: Workload {
            reads_per_s: args.reads_per_s,
            writes_per_s: args.writes_per_s,
            data_gb: args.data_gb,
        },
        node: NodeSpec {
            ops_per_s: args.node_ops_per_s,
            disk_gb: args.node_disk_gb,
            target_utilization: args.target_utilization,
            cost_per_node: args.cost_per_node,
        },
        fanout: match args.read_fanout {
            FanoutArg::All => Fanout::All,
            FanoutArg::Quorum => Fanout::Quorum,
        },
        speculative_retry,
        trials: args.trials.unwrap_or(if cluster.is_some() {
            20_000
        } else {
            crate::mc::DEFAULT_TRIALS
        }),
        seed: args.seed,
        threads: args.threads,
        cluster,
    };
    input.validate().map_err(|e| Usage::named(&e))?;
    Ok(input)
}

/// The command line, quoted for a shell, for the worksheet.
fn command_line() -> String {
    let quote = |a: String| {
        if a.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=@,:".contains(c))
        {
            a
        } else {
            format!("'{}'", a.replace('\'', "'\\''"))
        }
    };
    let mut args: Vec<String> = std::env::args().skip(1).map(quote).collect();
    args.insert(0, "quorum-model".into());
    args.join(" ")
}

/// The cells every plan table shows after the configuration: nines, p99s,
/// P(consistent), status and Pareto mark.
fn cells(r: &PlanRecord) -> [String; 7] {
    let ms = |v: Option<f64>| v.map_or("n/a".into(), |v| format!("{v:.2}ms"));
    let nines = |u: f64| {
        if u <= 0.0 {
            "inf".to_string()
        } else {
            format!("{:.2}", -u.log10())
        }
    };
    let consistency = match (
        r.p_consistent_t,
        r.p_consistent_t_ci_low,
        r.p_consistent_t_ci_high,
    ) {
        (Some(p), _, _) if r.strict => format!("{p} (exact)"),
        (Some(p), Some(lo), Some(hi)) => format!("{p:.4} [{lo:.4},{hi:.4}]"),
        _ => format!("stale {:.2e} (exact)", r.p_stale_k1),
    };
    [
        nines(r.read_unavailability),
        nines(r.write_unavailability),
        ms(r.read_latency_p99_ms),
        ms(r.write_latency_p99_ms),
        consistency,
        match r.status {
            Status::Meets => "meets",
            Status::Uncertain => "UNCERTAIN",
            Status::Fails => "fails",
        }
        .to_string(),
        if r.pareto { "*" } else { "" }.to_string(),
    ]
}

/// The ranked configurations, the first `top` of them: `(n, r, w)`, or
/// with datacenters the replicas per datacenter and the levels.
fn table(recs: &[PlanRecord], top: usize) -> String {
    if recs.is_empty() {
        return "no configuration meets every SLO\n".into();
    }
    let dcs = is_cluster(&recs[0].topology).then(|| cluster_of(&recs[0].topology));
    // The configuration's columns, then the shared ones.
    let config = |r: &PlanRecord| match &dcs {
        Some(_) => {
            let counts: Vec<String> = cluster_of(&r.topology)
                .counts()
                .iter()
                .map(|k| k.to_string())
                .collect();
            format!(
                "{:>7} {:>12} {:>12}",
                counts.join("+"),
                r.write_cl,
                r.read_cl
            )
        }
        None => format!("{:>2} {:>2} {:>2}", r.n, r.r, r.w),
    };
    let mut out = match &dcs {
        Some(c) => format!(
            "datacenters: {}\n{:>3}  {:>7} {:>12} {:>12}",
            c.names().join(", "),
            "#",
            "counts",
            "write",
            "read"
        ),
        None => format!("{:>3}  {:>2} {:>2} {:>2}", "#", "n", "r", "w"),
    };
    out.push_str(&format!(
        "  {:>5} {:>8}  {:>10} {:>10}  {:>9} {:>9}  {:>23}  {:<9} {}\n",
        "nodes",
        "cost",
        "read 9s",
        "write 9s",
        "read p99",
        "write p99",
        "P(consistent) [95% CI]",
        "status",
        "front"
    ));
    for r in recs.iter().take(top) {
        let [rn, wn, rp, wp, c, st, front] = cells(r);
        out.push_str(&format!(
            "{:>3}  {}  {:>5} {:>8}  {rn:>10} {wn:>10}  {rp:>9} {wp:>9}  {c:>23}  {st:<9} {front}\n",
            r.rank,
            config(r),
            r.nodes,
            r.cost,
        ));
    }
    if recs.len() > top {
        out.push_str(&format!(
            "... {} more (--top, or --format json for all)\n",
            recs.len() - top
        ));
    }
    out
}

/// The cluster of a plan row's `topology` (a cluster's one-line form).
fn cluster_of(topology: &str) -> Cluster {
    topology
        .parse()
        .expect("the plan writes clusters' one-line forms")
}

/// Runs the plan; `Ok(false)` when nothing meets the SLOs (exit 1).
pub fn run(args: PlanArgs) -> Result<bool, Usage> {
    let input = input(&args)?;
    // Refuse an unwritable worksheet path before any work.
    let sheet = match &args.worksheet {
        Some(path) => Some(PendingFile::create(path).map_err(|e| {
            Usage(format!(
                "--worksheet: cannot write '{}': {e}",
                path.display()
            ))
        })?),
        None => None,
    };
    let rows = measure(&input).map_err(|e| Usage::named(&e))?;
    let plan = rank(&input, &rows);
    let recs = records(&plan);
    let text = match args.format {
        Format::Table => table(&recs, args.top),
        Format::Json => serde_json::to_string_pretty(&recs).expect("serializable") + "\n",
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            for r in &recs {
                w.serialize(r).expect("memory");
            }
            String::from_utf8(w.into_inner().expect("memory")).expect("UTF-8")
        }
    };
    if let Some(file) = sheet {
        let sens = sensitivity(&input, &rows).map_err(|e| Usage::named(&e))?;
        let md = worksheet(&WorksheetInput {
            input: &input,
            plan: &plan,
            sensitivity: &sens,
            command: command_line(),
            name: &super::flag,
        });
        file.commit(md.as_bytes())
            .map_err(|e| Usage(format!("--worksheet: {e}")))?;
    }
    print!("{text}");
    let uncertain = recs
        .iter()
        .filter(|r| r.status == Status::Uncertain)
        .count();
    match plan.best() {
        Some(best) => {
            if args.format == Format::Table && best.row.has_datacenters() {
                println!(
                    "\nchoice: {}, writes {}, reads {} on {} node(s), cost {} ({}).",
                    datacenters_part(&best.row.topology),
                    best.row.write_cl,
                    best.row.read_cl,
                    best.capacity.nodes,
                    best.capacity.cost,
                    if best.row.strict {
                        "strict: every read set meets every write set"
                    } else {
                        "a read set can miss a write set"
                    }
                );
            } else if args.format == Format::Table {
                let (n, r, w) = best.config();
                println!(
                    "\nchoice: n = {n}, r = {r}, w = {w} on {} node(s), cost {} ({}).",
                    best.capacity.nodes,
                    best.capacity.cost,
                    if best.row.strict {
                        "strict"
                    } else {
                        "partial quorum"
                    }
                );
            }
            if uncertain > 0 {
                eprintln!("note: {uncertain} configuration(s) meet every SLO only within a Monte Carlo interval (status 'uncertain'); more --trials would decide them");
            }
            Ok(true)
        }
        None => {
            for line in explain(&plan).lines(input.max_n, &super::flag) {
                eprintln!("plan: {line}");
            }
            Ok(false)
        }
    }
}
