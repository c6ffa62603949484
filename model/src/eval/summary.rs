//! One row of `summary.csv`: the exact results of a configuration, then the
//! Monte Carlo's, with a note for every value that is missing or
//! approximate.

use super::{EvalOptions, Exact};
use crate::closed::latency::Undefined;
use crate::dist::Delay;
use crate::failure::FailureModel;
use crate::mc::estimate::Quantile;
use crate::mc::McResult;
use crate::scenario::Scenario;
use crate::Fanout;
use serde::Serialize;

/// One row of `summary.csv` (and the keys of `eval --format json`), in
/// column order. `None` is an empty CSV cell / JSON `null`; the reason for
/// each is in [`SummaryRow::notes`] (printed on stderr), never NaN.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryRow {
    /// Scenario name.
    pub scenario: String,
    /// Replicas.
    pub n: usize,
    /// Read quorum.
    pub r: usize,
    /// Write quorum.
    pub w: usize,
    /// `r + w > n`: every read quorum meets every write quorum.
    pub strict: bool,
    /// The one down probability of an iid failure model (`None` for others; see `failure`).
    pub p_fail: Option<f64>,
    /// P(a read quorum can be formed), or within the timeout when one is set. Exact.
    pub read_availability: f64,
    /// P(a write quorum can be formed), or within the timeout. Exact.
    pub write_availability: f64,
    /// `1 - read_availability`, summed from its own terms (exact down to 1e-300).
    pub read_unavailability: f64,
    /// `1 - write_availability`, summed from its own terms.
    pub write_unavailability: f64,
    /// P(a read quorum misses the latest write's quorum) for random quorums: `C(n-w, r) / C(n, r)`. Exact.
    pub p_stale_k1: f64,
    /// P(a read issued at the write's commit sees it), given both succeed. Monte Carlo.
    pub p_consistent_t0: Option<f64>,
    /// 95% Wilson interval of `p_consistent_t0`, low end.
    pub p_consistent_t0_ci_low: Option<f64>,
    /// 95% Wilson interval of `p_consistent_t0`, high end.
    pub p_consistent_t0_ci_high: Option<f64>,
    /// Time after commit by which 99.9% of reads see the write, ms. Monte Carlo.
    pub t_visibility_p999_ms: Option<f64>,
    /// Mean read latency (given success), ms. Exact.
    pub read_latency_mean_ms: Option<f64>,
    /// Median read latency, ms. Exact.
    pub read_latency_p50_ms: Option<f64>,
    /// 99th percentile of read latency, ms. Exact.
    pub read_latency_p99_ms: Option<f64>,
    /// 99.9th percentile of read latency, ms. Exact.
    pub read_latency_p999_ms: Option<f64>,
    /// Mean write latency (given success), ms. Exact.
    pub write_latency_mean_ms: Option<f64>,
    /// Median write latency, ms. Exact.
    pub write_latency_p50_ms: Option<f64>,
    /// 99th percentile of write latency, ms. Exact.
    pub write_latency_p99_ms: Option<f64>,
    /// 99.9th percentile of write latency, ms. Exact.
    pub write_latency_p999_ms: Option<f64>,
    /// Monte Carlo trials behind the estimates (`None`: none were needed).
    pub trials: Option<u64>,
    /// Seed of the Monte Carlo (`None`: none was run).
    pub seed: Option<u64>,
    // Columns beyond the contract's minimum.
    /// `-log10(read_unavailability)`; `None` when infinite (never lost).
    pub read_nines: Option<f64>,
    /// `-log10(write_unavailability)`; `None` when infinite.
    pub write_nines: Option<f64>,
    /// Versions for k-staleness.
    pub k: u32,
    /// P(a read misses all of the last `k` writes): `p_stale_k1^k`. Exact.
    pub p_stale_k: f64,
    /// Operations slower than this fail, ms (`None`: no timeout).
    pub timeout_ms: Option<f64>,
    /// Order-statistic 95% interval of `t_visibility_p999_ms`, low end.
    pub t_visibility_p999_ms_ci_low: Option<f64>,
    /// Order-statistic 95% interval of `t_visibility_p999_ms`, high end.
    pub t_visibility_p999_ms_ci_high: Option<f64>,
    /// With `k > 1`: P(a read at commit returns one of the last `k` versions). Monte Carlo.
    pub p_within_k_t0: Option<f64>,
    /// 95% interval of `p_within_k_t0`, low end.
    pub p_within_k_t0_ci_low: Option<f64>,
    /// 95% interval of `p_within_k_t0`, high end.
    pub p_within_k_t0_ci_high: Option<f64>,
    /// With a repair model: mean hours from all up until reads lose their quorum.
    pub read_mttql_hours: Option<f64>,
    /// With a repair model: mean hours from all up until writes lose their quorum.
    pub write_mttql_hours: Option<f64>,
    /// With a repair model and `at_hours`: the horizon of the transient availability, hours.
    pub at_hours: Option<f64>,
    /// Read availability `at_hours` after all nodes were up.
    pub read_availability_at: Option<f64>,
    /// Write availability `at_hours` after all nodes were up.
    pub write_availability_at: Option<f64>,
    /// The failure model as a spec (`iid(p_fail=0.01)`, `repair(...)`, ...;
    /// see [`crate::failure::FailureModel::spec`]).
    pub failure: String,
    /// With `--consistency-at-ms T`: T, and P(a read issued T ms after the
    /// commit sees the write) with its 95% interval.
    pub consistency_t_ms: Option<f64>,
    /// P(a read issued `consistency_t_ms` after the commit sees the write). Monte Carlo.
    pub p_consistent_t: Option<f64>,
    /// 95% interval of `p_consistent_t`, low end.
    pub p_consistent_t_ci_low: Option<f64>,
    /// 95% interval of `p_consistent_t`, high end.
    pub p_consistent_t_ci_high: Option<f64>,
    /// `all` (reads go to every replica, the first r answers count) or
    /// `quorum` (to r live replicas, all r awaited).
    pub read_fanout: Fanout,
    /// The figures of this row that are approximate rather than exact to
    /// their stated tolerance, space separated (empty: none); the notes say
    /// why.
    pub approximate: String,
    /// Where the replicas are: `uniform`, `wan(remote_one_way_ms=75)`, or
    /// a cluster's canonical one-line form (`east:3,west:3;east-west=const(40);...`,
    /// see [`crate::topology::Cluster`]).
    pub topology: String,
    /// The write's consistency level (`LOCAL_QUORUM`; a number for `w`).
    pub write_cl: String,
    /// The read's consistency level (`ONE`; a number for `r`).
    pub read_cl: String,
    /// The write coordinator's datacenter (`random`: drawn per operation;
    /// empty without datacenters).
    pub write_dc: String,
    /// The read coordinator's datacenter.
    pub read_dc: String,
    /// The reads' speculative retry: `none`, a delay (`5ms`) or a
    /// percentile of the read latency without retry (`99p`).
    pub speculative_retry: String,
    /// After how long a read asks one more replica, ms (the percentile
    /// resolved); `None` without retry.
    pub speculative_retry_ms: Option<f64>,
    /// Expected extra read requests per read from the retry. Exact.
    pub speculative_retry_rate: Option<f64>,
    /// Hinted handoff: how long hints are kept (`3h`); empty without hints.
    pub hint_window: String,
    /// The delay spec from a hinted replica's return to the replayed
    /// write; empty without hints.
    pub hint_replay_delay: String,
    /// Hinted writes count toward the write level (sloppy quorum).
    pub sloppy_quorum: bool,
    /// How often every replica syncs with its peers (`10min`); empty
    /// without anti-entropy.
    pub anti_entropy_interval: String,
    /// Read repair: `none`, `blocking` or `async:P`.
    pub read_repair: String,
    /// Time after commit after which 99.9% of reads see the write, for
    /// good, with failures in time and the healing mechanisms (a model with
    /// durations), ms; `None` when never. Monte Carlo on a log grid.
    pub t_visibility_failures_p999_ms: Option<f64>,
    /// The same for 99.99% of reads.
    pub t_visibility_failures_p9999_ms: Option<f64>,
    /// Share of reads issued at the commit that repair a replica (replies
    /// disagree; async: times the chance). Monte Carlo.
    pub read_repair_rate: Option<f64>,
    /// Replica writes per read from read repair (the load it adds; not a
    /// column).
    #[serde(skip)]
    pub read_repair_writes_per_read: Option<f64>,
    /// Why a value is missing or approximate, one sentence each (printed on
    /// stderr; not a column).
    #[serde(skip)]
    pub notes: Vec<String>,
}

