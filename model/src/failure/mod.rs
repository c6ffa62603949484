//! Failure models: which replicas are down when an operation runs.
//!
//! A replica that is down behaves as one with infinite delay: it never
//! answers. [`sample`] draws down sets for the Monte Carlo engine from the
//! same (possibly correlated) model; [`spec`] reads and prints models as
//! one-line specs.

use std::fmt;

pub mod sample;
pub mod spec;

pub use sample::DownSampler;

/// Node failures.
#[derive(Debug, Clone, PartialEq)]
pub enum FailureModel {
    /// Every replica is down with the same probability `p_fail`.
    Iid { p_fail: f64 },
    /// Replica `i` is down with probability `p[i]` (independently).
    PerNode(Vec<f64>),
    /// Nodes fail and are repaired at given rates (see
    /// [`crate::closed::markov`]): steady-state availability from the
    /// repair chain, which the simulation also samples; latency mixes over
    /// the chain's number of failed nodes.
    Repair(Repair),
    /// Replicas placed over failure domains (racks, zones) that fail whole.
    Domains(Domains),
}

/// How replicas are placed over domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Round-robin: replica i in domain i mod D.
    Spread,
    /// All replicas in one domain.
    Packed,
}

/// Failure domains: each of `domains` is down with probability `p_domain`;
/// inside an up domain each node is down with probability `p_fail`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Domains {
    pub domains: usize,
    pub p_domain: f64,
    pub p_fail: f64,
    pub placement: Placement,
}

/// Failure and repair rates of every node, in hours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Repair {
    pub mttf_hours: f64,
    pub mttr_hours: f64,
    /// Shared repair crews; `None`: one per node (independent repair).
    pub crews: Option<usize>,
}

/// Why a repair model is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RepairError {
    #[error("--mttf-hours: must be a finite number > 0, got {0}")]
    Mttf(f64),
    #[error("--mttr-hours: must be a finite number > 0, got {0}")]
    Mttr(f64),
    #[error("--repair-crews: must be between 1 and n = {n}, got {crews}")]
    Crews { crews: usize, n: usize },
    #[error("--repair-crews: must be an integer >= 1, got 0")]
    NoCrews,
}

impl Repair {
    /// Checks the rates and `1 <= crews <= n`.
    pub fn validate(&self, n: usize) -> Result<(), RepairError> {
        if !(self.mttf_hours.is_finite() && self.mttf_hours > 0.0) {
            return Err(RepairError::Mttf(self.mttf_hours));
        }
        if !(self.mttr_hours.is_finite() && self.mttr_hours > 0.0) {
            return Err(RepairError::Mttr(self.mttr_hours));
        }
        if let Some(c) = self.crews {
            if c == 0 {
                return Err(RepairError::NoCrews);
            }
            if c > n {
                return Err(RepairError::Crews { crews: c, n });
            }
        }
        Ok(())
    }
}

/// Why a failure model is invalid.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FailureError {
    #[error("p_fail must be a probability in [0, 1], got {}", crate::text::Shown(*.0))]
    Probability(f64),
    #[error("p_fail_per_node has {got} entries; it needs one per replica (n = {n})")]
    Length { got: usize, n: usize },
    #[error("{0}")]
    Repair(RepairError),
    #[error("--domains: must be an integer between 1 and {MAX_DOMAINS}, got {0}")]
    Domains(usize),
    #[error("--p-domain: must be a probability in [0, 1], got {}", crate::text::Shown(*.0))]
    PDomain(f64),
}

/// The most failure domains a model may have (racks or zones; the exact
/// availability convolves one count distribution per domain).
pub const MAX_DOMAINS: usize = 1_000;

impl FailureModel {
    /// No failures.
    pub const NONE: FailureModel = FailureModel::Iid { p_fail: 0.0 };

