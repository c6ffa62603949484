//! Service-level objectives and how a configuration measures against them.
//!
//! Every check reports the configuration's value, a margin in the SLO's own
//! units that is positive when the SLO holds (`value − target` for "at
//! least" objectives, `target − value` for "at most" ones), and a status.
//! Exact figures meet or fail; a Monte Carlo figure (consistency) meets
//! only if its whole 95% interval clears the target, fails if the whole
//! interval misses it, and is [`Status::Uncertain`] when the interval
//! straddles the target, so a lucky estimate is never silently accepted.

use crate::eval::SummaryRow;
use crate::named::{display_named, Named, Namer};
use std::fmt;

/// Which latency percentile an SLO bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Percentile {
    /// The 99th.
    P99,
    /// The 99.9th.
    P999,
}

/// One objective.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Slo {
    /// Read availability at least this.
    ReadAvailability(f64),
    /// Write availability at least this.
    WriteAvailability(f64),
    /// Read latency percentile at most this many ms.
    ReadLatency {
        /// Which percentile.
        percentile: Percentile,
        /// Its bound, ms.
        ms: f64,
    },
    /// Write latency percentile at most this many ms.
    WriteLatency {
        /// Which percentile.
        percentile: Percentile,
        /// Its bound, ms.
        ms: f64,
    },
    /// A read issued `t_ms` after the write commits sees it with
    /// probability at least `p`.
    Consistency {
        /// The probability.
        p: f64,
        /// The time after commit, ms.
        t_ms: f64,
    },
    /// r + w > n: every read quorum meets every write quorum.
    Strict,
}

/// How a configuration stands against an SLO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The SLO holds (a Monte Carlo figure: its whole interval clears it).
    Meets,
    /// A Monte Carlo interval straddles the target: more trials decide it.
    Uncertain,
    /// The SLO does not hold.
    Fails,
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Check {
    /// The SLO checked.
    pub slo: Slo,
    /// The configuration's figure (`None`: it does not exist, e.g. latency
    /// with no quorum ever available).
    pub value: Option<f64>,
    /// 95% interval of a Monte Carlo value.
    pub ci: Option<(f64, f64)>,
    /// In the SLO's units, positive when it holds.
    pub margin: Option<f64>,
    /// How the configuration stands.
    pub status: Status,
}

/// Why an SLO is refused; the field is the SLO's ([`Slo::field`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SloError {
    /// An availability target outside (0, 1).
    Availability {
        /// The SLO's field.
        field: &'static str,
        /// The target given.
        value: f64,
    },
    /// A latency target that is not a finite number of ms > 0.
    Latency {
        /// The SLO's field.
        field: &'static str,
        /// The target given.
        value: f64,
    },
    /// A consistency target that is not `P@T` with `0 < P <= 1`, `T >= 0`.
    Consistency(String),
}

impl Named for SloError {
    fn named(&self, name: Namer) -> String {
        match self {
            SloError::Availability { field, value } => format!(
                "{}: must be a probability strictly between 0 and 1, got {}",
                name(field),
                crate::text::Shown(*value)
            ),
            SloError::Latency { field, value } => format!(
                "{}: must be a finite number of ms > 0, got {}",
                name(field),
                crate::text::Shown(*value)
            ),
            SloError::Consistency(text) => format!(
                "{}: expected P@T with 0 < P <= 1 and T >= 0 ms (e.g. 0.999@10ms), got '{text}'",
                name("slo_consistency")
            ),
        }
    }
}

display_named!(SloError);

