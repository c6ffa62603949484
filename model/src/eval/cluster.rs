//! Evaluating consistency levels in a [`Cluster`]: the same exact figures
//! as for `(n, r, w)`, with each level a rule on which replicas answered,
//! strictness by set intersection and k-staleness for the levels' rules.

use super::SummaryRow;
use super::{ConfigError, EvalOptions, Exact};
use crate::closed::cluster::{
    closest_counts, cluster_latency, p_miss_fixed, ClusterReplicasError, ClusterTrips,
};
use crate::closed::latency::{LatencySummary, Operation, QuorumLatency};
use crate::failure::{Availability, FailureModel};
use crate::mc::cluster::{simulate_cluster, ClusterResult, ClusterSetup};
use crate::scenario::Scenario;
use crate::topology::{can_miss, p_disjoint, Cluster, Level, Rule};
use crate::Fanout;

/// A configuration as consistency levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Levels {
    /// What a write waits for.
    pub write: Level,
    /// What a read waits for.
    pub read: Level,
}

/// What a row evaluated as levels in a cluster says beyond `(n, r, w)`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterFacts {
    /// The cluster's canonical one-line form.
    pub topology: String,
    /// The write level.
    pub write_cl: Level,
    /// The read level.
    pub read_cl: Level,
    /// Where writes are coordinated (a datacenter's name or `random`).
    pub write_dc: String,
    /// Where reads are coordinated.
    pub read_dc: String,
    /// No read set can miss a write set, wherever the coordinators are.
    pub strict: bool,
    /// Whether every rule is one count over all replicas (then `r`, `w`
    /// are plain quorum sizes and the k-of-n figures of repair models
    /// apply).
    pub plain: bool,
}

/// Both operations' round trips in a cluster, built once.
#[derive(Debug, Clone)]
pub struct ClusterScenarioTrips {
    /// Writes, from each place of the write coordinator.
    pub write: ClusterTrips,
    /// Reads, from each place of the read coordinator.
    pub read: ClusterTrips,
}

impl ClusterScenarioTrips {
    /// The round trips of `cluster` under `scenario`'s legs, tabulated.
    pub fn new(scenario: &Scenario, cluster: &Cluster) -> Self {
        let t = ClusterScenarioTrips {
            write: ClusterTrips::new(cluster, &scenario.wars, Operation::Write),
            read: ClusterTrips::new(cluster, &scenario.wars, Operation::Read),
        };
        t.write.tabulate();
        t.read.tabulate();
        t
    }
}

/// Why a pair of levels is strict, as a row's note says it.
pub const STRICT_BECAUSE: &str = "no read set of these levels can miss a write set";

/// The `summary.csv` row of levels evaluated in `cluster` (`e`, from
/// [`evaluate_levels`]): the exact figures, then P(consistent) exactly 1
/// where the pair is strict, else from `trials` simulated trials (with the
/// options' timeout and read selection; seeded by `seed`; none for 0),
/// whose result is returned for curves. The one place `eval`, the sweep's
/// comparison and `plan` build it.
pub fn cluster_row(
    scenario: &Scenario,
    cluster: &Cluster,
    e: &Exact,
    options: EvalOptions,
    trials: u64,
    seed: u64,
    threads: Option<usize>,
) -> Result<(SummaryRow, Option<ClusterResult>), ConfigError> {
    let facts = e.cluster.as_ref().expect("levels evaluated in a cluster");
    let levels = Levels {
        write: facts.write_cl,
        read: facts.read_cl,
    };
    let mut row = SummaryRow::from_exact(scenario, e, options);
    if row.strict {
        row.add_strict_consistency_because(STRICT_BECAUSE);
        return Ok((row, None));
    }
    if trials == 0 {
        return Ok((row, None));
    }
    let mut setup = ClusterSetup::new(
        cluster,
        &scenario.wars,
        &scenario.failure,
        levels.write,
        levels.read,
    )
    .map_err(|error| ConfigError::Level {
        field: "read_cl",
        error,
    })?;
    setup.timeout_ms = options.timeout_ms;
    setup.select_reads(cluster, &scenario.wars, options.read_fanout);
    let res = simulate_cluster(&setup, trials, seed, threads);
    row.add_cluster_monte_carlo(&res);
    Ok((row, Some(res)))
}

/// The rule of `level` for a coordinator in datacenter `place`.
fn rule(
    cluster: &Cluster,
    level: Level,
    place: usize,
    field: &'static str,
) -> Result<Rule, ConfigError> {
    level
        .rule(&cluster.counts(), Some(place))
        .map_err(|error| ConfigError::Level { field, error })
}

