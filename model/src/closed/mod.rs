//! Exact results: closed forms and numerical integration with a stated
//! tolerance. Nothing here is random. Availability is exact too; it lives
//! with each failure model ([`crate::failure::FailureModel::availability`]).
pub mod cluster;
pub mod latency;
pub mod response;
pub mod staleness;
