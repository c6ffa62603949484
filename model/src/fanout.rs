//! Where a coordinator sends reads. Shared by the exact latency
//! ([`crate::eval`]), the simulation ([`crate::mc`]) and the planner's load.

use serde::Serialize;

/// Where reads are sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fanout {
    /// To all n replicas; the first r answers make the read (PBS's model).
    #[default]
    All,
    /// To r live replicas picked at random (a failure detector tells which
    /// are up, as in Cassandra); the read waits for all r.
    Quorum,
}
