//! Nodes that fail and are repaired: each fails at rate `λ = 1/MTTF` and is
//! repaired at rate `μ = 1/MTTR` (hours).
//!
//! - Independent repair (a crew per node): each node is up with probability
//!   `μ / (λ + μ)` independently, so the threshold formula applies.
//! - `c` repair crews shared by the cluster: the number of failed nodes is a
//!   birth-death chain (continuous-time Markov chain) with failure rate
//!   `(n − j) λ` and repair rate `min(j, c) μ` in state `j`. Its stationary
//!   distribution is the product of the rate ratios (computed in log space),
//!   transient availability from all-up comes from uniformization, and the
//!   mean time to quorum loss from the birth-death hitting-time recursion
//!   `λ_j D_j = 1 + μ_j D_{j−1}`, `T = Σ D_j` (both in log space, so n = 1001
//!   neither overflows nor loses the tail). The simulation draws the number
//!   of failed nodes from the stationary law and a uniformly random set of
//!   that size (nodes are exchangeable).

use super::{Availability, DownSampler, FailureError, FailureModel, Failures, SpecForm};

/// `repair(mttf=H,mttr=H[,crews=K])`.
pub(super) const SPEC: SpecForm = SpecForm {
    name: "repair",
    usage: "repair(mttf=H,mttr=H[,crews=K])",
    keys: &[
        ("mttf", "mttf_hours"),
        ("mttf_hours", "mttf_hours"),
        ("mttr", "mttr_hours"),
        ("mttr_hours", "mttr_hours"),
        ("crews", "repair_crews"),
        ("repair_crews", "repair_crews"),
    ],
    list: None,
    needs: &["mttf_hours", "mttr_hours"],
};

/// Failure and repair rates of every node, in hours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Repair {
    /// Mean time to failure of a node, hours.
    pub mttf_hours: f64,
    /// Mean time to repair a node, hours.
    pub mttr_hours: f64,
    /// Shared repair crews; `None`: one per node (independent repair).
    pub crews: Option<usize>,
}

