//! Exact results: closed forms and numerical integration with a stated
//! tolerance. Nothing here is random.
pub mod availability;
pub mod binomial;
pub mod domains;
pub mod latency;
pub mod markov;
pub mod response;
pub mod staleness;
