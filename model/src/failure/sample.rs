//! Drawing which replicas are down, for the Monte Carlo engine, from the
//! same failure model the exact formulas use, so the simulation is an
//! independent check of them, not of a simplification. Each family builds
//! its sampler ([`super::Failures::sampler`]):
//!
//! - independent models draw each replica on its own;
//! - shared repair crews make failures cluster: the number of failed nodes
//!   is drawn from the repair chain's stationary distribution and the failed
//!   set is a uniformly random subset of that size (nodes are
//!   exchangeable), which is the chain's stationary law on sets;
//! - failure domains draw each domain's state, then the nodes of up domains.

use rand::Rng;

/// A sampler a family defines in its own file, for a law the variants of
/// [`DownSampler`] do not draw. It must draw from the stream it is given,
/// and only from it, so that a seed gives the same draws on any thread.
pub trait DrawDown: std::fmt::Debug + Send + Sync {
    /// One draw of the down replicas into `down`; `scratch` is working
    /// memory.
    fn draw(&self, rng: &mut dyn rand::RngCore, down: &mut [bool], scratch: &mut Vec<usize>);
    /// Whether any replica can ever be down.
    fn any(&self) -> bool;
}

/// A sampler of down replicas for `n` replicas.
#[derive(Debug, Clone)]
pub enum DownSampler {
    /// Replica `i` down with probability `p[i]`, independently.
    Independent(Vec<f64>),
    /// A number of failed nodes from `cdf` (`cdf[j] = P(at most j down)`),
    /// then that many distinct replicas chosen uniformly.
    Exchangeable {
        /// `cdf[j] = P(at most j down)`.
        cdf: Vec<f64>,
    },
    /// Replica `i` lives in domain `domain_of[i]`; each domain is down with
    /// `p_domain`, and a replica of an up domain with `p_fail`.
    Domains {
        /// Each replica's domain.
        domain_of: Vec<usize>,
        /// Number of domains.
        domains: usize,
        /// Probability that a domain is down.
        p_domain: f64,
        /// Probability that a replica of an up domain is down.
        p_fail: f64,
    },
    /// A family's own sampler.
    Custom(std::sync::Arc<dyn DrawDown>),
    /// A model with durations (failures last hours): a read of the same
    /// trial, milliseconds after the write, finds the write's down set
    /// (`P(still down after t) = p + (1 − p)e^{−(λ+μ)t}`, 1 − 3·10⁻⁹ for
    /// 1 ms at MTTR 1 h) instead of an independent draw. Reads hours later
    /// are [`crate::mc::timeline`]'s.
    Persistent(Box<DownSampler>),
}

impl DownSampler {
    /// Whether any replica can ever be down.
    pub fn any(&self) -> bool {
        match self {
            DownSampler::Independent(ps) => ps.iter().any(|p| *p > 0.0),
            DownSampler::Exchangeable { cdf } => cdf.first().is_some_and(|p0| *p0 < 1.0),
            DownSampler::Domains {
                p_domain, p_fail, ..
            } => *p_domain > 0.0 || *p_fail > 0.0,
            DownSampler::Custom(s) => s.any(),
            DownSampler::Persistent(s) => s.any(),
        }
    }

    /// Fills `write` and `read` with two independent draws (the replica
    /// states when the write and the read run), or, for a model with
    /// durations, with one draw for both. `scratch` holds at least
    /// `n` entries of working memory.
    pub fn draw_pair<R: Rng>(
        &self,
        rng: &mut R,
        write: &mut [bool],
        read: &mut [bool],
        scratch: &mut Vec<usize>,
    ) {
        if let DownSampler::Independent(ps) = self {
            // Interleaved, one uniform each, in replica order.
            for (i, p) in ps.iter().enumerate() {
                write[i] = rng.random::<f64>() < *p;
                read[i] = rng.random::<f64>() < *p;
            }
            return;
        }
        if let DownSampler::Persistent(s) = self {
            s.draw(rng, write, scratch);
            read.copy_from_slice(write);
            return;
        }
        self.draw(rng, write, scratch);
        self.draw(rng, read, scratch);
    }

