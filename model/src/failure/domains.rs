//! Failure domains (racks, zones): replicas are placed over `D` domains,
//! each down with probability `p_domain` taking all its replicas with it,
//! and inside an up domain nodes fail independently with `p_fail`.
//!
//! Domains are independent, so the number of up replicas is a sum over
//! domains of `[domain up] · Binomial(m_d, 1 − p)`: its distribution is the
//! convolution of per-domain distributions (each exact), `O(D n²)` for `D`
//! domains; both tails are summed from their own terms. The simulation
//! draws each domain's state, then the nodes of up domains.

use super::{Availability, DownSampler, FailureError, FailureModel, Failures, SpecForm};
use crate::numeric::binomial::{binomial_pmf, convolve};

/// The most failure domains a model may have (racks or zones; the exact
/// availability convolves one count distribution per domain).
pub const MAX_DOMAINS: usize = 1_000;

/// `domains(d=D,p_domain=P[,p_fail=P][,placement=spread|packed])`.
pub(super) const SPEC: SpecForm = SpecForm {
    name: "domains",
    usage: "domains(d=D,p_domain=P[,p_fail=P][,placement=spread|packed])",
    keys: &[
        ("d", "domains"),
        ("domains", "domains"),
        ("p_domain", "p_domain"),
        ("p_fail", "p_fail"),
        ("placement", "placement"),
    ],
    list: None,
    needs: &["domains", "p_domain"],
};

/// How replicas are placed over domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Round-robin: replica i in domain i mod D.
    Spread,
    /// All replicas in one domain.
    Packed,
}

impl Placement {
    /// The name specs and files use.
    pub fn name(self) -> &'static str {
        match self {
            Placement::Spread => "spread",
            Placement::Packed => "packed",
        }
    }

    /// `spread` or `packed`.
    pub fn parse(text: &str) -> Result<Placement, FailureError> {
        match text {
            "spread" => Ok(Placement::Spread),
            "packed" => Ok(Placement::Packed),
            other => Err(FailureError::value(
                "placement",
                "spread or packed",
                format!("'{other}'"),
            )),
        }
    }
}

/// Failure domains: each of `domains` is down with probability `p_domain`;
/// inside an up domain each node is down with probability `p_fail`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Domains {
    /// Number of domains (1 to [`MAX_DOMAINS`]).
    pub domains: usize,
    /// Probability that a domain is down.
    pub p_domain: f64,
    /// Probability that a node of an up domain is down.
    pub p_fail: f64,
    /// How replicas are placed over the domains.
    pub placement: Placement,
}

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

    /// Up count of one domain holding `m` replicas: 0 if the domain is
    /// down, else binomial.
    fn domain_pmf(&self, m: usize) -> Vec<f64> {
        let mut dom: Vec<f64> = binomial_pmf(m, 1.0 - self.p_fail, self.p_fail)
            .into_iter()
            .map(|x| x * (1.0 - self.p_domain))
            .collect();
        dom[0] += self.p_domain;
        dom
    }

    /// `P(j replicas up)`, `j = 0..=n`: per-domain counts convolved.
    pub fn up_count_pmf(&self, n: usize) -> Vec<f64> {
        let mut pmf = vec![1.0];
        for m in self.replicas_per_domain(n) {
            if m > 0 {
                pmf = convolve(&pmf, &self.domain_pmf(m));
            }
        }
        pmf.resize(n + 1, 0.0);
        pmf
    }

    /// With one replica, uniformly at random, local to the coordinator: the
    /// joint law of (local replica up, number of other replicas up), as
    /// `(probability, local up, others up)`.
    pub fn local_joint(&self, n: usize) -> Vec<(f64, bool, usize)> {
        let sizes = self.replicas_per_domain(n);
        let mut out = Vec::new();
        // Replicas in domains of the same size are alike: one pass per size.
        let mut seen: Vec<usize> = Vec::new();
        for (d, &m) in sizes.iter().enumerate() {
            if m == 0 || seen.contains(&m) {
                continue;
            }
            seen.push(m);
            let share = sizes.iter().filter(|&&x| x == m).count() as f64 * m as f64 / n as f64;
            let mut others = vec![1.0];
            for (e, &me) in sizes.iter().enumerate() {
                if e != d && me > 0 {
                    others = convolve(&others, &self.domain_pmf(me));
                }
            }
            // The local replica's domain up: its m - 1 companions binomial.
            let companions = binomial_pmf(m - 1, 1.0 - self.p_fail, self.p_fail);
            let with_domain_up = convolve(&others, &companions);
            let up = (1.0 - self.p_domain) * (1.0 - self.p_fail);
            let down_node = (1.0 - self.p_domain) * self.p_fail;
            for (j, p) in with_domain_up.iter().enumerate() {
                out.push((share * up * p, true, j));
                out.push((share * down_node * p, false, j));
            }
            // The domain down: local and companions down.
            for (j, p) in others.iter().enumerate() {
                out.push((share * self.p_domain * p, false, j));
            }
        }
        out.retain(|x| x.0 > 0.0);
        out
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
        let pmf = self.up_count_pmf(n);
        let below: f64 = pmf[..k.min(pmf.len())].iter().sum();
        let at_least: f64 = pmf[k.min(pmf.len())..].iter().sum();
        Availability {
            available: at_least,
            unavailable: below,
            ln_unavailable: below.ln(),
        }
    }
}