    /// Checks probabilities and, for per-node lists, the length against `n`.
    pub fn validate(&self, n: usize) -> Result<(), FailureError> {
        let check = |p: f64| {
            if (0.0..=1.0).contains(&p) {
                Ok(())
            } else {
                Err(FailureError::Probability(p))
            }
        };
        match self {
            FailureModel::Iid { p_fail } => check(*p_fail),
            FailureModel::PerNode(ps) => {
                if ps.len() != n {
                    return Err(FailureError::Length { got: ps.len(), n });
                }
                ps.iter().try_for_each(|p| check(*p))
            }
            FailureModel::Repair(r) => r.validate(n).map_err(FailureError::Repair),
            FailureModel::Domains(d) => {
                if d.domains == 0 || d.domains > MAX_DOMAINS {
                    return Err(FailureError::Domains(d.domains));
                }
                if !(0.0..=1.0).contains(&d.p_domain) {
                    return Err(FailureError::PDomain(d.p_domain));
                }
                check(d.p_fail)
            }
        }
    }

    /// Down probability of each of the `n` replicas.
    pub fn down_probabilities(&self, n: usize) -> Vec<f64> {
        match self {
            FailureModel::Iid { p_fail } => vec![*p_fail; n],
            FailureModel::PerNode(ps) => ps.clone(),
            FailureModel::Repair(r) => vec![r.node_unavailability(n); n],
            FailureModel::Domains(d) => vec![d.node_unavailability(); n],
        }
    }

    /// One down probability shared by all `n` replicas, if there is one
    /// (iid, or the marginal of a repair or domain model).
    pub fn uniform_down(&self, n: usize) -> Option<f64> {
        match self {
            FailureModel::Iid { p_fail } => Some(*p_fail),
            FailureModel::PerNode(_) => None,
            FailureModel::Repair(r) => Some(r.node_unavailability(n)),
            FailureModel::Domains(d) => Some(d.node_unavailability()),
        }
    }

    /// This model for `n` replicas: repair crews capped at `n` (more would
    /// idle), a per-node list cut to its first `n` entries. What a sweep or a
    /// plan uses at each n of a model given once.
    pub fn for_n(&self, n: usize) -> FailureModel {
        match self {
            FailureModel::Repair(r) => FailureModel::Repair(Repair {
                crews: r.crews.map(|c| c.min(n)),
                ..*r
            }),
            FailureModel::PerNode(ps) => FailureModel::PerNode(ps[..n].to_vec()),
            other => other.clone(),
        }
    }

    /// The single `p_fail` of an iid model (what `summary.csv` reports).
    pub fn iid_p_fail(&self) -> Option<f64> {
        match self {
            FailureModel::Iid { p_fail } => Some(*p_fail),
            FailureModel::PerNode(_) | FailureModel::Repair(_) | FailureModel::Domains(_) => None,
        }
    }
}

impl fmt::Display for FailureModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailureModel::Iid { p_fail } => write!(f, "independent, p_fail = {p_fail} per replica"),
            FailureModel::PerNode(ps) => {
                let list: Vec<String> = ps.iter().map(|p| p.to_string()).collect();
                write!(f, "independent, per replica p_fail = [{}]", list.join(", "))
            }
            FailureModel::Domains(d) => write!(
                f,
                "{} failure domains ({:?} placement), each down with probability {}; nodes in up domains down with probability {}",
                d.domains, d.placement, d.p_domain, d.p_fail
            ),
            FailureModel::Repair(r) => {
                let crews = r.crews.map_or("a repair crew per node".to_string(), |c| {
                    format!("{c} shared repair crew(s)")
                });
                write!(
                    f,
                    "each node fails every {} h and is repaired in {} h on average, {crews}",
                    r.mttf_hours, r.mttr_hours
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates() {
        assert!(FailureModel::Iid { p_fail: 0.5 }.validate(3).is_ok());
        assert!(FailureModel::Iid { p_fail: 1.5 }.validate(3).is_err());
        assert!(FailureModel::Iid { p_fail: f64::NAN }.validate(3).is_err());
        assert_eq!(
            FailureModel::PerNode(vec![0.1, 0.2]).validate(3),
            Err(FailureError::Length { got: 2, n: 3 })
        );
    }
}