    /// One draw of the down replicas into `down`.
    pub fn draw<R: Rng>(&self, rng: &mut R, down: &mut [bool], scratch: &mut Vec<usize>) {
        match self {
            DownSampler::Independent(ps) => {
                for (d, p) in down.iter_mut().zip(ps) {
                    *d = rng.random::<f64>() < *p;
                }
            }
            DownSampler::Exchangeable { cdf } => {
                let u: f64 = rng.random();
                let failed = cdf.partition_point(|c| *c <= u).min(down.len());
                down.fill(false);
                // Partial Fisher–Yates: the first `failed` of a shuffle.
                scratch.clear();
                scratch.extend(0..down.len());
                for j in 0..failed {
                    let pick = rng.random_range(j..scratch.len());
                    scratch.swap(j, pick);
                    down[scratch[j]] = true;
                }
            }
            DownSampler::Domains {
                domain_of,
                domains,
                p_domain,
                p_fail,
            } => {
                // Domain states first (as indices into `scratch`: 1 = down).
                scratch.clear();
                scratch.extend((0..*domains).map(|_| usize::from(rng.random::<f64>() < *p_domain)));
                for (i, d) in down.iter_mut().enumerate() {
                    let node = rng.random::<f64>() < *p_fail;
                    *d = scratch[domain_of[i]] == 1 || node;
                }
            }
            DownSampler::Custom(s) => s.draw(rng, down, scratch),
            DownSampler::Persistent(s) => s.draw(rng, down, scratch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::{Domains, Failures, Placement, Repair};
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Frequency of each number of down replicas over `draws` draws.
    fn down_counts(s: &DownSampler, n: usize, draws: usize) -> Vec<f64> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let mut down = vec![false; n];
        let mut scratch = Vec::new();
        let mut counts = vec![0.0; n + 1];
        for _ in 0..draws {
            s.draw(&mut rng, &mut down, &mut scratch);
            counts[down.iter().filter(|d| **d).count()] += 1.0;
        }
        counts.iter().map(|c| c / draws as f64).collect()
    }

    #[test]
    fn crews_draw_the_chain_stationary_count() {
        let r = Repair {
            mttf_hours: 10.0,
            mttr_hours: 5.0,
            crews: Some(1),
        };
        let s = r.sampler(4);
        let freq = down_counts(&s, 4, 200_000);
        for (j, p) in r.stationary(4).iter().enumerate() {
            // 5 standard errors of a frequency.
            let se = (p * (1.0 - p) / 200_000.0).sqrt();
            assert!(
                (freq[j] - p).abs() < 5.0 * se + 1e-9,
                "j={j}: {} vs {p}",
                freq[j]
            );
        }
    }

    #[test]
    fn every_replica_is_equally_likely_to_be_the_failed_one() {
        let r = Repair {
            mttf_hours: 10.0,
            mttr_hours: 5.0,
            crews: Some(1),
        };
        let s = r.sampler(5);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let (mut down, mut scratch) = (vec![false; 5], Vec::new());
        let mut per = [0usize; 5];
        let draws = 100_000;
        for _ in 0..draws {
            s.draw(&mut rng, &mut down, &mut scratch);
            for i in 0..5 {
                per[i] += usize::from(down[i]);
            }
        }
        let p = r.node_unavailability(5);
        let se = (p * (1.0 - p) / draws as f64).sqrt();
        for c in per {
            assert!((c as f64 / draws as f64 - p).abs() < 5.0 * se, "{c} vs {p}");
        }
    }

    #[test]
    fn packed_domains_fail_together() {
        let d = Domains {
            domains: 3,
            p_domain: 0.2,
            p_fail: 0.0,
            placement: Placement::Packed,
        };
        let freq = down_counts(&d.sampler(3), 3, 50_000);
        // All or nothing.
        assert_eq!(freq[1] + freq[2], 0.0);
        assert!((freq[3] - 0.2).abs() < 0.01, "{}", freq[3]);
        let spread = Domains {
            placement: Placement::Spread,
            ..d
        };
        let freq = down_counts(&spread.sampler(3), 3, 50_000);
        assert!((freq[1] - 3.0 * 0.2 * 0.64).abs() < 0.01, "{}", freq[1]);
    }

    /// A family's own sampler is drawn through the same calls, from the
    /// same stream.
    #[test]
    fn a_custom_sampler_draws_from_the_given_stream() {
        #[derive(Debug)]
        struct FirstOfTwo;
        impl DrawDown for FirstOfTwo {
            fn draw(&self, rng: &mut dyn rand::RngCore, down: &mut [bool], _: &mut Vec<usize>) {
                down.fill(false);
                down[0] = rng.next_u64().is_multiple_of(2);
            }
            fn any(&self) -> bool {
                true
            }
        }
        let s = DownSampler::Custom(std::sync::Arc::new(FirstOfTwo));
        assert!(s.any());
        let freq = down_counts(&s, 3, 20_000);
        assert_eq!(freq[2] + freq[3], 0.0);
        assert!((freq[1] - 0.5).abs() < 0.02, "{}", freq[1]);
        // The same seed, the same draws.
        assert_eq!(down_counts(&s, 3, 1000), down_counts(&s, 3, 1000));
    }
}
