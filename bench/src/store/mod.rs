//! The real quorum store: replica servers over TCP on loopback and a
//! coordinator that runs quorum reads and writes against them.

pub mod coordinator;
pub mod protocol;
pub mod replica;

pub use coordinator::{Coordinator, Need, OpError, Placement, ReadResult, WriteResult};
pub use replica::{Drawn, Legs, Replica, ReplicaConfig};
