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
    /// To the live replicas the coordinator expects to answer first, its
    /// own datacenter first (as Cassandra's snitch orders them), as many as
    /// the level needs; the read waits for all of them. Without
    /// datacenters every replica is as close as any other: the same as
    /// `Quorum`.
    Closest,
}
