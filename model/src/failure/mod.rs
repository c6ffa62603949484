//! Failure models: which replicas are down when an operation runs.
//!
//! A replica that is down behaves as one with infinite delay: it never
//! answers. Like [`crate::dist`], every model is a family in its own file
//! that implements one trait, [`Failures`]: its data and validation, its
//! exact mathematics (availability, the law of which replicas are up), its
//! one-line spec and its sampler for the simulation.
//!
//! | family | file | spec |
//! |---|---|---|
//! | [`Independent`] | `independent.rs` | `iid(p_fail=0.01)` |
//! | [`PerNode`] | `per_node.rs` | `per_node(0.01,0.02,0.05)` |
//! | [`Repair`] | `repair.rs` | `repair(mttf=1000,mttr=10[,crews=1])` |
//! | [`Domains`] | `domains.rs` | `domains(d=3,p_domain=0.001[,p_fail=0.01][,placement=spread])` |
//!
//! [`FailureModel`] dispatches to them the way [`crate::dist::Dist`] does,
//! and [`FAMILIES`] lists their spec forms, which one parser reads. Adding
//! a model: `model/ARCHITECTURE.md`, "A failure model".
//! Front ends (command-line flags, scenario-file keys, specs) describe a
//! model by its [`FailureFields`] and get it through one validation,
//! [`FailureFields::model`], whose errors name the field neutrally
//! (`mttr_hours`); each front end names the field its own way (`--mttr-hours`,
//! `failure.mttr_hours`, `mttr`).
//!
//! This layer is below the exact results and the simulation: it uses only
//! the crate's numerical building blocks.

use crate::named::{display_named, Named, Namer};
use std::fmt;

mod domains;
mod fields;
mod independent;
mod per_node;
mod repair;
mod sample;
mod spec;

pub use domains::{Domains, Placement, MAX_DOMAINS};
pub use fields::FailureFields;
pub use independent::Independent;
pub use per_node::PerNode;
pub use repair::Repair;
pub use sample::DownSampler;
pub use spec::{FailureSpecError, SpecForm};

/// Every family's spec form, in the order refusals list them.
pub const FAMILIES: &[SpecForm] = &[
    independent::SPEC,
    per_node::SPEC,
    repair::SPEC,
    domains::SPEC,
];

/// Probability that a quorum can be formed, and its complement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Availability {
    /// `P(at least k replicas up)`.
    pub available: f64,
    /// `1 - available`, summed from its own terms (exact down to 1e-300).
    pub unavailable: f64,
    /// `ln(unavailable)`, finite even where `unavailable` underflows.
    pub ln_unavailable: f64,
}

impl Availability {
    /// `-log10(1 - A)`: 3 means 99.9%. Infinite when the quorum can never be
    /// lost (no failures).
    pub fn nines(&self) -> f64 {
        -self.ln_unavailable / std::f64::consts::LN_10
    }
}

/// Why a failure model is refused. Fields are named neutrally (`p_fail`,
/// `mttr_hours`, `repair_crews`, ...); [`Named::named`] renders the
/// message with a front end's name for each field.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FailureError {
    /// A field holds a value outside its range.
    Value {
        /// The field.
        field: &'static str,
        /// What it must be.
        allowed: String,
        /// What it was.
        got: String,
    },
    /// A field the model needs is missing.
    Missing {
        /// The field.
        field: &'static str,
        /// Which fields the model needs.
        why: &'static str,
    },
    /// Fields of two different models were given together.
    Conflict {
        /// The field given second.
        field: &'static str,
        /// The field of the other model.
        other: &'static str,
    },
}

impl FailureError {
    /// `field` must be `allowed`, got `got`.
    pub(crate) fn value(
        field: &'static str,
        allowed: impl Into<String>,
        got: impl fmt::Display,
    ) -> Self {
        FailureError::Value {
            field,
            allowed: allowed.into(),
            got: got.to_string(),
        }
    }

    /// Checks a probability in [0, 1].
    pub(crate) fn probability(field: &'static str, p: f64) -> Result<f64, FailureError> {
        if (0.0..=1.0).contains(&p) {
            Ok(p)
        } else {
            Err(Self::value(
                field,
                "a probability in [0, 1]",
                crate::text::Shown(p),
            ))
        }
    }

    /// The field at fault (its neutral name).
    pub fn field(&self) -> &'static str {
        match self {
            FailureError::Value { field, .. }
            | FailureError::Missing { field, .. }
            | FailureError::Conflict { field, .. } => field,
        }
    }
}

