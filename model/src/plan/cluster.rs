//! Planning in datacenters: every replica count per datacenter (each at
//! least 1, the total at most `max_n`) and every pair of write and read
//! levels among [`PLAN_LEVELS`], in the input's cluster (its names, delays,
//! coordinators and leg overrides; its own counts are replaced).

use super::{PlanError, PlanInput};
use crate::eval::{
    cluster_row, evaluate_levels_with, ClusterScenarioTrips, ConfigError, Levels, SummaryRow,
};
use crate::failure::FailureModel;
use crate::mc::engine::chunk_seed;
use crate::topology::{Cluster, Level};
use rayon::prelude::*;

/// The levels a plan considers, for writes and for reads.
pub const PLAN_LEVELS: [Level; 7] = [
    Level::Count(1),
    Level::Count(2),
    Level::LocalOne,
    Level::LocalQuorum,
    Level::Quorum,
    Level::EachQuorum,
    Level::All,
];

/// Every vector of per-datacenter counts, each `>= 1`, summing to at most
/// `max_n`, in lexicographic order.
pub fn count_vectors(dcs: usize, max_n: usize) -> Vec<Vec<usize>> {
    fn go(left: usize, budget: usize, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if left == 0 {
            out.push(prefix.clone());
            return;
        }
        // Leave at least one replica for each remaining datacenter.
        for c in 1..=budget.saturating_sub(left - 1) {
            prefix.push(c);
            go(left - 1, budget - c, prefix, out);
            prefix.pop();
        }
    }
    let mut out = Vec::new();
    if dcs <= max_n {
        go(dcs, max_n, &mut Vec::new(), &mut out);
    }
    out
}

/// The rows of every (counts, write level, read level): exact figures,
/// and with a consistency SLO a simulation of each non-strict pair
/// (`trials` trials, its own seed derived from the input's).
pub fn measure_cluster(input: &PlanInput, cluster: &Cluster) -> Result<Vec<SummaryRow>, PlanError> {
    let options = input.options();
    if let FailureModel::Domains(d) = &input.scenario.failure {
        if d.placement == crate::failure::Placement::Packed {
            return Err(PlanError::Config(ConfigError::PackedDatacenters));
        }
        if d.domains != cluster.dcs.len() {
            return Err(PlanError::Config(ConfigError::DomainsNotDatacenters {
                domains: d.domains,
                datacenters: cluster.dcs.len(),
            }));
        }
    }
    let vectors = count_vectors(cluster.dcs.len(), input.max_n);
    let per_vector: Vec<Result<Vec<SummaryRow>, PlanError>> = vectors
        .par_iter()
        .enumerate()
        .map(|(v, counts)| {
            let mut c = cluster.clone();
            for (dc, &k) in c.dcs.iter_mut().zip(counts) {
                dc.replicas = k;
            }
            // Overrides of replicas beyond the new counts no longer apply.
            c.replica_legs.retain(|(dc, i, _)| *i < counts[*dc]);
            let mut scenario = input.scenario.clone();
            scenario.failure = input.scenario.failure.for_n(c.n());
            let trips = ClusterScenarioTrips::new(&scenario, &c);
            let mut rows = Vec::new();
            for (i, write) in PLAN_LEVELS.iter().enumerate() {
                for (j, read) in PLAN_LEVELS.iter().enumerate() {
                    let levels = Levels {
                        write: *write,
                        read: *read,
                    };
                    let seed = chunk_seed(input.seed, (v * 64 + i * 8 + j) as u64);
                    // Without a consistency SLO nothing is simulated.
                    let trials = if options.consistency_t_ms.is_some() {
                        input.trials
                    } else {
                        0
                    };
                    let e = match evaluate_levels_with(&scenario, &c, &trips, levels, options) {
                        Ok(e) => e,
                        // A level these counts cannot give (TWO of one).
                        Err(ConfigError::Level { .. }) => continue,
                        Err(e) => return Err(PlanError::Config(e)),
                    };
                    let (mut row, simulated) =
                        match cluster_row(&scenario, &c, &e, options, trials, seed, Some(1)) {
                            Ok(r) => r,
                            Err(e) => return Err(PlanError::Config(e)),
                        };
                    if simulated.is_some() {
                        row.seed = Some(input.seed);
                    }
                    rows.push(row);
                }
            }
            Ok(rows)
        })
        .collect();
    let mut out = Vec::new();
    for rows in per_vector {
        out.extend(rows?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_vectors_are_every_split() {
        assert_eq!(
            count_vectors(2, 4),
            vec![
                vec![1, 1],
                vec![1, 2],
                vec![1, 3],
                vec![2, 1],
                vec![2, 2],
                vec![3, 1]
            ]
        );
        // Compositions of at most 9 into 3 positive parts: C(9, 3).
        assert_eq!(count_vectors(3, 9).len(), 84);
        assert!(count_vectors(4, 3).is_empty());
    }
}

#[cfg(test)]
mod plan_tests {
    use super::*;
    use crate::eval::{evaluate_levels, EvalOptions};
    use crate::plan::capacity::{NodeSpec, Workload};
    use crate::plan::rank;
    use crate::plan::slo::Slo;
    use crate::scenario::Scenario;
    use crate::Fanout;

    fn input(slos: Vec<Slo>) -> PlanInput {
        let mut scenario = Scenario::default_exponential();
        scenario.failure = "domains(d=2,p_domain=0.01,p_fail=0.02)".parse().unwrap();
        PlanInput {
            scenario,
            slos,
            max_n: 4,
            workload: Workload::default(),
            node: NodeSpec::default(),
            fanout: Fanout::All,
            speculative_retry: Default::default(),
            trials: 2_000,
            seed: 1,
            threads: Some(1),
            cluster: Some("a:1,b:1;a-b=const(5)".parse().unwrap()),
        }
    }

    /// Every row is what eval computes for its counts and levels.
    #[test]
    fn rows_are_evals_rows() {
        let i = input(vec![]);
        let rows = measure_cluster(&i, i.cluster.as_ref().unwrap()).unwrap();
        // (1,1), (1,2), (1,3), (2,1), (2,2), (3,1); TWO is refused where
        // n < 2 never happens here, so 49 pairs each.
        assert_eq!(rows.len(), 6 * 49);
        for row in rows.iter().step_by(37) {
            let c: Cluster = row.topology.parse().unwrap();
            let levels = Levels {
                write: row.write_cl.parse().unwrap(),
                read: row.read_cl.parse().unwrap(),
            };
            let mut s = i.scenario.clone();
            s.failure = i.scenario.failure.for_n(c.n());
            let e = evaluate_levels(&s, &c, levels, EvalOptions::default()).unwrap();
            assert_eq!(e.write.p99_ms.clone().ok(), row.write_latency_p99_ms);
            assert_eq!(e.read_availability.available, row.read_availability);
            assert_eq!(e.cluster.unwrap().strict, row.strict);
        }
    }

    /// With strictness required the cheapest is two nodes, one per
    /// datacenter, with levels that meet.
    #[test]
    fn the_cheapest_strict_plan() {
        let i = input(vec![Slo::Strict]);
        let rows = measure_cluster(&i, i.cluster.as_ref().unwrap()).unwrap();
        let plan = rank(&i, &rows);
        let best = plan.best().unwrap();
        assert!(best.row.strict);
        assert_eq!(best.row.n, 2);
        assert!(best.row.topology.starts_with("a:1,b:1;"));
        // Every ranked candidate is strict, and none is cheaper than it.
        assert!(plan
            .ranked()
            .all(|c| c.row.strict && c.capacity.cost >= best.capacity.cost));
    }
}
