//! The model of what Garage does (see the module map of [`super`]),
//! built from the model's cluster simulation
//! ([`quorum_model::mc::cluster`]).
//!
//! Each node is its own zone, so a key's `n` replicas are on `n` distinct
//! nodes; the client asks a node drawn uniformly for each operation, which
//! is a replica with probability `n / nodes`.
//!
//! - A replica coordinates as the model's `coordinator_replica` does: its
//!   own copy is written and read at once (legs `const(0)`), the others
//!   through the proxies. Reads ask the `r` closest replicas, itself
//!   first (`Fanout::Closest`).
//! - A read through a node that holds no replica asks `r` replicas, every
//!   leg delayed: the same simulation with every replica's read legs
//!   overridden to the delay law (the write's legs untouched).
//! - A K2V write through a node that holds no replica is sent to one
//!   replica `S` (garage_model/k2v/rpc.rs, `insert`), which writes it as a
//!   replica coordinator would and answers back: one more delay `X₁`
//!   before and `X₂` after. The client's acknowledgment comes `X₂` after
//!   `S`'s, so a read `t` after it is a read `t + X₂` after `S`'s commit,
//!   and the latency is `X₁ + L + X₂`.
//!
//! So `P(t) = Σ P(writer kind) P(reader kind) E[P_reader(t + shift)]` over
//! replica or not, with the shift `0` or `X₂`: two simulations, mixed.
//! With as many nodes as replicas every node is a replica and this is the
//! first simulation alone.

use quorum_model::dist::presets::Wars;
use quorum_model::dist::{Dist, Empirical};
use quorum_model::failure::FailureModel;
use quorum_model::mc::cluster::{simulate_cluster, ClusterResult, ClusterSetup};
use quorum_model::topology::{Cluster, Legs, Level};
use quorum_model::Fanout;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Points of the delay law's quantile function averaged over for the
/// shift `X₂`.
const SHIFT_POINTS: usize = 64;

/// The model's figures for one run.
pub struct Prediction {
    /// The replica-coordinated cluster in the model's one-line form.
    pub topology: String,
    /// Probability that the node asked is a replica, `n / nodes`.
    pub p_replica: f64,
    leg: Dist,
    shifts: Vec<f64>,
    replica_reader: ClusterResult,
    /// With more nodes than replicas: reads through a node with no replica.
    other_reader: Option<ClusterResult>,
}

/// The cluster spec of `n` one-node zones with random coordinators that
/// are replicas.
pub fn topology(n: usize) -> String {
    let dcs: Vec<String> = (1..=n).map(|i| format!("z{i}:1")).collect();
    format!(
        "{};write_dc=random;read_dc=random;coordinator_replica",
        dcs.join(",")
    )
}

/// `read_legs`: every replica's read legs set to this law (a reader that
/// holds no replica), its write legs untouched.
fn simulate(
    spec: &str,
    wars: &Wars,
    read_legs: Option<&Dist>,
    (r, w): (usize, usize),
    trials: u64,
    seed: u64,
) -> Result<ClusterResult, String> {
    let mut cluster: Cluster = spec.parse().map_err(|e| format!("{e}"))?;
    if let Some(leg) = read_legs {
        cluster.replica_legs = cluster
            .replicas()
            .into_iter()
            .map(|(dc, i)| {
                let legs = Legs {
                    r: Some(leg.clone()),
                    s: Some(leg.clone()),
                    ..Legs::default()
                };
                (dc, i, legs)
            })
            .collect();
    }
    let mut setup = ClusterSetup::new(
        &cluster,
        wars,
        &FailureModel::NONE,
        Level::Count(w),
        Level::Count(r),
    )
    .map_err(|e| e.to_string())?;
    setup.select_reads(&cluster, wars, Fanout::Closest);
    Ok(simulate_cluster(&setup, trials, seed, None))
}

/// The prediction for `nodes` nodes holding `n` replicas of each key,
/// quorums `(r, w)`, every message between two nodes delayed by `leg`
/// (the injected law as delivered: with the timer's lateness, or the
/// delays measured on the proxies).
pub fn predict(
    nodes: usize,
    n: usize,
    quorums: (usize, usize),
    leg: &Dist,
    trials: u64,
    seed: u64,
) -> Result<Prediction, String> {
    let spec = topology(n);
    let wars = Wars::uniform(leg.clone());
    let replica_reader = simulate(&spec, &wars, None, quorums, trials, seed)?;
    let other_reader = if nodes > n {
        Some(simulate(
            &spec,
            &wars,
            Some(leg),
            quorums,
            trials,
            seed ^ 0x5EED,
        )?)
    } else {
        None
    };
    let shifts = (0..SHIFT_POINTS)
        .map(|k| quorum_model::dist::Delay::quantile(leg, (k as f64 + 0.5) / SHIFT_POINTS as f64))
        .collect();
    Ok(Prediction {
        topology: spec,
        p_replica: n as f64 / nodes as f64,
        leg: leg.clone(),
        shifts,
        replica_reader,
        other_reader,
    })
}

