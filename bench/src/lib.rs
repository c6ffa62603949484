//! quorum-bench: the real quorum store that quorum-model is checked against,
//! and the criterion benchmarks (`benches/`).
//!
//! - [`store`]: replica servers over TCP on loopback and a coordinator;
//! - [`inject`]: the precise timer that delays each WARS leg by a draw from
//!   the model's distributions, and measures its own lateness;
//! - [`check`]: the history checker (regular-register semantics).
//!
//! - [`validate`]: measured against predicted;
//! - [`chaos`]: crashes, restarts and partitions, then a read-back;
//! - [`garage`]: an unmodified production store (Garage) on loopback behind
//!   delaying proxies, measured against the model of what it does;
//! - [`limits`]: which delays a real run can inject, its time budget, and
//!   whether a run can be believed.

pub mod chaos;
pub mod check;
pub mod garage;
pub mod inject;
pub mod limits;
pub mod store;
pub mod validate;
pub mod validate_chart;

/// The model crate this bench measures, re-exported for the benchmarks.
pub use quorum_model as model;
