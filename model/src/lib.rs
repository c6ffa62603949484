//! quorum-model: what a quorum configuration buys a replicated store.
//!
//! Given `n` replicas, read quorum `r`, write quorum `w`, failure behaviour
//! and message-delay distributions, compute availability, staleness and
//! latency: exactly where a closed form exists ([`closed`]).
//!
//! ```
//! use quorum_model::closed::staleness::p_stale;
//! use quorum_model::failure::FailureModel;
//! let a = FailureModel::iid(0.01).availability(2, 3);
//! assert!((a.available - 0.999702).abs() < 1e-9);
//! assert!((p_stale(100, 30, 30) / 1.88435e-6 - 1.0).abs() < 1e-5);
//! ```
#[cfg(feature = "cli")]
pub mod cli;
pub mod closed;
pub mod curve;
pub mod dist;
pub mod eval;
pub mod failure;
mod fanout;
pub mod mc;
pub mod named;
pub(crate) mod numeric;
pub mod output;
pub mod plan;
pub mod scenario;
pub mod sweep;
pub(crate) mod text;

pub use fanout::Fanout;
