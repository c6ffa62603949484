//! Cluster size from load and data.
//!
//! Every write is applied by all n replicas of its key (w only decides when
//! the coordinator answers), and a read is sent to all n replicas or, with
//! quorum fan-out (Cassandra's default), to r of them. So the cluster
//! serves
//!
//! `replica ops/s = writes/s · n + reads/s · (n or r)`
//!
//! and stores `data · n`. Keys are spread evenly (consistent hashing) over
//! the cluster's nodes, each run at most at the target utilization:
//!
//! `nodes = max(n, ceil(replica ops/s / (node ops/s · u)), ceil(data · n / (node disk · u)))`
//!
//! (at least n nodes, since a key's replicas live on distinct nodes), and
//! `cost = nodes · cost per node`.

use crate::named::{display_named, Named, Namer};
use serde::Serialize;

use crate::Fanout;

/// The offered load.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Workload {
    /// Client reads per second.
    pub reads_per_s: f64,
    /// Client writes per second.
    pub writes_per_s: f64,
    /// Data before replication, GB.
    pub data_gb: f64,
}

/// One node's capacity and price.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeSpec {
    /// Replica operations per second one node serves at 100% utilization.
    pub ops_per_s: Option<f64>,
    /// Disk of one node, GB.
    pub disk_gb: Option<f64>,
    /// Fraction of a node's throughput and disk to plan for.
    pub target_utilization: f64,
    /// Price of one node (any unit; costs are sums of it).
    pub cost_per_node: f64,
}

impl Default for NodeSpec {
    fn default() -> Self {
        NodeSpec {
            ops_per_s: None,
            disk_gb: None,
            target_utilization: 0.6,
            cost_per_node: 1.0,
        }
    }
}

/// Why capacity inputs are refused. Fields are named neutrally
/// (`reads_per_s`, `node_ops_per_s`; see [`crate::named`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CapacityError {
    /// A field that must be a finite number >= 0.
    Negative {
        /// The field.
        field: &'static str,
        /// Its value.
        value: f64,
    },
    /// A field that must be a finite number > 0.
    NotPositive {
        /// The field.
        field: &'static str,
        /// Its value.
        value: f64,
    },
    /// `target_utilization` outside (0, 1].
    Utilization(f64),
    /// A load without `node_ops_per_s`.
    NeedOps,
    /// Data without `node_disk_gb`.
    NeedDisk,
    /// More than [`MAX_NODES`] nodes.
    TooLarge {
        /// Nodes the doubled load needs.
        nodes: f64,
        /// At this n.
        n: usize,
    },
    /// `cost_per_node` beyond 1e12.
    Cost(f64),
}

impl Named for CapacityError {
    fn named(&self, name: Namer) -> String {
        match self {
            CapacityError::Negative { field, value } => format!(
                "{}: must be a finite number >= 0, got {}",
                name(field),
                crate::text::Shown(*value)
            ),
            CapacityError::NotPositive { field, value } => format!(
                "{}: must be a finite number > 0, got {}",
                name(field),
                crate::text::Shown(*value)
            ),
            CapacityError::Utilization(u) => format!(
                "{}: must be in (0, 1], got {u}",
                name("target_utilization")
            ),
            CapacityError::NeedOps => format!(
                "{}: needed to size the cluster for {}/{}",
                name("node_ops_per_s"),
                name("reads_per_s"),
                name("writes_per_s")
            ),
            CapacityError::NeedDisk => format!(
                "{}: needed to size the cluster for {}",
                name("node_disk_gb"),
                name("data_gb")
            ),
            CapacityError::TooLarge { nodes, n } => format!(
                "{}, {}, {}: this workload needs about {nodes:.3e} nodes at n = {n} (the worksheet also plans for twice the load); at most {MAX_NODES:e} are planned: check the units (per second, GB) or raise {}/{}",
                name("reads_per_s"),
                name("writes_per_s"),
                name("data_gb"),
                name("node_ops_per_s"),
                name("node_disk_gb")
            ),
            CapacityError::Cost(c) => format!(
                "{}: at most 1e12, got {}",
                name("cost_per_node"),
                crate::text::Shown(*c)
            ),
        }
    }
}

display_named!(CapacityError);

/// The largest cluster the planner sizes (its costs and utilizations stay
/// exact integers and finite numbers).
pub const MAX_NODES: f64 = 1e6;