impl Named for FailureError {
    fn named(&self, name: Namer) -> String {
        match self {
            FailureError::Value {
                field,
                allowed,
                got,
            } => format!("{}: must be {allowed}, got {got}", name(field)),
            FailureError::Missing { field, why } => {
                format!("{} is missing: {why}", name(field))
            }
            FailureError::Conflict { field, other } => {
                format!("{} does not combine with {}", name(field), name(other))
            }
        }
    }
}

display_named!(FailureError);

/// What every failure model provides. `n` is the number of replicas.
pub trait Failures {
    /// Checks the model for `n` replicas.
    fn validate(&self, n: usize) -> Result<(), FailureError>;
    /// Availability of a `k`-of-`n` quorum.
    fn availability(&self, k: usize, n: usize) -> Availability;
    /// Each replica's marginal down probability.
    fn down_probabilities(&self, n: usize) -> Vec<f64>;
    /// One down probability shared by every replica, if there is one.
    fn uniform_down(&self, n: usize) -> Option<f64> {
        let p = self.down_probabilities(n);
        p.first().copied().filter(|f| p.iter().all(|q| q == f))
    }
    /// Where replicas are *not* independent: the law of which are up, as
    /// `(probability, local up, others up)`. With `wan`, one replica chosen
    /// uniformly at random is local and `others` counts the remaining up
    /// replicas; otherwise `local up` is false and `others` counts all up
    /// replicas. `None` for independent replicas.
    fn up_law(&self, _n: usize, _wan: bool) -> Option<Vec<(f64, bool, usize)>> {
        None
    }
    /// Whether, at `n` replicas, which replicas are up is correlated (see
    /// [`Failures::up_law`]): cheap to ask, unlike the law itself. Exact
    /// evaluation then mixes over up counts and allows fewer replicas.
    fn correlated(&self, _n: usize) -> bool {
        false
    }
    /// This model at `n` replicas, when it was given once for many `n`.
    fn for_n(&self, n: usize) -> FailureModel;
    /// The model with failures twice as likely (every probability doubled,
    /// capped at 1; failure rates doubled): the planner's sensitivity.
    fn doubled(&self) -> FailureModel;
    /// Why a summary row's `p_fail` is empty under this model (`None`: it
    /// is not; the model has one `p_fail`).
    fn no_p_fail_because(&self) -> Option<&'static str>;
    /// The one-line spec (see the module's table), which parses back to
    /// the same model.
    fn spec(&self) -> String;
    /// A sentence for people.
    fn describe(&self) -> String;
    /// The simulation's sampler of down replicas for `n` replicas.
    fn sampler(&self, n: usize) -> DownSampler;
}

/// Node failures: one of the families above.
///
/// ```
/// use quorum_model::failure::FailureModel;
/// let m: FailureModel = "repair(mttf=1000,mttr=10,crews=1)".parse().unwrap();
/// assert!((m.availability(2, 3).available - 0.999412).abs() < 1e-6);
/// assert_eq!(m.spec(), "repair(mttf=1000,mttr=10,crews=1)");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum FailureModel {
    /// Every replica down with one probability, independently.
    Iid(Independent),
    /// Each replica down with its own probability, independently.
    PerNode(PerNode),
    /// Nodes fail and are repaired at given rates, by a crew each or by
    /// crews they share (a birth-death chain).
    Repair(Repair),
    /// Replicas placed over failure domains (racks, zones) that fail whole.
    Domains(Domains),
}

macro_rules! each {
    ($self:expr, $m:ident => $body:expr) => {
        match $self {
            FailureModel::Iid($m) => $body,
            FailureModel::PerNode($m) => $body,
            FailureModel::Repair($m) => $body,
            FailureModel::Domains($m) => $body,
        }
    };
}

impl FailureModel {
    /// No failures.
    pub const NONE: FailureModel = FailureModel::Iid(Independent { p_fail: 0.0 });

    /// Every replica down with probability `p_fail`, independently.
    pub const fn iid(p_fail: f64) -> FailureModel {
        FailureModel::Iid(Independent { p_fail })
    }

    /// Replica `i` down with probability `p_fail[i]`, independently.
    pub fn per_node(p_fail: Vec<f64>) -> FailureModel {
        FailureModel::PerNode(PerNode(p_fail))
    }

    /// Checks the model for `n` replicas.
    pub fn validate(&self, n: usize) -> Result<(), FailureError> {
        each!(self, m => m.validate(n))
    }

    /// Availability of a `k`-of-`n` quorum.
    pub fn availability(&self, k: usize, n: usize) -> Availability {
        each!(self, m => m.availability(k, n))
    }

