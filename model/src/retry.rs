//! Speculative retry for reads that ask only as many replicas as they need
//! (`read_fanout` quorum or closest): after a threshold the coordinator
//! also asks one more live replica, and the read completes with the first
//! `r` answers among the `r + 1` (Cassandra's `speculative_retry`, default
//! `99p`). The threshold is a fixed delay (`5ms`) or a percentile of the
//! read's own latency without retry (`99p`).
//!
//! ```
//! use quorum_model::retry::SpeculativeRetry;
//! let r: SpeculativeRetry = "99p".parse().unwrap();
//! assert_eq!(r, SpeculativeRetry::Percentile(99.0));
//! assert_eq!("5ms".parse::<SpeculativeRetry>().unwrap(), SpeculativeRetry::After(5.0));
//! assert!("120p".parse::<SpeculativeRetry>().is_err());
//! ```

use crate::duration::{parse_ms, show_ms};
use std::fmt;
use std::str::FromStr;

/// When a read asks one more replica.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum SpeculativeRetry {
    /// Never.
    #[default]
    None,
    /// After this many ms without an answer from every replica asked.
    After(f64),
    /// After the read latency's percentile `P` (0 < P < 100) without retry.
    Percentile(f64),
}

/// Why a speculative retry is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryError(pub String);

impl fmt::Display for RetryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "must be none, a delay with a unit (5ms, 0.5s) or a percentile Np with 0 < N < 100 (99p); got '{}'",
            self.0
        )
    }
}

impl std::error::Error for RetryError {}

impl FromStr for SpeculativeRetry {
    type Err = RetryError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let t = text.trim();
        let bad = || RetryError(text.to_string());
        if t.eq_ignore_ascii_case("none") {
            return Ok(SpeculativeRetry::None);
        }
        if let Some(p) = t.strip_suffix('p').or_else(|| t.strip_suffix("PERCENTILE")) {
            let p: f64 = p.trim().parse().map_err(|_| bad())?;
            if !(p > 0.0 && p < 100.0) {
                return Err(bad());
            }
            return Ok(SpeculativeRetry::Percentile(p));
        }
        parse_ms(t).map(SpeculativeRetry::After).map_err(|_| bad())
    }
}

impl fmt::Display for SpeculativeRetry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpeculativeRetry::None => f.write_str("none"),
            SpeculativeRetry::After(ms) => f.write_str(&show_ms(*ms)),
            SpeculativeRetry::Percentile(p) => write!(f, "{p}p"),
        }
    }
}

impl SpeculativeRetry {
    /// The threshold in ms, given the read latency's quantile function
    /// without retry (`None`: no retry, or the quantile is undefined).
    pub fn threshold(self, quantile: impl Fn(f64) -> Option<f64>) -> Option<f64> {
        match self {
            SpeculativeRetry::None => None,
            SpeculativeRetry::After(ms) => Some(ms),
            SpeculativeRetry::Percentile(p) => quantile(p / 100.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_back() {
        for text in ["none", "5ms", "1.5s", "99p", "99.9p", "0ms"] {
            let r: SpeculativeRetry = text.parse().unwrap();
            assert_eq!(r.to_string(), text);
        }
        for bad in ["120p", "0p", "100p", "-1ms", "5", "p", "fast"] {
            assert!(bad.parse::<SpeculativeRetry>().is_err(), "{bad}");
        }
    }
}