impl Failures for Domains {
    fn validate(&self, _n: usize) -> Result<(), FailureError> {
        if self.domains == 0 || self.domains > MAX_DOMAINS {
            return Err(FailureError::value(
                "domains",
                format!("a whole number between 1 and {MAX_DOMAINS}"),
                self.domains,
            ));
        }
        FailureError::probability("p_domain", self.p_domain)?;
        FailureError::probability("p_fail", self.p_fail)?;
        Ok(())
    }
    fn availability(&self, k: usize, n: usize) -> Availability {
        Domains::availability(self, k, n)
    }
    fn down_probabilities(&self, n: usize) -> Vec<f64> {
        vec![self.node_unavailability(); n]
    }
    fn uniform_down(&self, _n: usize) -> Option<f64> {
        Some(self.node_unavailability())
    }
    /// With domain outages, the up count's law (or, on a WAN, the joint
    /// law of the local replica and the others).
    fn up_law(&self, n: usize, wan: bool) -> Option<Vec<(f64, bool, usize)>> {
        if self.p_domain <= 0.0 {
            return None;
        }
        Some(if wan {
            self.local_joint(n)
        } else {
            self.up_count_pmf(n)
                .into_iter()
                .enumerate()
                .map(|(m, p)| (p, false, m))
                .collect()
        })
    }
    fn correlated(&self, _n: usize) -> bool {
        self.p_domain > 0.0
    }
    fn for_n(&self, _n: usize) -> FailureModel {
        FailureModel::Domains(*self)
    }
    /// Domain outages and node failures each twice as likely.
    fn doubled(&self) -> FailureModel {
        FailureModel::Domains(Domains {
            p_domain: (2.0 * self.p_domain).min(1.0),
            p_fail: (2.0 * self.p_fail).min(1.0),
            ..*self
        })
    }
    fn no_p_fail_because(&self) -> Option<&'static str> {
        Some("failures are correlated within domains; availability and latency mix over the domains' outages exactly, and the simulation draws them")
    }
    fn spec(&self) -> String {
        format!(
            "domains(d={},p_domain={},p_fail={},placement={})",
            self.domains,
            self.p_domain,
            self.p_fail,
            self.placement.name()
        )
    }
    fn describe(&self) -> String {
        format!(
            "{} failure domains ({:?} placement), each down with probability {}; nodes in up domains down with probability {}",
            self.domains, self.placement, self.p_domain, self.p_fail
        )
    }
    fn sampler(&self, n: usize) -> DownSampler {
        DownSampler::Domains {
            domain_of: (0..n)
                .map(|i| match self.placement {
                    Placement::Spread => i % self.domains,
                    Placement::Packed => 0,
                })
                .collect(),
            domains: self.domains,
            p_domain: self.p_domain,
            p_fail: self.p_fail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let iid = FailureModel::iid(0.02).availability(3, 5);
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

    #[test]
    fn the_local_replica_law_agrees_with_the_up_count() {
        for placement in [Placement::Spread, Placement::Packed] {
            let d = Domains {
                domains: 3,
                p_domain: 0.05,
                p_fail: 0.1,
                placement,
            };
            let n = 5;
            let joint = d.local_joint(n);
            let total: f64 = joint.iter().map(|x| x.0).sum();
            assert!((total - 1.0).abs() < 1e-12);
            let local_up: f64 = joint.iter().filter(|x| x.1).map(|x| x.0).sum();
            assert!((local_up - (1.0 - d.node_unavailability())).abs() < 1e-12);
            // Local plus others: the cluster's up count.
            let mut count = vec![0.0; n + 1];
            for (p, up, others) in &joint {
                count[others + usize::from(*up)] += p;
            }
            for (a, b) in count.iter().zip(d.up_count_pmf(n)) {
                assert!((a - b).abs() < 1e-12, "{placement:?}: {a} vs {b}");
            }
        }
    }
}
