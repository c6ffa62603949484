//! Evaluating one configuration `(n, r, w)` in one scenario: everything the
//! data contract's `summary.csv` row holds that has a closed form.

use crate::closed::latency::{
    LatencySummary, Operation, QuorumLatency, Replicas, RoundTrips, Undefined,
};
use crate::closed::staleness::{p_stale, p_stale_k};
use crate::dist::Delay;
use crate::failure::Availability;
use crate::failure::{FailureError, FailureModel};
use crate::mc::estimate::Quantile;
use crate::mc::{McResult, Setup};
use crate::scenario::Scenario;
use serde::Serialize;

pub use crate::fanout::Fanout;

/// A quorum configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    pub n: usize,
    pub r: usize,
    pub w: usize,
}

/// Why a configuration or option is refused. One line, naming the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("--n: must be an integer >= 1, got {0}")]
    N(usize),
    #[error("--r: must be between 1 and n = {n}, got {r}")]
    R { n: usize, r: usize },
    #[error("--w: must be between 1 and n = {n}, got {w}")]
    W { n: usize, w: usize },
    #[error("--k: must be an integer >= 1, got {0}")]
    K(u32),
    #[error("--timeout-ms: must be a finite number > 0 (ms), got {0}")]
    Timeout(f64),
    #[error("--p-fail: {0}")]
    Failure(FailureError),
    #[error("--n: {n} replicas is beyond what {model} is computed for in bounded time (at most {max}; see the README's limits)")]
    TooManyReplicas {
        n: usize,
        max: usize,
        model: &'static str,
    },
    #[error("--k: must be between 1 and {MAX_K}, got {0}")]
    KTooLarge(u32),
    #[error("--trials: {trials} trials x n = {n} replicas x k = {k} versions is {draws:.3e} replica draws; at most {MAX_DRAWS:e} are simulated (about 10 s on 2 cores), so at most {fit} trials here")]
    TooMuchSimulation {
        trials: u64,
        n: usize,
        k: u32,
        draws: f64,
        fit: u64,
    },
    #[error("--read-fanout quorum: modelled for the uniform topology only (which r replicas a WAN coordinator would pick is not); use --read-fanout all with the wan topology")]
    FanoutWan,
}

/// The most replicas evaluated exactly with independent failures: about a
/// second (the binomial tails are summed over O(√n) terms).
pub const MAX_N: usize = 1_000_000;
/// With shared repair crews or failure domains (latency mixes over up
/// counts, O(n) per point; domains convolve per-domain counts).
pub const MAX_N_CORRELATED: usize = 20_000;
/// With one failure probability per replica (a Poisson-binomial count,
/// O(n²) per point).
pub const MAX_N_PER_NODE: usize = 1_000;
/// Versions for k-staleness.
pub const MAX_K: u32 = 1_000;
/// Replica draws (trials x n x k) one simulation may take.
pub const MAX_DRAWS: f64 = 1e9;

/// Checks that a simulation of `trials` at `n` replicas and `k` versions
/// stays within [`MAX_DRAWS`].
pub fn check_simulation(trials: u64, n: usize, k: u32) -> Result<(), ConfigError> {
    if k > MAX_K {
        return Err(ConfigError::KTooLarge(k));
    }
    let draws = trials as f64 * n as f64 * k as f64;
    if draws > MAX_DRAWS {
        return Err(ConfigError::TooMuchSimulation {
            trials,
            n,
            k,
            draws,
            fit: (MAX_DRAWS / (n as f64 * k as f64)).floor() as u64,
        });
    }
    Ok(())
}

impl Config {
    /// Checks `1 <= r, w <= n`.
    pub fn new(n: usize, r: usize, w: usize) -> Result<Self, ConfigError> {
        if n == 0 {
            return Err(ConfigError::N(n));
        }
        if r == 0 || r > n {
            return Err(ConfigError::R { n, r });
        }
        if w == 0 || w > n {
            return Err(ConfigError::W { n, w });
        }
        Ok(Config { n, r, w })
    }