/// The keys a serializable record writes, in order (for checking a
/// record's fields against [`SummaryRow::COLUMNS`]).
#[cfg(all(test, feature = "charts"))]
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
    pub const COLUMNS: [&'static str; 63] = [
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
        "topology",
        "write_cl",
        "read_cl",
        "write_dc",
        "read_dc",
        "speculative_retry",
        "speculative_retry_ms",
        "speculative_retry_rate",
        "hint_window",
        "hint_replay_delay",
        "sloppy_quorum",
        "anti_entropy_interval",
        "read_repair",
        "t_visibility_failures_p999_ms",
        "t_visibility_failures_p9999_ms",
        "read_repair_rate",
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
        // Levels other than one count over all replicas are not k-of-n:
        // the repair chain's k-of-n figures do not apply to them.
        let plain = e.cluster.as_ref().is_none_or(|c| c.plain);
        if !plain && matches!(scenario.failure, FailureModel::Repair(_)) {
            notes.push("read_mttql_hours, write_mttql_hours and the availability at at_hours are null: computed for k-of-n quorums only, not for levels that count per datacenter".into());
        }
        if let Some(why) = scenario.failure.no_p_fail_because() {
            notes.push(format!("p_fail is null: {why}"));
        }
        let (n, r, w) = (e.config.n, e.config.r, e.config.w);
        let mut mttql = |field: &str, k: usize| match &scenario.failure {
            FailureModel::Repair(rep) if plain => {
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
            (FailureModel::Repair(rep), Some(t)) if plain => Some(rep.availability_at(k, n, t)),
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
            strict: e.cluster.as_ref().map_or(e.config.strict(), |c| c.strict),
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
            topology: match &e.cluster {
                Some(c) => c.topology.clone(),
                None => scenario.wars.topology.to_string(),
            },
            write_cl: e
                .cluster
                .as_ref()
                .map_or(w.to_string(), |c| c.write_cl.to_string()),
            read_cl: e
                .cluster
                .as_ref()
                .map_or(r.to_string(), |c| c.read_cl.to_string()),
            write_dc: match &e.cluster {
                Some(c) => c.write_dc.clone(),
                None => scenario.wars.topology.coordinator_dc().to_string(),
            },
            read_dc: match &e.cluster {
                Some(c) => c.read_dc.clone(),
                None => scenario.wars.topology.coordinator_dc().to_string(),
            },
            speculative_retry: options.speculative_retry.to_string(),
            speculative_retry_ms: e.read_retry.map(|r| r.threshold_ms),
            speculative_retry_rate: e.read_retry.map(|r| r.rate),
            hint_window: String::new(),
            hint_replay_delay: String::new(),
            sloppy_quorum: false,
            anti_entropy_interval: String::new(),
            read_repair: "none".into(),
            t_visibility_failures_p999_ms: None,
            t_visibility_failures_p9999_ms: None,
            read_repair_rate: None,
            read_repair_writes_per_read: None,
            notes,
        }
    }

    /// The healing mechanisms' columns.
    pub fn set_healing(&mut self, h: &crate::heal::Healing) {
        use crate::duration::show_ms;
        if let Some(w) = h.hint_window_ms {
            self.hint_window = show_ms(w);
            self.hint_replay_delay = h.hint_replay.to_string();
        }
        self.sloppy_quorum = h.sloppy_quorum;
        self.anti_entropy_interval = h.anti_entropy_interval_ms.map(show_ms).unwrap_or_default();
        self.read_repair = h.read_repair.to_string();
    }

    /// t-visibility under failures in time, from [`crate::mc::timeline`].
    pub fn add_timeline(&mut self, t: &crate::mc::timeline::Timeline) {
        use crate::mc::timeline::Visibility;
        for (p, field, label) in [
            (0.999, "t_visibility_failures_p999_ms", "99.9%"),
            (0.9999, "t_visibility_failures_p9999_ms", "99.99%"),
        ] {
            let v = t.t_visibility(p);
            let value = v.ms();
            match v {
                Visibility::Never => self.notes.push(format!(
                    "{field} is null: never; {:.3e} of reads never see the write (a replica that missed it came back and no mechanism healed it)",
                    1.0 - t.p_consistent_eventually().estimate
                )),
                Visibility::Beyond(h) => self.notes.push(format!(
                    "{field} is null: {label} of reads see the write only after the simulated {}",
                    crate::duration::human(h)
                )),
                Visibility::Undefined => self.notes.push(format!(
                    "{field} is null: no write committed or no read was answered in the simulation"
                )),
                Visibility::At(_) => {}
            }
            if p == 0.999 {
                self.t_visibility_failures_p999_ms = value;
            } else {
                self.t_visibility_failures_p9999_ms = value;
            }
        }
    }

    /// Why t-visibility under failures is not computed for this row.
    pub fn no_timeline(&mut self, why: &str) {
        self.notes.push(format!(
            "t_visibility_failures_p999_ms and t_visibility_failures_p9999_ms are null: {why}"
        ));
    }

    /// Whether the row is consistency levels in datacenters (not the
    /// uniform or wan topology).
    pub fn has_datacenters(&self) -> bool {
        crate::topology::is_cluster(&self.topology)
    }

    /// Strict quorums are never stale: every read quorum meets every write
    /// quorum, and the replicas that acked hold the write. Exact, no trials.
    pub fn add_strict_consistency(&mut self) {
        self.add_strict_consistency_because(
            "r + w > n: every read quorum meets every write quorum",
        );
    }

    /// [`SummaryRow::add_strict_consistency`], saying why the pair is
    /// strict (for levels: no read set can miss a write set).
    pub fn add_strict_consistency_because(&mut self, why: &str) {
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
        self.notes.push(format!(
            "p_consistent_t0 = 1 and t_visibility_p999_ms = 0 are exact ({why}), so no trials were run; trials and seed are null"
        ));
    }

    /// Fills the Monte Carlo fields from a simulation of this row's levels
    /// in a cluster.
    pub fn add_cluster_monte_carlo(&mut self, res: &crate::mc::cluster::ClusterResult) {
        self.trials = Some(res.trials());
        self.seed = Some(res.seed);
        if res.both() == 0 {
            self.notes.push("p_consistent_t0 and t_visibility_p999_ms are null: no trial had both a committed write and an answered read".into());
            return;
        }
        let c = res.p_consistent_at(0.0);
        self.p_consistent_t0 = Some(c.estimate);
        self.p_consistent_t0_ci_low = Some(c.ci_low);
        self.p_consistent_t0_ci_high = Some(c.ci_high);
        if let Some(t) = self.consistency_t_ms {
            let c = res.p_consistent_at(t);
            self.p_consistent_t = Some(c.estimate);
            self.p_consistent_t_ci_low = Some(c.ci_low);
            self.p_consistent_t_ci_high = Some(c.ci_high);
        }
        self.add_t_visibility(res.t_visibility(0.999));
        if self.k > 1 {
            self.notes.push("p_within_k_t0 is null: not simulated for consistency levels in datacenters yet (p_stale_k is exact)".into());
        }
    }

    fn add_t_visibility(&mut self, q: Quantile) {
        match q {
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
        self.add_t_visibility(res.t_visibility(r, w, 0.999));
        if self.k > 1 {
            let p = res.p_within_k(r, w);
            self.p_within_k_t0 = Some(p.estimate);
            self.p_within_k_t0_ci_low = Some(p.ci_low);
            self.p_within_k_t0_ci_high = Some(p.ci_high);
        }
    }
}
