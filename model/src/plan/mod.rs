//! The capacity planner: the cheapest configurations that meet a set of
//! SLOs, and the cluster they need.
//!
//! For every n up to `max_n` and every (r, w), the planner computes the same
//! row `quorum-model eval` prints for that configuration (exact
//! availability and latency; with a consistency SLO, P(consistent at T)
//! from one Monte Carlo run per n over all non-strict pairs, seeded as
//! `eval --seed` is, so each pair's estimate is byte for byte eval's), checks
//! each SLO ([`slo`]), sizes the cluster ([`capacity`]) and ranks:
//! configurations that meet every SLO first, then those that meet every SLO
//! only within a Monte Carlo interval (flagged, never the choice), each by
//! cost, then n, then p99 read + p99 write latency, then (r, w). The Pareto
//! front over (cost, read p99, write p99, staleness, unavailability) is
//! marked. When nothing qualifies, [`explain`] says which SLO binds.

pub mod capacity;
pub mod cluster;
pub mod explain;
pub mod slo;

use crate::eval::{evaluate_all, simulation, ConfigError, EvalOptions, ScenarioTrips, SummaryRow};
use crate::failure::FailureModel;
use crate::mc;
use crate::named::{display_named, Named, Namer};
use crate::scenario::Scenario;
use crate::Fanout;
use capacity::{Capacity, CapacityError, NodeSpec, Workload};
use slo::{Check, Slo, SloError, Status};

/// The largest `--max-n`: n² configurations per n, each with its own
/// latency and simulation tallies.
pub const MAX_N_LIMIT: usize = 30;

/// Everything a plan depends on.
#[derive(Debug, Clone)]
pub struct PlanInput {
    /// Delays and the failure model (repair crews beyond n are capped at n).
    pub scenario: Scenario,
    /// The objectives every chosen configuration must meet.
    pub slos: Vec<Slo>,
    /// Configurations with `n` from 1 to this are considered.
    pub max_n: usize,
    /// The offered load.
    pub workload: Workload,
    /// One node's capacity and price.
    pub node: NodeSpec,
    /// Where reads are sent.
    pub fanout: Fanout,
    /// Reads' speculative retry (its extra requests count in the load).
    pub speculative_retry: crate::retry::SpeculativeRetry,
    /// Monte Carlo trials per n.
    pub trials: u64,
    /// Monte Carlo seed.
    pub seed: u64,
    /// Worker threads (`None`: all cores).
    pub threads: Option<usize>,
    /// Datacenters: then the plan searches the replica count of each (the
    /// cluster's own counts are replaced) and the consistency levels of
    /// [`cluster::PLAN_LEVELS`], each candidate simulated on its own
    /// (`trials` each) for a consistency SLO.
    pub cluster: Option<crate::topology::Cluster>,
}

/// Why a plan is refused before any work. Fields are named neutrally (see
/// [`crate::named`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PlanError {
    /// `max_n` is outside `1..=MAX_N_LIMIT`.
    MaxN(usize),
    /// `trials` is 0.
    Trials,
    /// An SLO is refused.
    Slo(SloError),
    /// The workload or node is refused.
    Capacity(CapacityError),
    /// Two SLOs bound the same figure (the SLO's field).
    DuplicateSlo(&'static str),
    /// The configuration, options or failure model is refused.
    Config(ConfigError),
    /// A per-node failure list (which needs a fixed n).
    PerNode,
}

impl From<SloError> for PlanError {
    fn from(e: SloError) -> Self {
        PlanError::Slo(e)
    }
}

impl From<CapacityError> for PlanError {
    fn from(e: CapacityError) -> Self {
        PlanError::Capacity(e)
    }
}

impl From<ConfigError> for PlanError {
    fn from(e: ConfigError) -> Self {
        PlanError::Config(e)
    }
}

impl Named for PlanError {
    fn named(&self, name: Namer) -> String {
        match self {
            PlanError::MaxN(n) => format!(
                "{}: must be an integer between 1 and {MAX_N_LIMIT}, got {n}",
                name("max_n")
            ),
            PlanError::Trials => format!("{}: must be an integer >= 1", name("trials")),
            PlanError::Slo(e) => e.named(name),
            PlanError::Capacity(e) => e.named(name),
            PlanError::DuplicateSlo(field) => format!("only one {} may be given", name(field)),
            PlanError::Config(e) => e.named(name),
            PlanError::PerNode => format!(
                "failure model: per-node probabilities need a fixed n; plan takes {}, a repair model or domains",
                name("p_fail")
            ),
        }
    }
}

display_named!(PlanError);

/// One configuration, measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// What `eval` prints for it (with the same `--read-fanout`).
    pub row: SummaryRow,
    /// The cluster it needs.
    pub capacity: Capacity,
    /// One per SLO, in the input's order.
    pub checks: Vec<Check>,
    /// The worst of the checks.
    pub status: Status,
    /// On the Pareto front of the qualifying configurations.
    pub pareto: bool,
}

impl Candidate {
    /// `(n, r, w)`.
    pub fn config(&self) -> (usize, usize, usize) {
        (self.row.n, self.row.r, self.row.w)
    }