/// What a configuration needs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Capacity {
    /// Replica operations per second over the whole cluster.
    pub replica_ops_per_s: f64,
    /// Replicated data, GB.
    pub stored_gb: f64,
    /// Nodes the replica operations need at the target utilization.
    pub nodes_for_throughput: usize,
    /// Nodes the replicated data needs at the target utilization.
    pub nodes_for_storage: usize,
    /// The cluster: the largest of n and the two above.
    pub nodes: usize,
    /// What sets `nodes`: "replicas", "throughput" or "storage".
    pub bound_by: &'static str,
    /// Utilization of each node's throughput and disk at that size.
    pub ops_utilization: Option<f64>,
    /// Utilization of each node's disk at that size.
    pub disk_utilization: Option<f64>,
    /// `nodes · cost_per_node`.
    pub cost: f64,
}

/// `ceil`, forgiving the last bits of rounding (3.0000000000000004 is 3).
fn ceil(x: f64) -> usize {
    (x * (1.0 - 1e-12)).ceil().max(0.0) as usize
}

impl Workload {
    /// Checks the inputs, and that the cluster for the largest `n`
    /// considered, at twice this load (the worksheet's what-if), stays
    /// within [`MAX_NODES`].
    pub fn validate(&self, node: &NodeSpec, max_n: usize) -> Result<(), CapacityError> {
        for (field, value) in [
            ("reads_per_s", self.reads_per_s),
            ("writes_per_s", self.writes_per_s),
            ("data_gb", self.data_gb),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(CapacityError::Negative { field, value });
            }
        }
        if !(node.cost_per_node.is_finite() && node.cost_per_node >= 0.0) {
            return Err(CapacityError::Negative {
                field: "cost_per_node",
                value: node.cost_per_node,
            });
        }
        for (field, value) in [
            ("node_ops_per_s", node.ops_per_s),
            ("node_disk_gb", node.disk_gb),
        ] {
            if let Some(v) = value {
                if !(v.is_finite() && v > 0.0) {
                    return Err(CapacityError::NotPositive { field, value: v });
                }
            }
        }
        let u = node.target_utilization;
        if !(u > 0.0 && u <= 1.0) {
            return Err(CapacityError::Utilization(u));
        }
        if (self.reads_per_s > 0.0 || self.writes_per_s > 0.0) && node.ops_per_s.is_none() {
            return Err(CapacityError::NeedOps);
        }
        if self.data_gb > 0.0 && node.disk_gb.is_none() {
            return Err(CapacityError::NeedDisk);
        }
        if node.cost_per_node > 1e12 {
            return Err(CapacityError::Cost(node.cost_per_node));
        }
        // In floating point, before any count is rounded to an integer.
        let doubled = self.scaled(2.0);
        let n = max_n as f64;
        let ops = doubled.writes_per_s * n + doubled.reads_per_s * n;
        let u = node.target_utilization;
        let nodes = node
            .ops_per_s
            .map_or(0.0, |c| ops / (c * u))
            .max(node.disk_gb.map_or(0.0, |d| doubled.data_gb * n / (d * u)));
        if nodes > MAX_NODES {
            return Err(CapacityError::TooLarge { nodes, n: max_n });
        }
        Ok(())
    }

    /// The cluster `(n, r, ·)` needs (checked inputs).
    pub fn capacity(&self, node: &NodeSpec, fanout: Fanout, n: usize, r: usize) -> Capacity {
        self.capacity_with_retries(node, fanout, n, r, 0.0)
    }

    /// [`Workload::capacity`] with `retries` extra replica reads per read
    /// (a speculative retry's rate).
    pub fn capacity_with_retries(
        &self,
        node: &NodeSpec,
        fanout: Fanout,
        n: usize,
        r: usize,
        retries: f64,
    ) -> Capacity {
        self.capacity_with_extras(node, fanout, n, r, retries, 0.0)
    }

    /// [`Workload::capacity_with_retries`] with `repairs` extra replica
    /// writes per read (read repair).
    pub fn capacity_with_extras(
        &self,
        node: &NodeSpec,
        fanout: Fanout,
        n: usize,
        r: usize,
        retries: f64,
        repairs: f64,
    ) -> Capacity {
        let read_copies = match fanout {
            Fanout::All => n as f64,
            Fanout::Quorum | Fanout::Closest => r as f64 + retries,
        } + repairs;
        let ops = self.writes_per_s * n as f64 + self.reads_per_s * read_copies;
        let stored = self.data_gb * n as f64;
        let u = node.target_utilization;
        let for_ops = node.ops_per_s.map_or(0, |c| ceil(ops / (c * u)));
        let for_disk = node.disk_gb.map_or(0, |d| ceil(stored / (d * u)));
        let nodes = n.max(for_ops).max(for_disk);
        let bound_by = if nodes == n {
            "replicas"
        } else if nodes == for_ops {
            "throughput"
        } else {
            "storage"
        };
        Capacity {
            replica_ops_per_s: ops,
            stored_gb: stored,
            nodes_for_throughput: for_ops,
            nodes_for_storage: for_disk,
            nodes,
            bound_by,
            ops_utilization: node.ops_per_s.map(|c| ops / (nodes as f64 * c)),
            disk_utilization: node.disk_gb.map(|d| stored / (nodes as f64 * d)),
            cost: nodes as f64 * node.cost_per_node,
        }
    }

    /// The same workload `factor` times heavier.
    pub fn scaled(&self, factor: f64) -> Workload {
        Workload {
            reads_per_s: self.reads_per_s * factor,
            writes_per_s: self.writes_per_s * factor,
            data_gb: self.data_gb * factor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node() -> NodeSpec {
        NodeSpec {
            ops_per_s: Some(10_000.0),
            disk_gb: Some(1_000.0),
            target_utilization: 0.5,
            cost_per_node: 2.0,
        }
    }

    #[test]
    fn a_worked_case() {
        let w = Workload {
            reads_per_s: 20_000.0,
            writes_per_s: 5_000.0,
            data_gb: 2_000.0,
        };
        // n = 3, all: 5000·3 + 20000·3 = 75000 ops/s over 5000 per node: 15.
        let c = w.capacity(&node(), Fanout::All, 3, 2);
        assert_eq!(c.replica_ops_per_s, 75_000.0);
        assert_eq!(c.nodes_for_throughput, 15);
        // 6000 GB over 500 GB per node: 12.
        assert_eq!(c.nodes_for_storage, 12);
        assert_eq!((c.nodes, c.bound_by, c.cost), (15, "throughput", 30.0));
        // Quorum fan-out, r = 1: 15000 + 20000 = 35000: 7; storage binds.
        let c = w.capacity(&node(), Fanout::Quorum, 3, 1);
        assert_eq!(
            (c.nodes_for_throughput, c.nodes, c.bound_by),
            (7, 12, "storage")
        );
        assert!((c.ops_utilization.unwrap() - 35_000.0 / 120_000.0).abs() < 1e-12);
    }

    #[test]
    fn no_load_needs_n_nodes_and_exact_fits_do_not_round_up() {
        let c = Workload::default().capacity(&NodeSpec::default(), Fanout::All, 5, 3);
        assert_eq!((c.nodes, c.bound_by, c.cost), (5, "replicas", 5.0));
        let w = Workload {
            reads_per_s: 0.0,
            writes_per_s: 1_000.0 / 3.0 * 0.6,
            data_gb: 0.0,
        };
        let spec = NodeSpec {
            ops_per_s: Some(100.0),
            ..NodeSpec::default()
        };
        // 3 replicas · 200 ops/s = 600 over 60 per node: exactly 10.
        assert_eq!(
            w.capacity(&spec, Fanout::All, 3, 1).nodes_for_throughput,
            10
        );
    }

    #[test]
    fn refusals() {
        let w = Workload {
            reads_per_s: 10.0,
            ..Workload::default()
        };
        assert_eq!(
            w.validate(&NodeSpec::default(), 9),
            Err(CapacityError::NeedOps)
        );
        let bad = NodeSpec {
            target_utilization: 1.5,
            ..node()
        };
        assert!(Workload::default().validate(&bad, 9).is_err());
        let neg = Workload {
            data_gb: -1.0,
            ..Workload::default()
        };
        assert!(neg
            .validate(&node(), 9)
            .unwrap_err()
            .to_string()
            .contains("data_gb: must be"));
        // A workload no cluster of a million nodes serves is refused, not
        // sized to 18446744073709551615 nodes at 542% utilization.
        let huge = Workload {
            reads_per_s: 1e300,
            ..Workload::default()
        };
        let e = huge.validate(&node(), 9).unwrap_err().to_string();
        assert!(e.contains("needs about") && e.contains("1e6"), "{e}");
        let expensive = NodeSpec {
            cost_per_node: 1e300,
            ..node()
        };
        assert!(Workload::default().validate(&expensive, 9).is_err());
    }
}
