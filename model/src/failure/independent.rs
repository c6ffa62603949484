//! Every replica down with one probability `p_fail`, independently: the
//! threshold formula `A(k; n, s) = Σ_{j=k..n} C(n,j) s^j (1-s)^(n-j)` with
//! `s = 1 - p_fail` (Naor & Wool, "The load, capacity and availability of
//! quorum systems", 1998), both tails summed from their own terms.

use super::{Availability, DownSampler, FailureError, FailureModel, Failures, SpecForm};
use crate::numeric::binomial::binomial_tails;

/// `iid(p_fail=P)`.
pub(super) const SPEC: SpecForm = SpecForm {
    name: "iid",
    usage: "iid(p_fail=P)",
    keys: &[("p_fail", "p_fail"), ("p", "p_fail")],
    list: None,
    needs: &["p_fail"],
};

/// Independent failures with one probability.
///
/// ```
/// use quorum_model::failure::{Failures, Independent};
/// let a = Independent { p_fail: 0.01 }.availability(2, 3);
/// assert!((a.available - 0.999702).abs() < 1e-12);
/// assert!((a.nines() - 3.5258).abs() < 1e-4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Independent {
    /// Probability that a replica is down.
    pub p_fail: f64,
}

impl Failures for Independent {
    fn validate(&self, _n: usize) -> Result<(), FailureError> {
        FailureError::probability("p_fail", self.p_fail).map(|_| ())
    }
    fn availability(&self, k: usize, n: usize) -> Availability {
        let t = binomial_tails(k, n, 1.0 - self.p_fail, self.p_fail);
        Availability {
            available: t.at_least,
            unavailable: t.below,
            ln_unavailable: t.ln_below,
        }
    }
    fn down_probabilities(&self, n: usize) -> Vec<f64> {
        vec![self.p_fail; n]
    }
    fn uniform_down(&self, _n: usize) -> Option<f64> {
        Some(self.p_fail)
    }
    fn for_n(&self, _n: usize) -> FailureModel {
        FailureModel::Iid(*self)
    }
    fn doubled(&self) -> FailureModel {
        FailureModel::iid((2.0 * self.p_fail).min(1.0))
    }
    fn no_p_fail_because(&self) -> Option<&'static str> {
        None
    }
    fn spec(&self) -> String {
        format!("iid(p_fail={})", self.p_fail)
    }
    fn describe(&self) -> String {
        format!("independent, p_fail = {} per replica", self.p_fail)
    }
    fn sampler(&self, n: usize) -> DownSampler {
        DownSampler::Independent(vec![self.p_fail; n])
    }
}

#[cfg(test)]
mod tests {
    use crate::failure::FailureModel;
    use proptest::prelude::*;

    #[test]
    fn public_anchor_majority_of_three() {
        let a = FailureModel::iid(0.01).availability(2, 3);
        // 0.99^3 + 3 * 0.99^2 * 0.01, computed here term by term.
        let want = 0.99f64.powi(3) + 3.0 * 0.99f64.powi(2) * 0.01;
        assert!((a.available - want).abs() < 1e-15);
        assert!((a.unavailable - (3.0 * 0.01 * 0.01 * 0.99 + 1e-6)).abs() < 1e-17);
    }

    #[test]
    fn one_of_n_and_n_of_n() {
        let p: f64 = 0.1;
        let n = 5;
        let any = FailureModel::iid(p).availability(1, n);
        assert!((any.unavailable - p.powi(5)).abs() < 1e-18);
        let all = FailureModel::iid(p).availability(n, n);
        assert!((all.available - 0.9f64.powi(5)).abs() < 1e-15);
    }

    #[test]
    fn large_n_is_finite_and_tiny() {
        let a = FailureModel::iid(0.01).availability(501, 1001);
        assert_eq!(a.available, 1.0);
        assert!(a.nines() > 300.0 && a.nines().is_finite());
        let half = FailureModel::iid(0.5).availability(501, 1001);
        // Symmetric: exactly one half (n odd, k = (n+1)/2).
        assert!((half.available - 0.5).abs() < 1e-12);
    }

    #[test]
    fn no_failures_is_infinitely_many_nines() {
        let a = FailureModel::NONE.availability(3, 5);
        assert_eq!(a.available, 1.0);
        assert_eq!(a.unavailable, 0.0);
        assert!(a.nines().is_infinite());
    }

    #[test]
    fn per_node_matches_iid_when_equal() {
        let iid = FailureModel::iid(0.03).availability(3, 5);
        let per = FailureModel::per_node(vec![0.03; 5]).availability(3, 5);
        assert!((iid.unavailable - per.unavailable).abs() < 1e-15);
    }

    proptest! {
        #[test]
        fn availability_falls_as_the_quorum_grows(n in 1usize..30, k in 1usize..30, p in 0.0f64..=1.0) {
            let k = k.min(n);
            let f = FailureModel::iid(p);
            let a = f.availability(k, n);
            prop_assert!((0.0..=1.0).contains(&a.available));
            if k < n {
                prop_assert!(f.availability(k + 1, n).available <= a.available + 1e-12);
            }
        }

        #[test]
        fn availability_falls_as_failures_rise(n in 1usize..30, k in 1usize..30, p in 0.0f64..0.99) {
            let k = k.min(n);
            let a = FailureModel::iid(p).availability(k, n).available;
            let b = FailureModel::iid(p + 0.01).availability(k, n).available;
            prop_assert!(b <= a + 1e-12);
        }
    }
}
