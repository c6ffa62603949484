//! Garage, an unmodified Dynamo-style store, measured against the model.
//!
//! [`run`] starts a Garage cluster on loopback ([`cluster`]), every RPC
//! between its nodes delayed by a userspace proxy ([`proxy`]), measures
//! Garage's own cost with the delays off, then writes small values
//! through the K2V API ([`k2v`]) from a random node and reads them back
//! from a random node at points of a t grid after each acknowledgment; it
//! checks the whole history against regular-register semantics
//! ([`crate::check`]), optionally stops a node in the middle of the run
//! and restarts it, and sets the measurements beside the model's
//! prediction for what Garage does ([`predict`]).
//!
//! What Garage does, from its source (2.5.0):
//!
//! - quorums (garage_rpc/replication_mode.rs): `consistent` reads
//!   ceil(n/2) and writes n + 1 - ceil(n/2); `degraded` reads 1;
//!   `dangerous` reads and writes 1;
//! - a write (garage_rpc/rpc_helper.rs, `try_write_many_sets`) is sent to
//!   all n replicas at once and acknowledged at the w-th answer, the rest
//!   completing in the background: WARS's write;
//! - a read (`try_call_many` from garage_table/table.rs `get`) is sent to
//!   r replicas only, the node itself first, then its zone, then the
//!   lowest measured ping (`request_order`), and waits for all r: the
//!   model's `Fanout::Closest` with the coordinator a replica;
//! - a K2V insert (garage_model/k2v/rpc.rs) goes to one replica (the node
//!   itself when it is one), which applies it and then writes it to all n;
//! - read repair only on K2V's monotonic reads (`get_monotonic`); plain
//!   reads never repair;
//! - anti-entropy (garage_table/sync.rs, replication/sharded.rs): a full
//!   Merkle sync 20 s after start, at once on a layout change (restarting
//!   the timer) and 10 minutes after the last one, each node pushing what
//!   it holds to the others, never pulling; no hinted handoff.

pub mod chart;
pub mod cluster;
pub mod k2v;
pub mod outcome;
pub mod predict;
pub mod proxy;
pub mod report;
pub mod workload;

pub use cluster::Mode;
pub use workload::{run, GarageConfig, GarageReport, ReturnWatch};

use std::path::PathBuf;

/// The Garage version measured.
pub const VERSION: &str = "2.5.0";

/// Where the Garage binary is: `$QUORUM_GARAGE` if set, else the cache
/// the build script fills (`$XDG_CACHE_HOME` or `~/.cache`,
/// `quorum-model/garage-2.5.0/bin/garage`).
pub fn default_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("QUORUM_GARAGE") {
        return PathBuf::from(p);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    cache
        .join("quorum-model")
        .join(format!("garage-{VERSION}"))
        .join("bin")
        .join("garage")
}
