//! Quorum availability under independent failures.
//!
//! An operation that needs `k` of `n` replicas (reads `k = r`, writes
//! `k = w`) is available when at least `k` replicas are up:
//! `A(k; n, s) = Σ_{j=k..n} C(n,j) s^j (1-s)^(n-j)` with `s = 1 - p_fail`
//! (the threshold formula; e.g. Naor & Wool, "The load, capacity and
//! availability of quorum systems", 1998). Different per-node probabilities
//! give a Poisson-binomial count. The unavailability `1 - A` is summed
//! directly as the lower tail, so values down to about 1e-300 are exact to
//! rounding, and "nines" come from its logarithm.

use super::binomial::{grouped_tails, Group};
use crate::failure::FailureModel;

/// Probability that a quorum can be formed, and its complement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Availability {
    pub available: f64,
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

/// Availability of a `k`-of-`n` quorum under `failure`.
///
/// ```
/// use quorum_model::closed::availability::quorum_availability;
/// use quorum_model::failure::FailureModel;
/// let a = quorum_availability(2, 3, &FailureModel::Iid { p_fail: 0.01 });
/// assert!((a.available - 0.999702).abs() < 1e-12);
/// assert!((a.nines() - 3.5258).abs() < 1e-4);
/// ```
pub fn quorum_availability(k: usize, n: usize, failure: &FailureModel) -> Availability {
    let groups: Vec<Group> = match failure {
        FailureModel::Repair(r) => return r.availability(k, n),
        FailureModel::Domains(d) => return d.availability(k, n),
        FailureModel::Iid { p_fail } => vec![Group {
            count: n,
            s: 1.0 - p_fail,
            f: *p_fail,
        }],
        FailureModel::PerNode(ps) => ps
            .iter()
            .map(|&p| Group {
                count: 1,
                s: 1.0 - p,
                f: p,
            })
            .collect(),
    };
    let t = grouped_tails(k, &groups);
    Availability {
        available: t.at_least,
        unavailable: t.below,
        ln_unavailable: t.ln_below,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn public_anchor_majority_of_three() {
        let a = quorum_availability(2, 3, &FailureModel::Iid { p_fail: 0.01 });
        // 0.99^3 + 3 * 0.99^2 * 0.01, computed here term by term.
        let want = 0.99f64.powi(3) + 3.0 * 0.99f64.powi(2) * 0.01;
        assert!((a.available - want).abs() < 1e-15);
        assert!((a.unavailable - (3.0 * 0.01 * 0.01 * 0.99 + 1e-6)).abs() < 1e-17);
    }

    #[test]
    fn one_of_n_and_n_of_n() {
        let p: f64 = 0.1;
        let n = 5;
        let any = quorum_availability(1, n, &FailureModel::Iid { p_fail: p });
        assert!((any.unavailable - p.powi(5)).abs() < 1e-18);
        let all = quorum_availability(n, n, &FailureModel::Iid { p_fail: p });
        assert!((all.available - 0.9f64.powi(5)).abs() < 1e-15);
    }

    #[test]
    fn large_n_is_finite_and_tiny() {
        let a = quorum_availability(501, 1001, &FailureModel::Iid { p_fail: 0.01 });
        assert_eq!(a.available, 1.0);
        assert!(a.nines() > 300.0 && a.nines().is_finite());
        let half = quorum_availability(501, 1001, &FailureModel::Iid { p_fail: 0.5 });
        // Symmetric: exactly one half (n odd, k = (n+1)/2).
        assert!((half.available - 0.5).abs() < 1e-12);
    }

    #[test]
    fn no_failures_is_infinitely_many_nines() {
        let a = quorum_availability(3, 5, &FailureModel::NONE);
        assert_eq!(a.available, 1.0);
        assert_eq!(a.unavailable, 0.0);
        assert!(a.nines().is_infinite());
    }

    #[test]
    fn per_node_matches_iid_when_equal() {
        let iid = quorum_availability(3, 5, &FailureModel::Iid { p_fail: 0.03 });
        let per = quorum_availability(3, 5, &FailureModel::PerNode(vec![0.03; 5]));
        assert!((iid.unavailable - per.unavailable).abs() < 1e-15);
    }

    proptest! {
        #[test]
        fn availability_falls_as_the_quorum_grows(n in 1usize..30, k in 1usize..30, p in 0.0f64..=1.0) {
            let k = k.min(n);
            let f = FailureModel::Iid { p_fail: p };
            let a = quorum_availability(k, n, &f);
            prop_assert!((0.0..=1.0).contains(&a.available));
            if k < n {
                prop_assert!(quorum_availability(k + 1, n, &f).available <= a.available + 1e-12);
            }
        }

        #[test]
        fn availability_falls_as_failures_rise(n in 1usize..30, k in 1usize..30, p in 0.0f64..0.99) {
            let k = k.min(n);
            let a = quorum_availability(k, n, &FailureModel::Iid { p_fail: p }).available;
            let b = quorum_availability(k, n, &FailureModel::Iid { p_fail: p + 0.01 }).available;
            prop_assert!(b <= a + 1e-12);
        }
    }
}
