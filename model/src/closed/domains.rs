//! Availability when replicas share failure domains (racks, zones): each
//! domain is down with its own probability, taking all its replicas with it,
//! and inside an up domain nodes fail independently.
//!
//! Domains are independent, so the number of up replicas is a sum over
//! domains of `[domain up] · Binomial(m_d, 1 − p)`: its distribution is the
//! convolution of per-domain distributions (each exact), `O(D n²)` for `D`
//! domains; both tails are summed from their own terms.

use crate::failure::{Domains, Placement};

use super::availability::Availability;
use super::binomial::binomial_pmf;

impl Domains {
    /// Replicas per domain for `n` replicas.
    pub fn replicas_per_domain(&self, n: usize) -> Vec<usize> {
        let mut m = vec![0; self.domains];
        for i in 0..n {
            let d = match self.placement {
                Placement::Spread => i % self.domains,
                Placement::Packed => 0,
            };
            m[d] += 1;
        }
        m
    }

    /// Each replica's marginal down probability:
    /// `p_domain + (1 − p_domain) p_fail`.
    pub fn node_unavailability(&self) -> f64 {
        self.p_domain + (1.0 - self.p_domain) * self.p_fail
    }

    /// Availability of a `k`-of-`n` quorum.
    ///
    /// ```
    /// use quorum_model::failure::{Domains, Placement};
    /// let spread = Domains { domains: 3, p_domain: 0.001, p_fail: 0.01, placement: Placement::Spread };
    /// let packed = Domains { placement: Placement::Packed, ..spread };
    /// // One zone outage takes a packed cluster down; a spread one survives it.
    /// assert!(spread.availability(2, 3).unavailable < packed.availability(2, 3).unavailable / 3.0);
    /// ```
    pub fn availability(&self, k: usize, n: usize) -> Availability {
        let mut pmf = vec![1.0];
        for m in self.replicas_per_domain(n) {
            if m == 0 {
                continue;
            }
            // Up count of this domain: 0 if the domain is down, else binomial.
            let mut dom: Vec<f64> = binomial_pmf(m, 1.0 - self.p_fail, self.p_fail)
                .into_iter()
                .map(|x| x * (1.0 - self.p_domain))
                .collect();
            dom[0] += self.p_domain;
            let mut next = vec![0.0; pmf.len() + m];
            for (i, a) in pmf.iter().enumerate() {
                for (j, b) in dom.iter().enumerate() {
                    next[i + j] += a * b;
                }
            }
            pmf = next;
        }
        let below: f64 = pmf[..k.min(pmf.len())].iter().sum();
        let at_least: f64 = pmf[k.min(pmf.len())..].iter().sum();
        Availability {
            available: at_least,
            unavailable: below,
            ln_unavailable: below.ln(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::closed::availability::quorum_availability;
    use crate::failure::FailureModel;

    /// Enumerate every domain state and node state.
    fn brute_force(d: &Domains, k: usize, n: usize) -> f64 {
        let m = d.replicas_per_domain(n);
        let mut owner = Vec::new();
        for (dom, &count) in m.iter().enumerate() {
            owner.extend(std::iter::repeat_n(dom, count));
        }
        let mut unavailable = 0.0;
        for dmask in 0u32..(1 << d.domains) {
            let mut pd = 1.0;
            for dom in 0..d.domains {
                pd *= if dmask & (1 << dom) != 0 {
                    d.p_domain
                } else {
                    1.0 - d.p_domain
                };
            }
            for nmask in 0u32..(1 << n) {
                let mut p = pd;
                let mut up = 0;
                for (i, &dom) in owner.iter().enumerate() {
                    let node_down = nmask & (1 << i) != 0;
                    p *= if node_down { d.p_fail } else { 1.0 - d.p_fail };
                    if !node_down && dmask & (1 << dom) == 0 {
                        up += 1;
                    }
                }
                if up < k {
                    unavailable += p;
                }
            }
        }
        unavailable
    }

    #[test]
    fn matches_enumeration() {
        for placement in [Placement::Spread, Placement::Packed] {
            for (domains, n) in [(3, 3), (2, 5), (4, 6), (3, 7)] {
                let d = Domains {
                    domains,
                    p_domain: 0.03,
                    p_fail: 0.1,
                    placement,
                };
                for k in 1..=n {
                    let got = d.availability(k, n).unavailable;
                    let want = brute_force(&d, k, n);
                    assert!(
                        (got - want).abs() < 1e-14,
                        "{placement:?} D={domains} n={n} k={k}: {got} vs {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn no_domain_outages_is_iid() {
        let d = Domains {
            domains: 3,
            p_domain: 0.0,
            p_fail: 0.02,
            placement: Placement::Spread,
        };
        let iid = quorum_availability(3, 5, &FailureModel::Iid { p_fail: 0.02 });
        assert!((d.availability(3, 5).unavailable - iid.unavailable).abs() < 1e-15);
    }

    #[test]
    fn sixteen_domains_are_fast_and_finite() {
        let d = Domains {
            domains: 16,
            p_domain: 0.001,
            p_fail: 0.01,
            placement: Placement::Spread,
        };
        let a = d.availability(51, 101);
        assert!(a.available.is_finite() && a.unavailable > 0.0);
    }
}
