//! Where replicas are and what an operation waits for: datacenters (a
//! name and a replica count each), consistency levels in Cassandra's
//! vocabulary ([`Level`]), and the conditions they put on which replicas
//! answered ([`Rule`]), with strictness by set intersection
//! ([`can_miss`]) and k-staleness for the selection rule ([`p_disjoint`]).

mod cluster;
mod level;
mod presets;
mod rule;

pub use cluster::{
    datacenters_part, is_cluster, Cluster, ClusterError, Coordinator, Datacenter, DcDelay, Legs,
    MAX_DATACENTERS,
};
pub use level::{Level, LevelError, LEVEL_NAMES};
pub use presets::{cluster_preset, ClusterPreset, CLUSTER_PRESETS};
pub use rule::{can_miss, p_disjoint, Rule, Term, MAX_STATES};