impl Slo {
    /// The input field that sets this SLO: `slo_` and its [`Slo::key`]
    /// (the command line's `--slo-read-p99-ms`).
    pub fn field(&self) -> &'static str {
        match self {
            Slo::ReadAvailability(_) => "slo_read_availability",
            Slo::WriteAvailability(_) => "slo_write_availability",
            Slo::ReadLatency {
                percentile: Percentile::P99,
                ..
            } => "slo_read_p99_ms",
            Slo::ReadLatency {
                percentile: Percentile::P999,
                ..
            } => "slo_read_p999_ms",
            Slo::WriteLatency {
                percentile: Percentile::P99,
                ..
            } => "slo_write_p99_ms",
            Slo::WriteLatency {
                percentile: Percentile::P999,
                ..
            } => "slo_write_p999_ms",
            Slo::Consistency { .. } => "slo_consistency",
            Slo::Strict => "slo_strict",
        }
    }

    /// A stable key for JSON and CSV (`margin_<key>`).
    pub fn key(&self) -> &'static str {
        match self {
            Slo::ReadAvailability(_) => "read_availability",
            Slo::WriteAvailability(_) => "write_availability",
            Slo::ReadLatency {
                percentile: Percentile::P99,
                ..
            } => "read_p99_ms",
            Slo::ReadLatency {
                percentile: Percentile::P999,
                ..
            } => "read_p999_ms",
            Slo::WriteLatency {
                percentile: Percentile::P99,
                ..
            } => "write_p99_ms",
            Slo::WriteLatency {
                percentile: Percentile::P999,
                ..
            } => "write_p999_ms",
            Slo::Consistency { .. } => "consistency",
            Slo::Strict => "strict",
        }
    }

    /// Checks the SLO's own range.
    pub fn validate(&self) -> Result<(), SloError> {
        match *self {
            Slo::ReadAvailability(a) | Slo::WriteAvailability(a) => {
                if a > 0.0 && a < 1.0 {
                    Ok(())
                } else {
                    Err(SloError::Availability {
                        field: self.field(),
                        value: a,
                    })
                }
            }
            Slo::ReadLatency { ms, .. } | Slo::WriteLatency { ms, .. } => {
                if ms.is_finite() && ms > 0.0 {
                    Ok(())
                } else {
                    Err(SloError::Latency {
                        field: self.field(),
                        value: ms,
                    })
                }
            }
            Slo::Consistency { p, t_ms } => {
                if p > 0.0 && p <= 1.0 && t_ms.is_finite() && t_ms >= 0.0 {
                    Ok(())
                } else {
                    Err(SloError::Consistency(format!("{p}@{t_ms}ms")))
                }
            }
            Slo::Strict => Ok(()),
        }
    }

    /// Parses `P@T` or `P@Tms` (T in milliseconds), e.g. `0.999@10ms`.
    pub fn parse_consistency(text: &str) -> Result<Slo, SloError> {
        let bad = || SloError::Consistency(text.to_string());
        let (p, t) = text.trim().split_once('@').ok_or_else(bad)?;
        let t = t.trim();
        let t = t.strip_suffix("ms").unwrap_or(t).trim();
        let p: f64 = p.trim().parse().map_err(|_| bad())?;
        let t_ms: f64 = t.parse().map_err(|_| bad())?;
        let slo = Slo::Consistency { p, t_ms };
        slo.validate().map_err(|_| bad())?;
        Ok(slo)
    }

    /// Measures `row` against the SLO. A consistency SLO needs the row's
    /// `p_consistent_t` at the SLO's `t_ms` (see `EvalOptions`).
    pub fn check(&self, row: &SummaryRow) -> Check {
        let exact = |value: Option<f64>, margin: Option<f64>| Check {
            slo: *self,
            value,
            ci: None,
            margin,
            status: match margin {
                Some(m) if m >= 0.0 => Status::Meets,
                _ => Status::Fails,
            },
        };
        match *self {
            Slo::ReadAvailability(a) => {
                exact(Some(row.read_availability), Some(row.read_availability - a))
            }
            Slo::WriteAvailability(a) => exact(
                Some(row.write_availability),
                Some(row.write_availability - a),
            ),
            Slo::ReadLatency { percentile, ms } => {
                let v = match percentile {
                    Percentile::P99 => row.read_latency_p99_ms,
                    Percentile::P999 => row.read_latency_p999_ms,
                };
                exact(v, v.map(|v| ms - v))
            }
            Slo::WriteLatency { percentile, ms } => {
                let v = match percentile {
                    Percentile::P99 => row.write_latency_p99_ms,
                    Percentile::P999 => row.write_latency_p999_ms,
                };
                exact(v, v.map(|v| ms - v))
            }
            Slo::Strict => {
                let overlap = row.r as f64 + row.w as f64 - row.n as f64;
                exact(Some(overlap), Some(overlap - 1.0))
            }
            Slo::Consistency { p, .. } => {
                match (
                    row.p_consistent_t,
                    row.p_consistent_t_ci_low,
                    row.p_consistent_t_ci_high,
                ) {
                    (Some(v), Some(lo), Some(hi)) => Check {
                        slo: *self,
                        value: Some(v),
                        ci: (!row.strict).then_some((lo, hi)),
                        margin: Some(v - p),
                        status: if lo >= p {
                            Status::Meets
                        } else if hi < p {
                            Status::Fails
                        } else {
                            Status::Uncertain
                        },
                    },
                    // No trial had a committed write and an answered read.
                    _ => exact(None, None),
                }
            }
        }
    }
}

impl fmt::Display for Slo {
    /// `read availability >= 0.9999`, `write p99 <= 30 ms`, ...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct = |p: &Percentile| match p {
            Percentile::P99 => "p99",
            Percentile::P999 => "p99.9",
        };
        match self {
            Slo::ReadAvailability(a) => write!(f, "read availability >= {a}"),
            Slo::WriteAvailability(a) => write!(f, "write availability >= {a}"),
            Slo::ReadLatency { percentile, ms } => {
                write!(f, "read latency {} <= {ms} ms", pct(percentile))
            }
            Slo::WriteLatency { percentile, ms } => {
                write!(f, "write latency {} <= {ms} ms", pct(percentile))
            }
            Slo::Consistency { p, t_ms } => {
                write!(f, "P(read {t_ms} ms after commit sees the write) >= {p}")
            }
            Slo::Strict => write!(f, "strict quorum (r + w > n)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consistency_specs() {
        assert_eq!(
            Slo::parse_consistency("0.999@10ms").unwrap(),
            Slo::Consistency {
                p: 0.999,
                t_ms: 10.0
            }
        );
        assert_eq!(
            Slo::parse_consistency(" 0.9 @ 0 ").unwrap(),
            Slo::Consistency { p: 0.9, t_ms: 0.0 }
        );
        for bad in [
            "0.999", "1.5@10ms", "0@1", "0.9@-1ms", "x@1", "0.9@10s", "0.9@inf",
        ] {
            let e = Slo::parse_consistency(bad).unwrap_err().to_string();
            assert!(e.contains("P@T") && e.contains(bad), "{bad}: {e}");
        }
    }

    #[test]
    fn ranges() {
        assert!(Slo::ReadAvailability(1.0).validate().is_err());
        assert!(Slo::ReadAvailability(0.0).validate().is_err());
        assert!(Slo::ReadAvailability(0.999).validate().is_ok());
        let bad = Slo::WriteLatency {
            percentile: Percentile::P99,
            ms: -3.0,
        };
        assert!(bad
            .validate()
            .unwrap_err()
            .to_string()
            .contains("slo_write_p99_ms: must be"));
    }
}
