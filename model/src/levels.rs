//! Consistency levels compared across datacenters: every pair of write and
//! read levels among [`COMPARED`] in each of a sweep's clusters, with the
//! read in the write's datacenter and in another, under datacenter outages.
//! A sweep writes the rows to `levels.csv` (the `summary.csv` columns) and
//! the report draws and tabulates them.

use crate::eval::{
    cluster_row, evaluate_levels_with, ClusterScenarioTrips, ConfigError, EvalOptions, Levels,
    SummaryRow,
};
use crate::failure::FailureModel;
use crate::mc::engine::chunk_seed;
use crate::scenario::Scenario;
use crate::topology::{cluster_preset, Cluster, Coordinator, Level};
use rayon::prelude::*;

/// The levels compared, for writes and for reads.
pub const COMPARED: [Level; 5] = [
    Level::Count(1),
    Level::LocalQuorum,
    Level::Quorum,
    Level::EachQuorum,
    Level::All,
];

/// Each datacenter's outage probability in the comparison.
pub const DC_OUTAGE: f64 = 0.001;
/// Each node's down probability inside an up datacenter.
pub const NODE_DOWN: f64 = 0.01;

/// The clusters a sweep compares levels in by default: the `two-regions`
/// and `three-regions` presets.
pub fn default_clusters() -> Vec<Cluster> {
    ["two-regions", "three-regions"]
        .iter()
        .map(|p| cluster_preset(p).expect("a preset"))
        .collect()
}

/// The failure model of the comparison in `cluster`: its datacenters are
/// the failure domains.
pub fn failure(cluster: &Cluster) -> FailureModel {
    format!(
        "domains(d={},p_domain={DC_OUTAGE},p_fail={NODE_DOWN})",
        cluster.dcs.len()
    )
    .parse()
    .expect("a valid domain model")
}

/// Every pair of [`COMPARED`] levels in every cluster, writes coordinated
/// in the cluster's write datacenter (the first if random) and reads there
/// (`read_dc` = it) and in the next datacenter; strict pairs exactly,
/// others with `trials` simulated trials. Rows in order: cluster, read
/// place, write level, read level.
pub fn compare(
    scenario: &Scenario,
    clusters: &[Cluster],
    trials: u64,
    seed: u64,
) -> Result<Vec<SummaryRow>, ConfigError> {
    let mut cases = Vec::new();
    for (ci, cluster) in clusters.iter().enumerate() {
        let home = match cluster.write_dc {
            Coordinator::In(d) => d,
            Coordinator::Random => 0,
        };
        let mut places = vec![home];
        if cluster.dcs.len() > 1 {
            places.push((home + 1) % cluster.dcs.len());
        }
        for read in places {
            let mut c = cluster.clone();
            c.write_dc = Coordinator::In(home);
            c.read_dc = Coordinator::In(read);
            cases.push((ci, c));
        }
    }
    let options = EvalOptions::default();
    let per_case: Vec<Result<Vec<SummaryRow>, ConfigError>> = cases
        .par_iter()
        .enumerate()
        .map(|(k, (_, cluster))| {
            let mut s = scenario.clone();
            s.failure = failure(cluster);
            let trips = ClusterScenarioTrips::new(&s, cluster);
            let mut rows = Vec::new();
            for (i, write) in COMPARED.iter().enumerate() {
                for (j, read) in COMPARED.iter().enumerate() {
                    let levels = Levels {
                        write: *write,
                        read: *read,
                    };
                    let pair_seed = chunk_seed(seed, (k * 100 + i * 10 + j) as u64);
                    let e = evaluate_levels_with(&s, cluster, &trips, levels, options)?;
                    let (mut row, simulated) =
                        cluster_row(&s, cluster, &e, options, trials, pair_seed, Some(1))?;
                    if simulated.is_some() {
                        row.seed = Some(seed);
                    }
                    rows.push(row);
                }
            }
            Ok(rows)
        })
        .collect();
    let mut out = Vec::new();
    for rows in per_case {
        out.extend(rows?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_in_both_places() {
        let s = Scenario::default_exponential();
        let c: Cluster = "a:3,b:3;a-b=const(10)".parse().unwrap();
        let rows = compare(&s, &[c], 2_000, 1).unwrap();
        assert_eq!(rows.len(), 2 * 25);
        // Written in a and read in b at LOCAL_QUORUM: never strict, never
        // seen at once; EACH_QUORUM writes are seen by every read.
        let find = |read_dc: &str, w: &str, r: &str| {
            rows.iter()
                .find(|x| x.read_dc == read_dc && x.write_cl == w && x.read_cl == r)
                .unwrap()
        };
        let lq = find("b", "LOCAL_QUORUM", "LOCAL_QUORUM");
        assert!(!lq.strict && lq.p_consistent_t0 == Some(0.0));
        assert!(find("a", "LOCAL_QUORUM", "LOCAL_QUORUM").strict);
        assert!(find("b", "EACH_QUORUM", "LOCAL_QUORUM").strict);
        // Availability under datacenter outages: ALL needs both up.
        let all = find("a", "ALL", "ONE");
        assert!(all.write_availability < (1.0 - DC_OUTAGE).powi(2) + 1e-12);
    }
}
