//! One ranked configuration as a flat record: the keys of `plan --format
//! json` (an array, best first) and the columns of `--format csv`.
//! Margins are in each SLO's units, positive when it holds, and null when
//! that SLO was not asked for or the value does not exist.

use crate::plan::slo::Status;
use crate::plan::{Candidate, Plan};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanRecord {
    pub rank: usize,
    pub n: usize,
    pub r: usize,
    pub w: usize,
    pub strict: bool,
    /// "meets", or "uncertain" when a Monte Carlo interval straddles a target.
    pub status: Status,
    pub pareto: bool,
    pub cost: f64,
    pub nodes: usize,
    pub bound_by: &'static str,
    pub replica_ops_per_s: f64,
    pub stored_gb: f64,
    pub nodes_for_throughput: usize,
    pub nodes_for_storage: usize,
    pub ops_utilization: Option<f64>,
    pub disk_utilization: Option<f64>,
    pub read_availability: f64,
    pub write_availability: f64,
    pub read_unavailability: f64,
    pub write_unavailability: f64,
    pub read_nines: Option<f64>,
    pub write_nines: Option<f64>,
    pub read_latency_p99_ms: Option<f64>,
    pub read_latency_p999_ms: Option<f64>,
    pub write_latency_p99_ms: Option<f64>,
    pub write_latency_p999_ms: Option<f64>,
    pub p_stale_k1: f64,
    pub consistency_t_ms: Option<f64>,
    pub p_consistent_t: Option<f64>,
    pub p_consistent_t_ci_low: Option<f64>,
    pub p_consistent_t_ci_high: Option<f64>,
    pub trials: Option<u64>,
    pub seed: Option<u64>,
    pub margin_read_availability: Option<f64>,
    pub margin_write_availability: Option<f64>,
    pub margin_read_p99_ms: Option<f64>,
    pub margin_read_p999_ms: Option<f64>,
    pub margin_write_p99_ms: Option<f64>,
    pub margin_write_p999_ms: Option<f64>,
    pub margin_consistency: Option<f64>,
    pub margin_strict: Option<f64>,
    pub failure: String,
    /// With datacenters: the cluster (its counts), and the levels.
    pub topology: String,
    pub write_cl: String,
    pub read_cl: String,
}

impl PlanRecord {
    pub fn new(rank: usize, c: &Candidate) -> Self {
        let margin = |key: &str| {
            c.checks
                .iter()
                .find(|k| k.slo.key() == key)
                .and_then(|k| k.margin)
        };
        let row = &c.row;
        PlanRecord {
            rank,
            n: row.n,
            r: row.r,
            w: row.w,
            strict: row.strict,
            status: c.status,
            pareto: c.pareto,
            cost: c.capacity.cost,
            nodes: c.capacity.nodes,
            bound_by: c.capacity.bound_by,
            replica_ops_per_s: c.capacity.replica_ops_per_s,
            stored_gb: c.capacity.stored_gb,
            nodes_for_throughput: c.capacity.nodes_for_throughput,
            nodes_for_storage: c.capacity.nodes_for_storage,
            ops_utilization: c.capacity.ops_utilization,
            disk_utilization: c.capacity.disk_utilization,
            read_availability: row.read_availability,
            write_availability: row.write_availability,
            read_unavailability: row.read_unavailability,
            write_unavailability: row.write_unavailability,
            read_nines: row.read_nines,
            write_nines: row.write_nines,
            read_latency_p99_ms: row.read_latency_p99_ms,
            read_latency_p999_ms: row.read_latency_p999_ms,
            write_latency_p99_ms: row.write_latency_p99_ms,
            write_latency_p999_ms: row.write_latency_p999_ms,
            p_stale_k1: row.p_stale_k1,
            consistency_t_ms: row.consistency_t_ms,
            p_consistent_t: row.p_consistent_t,
            p_consistent_t_ci_low: row.p_consistent_t_ci_low,
            p_consistent_t_ci_high: row.p_consistent_t_ci_high,
            trials: row.trials,
            seed: row.seed,
            topology: row.topology.clone(),
            write_cl: row.write_cl.clone(),
            read_cl: row.read_cl.clone(),
            margin_read_availability: margin("read_availability"),
            margin_write_availability: margin("write_availability"),
            margin_read_p99_ms: margin("read_p99_ms"),
            margin_read_p999_ms: margin("read_p999_ms"),
            margin_write_p99_ms: margin("write_p99_ms"),
            margin_write_p999_ms: margin("write_p999_ms"),
            margin_consistency: margin("consistency"),
            margin_strict: margin("strict"),
            failure: row.failure.clone(),
        }
    }
}

/// The ranked list as records, best first.
pub fn records(plan: &Plan) -> Vec<PlanRecord> {
    plan.ranked()
        .enumerate()
        .map(|(i, c)| PlanRecord::new(i + 1, c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_a_summary_column_or_the_plans_own() {
        // The plan's own: rank, the SLO outcome, the cluster and margins.
        let own = [
            "rank",
            "status",
            "pareto",
            "cost",
            "nodes",
            "bound_by",
            "replica_ops_per_s",
            "stored_gb",
            "nodes_for_throughput",
            "nodes_for_storage",
            "ops_utilization",
            "disk_utilization",
        ];
        let plan = crate::plan::tests::small_plan();
        let record = records(&plan).remove(0);
        for name in crate::eval::field_names(&record) {
            assert!(
                own.contains(&name.as_str())
                    || name.starts_with("margin_")
                    || crate::eval::SummaryRow::COLUMNS.contains(&name.as_str()),
                "PlanRecord has '{name}', neither a summary column nor the plan's own"
            );
        }
    }
}