    /// Down probability of each of the `n` replicas.
    pub fn down_probabilities(&self, n: usize) -> Vec<f64> {
        each!(self, m => m.down_probabilities(n))
    }

    /// One down probability shared by all `n` replicas, if there is one
    /// (iid, or the marginal of a repair or domain model).
    pub fn uniform_down(&self, n: usize) -> Option<f64> {
        each!(self, m => m.uniform_down(n))
    }

    /// See [`Failures::correlated`].
    pub fn correlated(&self, n: usize) -> bool {
        each!(self, m => m.correlated(n))
    }

    /// See [`Failures::doubled`].
    pub fn doubled(&self) -> FailureModel {
        each!(self, m => m.doubled())
    }

    /// See [`Failures::no_p_fail_because`].
    pub fn no_p_fail_because(&self) -> Option<&'static str> {
        each!(self, m => m.no_p_fail_because())
    }

    /// See [`Failures::up_law`].
    pub fn up_law(&self, n: usize, wan: bool) -> Option<Vec<(f64, bool, usize)>> {
        each!(self, m => m.up_law(n, wan))
    }

    /// This model for `n` replicas: repair crews capped at `n` (more would
    /// idle), a per-node list cut to its first `n` entries. What a sweep or a
    /// plan uses at each n of a model given once.
    pub fn for_n(&self, n: usize) -> FailureModel {
        each!(self, m => m.for_n(n))
    }

    /// The canonical one-line spec of this model.
    pub fn spec(&self) -> String {
        each!(self, m => m.spec())
    }

    /// The simulation's sampler for `n` replicas.
    pub fn sampler(&self, n: usize) -> DownSampler {
        each!(self, m => m.sampler(n))
    }

    /// The single `p_fail` of an iid model (what `summary.csv` reports).
    pub fn iid_p_fail(&self) -> Option<f64> {
        match self {
            FailureModel::Iid(m) => Some(m.p_fail),
            _ => None,
        }
    }
}

impl fmt::Display for FailureModel {
    /// A sentence for people (the spec is [`FailureModel::spec`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&each!(self, m => m.describe()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates() {
        assert!(FailureModel::iid(0.5).validate(3).is_ok());
        assert!(FailureModel::iid(1.5).validate(3).is_err());
        assert!(FailureModel::iid(f64::NAN).validate(3).is_err());
        let e = FailureModel::per_node(vec![0.1, 0.2])
            .validate(3)
            .unwrap_err();
        assert_eq!(e.field(), "p_fail_per_node");
        let flag = |f: &str| format!("<{f}>");
        assert!(
            e.named(&flag).starts_with("<p_fail_per_node>: must be"),
            "{e}"
        );
    }

    /// Every family: the spec parses back, the sampler's marginals are the
    /// model's, availability falls as the quorum grows.
    #[test]
    fn every_family_keeps_its_contract() {
        for spec in [
            "iid(p_fail=0.05)",
            "per_node(0.01,0.2,0.05,0.1)",
            "repair(mttf=100,mttr=10)",
            "repair(mttf=100,mttr=10,crews=1)",
            "domains(d=2,p_domain=0.1,p_fail=0.05,placement=spread)",
            "domains(d=3,p_domain=0.1,p_fail=0,placement=packed)",
        ] {
            let m: FailureModel = spec.parse().unwrap();
            assert_eq!(m.spec(), spec);
            let n = 4;
            m.validate(n).unwrap();
            let mut prev = 1.0;
            for k in 1..=n {
                let a = m.availability(k, n);
                assert!(a.available <= prev + 1e-15, "{spec} k={k}");
                assert!((a.available + a.unavailable - 1.0).abs() < 1e-12, "{spec}");
                prev = a.available;
            }
            // The sampler's down frequencies are the marginals.
            use rand::SeedableRng;
            let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
            let s = m.sampler(n);
            let (mut down, mut scratch) = (vec![false; n], Vec::new());
            let draws = 100_000;
            let mut freq = vec![0.0; n];
            for _ in 0..draws {
                s.draw(&mut rng, &mut down, &mut scratch);
                for (f, d) in freq.iter_mut().zip(&down) {
                    *f += f64::from(u8::from(*d));
                }
            }
            for (f, p) in freq.iter().zip(m.down_probabilities(n)) {
                let se = (p * (1.0 - p) / draws as f64).sqrt();
                assert!(
                    (f / draws as f64 - p).abs() < 5.0 * se + 1e-9,
                    "{spec}: {f} vs {p}"
                );
            }
        }
    }
}
