//! Evaluating one configuration `(n, r, w)` in one scenario: everything the
//! data contract's `summary.csv` row holds that has a closed form.

use crate::closed::latency::{
    LatencySummary, Operation, QuorumLatency, ReplicaClass, Replicas, RoundTrips, Undefined,
};
use crate::closed::staleness::{p_stale, p_stale_k};
use crate::failure::Availability;
use crate::failure::FailureModel;
use crate::mc::Setup;
use crate::scenario::Scenario;

use crate::retry::SpeculativeRetry;
use crate::Fanout;

mod cluster;
mod config;
mod summary;

pub use cluster::{
    cluster_row, evaluate_levels, evaluate_levels_with, ClusterFacts, ClusterScenarioTrips, Levels,
    STRICT_BECAUSE,
};
pub use config::{
    check_simulation, Config, ConfigError, MAX_DRAWS, MAX_K, MAX_N, MAX_N_CORRELATED,
    MAX_N_PER_NODE,
};
#[cfg(all(test, feature = "charts"))]
pub(crate) use summary::field_names;
pub use summary::{SummaryRow, CONTRACT_COLUMNS};

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
    /// When a read that asks only `r` replicas asks one more.
    pub speculative_retry: SpeculativeRetry,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            k: 1,
            timeout_ms: None,
            at_hours: None,
            consistency_t_ms: None,
            read_fanout: Fanout::All,
            speculative_retry: SpeculativeRetry::None,
        }
    }
}

/// A read's speculative retry, resolved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryFacts {
    /// After how long the read asks one more replica, ms.
    pub threshold_ms: f64,
    /// Expected extra requests per read: P(one more live replica exists
    /// and the `r` asked have not all answered by the threshold).
    pub rate: f64,
}

/// The exact results for one configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Exact {
    /// The configuration.
    pub config: Config,
    /// Read latency (and availability within the timeout, if any).
    pub read: LatencySummary,
    /// Write latency (and availability within the timeout, if any).
    pub write: LatencySummary,
    /// Read availability with no timeout (log-accurate unavailability).
    pub read_availability: Availability,
    /// Write availability with no timeout.
    pub write_availability: Availability,
    /// P(a read misses the latest write), random quorums, no delays.
    pub p_stale_k1: f64,
    /// P(a read misses all of the last `k` writes).
    pub p_stale_k: f64,
    /// How the delays were computed, where it matters (see
    /// [`ScenarioTrips::notes`]).
    pub notes: Vec<String>,
    /// The read's speculative retry, if one is set and can fire.
    pub read_retry: Option<RetryFacts>,
    /// With datacenters and consistency levels: the topology, the levels,
    /// the coordinators' places and strictness by set intersection.
    pub cluster: Option<ClusterFacts>,
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
    /// A read's round trip, `R + S`.
    pub read: RoundTrips,
    /// A write's round trip, `W + A`.
    pub write: RoundTrips,
}