/// The delay law plus `extra` drawn from `samples` (ms), as one law.
pub fn plus_samples(law: &Dist, samples: &[f64]) -> Result<Dist, String> {
    if samples.is_empty() {
        return Ok(law.clone());
    }
    let late =
        Dist::Empirical(Empirical::from_samples(samples.to_vec()).map_err(|e| e.to_string())?);
    Ok(quorum_model::dist::Sum::of(vec![law.clone(), late]))
}

/// An empirical law from measured delays (ms).
pub fn measured_law(samples: &[f64]) -> Result<Dist, String> {
    Ok(Dist::Empirical(
        Empirical::from_samples(samples.to_vec()).map_err(|e| e.to_string())?,
    ))
}

impl Prediction {
    fn p_reader(&self, t: f64) -> f64 {
        let a = self.replica_reader.p_consistent_at(t).estimate;
        match &self.other_reader {
            Some(b) => self.p_replica * a + (1.0 - self.p_replica) * b.p_consistent_at(t).estimate,
            None => a,
        }
    }

    /// P(a read `t_ms` after the client's acknowledgment sees the write).
    pub fn p_consistent_at(&self, t_ms: f64) -> f64 {
        let direct = self.p_reader(t_ms);
        if self.p_replica >= 1.0 {
            return direct;
        }
        let forwarded = self
            .shifts
            .iter()
            .map(|x| self.p_reader(t_ms + x))
            .sum::<f64>()
            / self.shifts.len() as f64;
        self.p_replica * direct + (1.0 - self.p_replica) * forwarded
    }

    /// The same, were Garage's choice of replica shared rather than drawn
    /// for each operation: every node that holds no replica sends its
    /// writes and its reads to one replica (`request_order` prefers the
    /// lowest measured ping, the same for all of them when the pings
    /// agree), so a read through such a node of a write forwarded through
    /// one finds it at once. `None` with as many nodes as replicas.
    pub fn p_consistent_at_sticky(&self, t_ms: f64) -> Option<f64> {
        if self.p_replica >= 1.0 {
            return None;
        }
        let a = |t: f64| self.replica_reader.p_consistent_at(t).estimate;
        let forwarded = self
            .shifts
            .iter()
            .map(|x| self.p_replica * a(t_ms + x) + (1.0 - self.p_replica))
            .sum::<f64>()
            / self.shifts.len() as f64;
        Some(self.p_replica * self.p_reader(t_ms) + (1.0 - self.p_replica) * forwarded)
    }

    /// The smallest t on a fine scan where [`Self::p_consistent_at`]
    /// reaches `p` (for the measurement's grid).
    pub fn t_visibility(&self, p: f64) -> Option<f64> {
        let hi = self.replica_reader.t_visibility(p).estimate()?
            + self
                .other_reader
                .as_ref()
                .and_then(|b| b.t_visibility(p).estimate())
                .unwrap_or(0.0);
        let hi = hi.max(1e-3) * 2.0;
        (0..=400)
            .map(|i| hi * i as f64 / 400.0)
            .find(|&t| self.p_consistent_at(t) >= p)
    }