    /// `r + w > n`: every read quorum meets every write quorum.
    pub fn strict(&self) -> bool {
        self.r + self.w > self.n
    }
}

/// Options beyond the configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EvalOptions {
    /// Versions for k-staleness (`p_stale_k = p_s^k`).
    pub k: u32,
    /// Operations that take longer fail (availability under timeout).
    pub timeout_ms: Option<f64>,
    /// With a repair model: also report availability this many hours after
    /// all nodes were up (transient).
    pub at_hours: Option<f64>,
    /// Also report P(consistent) for a read issued this many ms after the
    /// write commits (Monte Carlo; exact 1 for strict quorums).
    pub consistency_t_ms: Option<f64>,
    /// Where reads are sent.
    pub read_fanout: Fanout,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            k: 1,
            timeout_ms: None,
            at_hours: None,
            consistency_t_ms: None,
            read_fanout: Fanout::All,
        }
    }
}

/// The exact results for one configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Exact {
    pub config: Config,
    pub read: LatencySummary,
    pub write: LatencySummary,
    /// Availability with no timeout (log-accurate unavailability).
    pub read_availability: Availability,
    pub write_availability: Availability,
    pub p_stale_k1: f64,
    pub p_stale_k: f64,
    /// How the delays were computed, where it matters (see
    /// [`ScenarioTrips::notes`]).
    pub notes: Vec<String>,
}

/// Computes every exact figure for `config` in `scenario`.
///
/// ```
/// use quorum_model::eval::{evaluate, Config, EvalOptions};
/// use quorum_model::scenario::Scenario;
/// let s = Scenario::default_exponential();
/// let e = evaluate(&s, Config::new(3, 1, 2).unwrap(), EvalOptions::default()).unwrap();
/// assert!((e.write.mean_ms.clone().unwrap() - 1.8241).abs() < 1e-4);
/// ```
pub fn evaluate(
    scenario: &Scenario,
    config: Config,
    options: EvalOptions,
) -> Result<Exact, ConfigError> {
    evaluate_with(scenario, &ScenarioTrips::new(scenario), config, options)
}

/// The read and write round trips of a scenario, computed once (tabulating
/// a convolution costs tens of milliseconds) and shared by every
/// configuration evaluated in it.
#[derive(Debug, Clone)]
pub struct ScenarioTrips {
    pub read: RoundTrips,
    pub write: RoundTrips,
}

impl ScenarioTrips {
    pub fn new(scenario: &Scenario) -> Self {
        let read = RoundTrips::new(&scenario.wars, Operation::Read);
        // The same law for both (one --delay for all legs): share its
        // tables rather than build them twice.
        let write = if scenario.wars.write_round_trip() == *read.local.dist() {
            read.clone()
        } else {
            RoundTrips::new(&scenario.wars, Operation::Write)
        };
        // Tables are built on first use; build them now, so that a sweep
        // builds every scenario's in parallel up front.
        for trips in [&read, &write] {
            let _ = trips.local.cdf_sf(trips.local.support().0 + 1.0);
        }
        ScenarioTrips { read, write }
    }

    /// How the round trips are computed, where a user should know: point
    /// masses merged into bins, a table that missed its tolerance.
    pub fn notes(&self) -> Vec<String> {
        let mut out = self.read.local.dist().notes();
        for n in self.write.local.dist().notes() {
            if !out.contains(&n) {
                out.push(n);
            }
        }
        out
    }
}

/// [`evaluate`] with the scenario's round trips computed beforehand.
pub fn evaluate_with(
    scenario: &Scenario,
    trips: &ScenarioTrips,
    config: Config,
    options: EvalOptions,
) -> Result<Exact, ConfigError> {
    check(scenario, config.n, options)?;
    let latency = |trips: &RoundTrips, k: usize| {
        let reps = Replicas::from_round_trips(trips, &scenario.failure, config.n);
        QuorumLatency::new(reps, k, options.timeout_ms).summary()
    };
    let read_availability = scenario.failure.availability(config.r, config.n);
    Ok(Exact {
        config,
        read: match options.read_fanout {
            Fanout::All => latency(&trips.read, config.r),
            Fanout::Quorum => quorum_fanout_read(trips, config.r, read_availability, options),
        },
        write: latency(&trips.write, config.w),
        read_availability,
        write_availability: scenario.failure.availability(config.w, config.n),
        p_stale_k1: p_stale(config.n, config.r, config.w),
        p_stale_k: p_stale_k(config.n, config.r, config.w, options.k),
        notes: trips.notes(),
    })
}

