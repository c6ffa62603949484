//! Replica `i` down with its own probability `p[i]`, independently: the
//! number of up replicas is Poisson-binomial, its tails summed exactly by
//! dynamic programming.

use super::{Availability, DownSampler, FailureError, FailureModel, Failures, SpecForm};
use crate::numeric::binomial::{grouped_tails, Group};

/// `per_node(P,P,...)`.
pub(super) const SPEC: SpecForm = SpecForm {
    name: "per_node",
    usage: "per_node(P,P,...)",
    keys: &[],
    list: Some("p_fail_per_node"),
    needs: &["p_fail_per_node"],
};

/// Independent failures, one probability per replica.
///
/// ```
/// use quorum_model::failure::{Failures, PerNode};
/// let a = PerNode(vec![0.1, 0.2, 0.3]).availability(2, 3);
/// // P(at least 2 of 3 up): .9*.8 + .9*.7 + .8*.7 - 2*.9*.8*.7
/// assert!((a.available - 0.902).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PerNode(pub Vec<f64>);

impl Failures for PerNode {
    fn validate(&self, n: usize) -> Result<(), FailureError> {
        if self.0.len() != n {
            return Err(FailureError::value(
                "p_fail_per_node",
                format!("one probability per replica (n = {n})"),
                format!("{} entries", self.0.len()),
            ));
        }
        for p in &self.0 {
            FailureError::probability("p_fail_per_node", *p)?;
        }
        Ok(())
    }
    fn availability(&self, k: usize, _n: usize) -> Availability {
        let groups: Vec<Group> = self
            .0
            .iter()
            .map(|&p| Group {
                count: 1,
                s: 1.0 - p,
                f: p,
            })
            .collect();
        let t = grouped_tails(k, &groups);
        Availability {
            available: t.at_least,
            unavailable: t.below,
            ln_unavailable: t.ln_below,
        }
    }
    fn down_probabilities(&self, _n: usize) -> Vec<f64> {
        self.0.clone()
    }
    fn uniform_down(&self, _n: usize) -> Option<f64> {
        None
    }
    fn doubled(&self) -> FailureModel {
        FailureModel::per_node(self.0.iter().map(|p| (2.0 * p).min(1.0)).collect())
    }
    fn no_p_fail_because(&self) -> Option<&'static str> {
        Some("failure probabilities differ per node (see the scenario)")
    }
    fn for_n(&self, n: usize) -> FailureModel {
        FailureModel::PerNode(PerNode(self.0[..n.min(self.0.len())].to_vec()))
    }
    fn spec(&self) -> String {
        let list: Vec<String> = self.0.iter().map(|p| p.to_string()).collect();
        format!("per_node({})", list.join(","))
    }
    fn describe(&self) -> String {
        let list: Vec<String> = self.0.iter().map(|p| p.to_string()).collect();
        format!("independent, per replica p_fail = [{}]", list.join(", "))
    }
    fn sampler(&self, _n: usize) -> DownSampler {
        DownSampler::Independent(self.0.clone())
    }
}