impl Repair {
    /// Checks the rates and `1 <= crews <= n`.
    pub(crate) fn check(&self, n: usize) -> Result<(), FailureError> {
        for (field, v) in [
            ("mttf_hours", self.mttf_hours),
            ("mttr_hours", self.mttr_hours),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(FailureError::value(
                    field,
                    "a finite number of hours > 0",
                    crate::text::Shown(v),
                ));
            }
        }
        if let Some(c) = self.crews {
            if c == 0 || c > n {
                let allowed = if n == usize::MAX {
                    "a whole number >= 1".to_string()
                } else {
                    format!("between 1 and n = {n}")
                };
                return Err(FailureError::value("repair_crews", allowed, c));
            }
        }
        Ok(())
    }

    fn rates(&self) -> (f64, f64) {
        (1.0 / self.mttf_hours, 1.0 / self.mttr_hours)
    }

    /// A node's steady-state down probability: `MTTR / (MTTF + MTTR)` under
    /// independent repair; with shared crews, the chain's mean number of
    /// failed nodes over `n` (the marginal, which ignores that failures then
    /// cluster).
    pub fn node_unavailability(&self, n: usize) -> f64 {
        if self.crews.is_none() || self.crews == Some(n) {
            return self.mttr_hours / (self.mttf_hours + self.mttr_hours);
        }
        let ln = self.ln_stationary(n);
        ln.iter()
            .enumerate()
            .map(|(j, l)| j as f64 * l.exp())
            .sum::<f64>()
            / n as f64
    }

    /// Crews in effect for `n` nodes (independent repair: `n`).
    fn crews_for(&self, n: usize) -> usize {
        self.crews.unwrap_or(n)
    }

    /// Stationary probabilities of `j` failed nodes, `j = 0..=n`.
    pub fn stationary(&self, n: usize) -> Vec<f64> {
        self.ln_stationary(n).into_iter().map(f64::exp).collect()
    }

    /// `P(at most j failed)`, `j = 0..=n`: the stationary law's cumulative
    /// sums, from which samplers draw the number failed.
    pub fn stationary_cdf(&self, n: usize) -> Vec<f64> {
        let mut acc = 0.0;
        self.stationary(n)
            .into_iter()
            .map(|p| {
                acc += p;
                acc
            })
            .collect()
    }

    /// `ln` of the stationary probabilities of `j` failed nodes, `j = 0..=n`.
    fn ln_stationary(&self, n: usize) -> Vec<f64> {
        let (lambda, mu) = self.rates();
        let c = self.crews_for(n);
        let mut ln = Vec::with_capacity(n + 1);
        let mut acc = 0.0;
        ln.push(0.0);
        for j in 0..n {
            // pi_{j+1} / pi_j = (n - j) λ / (min(j + 1, c) μ)
            acc += ((n - j) as f64 * lambda).ln() - ((j + 1).min(c) as f64 * mu).ln();
            ln.push(acc);
        }
        let m = ln.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let total = m + ln.iter().map(|x| (x - m).exp()).sum::<f64>().ln();
        ln.iter().map(|x| x - total).collect()
    }

    /// Steady-state availability of a `k`-of-`n` quorum.
    ///
    /// ```
    /// use quorum_model::failure::Repair;
    /// let one_crew = Repair { mttf_hours: 1000.0, mttr_hours: 10.0, crews: Some(1) };
    /// assert!((one_crew.availability(2, 3).available - 0.99941200).abs() < 1e-8);
    /// ```
    pub fn availability(&self, k: usize, n: usize) -> Availability {
        let ln = self.ln_stationary(n);
        let lse = |xs: &[f64]| {
            let m = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if m == f64::NEG_INFINITY {
                m
            } else {
                m + xs.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
            }
        };
        // Quorum lost when more than n - k nodes are down.
        let ln_down = lse(&ln[(n - k + 1).min(n + 1)..]);
        let unavailable = ln_down.exp();
        Availability {
            available: -unavailable.min(1.0) + 1.0,
            unavailable,
            ln_unavailable: ln_down,
        }
    }

    /// Mean time (hours) from all nodes up until fewer than `k` are up.
    /// Infinite only when it exceeds the largest double (about 1e308 h).
    pub fn mean_time_to_quorum_loss(&self, k: usize, n: usize) -> f64 {
        let (lambda, mu) = self.rates();
        let c = self.crews_for(n);
        let m = n - k; // up states: 0..=m failed
        let mut ln_d_prev = f64::NEG_INFINITY; // D_{-1} = 0
        let mut ln_terms = Vec::with_capacity(m + 1);
        for j in 0..=m {
            let lam_j = (n - j) as f64 * lambda;
            let mu_j = j.min(c) as f64 * mu;
            // ln(1 + μ_j D_{j-1}) without overflow.
            let x = if mu_j > 0.0 {
                mu_j.ln() + ln_d_prev
            } else {
                f64::NEG_INFINITY
            };
            let ln_num = if x > 0.0 {
                x + (-x).exp().ln_1p()
            } else {
                x.exp().ln_1p()
            };
            let ln_d = ln_num - lam_j.ln();
            ln_terms.push(ln_d);
            ln_d_prev = ln_d;
        }
        let top = ln_terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (top + ln_terms.iter().map(|x| (x - top).exp()).sum::<f64>().ln()).exp()
    }

    /// Availability of a `k`-of-`n` quorum `t` hours after all nodes were up
    /// (uniformization of the birth-death chain; tends to [`Self::availability`]).
    pub fn availability_at(&self, k: usize, n: usize, t_hours: f64) -> f64 {
        let (lambda, mu) = self.rates();
        let c = self.crews_for(n);
        let up = |j: usize| (n - j) as f64 * lambda;
        let down = |j: usize| j.min(c) as f64 * mu;
        let rate = (0..=n).map(|j| up(j) + down(j)).fold(0.0, f64::max);
        if t_hours <= 0.0 || rate == 0.0 {
            return 1.0;
        }
        // p(t) = Σ_m Poisson(m; rate t) · p0 Pᵐ with P = I + Q / rate.
        let lt = rate * t_hours;
        let mut p = vec![0.0; n + 1];
        p[0] = 1.0;
        let mut next = vec![0.0; n + 1];
        let mut acc = vec![0.0; n + 1];
        // Poisson weights computed in log space; stop when the remaining
        // mass is below 1e-14.
        let mut ln_w = -lt;
        let mut weight_sum = 0.0;
        let mut step = 0u64;
        loop {
            let wgt = ln_w.exp();
            weight_sum += wgt;
            for j in 0..=n {
                acc[j] += wgt * p[j];
            }
            if (1.0 - weight_sum < 1e-14 && step as f64 > lt) || step > 50_000_000 {
                break;
            }
            for j in 0..=n {
                let stay = 1.0 - (up(j) + down(j)) / rate;
                let mut v = p[j] * stay;
                if j > 0 {
                    v += p[j - 1] * up(j - 1) / rate;
                }
                if j < n {
                    v += p[j + 1] * down(j + 1) / rate;
                }
                next[j] = v;
            }
            std::mem::swap(&mut p, &mut next);
            step += 1;
            ln_w += lt.ln() - (step as f64).ln();
        }
        acc[..=(n - k)].iter().sum::<f64>().min(1.0)
    }
}