/// Every `(r, w)` for `n` replicas, in order `r` then `w`. Read latency
/// depends only on `r` and write latency only on `w`, so each is computed
/// once per quorum size rather than once per pair.
pub fn evaluate_all(
    scenario: &Scenario,
    trips: &ScenarioTrips,
    n: usize,
    options: EvalOptions,
) -> Result<Vec<Exact>, ConfigError> {
    check(scenario, n, options)?;
    let per_k = |trips: &RoundTrips| -> Vec<LatencySummary> {
        let reps = Replicas::from_round_trips(trips, &scenario.failure, n);
        (1..=n)
            .map(|k| QuorumLatency::new(reps.clone(), k, options.timeout_ms).summary())
            .collect()
    };
    let avail: Vec<Availability> = (1..=n)
        .map(|k| scenario.failure.availability(k, n))
        .collect();
    let reads = match options.read_fanout {
        Fanout::All => per_k(&trips.read),
        Fanout::Quorum => (1..=n)
            .map(|r| quorum_fanout_read(trips, r, avail[r - 1], options))
            .collect(),
    };
    let writes = per_k(&trips.write);
    let notes = trips.notes();
    let mut out = Vec::with_capacity(n * n);
    for r in 1..=n {
        for w in 1..=n {
            out.push(Exact {
                config: Config { n, r, w },
                read: reads[r - 1].clone(),
                write: writes[w - 1].clone(),
                read_availability: avail[r - 1],
                write_availability: avail[w - 1],
                p_stale_k1: p_stale(n, r, w),
                p_stale_k: p_stale_k(n, r, w, options.k),
                notes: notes.clone(),
            });
        }
    }
    Ok(out)
}

/// The simulation of `pairs` at `n` replicas under `options` (timeout, K
/// versions, read fan-out): the one place `eval` and `plan` build it, so
/// that the same seed gives them the same estimates.
pub fn simulation(
    scenario: &Scenario,
    n: usize,
    pairs: Vec<(usize, usize)>,
    options: EvalOptions,
) -> Setup {
    let mut setup = Setup::new(&scenario.wars, &scenario.failure, n).with_pairs(pairs);
    setup.timeout_ms = options.timeout_ms;
    setup.k_versions = options.k;
    setup.read_fanout = options.read_fanout;
    setup
}

/// Read latency with quorum fan-out: the coordinator sends to r live
/// replicas and waits for all of them, so given that r are up (probability
/// `available`) the read takes the slowest of r round trips. Under a
/// timeout, availability is `P(r up) · P(slowest of r within T)`.
fn quorum_fanout_read(
    trips: &ScenarioTrips,
    r: usize,
    available: Availability,
    options: EvalOptions,
) -> LatencySummary {
    let reps = Replicas::from_round_trips(&trips.read, &FailureModel::NONE, r);
    let mut s = QuorumLatency::new(reps, r, options.timeout_ms).summary();
    // Success needs r live replicas and (with a timeout) all r in time.
    let in_time = s.availability;
    s.unavailability = available.unavailable + available.available * s.unavailability;
    s.availability = available.available * in_time;
    if available.available <= 0.0 {
        s.mean_ms = Err(Undefined::NoQuorum);
        s.p50_ms = Err(Undefined::NoQuorum);
        s.p99_ms = Err(Undefined::NoQuorum);
        s.p999_ms = Err(Undefined::NoQuorum);
    }
    s
}