    /// p99 read + p99 write latency (infinite where undefined).
    pub fn latency_sum(&self) -> f64 {
        self.row.read_latency_p99_ms.unwrap_or(f64::INFINITY)
            + self.row.write_latency_p99_ms.unwrap_or(f64::INFINITY)
    }

    /// The probability a read misses the write: `1 − P(consistent at T)`
    /// when simulated, else PBS's exact k-staleness.
    pub fn staleness(&self) -> f64 {
        match self.row.p_consistent_t {
            Some(p) => 1.0 - p,
            None => self.row.p_stale_k1,
        }
    }

    /// The plan's order among configurations of equal status: cost, then
    /// fewer replicas, then p99 read + write latency, then (n, r, w).
    pub fn by_cost(&self, other: &Candidate) -> std::cmp::Ordering {
        self.capacity
            .cost
            .total_cmp(&other.capacity.cost)
            .then(self.row.n.cmp(&other.row.n))
            .then(self.latency_sum().total_cmp(&other.latency_sum()))
            .then(self.config().cmp(&other.config()))
            .then_with(|| {
                (&self.row.topology, &self.row.write_cl, &self.row.read_cl).cmp(&(
                    &other.row.topology,
                    &other.row.write_cl,
                    &other.row.read_cl,
                ))
            })
    }

    fn objectives(&self) -> [f64; 5] {
        [
            self.capacity.cost,
            self.row.read_latency_p99_ms.unwrap_or(f64::INFINITY),
            self.row.write_latency_p99_ms.unwrap_or(f64::INFINITY),
            self.staleness(),
            self.row
                .read_unavailability
                .max(self.row.write_unavailability),
        ]
    }
}

/// Every configuration, ranked.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Qualifying (meets, then uncertain) in rank order, then failing ones
    /// in configuration order.
    pub candidates: Vec<Candidate>,
}

impl Plan {
    /// Configurations that meet every SLO, or meet them within an
    /// interval (flagged): the ranked list.
    pub fn ranked(&self) -> impl Iterator<Item = &Candidate> {
        self.candidates.iter().filter(|c| c.status != Status::Fails)
    }

    /// The choice: the first configuration that meets every SLO outright.
    pub fn best(&self) -> Option<&Candidate> {
        self.candidates
            .first()
            .filter(|c| c.status == Status::Meets)
    }

    /// The next configuration that meets every SLO.
    pub fn runner_up(&self) -> Option<&Candidate> {
        self.candidates
            .iter()
            .filter(|c| c.status == Status::Meets)
            .nth(1)
    }
}

impl PlanInput {
    /// Checks everything that can be checked before any work.
    pub fn validate(&self) -> Result<(), PlanError> {
        if self.max_n == 0 || self.max_n > MAX_N_LIMIT {
            return Err(PlanError::MaxN(self.max_n));
        }
        if self.trials == 0 {
            return Err(PlanError::Trials);
        }
        for (i, s) in self.slos.iter().enumerate() {
            s.validate()?;
            if self.slos[..i].iter().any(|t| t.key() == s.key()) {
                return Err(PlanError::DuplicateSlo(s.field()));
            }
        }
        self.workload.validate(&self.node, self.max_n)?;
        if matches!(self.scenario.failure, FailureModel::PerNode(_)) {
            return Err(PlanError::PerNode);
        }
        self.scenario.failure.validate(usize::MAX)?;
        if self.speculative_retry != crate::retry::SpeculativeRetry::None {
            if self.fanout == Fanout::All {
                return Err(PlanError::Config(ConfigError::RetryAll));
            }
            if self.cluster.is_some() {
                return Err(PlanError::Config(ConfigError::RetryDatacenters));
            }
        }
        if self.cluster.is_some() && self.scenario.healing.any() {
            return Err(PlanError::Config(ConfigError::HealingDatacenters));
        }
        if self.cluster.is_some() && self.scenario.wars.remote_one_way_ms() > 0.0 {
            return Err(PlanError::Config(ConfigError::ClusterWan));
        }
        if self.fanout != Fanout::All && self.scenario.wars.remote_one_way_ms() > 0.0 {
            return Err(PlanError::Config(ConfigError::FanoutWan));
        }
        Ok(())
    }

    /// The options every candidate is evaluated with.
    fn options(&self) -> EvalOptions {
        EvalOptions {
            consistency_t_ms: self.consistency_t_ms(),
            read_fanout: self.fanout,
            speculative_retry: self.speculative_retry,
            ..EvalOptions::default()
        }
    }

    /// The consistency SLO's horizon, if there is one.
    fn consistency_t_ms(&self) -> Option<f64> {
        self.slos.iter().find_map(|s| match s {
            Slo::Consistency { t_ms, .. } => Some(*t_ms),
            _ => None,
        })
    }
}

impl From<crate::failure::FailureError> for PlanError {
    fn from(e: crate::failure::FailureError) -> Self {
        PlanError::Config(ConfigError::Failure(e))
    }
}