    /// `m` draws of the client's write (`write = true`) or read latency as
    /// the model has it, each plus a draw of `overhead` (Garage's own cost,
    /// measured on the same workload with the delays off), sorted;
    /// reproducible from `seed`.
    pub fn latency_draws(&self, write: bool, overhead: &[f64], m: usize, seed: u64) -> Vec<f64> {
        const POINTS: usize = 2000;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        // Each simulation's quantile function at the midpoints of POINTS
        // equal slices: a draw is one of them (inverse transform sampling).
        let table = |sim: &ClusterResult| -> Vec<Option<f64>> {
            (0..POINTS)
                .map(|k| {
                    let u = (k as f64 + 0.5) / POINTS as f64;
                    if write {
                        sim.write_latency(u)
                    } else {
                        sim.read_latency(u)
                    }
                    .estimate()
                })
                .collect()
        };
        let own = table(&self.replica_reader);
        let other = self.other_reader.as_ref().map(table);
        // The calibration mixes operations coordinated by a replica (the
        // cheaper: a local copy) and by another node in the same
        // proportions as the run: its fastest `p_replica` share goes with
        // the former, the rest with the latter.
        let mut overhead = overhead.to_vec();
        overhead.sort_by(f64::total_cmp);
        let split = ((overhead.len() as f64 * self.p_replica).round() as usize).min(overhead.len());
        let overhead = &overhead[..];
        let mut out = Vec::with_capacity(m);
        for _ in 0..m {
            let k = rng.random_range(0..POINTS);
            let replica = rng.random::<f64>() < self.p_replica;
            let base = match (&other, write || replica) {
                (Some(b), false) => b[k],
                _ => own[k],
            };
            let Some(mut x) = base else { continue };
            if write && !replica {
                x += self.leg.sample(&mut rng) + self.leg.sample(&mut rng);
            }
            let own = if replica {
                &overhead[..split]
            } else {
                &overhead[split..]
            };
            let own = if own.is_empty() { overhead } else { own };
            if !own.is_empty() {
                x += own[rng.random_range(0..own.len())];
            }
            out.push(x);
        }
        out.sort_by(f64::total_cmp);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::seq::SliceRandom;

    /// Garage's paths simulated directly, independently of the model's
    /// cluster simulation: `(P(consistent at t) for each t, write
    /// latencies)`. Replicas are nodes `0..n`; the client asks a node
    /// drawn uniformly; a node with no replica forwards a write to a
    /// random replica `S` (one delay there, one back) and reads `r` random
    /// replicas; a replica reads itself and `r - 1` random others.
    fn direct(
        nodes: usize,
        n: usize,
        (r, w): (usize, usize),
        ts: &[f64],
        trials: usize,
    ) -> (Vec<f64>, Vec<f64>) {
        let leg: Dist = "exp(mean=1)".parse().unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(99);
        let mut seen = vec![0usize; ts.len()];
        let mut latencies = Vec::with_capacity(trials);
        let mut d = || leg.sample(&mut rng);
        let mut pick = Xoshiro256PlusPlus::seed_from_u64(7);
        for _ in 0..trials {
            let gateway = pick.random_range(0..nodes);
            let (s, before, after) = if gateway < n {
                (gateway, 0.0, 0.0)
            } else {
                (pick.random_range(0..n), d(), d())
            };
            // When each replica has the write, and S's acks.
            let mut arrival = vec![0.0; n];
            let mut acks = vec![0.0];
            for (j, a) in arrival.iter_mut().enumerate() {
                if j == s {
                    *a = before;
                } else {
                    let wj = d();
                    *a = before + wj;
                    acks.push(wj + d());
                }
            }
            acks.sort_by(f64::total_cmp);
            let commit = before + acks[w - 1] + after;
            latencies.push(commit);
            let reader = pick.random_range(0..nodes);
            let mut replicas: Vec<usize> = (0..n).collect();
            replicas.shuffle(&mut pick);
            let asked: Vec<usize> = if reader < n {
                std::iter::once(reader)
                    .chain(replicas.into_iter().filter(|&j| j != reader).take(r - 1))
                    .collect()
            } else {
                replicas.into_iter().take(r).collect()
            };
            let request: Vec<(usize, f64)> = asked
                .iter()
                .map(|&j| (j, if j == reader { 0.0 } else { d() }))
                .collect();
            for (k, t) in ts.iter().enumerate() {
                if request.iter().any(|&(j, rj)| arrival[j] <= commit + t + rj) {
                    seen[k] += 1;
                }
            }
        }
        latencies.sort_by(f64::total_cmp);
        (
            seen.iter().map(|&k| k as f64 / trials as f64).collect(),
            latencies,
        )
    }

    fn agree(nodes: usize, n: usize, quorums: (usize, usize)) {
        let ts = [0.0, 0.5, 1.0, 2.0, 4.0];
        let (expected, latencies) = direct(nodes, n, quorums, &ts, 200_000);
        let model = predict(
            nodes,
            n,
            quorums,
            &"exp(mean=1)".parse().unwrap(),
            200_000,
            5,
        )
        .unwrap();
        for (t, e) in ts.iter().zip(&expected) {
            let p = model.p_consistent_at(*t);
            // Two Monte Carlo estimates of 200k trials: a few 1e-3 apart.
            assert!(
                (p - e).abs() < 0.008,
                "{nodes} nodes {quorums:?} t={t}: model {p}, direct {e}"
            );
        }
        let draws = model.latency_draws(true, &[], 200_000, 3);
        for q in [0.5, 0.9, 0.99] {
            let (a, b) = (
                draws[(q * draws.len() as f64) as usize],
                latencies[(q * latencies.len() as f64) as usize],
            );
            assert!(
                (a - b).abs() <= 0.03 * b + 1e-9,
                "{nodes} nodes {quorums:?} write p{q}: model {a}, direct {b}"
            );
        }
    }

    #[test]
    fn three_nodes_match_a_direct_simulation_of_garage_paths() {
        agree(3, 3, (1, 2));
        agree(3, 3, (2, 2));
    }

    #[test]
    fn five_nodes_mixture_matches_a_direct_simulation_of_garage_paths() {
        agree(5, 3, (1, 2));
        agree(5, 3, (2, 2));
        agree(5, 3, (1, 1));
    }

    #[test]
    fn the_overhead_is_split_between_replica_and_forwarded_operations() {
        let model = predict(5, 3, (1, 1), &"const(0)".parse().unwrap(), 10_000, 1).unwrap();
        // With no delay, r = w = 1: a replica's operation costs only its
        // own share (the cheap 60%), another node's only the rest.
        let own: Vec<f64> = (0..100).map(|i| if i < 60 { 1.0 } else { 10.0 }).collect();
        let draws = model.latency_draws(false, &own, 20_000, 2);
        let cheap = draws.iter().filter(|&&x| x == 1.0).count() as f64 / draws.len() as f64;
        assert!((cheap - 0.6).abs() < 0.02, "{cheap}");
    }
}