/// Checks what the levels and options ask of the cluster.
fn check(
    scenario: &Scenario,
    cluster: &Cluster,
    levels: Levels,
    options: EvalOptions,
) -> Result<(), ConfigError> {
    if scenario.wars.remote_one_way_ms() > 0.0 {
        return Err(ConfigError::ClusterWan);
    }
    super::check_options(options)?;
    if options.speculative_retry != crate::retry::SpeculativeRetry::None {
        return Err(ConfigError::RetryDatacenters);
    }
    let n = cluster.n();
    scenario.failure.validate(n).map_err(ConfigError::Failure)?;
    if let FailureModel::Domains(d) = &scenario.failure {
        if d.placement == crate::failure::Placement::Packed {
            return Err(ConfigError::PackedDatacenters);
        }
        if d.domains != cluster.dcs.len() {
            return Err(ConfigError::DomainsNotDatacenters {
                domains: d.domains,
                datacenters: cluster.dcs.len(),
            });
        }
    }
    for (c, level, field) in [
        (cluster.write_dc, levels.write, "write_cl"),
        (cluster.read_dc, levels.read, "read_cl"),
    ] {
        for (_, place) in cluster.places(c) {
            rule(cluster, level, place, field)?;
        }
    }
    Ok(())
}

/// Every exact figure of `levels` in `cluster` under `scenario`.
///
/// ```
/// use quorum_model::eval::{evaluate_levels, EvalOptions, Levels};
/// use quorum_model::scenario::Scenario;
/// use quorum_model::topology::{Cluster, Level};
/// let c: Cluster = "east:3,west:3;east-west=const(40)".parse().unwrap();
/// let levels = Levels { write: Level::LocalQuorum, read: Level::LocalQuorum };
/// let e = evaluate_levels(&Scenario::default_exponential(), &c, levels, EvalOptions::default()).unwrap();
/// assert!((e.write.mean_ms.clone().unwrap() - 1.8240741).abs() < 1e-7);
/// ```
pub fn evaluate_levels(
    scenario: &Scenario,
    cluster: &Cluster,
    levels: Levels,
    options: EvalOptions,
) -> Result<Exact, ConfigError> {
    check(scenario, cluster, levels, options)?;
    let trips = ClusterScenarioTrips::new(scenario, cluster);
    evaluate_levels_with(scenario, cluster, &trips, levels, options)
}