/// The rows of every configuration (the expensive part: latency
/// integrals and simulation). Independent of the workload and node.
pub fn measure(input: &PlanInput) -> Result<Vec<SummaryRow>, PlanError> {
    input.validate()?;
    if let Some(c) = &input.cluster {
        return cluster::measure_cluster(input, c);
    }
    let options = input.options();
    let trips = ScenarioTrips::new(&input.scenario);
    let mut rows = Vec::new();
    for n in 1..=input.max_n {
        let mut scenario = input.scenario.clone();
        scenario.failure = input.scenario.failure.for_n(n);
        let exact = evaluate_all(&scenario, &trips, n, options)?;
        let partial: Vec<(usize, usize)> = exact
            .iter()
            .map(|e| (e.config.r, e.config.w))
            .filter(|(r, w)| r + w <= n)
            .collect();
        let sim = (options.consistency_t_ms.is_some() && !partial.is_empty()).then(|| {
            let setup = simulation(&scenario, n, partial, options);
            mc::run(&setup, input.trials, input.seed, input.threads)
        });
        let healing = &input.scenario.healing;
        let repairing = healing.read_repair != crate::heal::ReadRepair::None;
        let repair_setup = repairing.then(|| simulation(&scenario, n, Vec::new(), options));
        for e in &exact {
            let mut row = SummaryRow::from_exact(&scenario, e, options);
            if e.config.strict() {
                row.add_strict_consistency();
            } else if let Some(res) = &sim {
                row.add_monte_carlo(res);
            }
            row.set_healing(healing);
            if let Some(setup) = &repair_setup {
                // Read repair's rate and its writes, for a read right after
                // the commit (the most it repairs).
                let o = mc::read_repair::simulate(
                    setup,
                    (e.config.r, e.config.w),
                    healing.read_repair,
                    &[0.0],
                    input.trials.min(100_000),
                    input.seed,
                );
                row.read_repair_rate = Some(o.rate(0));
                row.read_repair_writes_per_read = Some(o.writes_per_read(0));
            }
            rows.push(row);
        }
    }
    Ok(rows)
}

/// Checks, sizes and ranks measured rows (cheap: reruns for another
/// workload reuse the rows).
pub fn rank(input: &PlanInput, rows: &[SummaryRow]) -> Plan {
    let mut candidates: Vec<Candidate> = rows
        .iter()
        .map(|row| {
            let checks: Vec<Check> = input.slos.iter().map(|s| s.check(row)).collect();
            let status = checks
                .iter()
                .map(|c| c.status)
                .max()
                .unwrap_or(Status::Meets);
            Candidate {
                capacity: input.workload.capacity_with_extras(
                    &input.node,
                    input.fanout,
                    row.n,
                    row.r,
                    row.speculative_retry_rate.unwrap_or(0.0),
                    row.read_repair_writes_per_read.unwrap_or(0.0),
                ),
                row: row.clone(),
                checks,
                status,
                pareto: false,
            }
        })
        .collect();
    candidates.sort_by(|a, b| {
        let fails = |c: &Candidate| c.status == Status::Fails;
        fails(a).cmp(&fails(b)).then_with(|| {
            if a.status == Status::Fails {
                // Failing ones stay in configuration order.
                return a.config().cmp(&b.config());
            }
            a.status.cmp(&b.status).then_with(|| a.by_cost(b))
        })
    });
    mark_pareto(&mut candidates);
    Plan { candidates }
}

/// Measures and ranks.
pub fn plan(input: &PlanInput) -> Result<Plan, PlanError> {
    let rows = measure(input)?;
    Ok(rank(input, &rows))
}

/// Marks qualifying candidates no other qualifying candidate dominates
/// (at least as good in every objective, better in one).
fn mark_pareto(candidates: &mut [Candidate]) {
    let qualifying: Vec<[f64; 5]> = candidates
        .iter()
        .filter(|c| c.status != Status::Fails)
        .map(Candidate::objectives)
        .collect();
    for c in candidates.iter_mut().filter(|c| c.status != Status::Fails) {
        let me = c.objectives();
        c.pareto = !qualifying.iter().any(|o| {
            o.iter().zip(&me).all(|(x, y)| x <= y) && o.iter().zip(&me).any(|(x, y)| x < y)
        });
    }
}

/// How the answer moves: every failure probability doubled, and the load
/// (reads, writes and data) doubled.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// The failure model with its failures doubled.
    pub failures_doubled: FailureModel,
    /// The plan under it.
    pub with_failures_doubled: Plan,
    /// The plan under twice the load.
    pub with_load_doubled: Plan,
}

/// Replans under doubled failures (measured again) and doubled load
/// (`rows` re-ranked).
pub fn sensitivity(input: &PlanInput, rows: &[SummaryRow]) -> Result<Sensitivity, PlanError> {
    let failures_doubled = input.scenario.failure.doubled();
    let mut worse = input.clone();
    worse.scenario.failure = failures_doubled.clone();
    let mut heavier = input.clone();
    heavier.workload = input.workload.scaled(2.0);
    Ok(Sensitivity {
        with_failures_doubled: plan(&worse)?,
        with_load_doubled: rank(&heavier, rows),
        failures_doubled,
    })
}

#[cfg(test)]
pub(crate) mod tests;