fn check(scenario: &Scenario, n: usize, options: EvalOptions) -> Result<(), ConfigError> {
    if options.read_fanout == Fanout::Quorum && scenario.wars.remote_one_way_ms() > 0.0 {
        return Err(ConfigError::FanoutWan);
    }
    if options.k == 0 {
        return Err(ConfigError::K(options.k));
    }
    if options.k > MAX_K {
        return Err(ConfigError::KTooLarge(options.k));
    }
    let (max, model) = match &scenario.failure {
        FailureModel::PerNode(_) => (MAX_N_PER_NODE, "a per-node failure list"),
        FailureModel::Domains(d) if d.p_domain > 0.0 => {
            (MAX_N_CORRELATED, "a failure-domain model")
        }
        FailureModel::Repair(r) if r.crews.is_some_and(|c| c < n) => {
            (MAX_N_CORRELATED, "a shared-repair-crew model")
        }
        _ => (MAX_N, "the exact evaluation"),
    };
    if n > max {
        return Err(ConfigError::TooManyReplicas { n, max, model });
    }
    if let Some(t) = options.timeout_ms {
        if !(t.is_finite() && t > 0.0) {
            return Err(ConfigError::Timeout(t));
        }
    }
    scenario.failure.validate(n).map_err(ConfigError::Failure)
}

/// One row of `summary.csv` (and the keys of `eval --format json`), in
/// column order. `None` is an empty CSV cell / JSON `null`; the reason for
/// each is in [`SummaryRow::notes`] (printed on stderr), never NaN.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryRow {
    pub scenario: String,
    pub n: usize,
    pub r: usize,
    pub w: usize,
    pub strict: bool,
    pub p_fail: Option<f64>,
    pub read_availability: f64,
    pub write_availability: f64,
    pub read_unavailability: f64,
    pub write_unavailability: f64,
    pub p_stale_k1: f64,
    pub p_consistent_t0: Option<f64>,
    pub p_consistent_t0_ci_low: Option<f64>,
    pub p_consistent_t0_ci_high: Option<f64>,
    pub t_visibility_p999_ms: Option<f64>,
    pub read_latency_mean_ms: Option<f64>,
    pub read_latency_p50_ms: Option<f64>,
    pub read_latency_p99_ms: Option<f64>,
    pub read_latency_p999_ms: Option<f64>,
    pub write_latency_mean_ms: Option<f64>,
    pub write_latency_p50_ms: Option<f64>,
    pub write_latency_p99_ms: Option<f64>,
    pub write_latency_p999_ms: Option<f64>,
    pub trials: Option<u64>,
    pub seed: Option<u64>,
    // Columns beyond the contract's minimum.
    pub read_nines: Option<f64>,
    pub write_nines: Option<f64>,
    pub k: u32,
    pub p_stale_k: f64,
    pub timeout_ms: Option<f64>,
    pub t_visibility_p999_ms_ci_low: Option<f64>,
    pub t_visibility_p999_ms_ci_high: Option<f64>,
    pub p_within_k_t0: Option<f64>,
    pub p_within_k_t0_ci_low: Option<f64>,
    pub p_within_k_t0_ci_high: Option<f64>,
    pub read_mttql_hours: Option<f64>,
    pub write_mttql_hours: Option<f64>,
    pub at_hours: Option<f64>,
    pub read_availability_at: Option<f64>,
    pub write_availability_at: Option<f64>,
    /// The failure model as a spec (`iid(p_fail=0.01)`, `repair(...)`, ...;
    /// see [`crate::failure::spec`]).
    pub failure: String,
    /// With `--consistency-at-ms T`: T, and P(a read issued T ms after the
    /// commit sees the write) with its 95% interval.
    pub consistency_t_ms: Option<f64>,
    pub p_consistent_t: Option<f64>,
    pub p_consistent_t_ci_low: Option<f64>,
    pub p_consistent_t_ci_high: Option<f64>,
    /// `all` (reads go to every replica, the first r answers count) or
    /// `quorum` (to r live replicas, all r awaited).
    pub read_fanout: Fanout,
    /// The figures of this row that are approximate rather than exact to
    /// their stated tolerance, space separated (empty: none); the notes say
    /// why.
    pub approximate: String,
    #[serde(skip)]
    pub notes: Vec<String>,
}

