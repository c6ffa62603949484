//! quorum-bench: the real quorum store that quorum-model is checked against,
//! and the criterion benchmarks (`benches/`).
//!
//! The store (replicas over TCP on loopback, fault and delay injection, the
//! history checker and `quorum-bench validate`) is issue 5; until then this
//! crate holds the benchmarks of the model's exact path.

/// The model crate this bench measures, re-exported for the benchmarks.
pub use quorum_model as model;
