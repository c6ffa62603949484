//! quorum-bench: the real quorum store that quorum-model is checked against,
//! and the criterion benchmarks (`benches/`).
//!
//! - [`store`]: replica servers over TCP on loopback and a coordinator;
//! - [`inject`]: the precise timer that delays each WARS leg by a draw from
//!   the model's distributions, and measures its own lateness;
//! - [`check`]: the history checker (regular-register semantics).
//!
//! - [`validate`]: measured against predicted;
//! - [`chaos`]: crashes, restarts and partitions, then a read-back.
//!
//! Still to come (issue 5): folding the measured overhead into the
//! prediction (calibration).

pub mod chaos;
pub mod check;
pub mod inject;
pub mod store;
pub mod validate;
pub mod validate_chart;

/// The model crate this bench measures, re-exported for the benchmarks.
pub use quorum_model as model;