/// The keys a serializable record writes, in order (for checking a
/// record's fields against [`SummaryRow::COLUMNS`]).
#[cfg(test)]
pub(crate) fn field_names<T: Serialize>(record: &T) -> Vec<String> {
    match serde_json::to_value(record).expect("serializable") {
        serde_json::Value::Object(map) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// How many of [`SummaryRow::COLUMNS`], from the first, are the data
/// contract's (`shared/DESIGN.md`): never renamed or dropped.
pub const CONTRACT_COLUMNS: usize = 25;

impl SummaryRow {
    /// Column names, in order.
    pub const COLUMNS: [&'static str; 47] = [
        "scenario",
        "n",
        "r",
        "w",
        "strict",
        "p_fail",
        "read_availability",
        "write_availability",
        "read_unavailability",
        "write_unavailability",
        "p_stale_k1",
        "p_consistent_t0",
        "p_consistent_t0_ci_low",
        "p_consistent_t0_ci_high",
        "t_visibility_p999_ms",
        "read_latency_mean_ms",
        "read_latency_p50_ms",
        "read_latency_p99_ms",
        "read_latency_p999_ms",
        "write_latency_mean_ms",
        "write_latency_p50_ms",
        "write_latency_p99_ms",
        "write_latency_p999_ms",
        "trials",
        "seed",
        "read_nines",
        "write_nines",
        "k",
        "p_stale_k",
        "timeout_ms",
        "t_visibility_p999_ms_ci_low",
        "t_visibility_p999_ms_ci_high",
        "p_within_k_t0",
        "p_within_k_t0_ci_low",
        "p_within_k_t0_ci_high",
        "read_mttql_hours",
        "write_mttql_hours",
        "at_hours",
        "read_availability_at",
        "write_availability_at",
        "failure",
        "consistency_t_ms",
        "p_consistent_t",
        "p_consistent_t_ci_low",
        "p_consistent_t_ci_high",
        "read_fanout",
        "approximate",
    ];

    /// Builds the row from exact results; Monte Carlo fields stay `None`.
    pub fn from_exact(scenario: &Scenario, e: &Exact, options: EvalOptions) -> Self {
        let mut notes = e.notes.clone();
        let mut approximate: Vec<String> = Vec::new();
        if e.notes.iter().any(|n| n.starts_with("approximate:")) {
            // A round trip's table missed its tolerance: every latency.
            for op in ["read", "write"] {
                for f in ["mean", "p50", "p99", "p999"] {
                    approximate.push(format!("{op}_latency_{f}_ms"));
                }
            }
        }
        for (op, summary) in [("read", &e.read), ("write", &e.write)] {
            for (pct, tail) in &summary.extrapolated {
                let field = if *pct == 50.0 {
                    "p50"
                } else if *pct == 99.0 {
                    "p99"
                } else {
                    "p999"
                };
                let name = format!("{op}_latency_{field}_ms");
                if !approximate.contains(&name) {
                    approximate.push(name);
                }
                notes.push(format!(
                    "approximate: {op}_latency_{field}_ms lies where a replica's response time has a tail probability of {tail:.1e}, below the 1e-16 its table holds, so it rests on the table's extrapolated tail (the latency's CDF has a plateau at that level: a local replica down with probability 1 - p)"
                ));
            }
        }
        let mut keep = |field: &str, v: &Result<f64, Undefined>| match v {
            Ok(x) => Some(*x),
            Err(why) => {
                notes.push(format!("{field} is null: {why}"));
                None
            }
        };
        let read_mean = keep("read_latency_mean_ms", &e.read.mean_ms);
        let read_p50 = keep("read_latency_p50_ms", &e.read.p50_ms);
        let read_p99 = keep("read_latency_p99_ms", &e.read.p99_ms);
        let read_p999 = keep("read_latency_p999_ms", &e.read.p999_ms);
        let write_mean = keep("write_latency_mean_ms", &e.write.mean_ms);
        let write_p50 = keep("write_latency_p50_ms", &e.write.p50_ms);
        let write_p99 = keep("write_latency_p99_ms", &e.write.p99_ms);
        let write_p999 = keep("write_latency_p999_ms", &e.write.p999_ms);
        // A leg without a mean does not doom the quorum's mean: the k-th of n
        // responses waits on several slow replicas at once. Say so, since a
        // user who gave such a leg may expect null.
        for (op, legs, summary, k) in [
            (
                "write",
                [&scenario.wars.w, &scenario.wars.a],
                &e.write,
                e.config.w,
            ),
            (
                "read",
                [&scenario.wars.r, &scenario.wars.s],
                &e.read,
                e.config.r,
            ),
        ] {
            let leg_index = legs
                .iter()
                .map(|d| d.tail_index())
                .fold(f64::INFINITY, f64::min);
            if leg_index <= 1.0 && summary.mean_ms.is_ok() {
                notes.push(format!(
                    "{op}_latency_mean_ms exists although a {op} leg has no mean (tail index {leg_index}): response {k} of {n} waits on several slow replicas at once, so its tail index is {:.4} > 1",
                    summary.tail_index,
                    n = e.config.n
                ));
            }
        }
        let p_fail = scenario.failure.iid_p_fail();
        match &scenario.failure {
            FailureModel::PerNode(_) => notes.push("p_fail is null: failure probabilities differ per node (see the scenario)".into()),
            FailureModel::Repair(_) => notes.push("p_fail is null: nodes fail and are repaired at given rates; availability is the repair chain's steady state, latency mixes over its number of failed nodes, and the simulation draws from it".into()),
            FailureModel::Domains(_) => notes.push("p_fail is null: failures are correlated within domains; availability and latency mix over the domains' outages exactly, and the simulation draws them".into()),
            FailureModel::Iid(_) => {}
        }
        let (n, r, w) = (e.config.n, e.config.r, e.config.w);
        let mut mttql = |field: &str, k: usize| match &scenario.failure {
            FailureModel::Repair(rep) => {
                let t = rep.mean_time_to_quorum_loss(k, n);
                if t.is_finite() {
                    Some(t)
                } else {
                    notes.push(format!("{field} is null: longer than 1e308 hours"));
                    None
                }
            }
            _ => None,
        };
        let read_mttql_hours = mttql("read_mttql_hours", r);
        let write_mttql_hours = mttql("write_mttql_hours", w);
        let at = |k: usize| match (&scenario.failure, options.at_hours) {
            (FailureModel::Repair(rep), Some(t)) => Some(rep.availability_at(k, n, t)),
            _ => None,
        };
        let (read_availability_at, write_availability_at) = (at(r), at(w));
        // Under a timeout, availability is P(quorum within T); otherwise the
        // log-accurate closed form.
        let (ra, rna, wa, wna, rn, wn) = match options.timeout_ms {
            Some(_) => (
                e.read.availability,
                e.read.unavailability,
                e.write.availability,
                e.write.unavailability,
                -e.read.unavailability.log10(),
                -e.write.unavailability.log10(),
            ),
            None => (
                e.read_availability.available,
                e.read_availability.unavailable,
                e.write_availability.available,
                e.write_availability.unavailable,
                e.read_availability.nines(),
                e.write_availability.nines(),
            ),
        };
        let mut nines = |field: &str, v: f64| {
            if v.is_finite() {
                Some(v)
            } else {
                notes.push(format!(
                    "{field} is null: infinite (the quorum is never lost under this failure model)"
                ));
                None
            }
        };
        let read_nines = nines("read_nines", rn);
        let write_nines = nines("write_nines", wn);
        SummaryRow {
            scenario: scenario.name.clone(),
            n: e.config.n,
            r: e.config.r,
            w: e.config.w,
            strict: e.config.strict(),
            p_fail,
            read_availability: ra,
            write_availability: wa,
            read_unavailability: rna,
            write_unavailability: wna,
            p_stale_k1: e.p_stale_k1,
            p_consistent_t0: None,
            p_consistent_t0_ci_low: None,
            p_consistent_t0_ci_high: None,
            t_visibility_p999_ms: None,
            read_latency_mean_ms: read_mean,
            read_latency_p50_ms: read_p50,
            read_latency_p99_ms: read_p99,
            read_latency_p999_ms: read_p999,
            write_latency_mean_ms: write_mean,
            write_latency_p50_ms: write_p50,
            write_latency_p99_ms: write_p99,
            write_latency_p999_ms: write_p999,
            trials: None,
            seed: None,
            read_nines,
            write_nines,
            k: options.k,
            p_stale_k: e.p_stale_k,
            timeout_ms: options.timeout_ms,
            t_visibility_p999_ms_ci_low: None,
            t_visibility_p999_ms_ci_high: None,
            p_within_k_t0: None,
            p_within_k_t0_ci_low: None,
            p_within_k_t0_ci_high: None,
            read_mttql_hours,
            write_mttql_hours,
            at_hours: options.at_hours.filter(|_| read_availability_at.is_some()),
            read_availability_at,
            write_availability_at,
            failure: scenario.failure.spec(),
            consistency_t_ms: options.consistency_t_ms,
            p_consistent_t: None,
            p_consistent_t_ci_low: None,
            p_consistent_t_ci_high: None,
            read_fanout: options.read_fanout,
            approximate: approximate.join(" "),
            notes,
        }
    }

    /// Strict quorums are never stale: every read quorum meets every write
    /// quorum, and the replicas that acked hold the write. Exact, no trials.
    pub fn add_strict_consistency(&mut self) {
        debug_assert!(self.strict);
        self.p_consistent_t0 = Some(1.0);
        self.p_consistent_t0_ci_low = Some(1.0);
        self.p_consistent_t0_ci_high = Some(1.0);
        self.t_visibility_p999_ms = Some(0.0);
        self.t_visibility_p999_ms_ci_low = Some(0.0);
        self.t_visibility_p999_ms_ci_high = Some(0.0);
        if self.consistency_t_ms.is_some() {
            self.p_consistent_t = Some(1.0);
            self.p_consistent_t_ci_low = Some(1.0);
            self.p_consistent_t_ci_high = Some(1.0);
        }
        if self.k > 1 {
            self.p_within_k_t0 = Some(1.0);
            self.p_within_k_t0_ci_low = Some(1.0);
            self.p_within_k_t0_ci_high = Some(1.0);
        }
        self.notes.push(
            "p_consistent_t0 = 1 and t_visibility_p999_ms = 0 are exact (r + w > n: every read quorum meets every write quorum), so no trials were run; trials and seed are null"
                .into(),
        );
    }

    /// Fills the Monte Carlo fields from a simulation of this row's (r, w).
    pub fn add_monte_carlo(&mut self, res: &McResult) {
        let (r, w) = (self.r, self.w);
        self.trials = Some(res.trials());
        self.seed = Some(res.seed);
        let c = res.p_consistent_at(r, w, 0.0);
        if c.trials == 0 {
            self.notes.push("p_consistent_t0 and t_visibility_p999_ms are null: no trial had both a committed write and an answered read".into());
            return;
        }
        self.p_consistent_t0 = Some(c.estimate);
        self.p_consistent_t0_ci_low = Some(c.ci_low);
        self.p_consistent_t0_ci_high = Some(c.ci_high);
        if let Some(t) = self.consistency_t_ms {
            let c = res.p_consistent_at(r, w, t);
            self.p_consistent_t = Some(c.estimate);
            self.p_consistent_t_ci_low = Some(c.ci_low);
            self.p_consistent_t_ci_high = Some(c.ci_high);
        }
        match res.t_visibility(r, w, 0.999) {
            Quantile::Finite { estimate, ci_low, ci_high } => {
                self.t_visibility_p999_ms = Some(estimate);
                self.t_visibility_p999_ms_ci_low = Some(ci_low);
                self.t_visibility_p999_ms_ci_high = ci_high.is_finite().then_some(ci_high);
                if ci_high.is_infinite() {
                    self.notes.push("t_visibility_p999_ms_ci_high is null: the interval's upper end is infinite (some reads never see the write)".into());
                }
            }
            Quantile::Infinite => self.notes.push(
                "t_visibility_p999_ms is null: more than 0.1% of reads never see the write (a replica down during the write answered the read)"
                    .into(),
            ),
            Quantile::OutOfRange => self
                .notes
                .push("t_visibility_p999_ms is null: it lies beyond 2^36 ms, the simulation's range".into()),
            Quantile::Empty => {}
        }
        if self.k > 1 {
            let p = res.p_within_k(r, w);
            self.p_within_k_t0 = Some(p.estimate);
            self.p_within_k_t0_ci_low = Some(p.ci_low);
            self.p_within_k_t0_ci_high = Some(p.ci_high);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::FailureModel;

    #[test]
    fn columns_match_the_serialized_fields() {
        let s = Scenario::default_exponential();
        let c = Config::new(3, 2, 2).unwrap();
        let e = evaluate(&s, c, EvalOptions::default()).unwrap();
        let row = SummaryRow::from_exact(&s, &e, EvalOptions::default());
        let v = serde_json::to_value(&row).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), SummaryRow::COLUMNS.len());
        for col in SummaryRow::COLUMNS {
            assert!(v.get(col).is_some(), "missing {col}");
        }
    }

    #[test]
    fn anchors() {
        let mut s = Scenario::default_exponential();
        s.failure = FailureModel::iid(0.01);
        let e = evaluate(&s, Config::new(3, 2, 2).unwrap(), EvalOptions::default()).unwrap();
        assert!((e.read_availability.available - 0.999702).abs() < 1e-12);
        let e = evaluate(
            &s,
            Config::new(100, 30, 30).unwrap(),
            EvalOptions::default(),
        )
        .unwrap();
        assert!((e.p_stale_k1 / 1.884e-6 - 1.0).abs() < 2e-4);
    }

    #[test]
    fn refuses_bad_configurations() {
        assert_eq!(Config::new(3, 4, 1), Err(ConfigError::R { n: 3, r: 4 }));
        assert_eq!(Config::new(3, 1, 0), Err(ConfigError::W { n: 3, w: 0 }));
        assert!(Config::new(0, 1, 1).is_err());
        let s = Scenario::default_exponential();
        let c = Config::new(3, 1, 1).unwrap();
        assert!(evaluate(
            &s,
            c,
            EvalOptions {
                k: 0,
                ..EvalOptions::default()
            }
        )
        .is_err());
        assert!(evaluate(
            &s,
            c,
            EvalOptions {
                timeout_ms: Some(f64::NAN),
                ..EvalOptions::default()
            }
        )
        .is_err());
    }

    #[test]
    fn evaluate_all_matches_one_by_one() {
        let mut s = Scenario::from_preset("ymmr").unwrap();
        s.failure = FailureModel::iid(0.02);
        let trips = ScenarioTrips::new(&s);
        let all = evaluate_all(&s, &trips, 4, EvalOptions::default()).unwrap();
        assert_eq!(all.len(), 16);
        for e in &all {
            let one = evaluate_with(&s, &trips, e.config, EvalOptions::default()).unwrap();
            assert_eq!(&one, e);
        }
    }

    #[test]
    fn timeout_lowers_availability() {
        let s = Scenario::default_exponential();
        let c = Config::new(3, 2, 2).unwrap();
        let opts = EvalOptions {
            k: 1,
            timeout_ms: Some(2.0),
            ..EvalOptions::default()
        };
        let e = evaluate(&s, c, opts).unwrap();
        let row = SummaryRow::from_exact(&s, &e, opts);
        assert!(row.read_availability < 1.0 && row.read_availability > 0.5);
        assert!(row.read_latency_p999_ms.unwrap() <= 2.0);
    }
}