impl Failures for Repair {
    fn validate(&self, n: usize) -> Result<(), FailureError> {
        self.check(n)
    }
    fn availability(&self, k: usize, n: usize) -> Availability {
        Repair::availability(self, k, n)
    }
    fn down_probabilities(&self, n: usize) -> Vec<f64> {
        vec![self.node_unavailability(n); n]
    }
    fn uniform_down(&self, n: usize) -> Option<f64> {
        Some(self.node_unavailability(n))
    }
    /// With crews shared, the stationary law of the number of failed
    /// nodes, each set of that size equally likely (so the local replica is
    /// among `j` failed ones with probability `j / n`).
    fn up_law(&self, n: usize, wan: bool) -> Option<Vec<(f64, bool, usize)>> {
        if self.crews.is_none_or(|c| c >= n) {
            return None;
        }
        let pi = self.stationary(n);
        Some(if wan {
            pi.iter()
                .enumerate()
                .flat_map(|(j, &p)| {
                    let up = (j < n).then(|| (p * (n - j) as f64 / n as f64, true, n - 1 - j));
                    let down = (j > 0).then(|| (p * j as f64 / n as f64, false, n - j));
                    up.into_iter().chain(down)
                })
                .collect()
        } else {
            pi.iter()
                .enumerate()
                .map(|(j, &p)| (p, false, n - j))
                .collect()
        })
    }
    fn correlated(&self, n: usize) -> bool {
        self.crews.is_some_and(|c| c < n)
    }
    /// Failures twice as frequent: MTTF halved.
    fn doubled(&self) -> FailureModel {
        FailureModel::Repair(Repair {
            mttf_hours: self.mttf_hours / 2.0,
            ..*self
        })
    }
    fn no_p_fail_because(&self) -> Option<&'static str> {
        Some("nodes fail and are repaired at given rates; availability is the repair chain's steady state, latency mixes over its number of failed nodes, and the simulation draws from it")
    }
    /// Crews beyond `n` would idle: capped at `n`.
    fn for_n(&self, n: usize) -> FailureModel {
        FailureModel::Repair(Repair {
            crews: self.crews.map(|c| c.min(n)),
            ..*self
        })
    }
    fn spec(&self) -> String {
        match self.crews {
            Some(c) => format!(
                "repair(mttf={},mttr={},crews={c})",
                self.mttf_hours, self.mttr_hours
            ),
            None => format!("repair(mttf={},mttr={})", self.mttf_hours, self.mttr_hours),
        }
    }
    fn describe(&self) -> String {
        let crews = self
            .crews
            .map_or("a repair crew per node".to_string(), |c| {
                format!("{c} shared repair crew(s)")
            });
        format!(
            "each node fails every {} h and is repaired in {} h on average, {crews}",
            self.mttf_hours, self.mttr_hours
        )
    }
    fn sampler(&self, n: usize) -> DownSampler {
        if self.crews.is_none_or(|c| c >= n) {
            let each = DownSampler::Independent(vec![self.node_unavailability(n); n]);
            return DownSampler::Persistent(Box::new(each));
        }
        let cdf = self.stationary_cdf(n);
        DownSampler::Persistent(Box::new(DownSampler::Exchangeable { cdf }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::FailureModel;

    const MTTF: f64 = 1000.0;
    const MTTR: f64 = 10.0;

    #[test]
    fn public_anchors() {
        let indep = Repair {
            mttf_hours: MTTF,
            mttr_hours: MTTR,
            crews: None,
        };
        let a = indep.availability(2, 3).available;
        assert!((a - 0.99970785).abs() < 1e-8, "{a}");
        // Independent repair is the threshold formula with p = MTTR/(MTTF+MTTR).
        let p = indep.node_unavailability(3);
        let b = FailureModel::iid(p).availability(2, 3).available;
        assert!((a - b).abs() < 1e-14);
        let one = Repair {
            crews: Some(1),
            ..indep
        };
        assert!((one.availability(2, 3).available - 0.99941200).abs() < 1e-8);
        let t = one.mean_time_to_quorum_loss(2, 3);
        assert!((t - 17_500.0).abs() < 1e-6, "{t}");
    }

    #[test]
    fn mttql_matches_a_direct_linear_solve() {
        // Expected hitting times by Gauss-Seidel on the same equations: an
        // independent route to the recursion.
        let r = Repair {
            mttf_hours: 200.0,
            mttr_hours: 20.0,
            crews: Some(2),
        };
        let (n, k) = (5, 2);
        let (lambda, mu) = (1.0 / 200.0, 1.0 / 20.0);
        let m = n - k;
        let mut t = vec![0.0f64; m + 2];
        for _ in 0..200_000 {
            for j in 0..=m {
                let lj = (n - j) as f64 * lambda;
                let mj = j.min(2) as f64 * mu;
                let prev = if j > 0 { t[j - 1] } else { 0.0 };
                t[j] = (1.0 + lj * t[j + 1] + mj * prev) / (lj + mj);
            }
        }
        let got = r.mean_time_to_quorum_loss(k, n);
        assert!((got / t[0] - 1.0).abs() < 1e-9, "{got} vs {}", t[0]);
    }

    #[test]
    fn transient_availability_tends_to_the_stationary_value() {
        let r = Repair {
            mttf_hours: MTTF,
            mttr_hours: MTTR,
            crews: Some(1),
        };
        assert_eq!(r.availability_at(2, 3, 0.0), 1.0);
        let early = r.availability_at(2, 3, 1.0);
        let late = r.availability_at(2, 3, 2_000.0);
        let steady = r.availability(2, 3).available;
        assert!(early > late && early <= 1.0);
        assert!((late - steady).abs() < 1e-9, "{late} vs {steady}");
    }

    #[test]
    fn large_n_stays_finite() {
        let r = Repair {
            mttf_hours: MTTF,
            mttr_hours: MTTR,
            crews: Some(3),
        };
        let a = r.availability(501, 1001);
        assert!(a.available.is_finite() && a.ln_unavailable.is_finite());
        let t = r.mean_time_to_quorum_loss(501, 1001);
        assert!(!t.is_nan());
    }

    #[test]
    fn refuses_bad_rates_and_crews() {
        let ok = Repair {
            mttf_hours: 1.0,
            mttr_hours: 1.0,
            crews: Some(1),
        };
        assert!(ok.check(3).is_ok());
        assert!(Repair {
            mttr_hours: 0.0,
            ..ok
        }
        .check(3)
        .is_err());
        assert!(Repair {
            crews: Some(0),
            ..ok
        }
        .check(3)
        .is_err());
        assert!(Repair {
            crews: Some(4),
            ..ok
        }
        .check(3)
        .is_err());
        assert!(Repair {
            mttf_hours: f64::NAN,
            ..ok
        }
        .check(3)
        .is_err());
    }
}