/// [`evaluate_levels`] with the round trips built beforehand.
pub fn evaluate_levels_with(
    scenario: &Scenario,
    cluster: &Cluster,
    trips: &ClusterScenarioTrips,
    levels: Levels,
    options: EvalOptions,
) -> Result<Exact, ConfigError> {
    check(scenario, cluster, levels, options)?;
    let counts = cluster.counts();
    let latency = |trips: &ClusterTrips,
                   level: Level,
                   selection: Fanout,
                   timeout: Option<f64>|
     -> Result<QuorumLatency, ConfigError> {
        let rule_of = |place: usize| {
            level
                .rule(&counts, Some(place))
                .expect("checked for every place")
        };
        cluster_latency(
            cluster,
            trips,
            &scenario.failure,
            &rule_of,
            selection,
            timeout,
        )
        .map_err(|e| match e {
            ClusterReplicasError::Domains {
                domains,
                datacenters,
            } => ConfigError::DomainsNotDatacenters {
                domains,
                datacenters,
            },
            ClusterReplicasError::TooMany(states) => ConfigError::TooManyArrangements(states),
        })
    };
    let summary =
        |trips, level, selection| -> Result<(LatencySummary, Availability), ConfigError> {
            let free = latency(trips, level, selection, None)?;
            let s = free.summary();
            let availability = Availability {
                available: s.availability,
                unavailable: s.unavailability,
                ln_unavailable: s.unavailability.ln(),
            };
            let timed = match options.timeout_ms {
                Some(t) => latency(trips, level, selection, Some(t))?.summary(),
                None => s,
            };
            Ok((timed, availability))
        };
    let (write, write_availability) = summary(&trips.write, levels.write, Fanout::All)?;
    let (read, read_availability) = summary(&trips.read, levels.read, options.read_fanout)?;
    // Strictness and staleness over every pair of places.
    let mut strict = true;
    let mut p_stale = 0.0;
    let mut plain = true;
    let (mut r_least, mut w_least) = (usize::MAX, usize::MAX);
    for (pw, cw) in cluster.places(cluster.write_dc) {
        let wr = rule(cluster, levels.write, cw, "write_cl")?;
        w_least = w_least.min(wr.least());
        plain &= wr.terms.len() == 1 && wr.terms[0].dcs.len() == counts.len();
        for (pr, cr) in cluster.places(cluster.read_dc) {
            let rr = rule(cluster, levels.read, cr, "read_cl")?;
            r_least = r_least.min(rr.least());
            plain &= rr.terms.len() == 1 && rr.terms[0].dcs.len() == counts.len();
            strict &= !can_miss(&wr, &rr, &counts);
            // The read set: random per term (PBS's model, and what `all`
            // is modelled as), or fixed (the closest).
            let miss = if options.read_fanout == Fanout::Closest {
                let place = &trips
                    .read
                    .places
                    .iter()
                    .find(|p| p.1.coordinator == cr)
                    .expect("a place per coordinator datacenter")
                    .1;
                p_miss_fixed(&wr, &closest_counts(cluster, place, &rr), &counts)
            } else {
                p_disjoint(&wr, &rr, &counts).ok_or(ConfigError::Staleness)?
            };
            p_stale += pw * pr * miss;
        }
    }
    let p_stale = p_stale.clamp(0.0, 1.0);
    let n = cluster.n();
    let config = super::Config {
        n,
        r: r_least,
        w: w_least,
    };
    let mut notes = Vec::new();
    for (_, place) in trips.write.places.iter().chain(&trips.read.places) {
        for d in &place.delays {
            for note in d.dist().notes() {
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
        }
    }
    Ok(Exact {
        config,
        read,
        write,
        read_availability,
        write_availability,
        p_stale_k1: p_stale,
        p_stale_k: p_stale.powi(options.k as i32),
        notes,
        read_retry: None,
        cluster: Some(ClusterFacts {
            topology: cluster.spec(),
            write_cl: levels.write,
            read_cl: levels.read,
            write_dc: cluster.coordinator_name(cluster.write_dc),
            read_dc: cluster.coordinator_name(cluster.read_dc),
            strict,
            plain,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(cluster: &str, write: Level, read: Level) -> Exact {
        let c: Cluster = cluster.parse().unwrap();
        evaluate_levels(
            &Scenario::default_exponential(),
            &c,
            Levels { write, read },
            EvalOptions::default(),
        )
        .unwrap()
    }

    /// The issue's pairs: strictness by intersection, and staleness 1
    /// where the sets never meet.
    #[test]
    fn strictness_of_the_named_pairs() {
        let two = "east:3,west:3;east-west=const(40)";
        let other = "east:3,west:3;east-west=const(40);read_dc=west";
        use Level::*;
        let cases = [
            (two, EachQuorum, LocalQuorum, true),
            (other, EachQuorum, LocalQuorum, true),
            (other, LocalQuorum, LocalQuorum, false),
            (two, LocalQuorum, LocalQuorum, true),
            (two, Quorum, Quorum, true),
            (two, All, Count(1), true),
            (two, Count(1), All, true),
            (two, Count(1), Count(1), false),
        ];
        for (c, w, r, strict) in cases {
            let e = eval(c, w, r);
            let facts = e.cluster.as_ref().unwrap();
            assert_eq!(facts.strict, strict, "{c} {w} {r}");
            if strict {
                assert_eq!(e.p_stale_k1, 0.0, "{c} {w} {r}");
            } else {
                assert!(e.p_stale_k1 > 0.0);
            }
        }
        // Written in east, read in west: the sets never meet.
        assert_eq!(eval(other, LocalQuorum, LocalQuorum).p_stale_k1, 1.0);
        // LOCAL_ONE against LOCAL_ONE in east: PBS's C(2,1)/C(3,1).
        let e = eval(two, LocalOne, LocalOne);
        assert!((e.p_stale_k1 - 2.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn anchors() {
        let c = "east:3,west:3;east-west=const(40);write_dc=east";
        let e = eval(c, Level::LocalQuorum, Level::LocalQuorum);
        assert!((e.write.mean_ms.unwrap() - 1.8240741).abs() < 1e-7);
        let e = eval(c, Level::EachQuorum, Level::LocalQuorum);
        assert!((e.write.mean_ms.unwrap() - 81.8240741).abs() < 1e-7);
    }

    #[test]
    fn refusals_name_the_field() {
        let s = Scenario::default_exponential();
        let c: Cluster = "east:3,west:1".parse().unwrap();
        let e = evaluate_levels(
            &s,
            &c,
            Levels {
                write: Level::Count(5),
                read: Level::Count(1),
            },
            EvalOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("write_cl: "), "{e}");
        let mut s2 = s.clone();
        s2.failure = "domains(d=3,p_domain=0.01)".parse().unwrap();
        let e = evaluate_levels(
            &s2,
            &c,
            Levels {
                write: Level::Count(1),
                read: Level::Count(1),
            },
            EvalOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("datacenters"), "{e}");
    }
}