impl ScenarioTrips {
    /// The scenario's round trips, their tables built.
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
    let (read, read_retry) = match options.read_fanout {
        Fanout::All => (latency(&trips.read, config.r), None),
        Fanout::Quorum | Fanout::Closest => quorum_fanout_read(
            scenario,
            trips,
            config.n,
            config.r,
            read_availability,
            options,
        ),
    };
    Ok(Exact {
        config,
        read,
        read_retry,
        write: latency(&trips.write, config.w),
        read_availability,
        write_availability: scenario.failure.availability(config.w, config.n),
        p_stale_k1: p_stale(config.n, config.r, config.w),
        p_stale_k: p_stale_k(config.n, config.r, config.w, options.k),
        notes: trips.notes(),
        cluster: None,
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
    let reads: Vec<(LatencySummary, Option<RetryFacts>)> = match options.read_fanout {
        Fanout::All => per_k(&trips.read).into_iter().map(|s| (s, None)).collect(),
        Fanout::Quorum | Fanout::Closest => (1..=n)
            .map(|r| quorum_fanout_read(scenario, trips, n, r, avail[r - 1], options))
            .collect(),
    };
    let writes = per_k(&trips.write);
    let notes = trips.notes();
    let mut out = Vec::with_capacity(n * n);
    for r in 1..=n {
        for w in 1..=n {
            out.push(Exact {
                config: Config { n, r, w },
                read: reads[r - 1].0.clone(),
                write: writes[w - 1].clone(),
                read_availability: avail[r - 1],
                write_availability: avail[w - 1],
                p_stale_k1: p_stale(n, r, w),
                p_stale_k: p_stale_k(n, r, w, options.k),
                notes: notes.clone(),
                cluster: None,
                read_retry: reads[r - 1].1,
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
    setup.retry_ms = retry_thresholds(scenario, n, &setup.rs_asked(), options);
    setup
}

/// The speculative retry's threshold for each read quorum `r` in `rs`
/// (index `r − 1`; `None` where it cannot fire): a fixed delay, or the
/// percentile of the read latency without retry, as the exact evaluation
/// resolves it.
fn retry_thresholds(
    scenario: &Scenario,
    n: usize,
    rs: &[usize],
    options: EvalOptions,
) -> Vec<Option<f64>> {
    let mut out = vec![None; n];
    if options.read_fanout == Fanout::All {
        return out;
    }
    // One read round trip for every r: its table is built once, and only
    // if a percentile needs it.
    let trips = RoundTrips::new(&scenario.wars, crate::closed::latency::Operation::Read);
    for &r in rs.iter().filter(|&&r| r < n) {
        out[r - 1] = options.speculative_retry.threshold(|p| {
            let reps = Replicas::from_round_trips(&trips, &FailureModel::NONE, r);
            QuorumLatency::new(reps, r, options.timeout_ms)
                .quantile(p)
                .ok()
        });
    }
    out
}

/// Read latency with quorum fan-out: the coordinator sends to r live
/// replicas and waits for all of them, so given that r are up (probability
/// `available`) the read takes the slowest of r round trips. Under a
/// timeout, availability is `P(r up) · P(slowest of r within T)`.
///
/// With a speculative retry after `τ`, when a further live replica exists
/// (probability `P(r + 1 up) / P(r up)` given the read can run) it is asked
/// at `τ` and the read completes with the r-th of the r + 1 answers: the
/// r-th order statistic of r round trips and one delayed by `τ`, exactly
/// (one more class of the same round trip, shifted).
fn quorum_fanout_read(
    scenario: &Scenario,
    trips: &ScenarioTrips,
    n: usize,
    r: usize,
    available: Availability,
    options: EvalOptions,
) -> (LatencySummary, Option<RetryFacts>) {
    let reps = Replicas::from_round_trips(&trips.read, &FailureModel::NONE, r);
    let plain = QuorumLatency::new(reps, r, options.timeout_ms);
    let threshold = options
        .speculative_retry
        .threshold(|p| plain.quantile(p).ok())
        .filter(|_| r < n);
    let (mut s, retry) = match threshold {
        None => (plain.summary(), None),
        Some(tau) => {
            // Given the read can run (r up): one more up, or not.
            let more = if available.available > 0.0 {
                (scenario.failure.availability(r + 1, n).available / available.available)
                    .clamp(0.0, 1.0)
            } else {
                0.0
            };
            let local = trips.read.local.clone();
            let class = |count, delay| ReplicaClass {
                count,
                group: 0,
                delay,
                p_down: 0.0,
            };
            let replicas = Replicas {
                delays: vec![local.clone(), local.shifted(tau)],
                arrangements: vec![
                    (more, vec![class(r, 0), class(1, 1)]),
                    (1.0 - more, vec![class(r, 0)]),
                ],
            };
            let q = QuorumLatency::new(replicas, r, options.timeout_ms);
            // The retry fires when the r asked have not all answered by τ.
            let rate = available.available * more * plain.availability() * plain.sf(tau);
            (
                q.summary(),
                Some(RetryFacts {
                    threshold_ms: tau,
                    rate,
                }),
            )
        }
    };
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
    (s, retry)
}

fn check(scenario: &Scenario, n: usize, options: EvalOptions) -> Result<(), ConfigError> {
    if options.read_fanout != Fanout::All && scenario.wars.remote_one_way_ms() > 0.0 {
        return Err(ConfigError::FanoutWan);
    }
    check_options(options)?;
    let failure = &scenario.failure;
    let (max, model) = if failure.correlated(n) {
        (MAX_N_CORRELATED, "a correlated failure model")
    } else if matches!(failure, FailureModel::PerNode(_)) {
        (MAX_N_PER_NODE, "a per-node failure list")
    } else {
        (MAX_N, "the exact evaluation")
    };
    if n > max {
        return Err(ConfigError::TooManyReplicas { n, max, model });
    }
    scenario.failure.validate(n).map_err(ConfigError::Failure)
}

/// The checks of options that do not depend on the replicas.
fn check_options(options: EvalOptions) -> Result<(), ConfigError> {
    if options.speculative_retry != SpeculativeRetry::None && options.read_fanout == Fanout::All {
        return Err(ConfigError::RetryAll);
    }
    if options.speculative_retry != SpeculativeRetry::None && options.k > 1 {
        return Err(ConfigError::RetryVersions);
    }
    if options.k == 0 {
        return Err(ConfigError::K(options.k));
    }
    if options.k > MAX_K {
        return Err(ConfigError::KTooLarge(options.k));
    }
    if let Some(t) = options.timeout_ms {
        if !(t.is_finite() && t > 0.0) {
            return Err(ConfigError::Timeout(t));
        }
    }
    Ok(())
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

    /// Speculative retry: the issue's anchor (one replica asked, an
    /// `exp(mean=1)` round trip, 1 ms: `T = min(X₁, 1 + X₂)`, so
    /// `E T = 1 − e⁻¹ + e⁻¹/2` and `P(T > t) = e^(1 − 2t)` beyond 1 ms).
    #[test]
    fn speculative_retry_anchor() {
        let mut s = Scenario::default_exponential();
        let zero: crate::dist::Dist = "const(0)".parse().unwrap();
        s.wars.w = zero.clone();
        s.wars.a = zero.clone();
        s.wars.s = zero;
        let options = |retry: &str| EvalOptions {
            read_fanout: Fanout::Quorum,
            speculative_retry: retry.parse().unwrap(),
            ..EvalOptions::default()
        };
        let c = Config::new(2, 1, 1).unwrap();
        let e = evaluate(&s, c, options("1ms")).unwrap();
        let e1 = (-1.0f64).exp();
        assert!((e.read.mean_ms.clone().unwrap() - (1.0 - e1 + e1 / 2.0)).abs() < 1e-9);
        let p99 = (1.0 + 100f64.ln()) / 2.0;
        assert!((e.read.p99_ms.clone().unwrap() - p99).abs() < 1e-8);
        assert!((e.read_retry.unwrap().rate - e1).abs() < 1e-12);
        let none = evaluate(&s, c, options("none")).unwrap();
        assert!((none.read.p99_ms.unwrap() - 100f64.ln()).abs() < 1e-8);
        // 99p: the threshold is the plain read's own p99.
        let e = evaluate(&s, c, options("99p")).unwrap();
        assert!((e.read_retry.unwrap().threshold_ms - 100f64.ln()).abs() < 1e-8);
        assert!((e.read_retry.unwrap().rate - 0.01).abs() < 1e-9);
        // Reads to every replica have no one left to ask.
        let all = EvalOptions {
            speculative_retry: "1ms".parse().unwrap(),
            ..EvalOptions::default()
        };
        assert!(evaluate(&s, c, all).is_err());
    }

    /// The exact latency and retry rate inside the simulation's intervals,
    /// with failures (a retry needs one more live replica).
    #[test]
    fn speculative_retry_matches_simulation() {
        let mut s = Scenario::default_exponential();
        s.failure = FailureModel::iid(0.1);
        for retry in ["1.5ms", "90p"] {
            let options = EvalOptions {
                read_fanout: Fanout::Quorum,
                speculative_retry: retry.parse().unwrap(),
                ..EvalOptions::default()
            };
            for (n, r) in [(3, 1), (5, 2), (4, 3)] {
                let e = evaluate(&s, Config::new(n, r, 1).unwrap(), options).unwrap();
                let res =
                    crate::mc::run(&simulation(&s, n, vec![(r, 1)], options), 200_000, 5, None);
                let rate = res.retry_rate(r);
                let want = e.read_retry.unwrap().rate;
                assert!(
                    (rate.estimate - want).abs() <= 1.5 * (rate.ci_high - rate.ci_low) + 1e-12,
                    "{retry} n={n} r={r}: rate {want} vs {rate:?}"
                );
                for p in [0.5, 0.99] {
                    let exact = match p {
                        0.5 => e.read.p50_ms.clone().unwrap(),
                        _ => e.read.p99_ms.clone().unwrap(),
                    };
                    let crate::mc::Quantile::Finite {
                        ci_low, ci_high, ..
                    } = res.read_latency(r, p)
                    else {
                        panic!("no estimate")
                    };
                    let slack = 0.35 * (ci_high - ci_low);
                    assert!(
                        ci_low - slack <= exact && exact <= ci_high + slack,
                        "{retry} n={n} r={r} p{p}: {exact} not in [{ci_low}, {ci_high}]"
                    );
                }
            }
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
