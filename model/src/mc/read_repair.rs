//! Read repair by simulation: how often a read's replies disagree, and what
//! blocking repair adds to its latency.
//!
//! Per trial, as in the WARS engine (`mc::engine`): the down replicas
//! (one draw for the write and the read under a model with durations), the
//! write's `W`, `A` legs and its commit at the w-th ack, the read's `R`, `S`
//! legs and its responders (the first `r` live replicas by `R + S`, or `r`
//! live ones at random with quorum fan-out). A read issued `t` after the
//! commit gets the write from replica `i` iff `Wᵢ ≤ commit + t + Rᵢ`; its
//! replies *disagree* when some responders have it and some do not.
//!
//! - [`ReadRepair::Blocking`]: a read whose replies disagree sends the
//!   newest value to each stale responder and returns once all of them
//!   acked: its latency grows by the slowest of those round trips, each a
//!   fresh `W + A`, counted from the moment it had its `r` replies.
//! - [`ReadRepair::Async`] with chance `P`: the read goes to every replica
//!   and, with probability `P`, compares all their replies after returning:
//!   a repair when any two disagree; no latency.
//!
//! Reads at several `t` pool their latencies (one read per `t` per trial),
//! as `quorum-bench validate` issues them. Single-threaded and seeded, so
//! a seed gives the same bytes.

use super::engine::Setup;
use crate::dist::Dist;
use crate::heal::ReadRepair;
use crate::Fanout;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// What read repair does, per `t`, and the pooled latency of the reads.
#[derive(Debug, Clone, PartialEq)]
pub struct RepairOutcome {
    /// The times after commit, ms.
    pub ts: Vec<f64>,
    /// Reads answered per `t` (after a committed write).
    pub reads: Vec<u64>,
    /// Reads that repaired, per `t`.
    pub repaired: Vec<u64>,
    /// Replicas written by the repairs, per `t`.
    pub replicas_written: Vec<u64>,
    /// Every answered read's latency, ms, sorted.
    pub latencies: Vec<f64>,
}

impl RepairOutcome {
    /// The share of reads that repaired, at `ts[j]`.
    pub fn rate(&self, j: usize) -> f64 {
        self.repaired[j] as f64 / self.reads[j].max(1) as f64
    }

    /// Replicas written by repairs per read, at `ts[j]`: the extra load.
    pub fn writes_per_read(&self, j: usize) -> f64 {
        self.replicas_written[j] as f64 / self.reads[j].max(1) as f64
    }

    /// The share of reads that repaired, over every `t`.
    pub fn pooled_rate(&self) -> f64 {
        let reads: u64 = self.reads.iter().sum();
        self.repaired.iter().sum::<u64>() as f64 / reads.max(1) as f64
    }

    /// The `p`-quantile (0 < p < 1) of the pooled read latency, ms.
    pub fn latency_quantile(&self, p: f64) -> Option<f64> {
        let n = self.latencies.len();
        (n > 0).then(|| self.latencies[((p * n as f64).ceil() as usize).clamp(1, n) - 1])
    }

    /// The mean pooled read latency, ms.
    pub fn latency_mean(&self) -> Option<f64> {
        let n = self.latencies.len();
        (n > 0).then(|| self.latencies.iter().sum::<f64>() / n as f64)
    }
}

/// Simulates `trials` writes of `(r, w)` in `setup`, each read back at every
/// `t` of `ts` under `repair`.
pub fn simulate(
    setup: &Setup,
    (r, w): (usize, usize),
    repair: ReadRepair,
    ts: &[f64],
    trials: u64,
    seed: u64,
) -> RepairOutcome {
    let n = setup.n;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let (mut down_w, mut down_r) = (vec![false; n], vec![false; n]);
    let mut picks = Vec::with_capacity(n);
    let (mut deliver, mut acks) = (vec![0.0; n], vec![0.0; n]);
    let (mut r_leg, mut rs) = (vec![0.0; n], vec![0.0; n]);
    let mut order: Vec<usize> = (0..n).collect();
    let mut out = RepairOutcome {
        ts: ts.to_vec(),
        reads: vec![0; ts.len()],
        repaired: vec![0; ts.len()],
        replicas_written: vec![0; ts.len()],
        latencies: Vec::new(),
    };
    let random = setup.read_fanout != Fanout::All;
    let draw = |d: &Dist, rng: &mut Xoshiro256PlusPlus| d.sample(rng);
    for _ in 0..trials {
        setup
            .failure
            .draw_pair(&mut rng, &mut down_w, &mut down_r, &mut picks);
        for i in 0..n {
            let (x, y) = (draw(&setup.w, &mut rng), draw(&setup.a, &mut rng));
            deliver[i] = if down_w[i] { f64::INFINITY } else { x };
            acks[i] = if down_w[i] { f64::INFINITY } else { x + y };
        }
        acks.sort_unstable_by(f64::total_cmp);
        let commit = acks[w - 1];
        if !commit.is_finite() {
            continue;
        }
        for (k, o) in order.iter_mut().enumerate() {
            *o = k;
        }
        for i in 0..n {
            r_leg[i] = draw(&setup.r, &mut rng);
            rs[i] = r_leg[i] + draw(&setup.s, &mut rng);
        }
        if random {
            for i in 0..n {
                let j = rng.random_range(i..n);
                order.swap(i, j);
            }
        } else {
            order.sort_unstable_by(|&a, &b| rs[a].total_cmp(&rs[b]));
        }
        let live: Vec<usize> = order.iter().copied().filter(|&i| !down_r[i]).collect();
        if live.len() < r {
            continue;
        }
        let responders = &live[..r];
        // The read completes with its r-th reply (all r, with quorum fan-out).
        let base = responders.iter().map(|&i| rs[i]).fold(0.0, f64::max);
        for (j, &t) in ts.iter().enumerate() {
            let fresh = |i: usize| deliver[i] <= commit + t + r_leg[i];
            let compared: &[usize] = match repair {
                ReadRepair::Async(_) => &live,
                _ => responders,
            };
            let some_fresh = compared.iter().any(|&i| fresh(i));
            let some_stale = compared.iter().any(|&i| !fresh(i));
            let disagree = some_fresh && some_stale;
            // Drawn for every read, so that settings share their numbers.
            let coin = rng.random::<f64>();
            let repairs = disagree && coin < repair.chance();
            let mut latency = base;
            if repairs && repair == ReadRepair::Blocking {
                let slowest = responders
                    .iter()
                    .filter(|&&i| !fresh(i))
                    .map(|_| draw(&setup.w, &mut rng) + draw(&setup.a, &mut rng))
                    .fold(0.0, f64::max);
                latency += slowest;
            }
            out.reads[j] += 1;
            out.repaired[j] += u64::from(repairs);
            if repairs {
                let stale = compared.iter().filter(|&&i| !fresh(i)).count();
                out.replicas_written[j] += stale as u64;
            }
            out.latencies.push(latency);
        }
    }
    out.latencies.sort_unstable_by(f64::total_cmp);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::presets::Wars;
    use crate::failure::FailureModel;

    fn setup(n: usize, spec: &str) -> Setup {
        Setup::new(
            &Wars::uniform(spec.parse().unwrap()),
            &FailureModel::NONE,
            n,
        )
    }

    #[test]
    fn one_reply_never_disagrees_and_strict_reads_repair_at_once() {
        let s = setup(3, "exp(mean=1)");
        let one = simulate(&s, (1, 1), ReadRepair::Blocking, &[0.0], 20_000, 1);
        assert_eq!(one.rate(0), 0.0);
        // r = n: every replica replies; with w = 1 the write reached some
        // but, right at the commit, rarely all.
        let all = simulate(&s, (3, 1), ReadRepair::Blocking, &[0.0, 100.0], 20_000, 1);
        assert!(all.rate(0) > 0.3, "{}", all.rate(0));
        assert_eq!(all.rate(1), 0.0, "100 ms later every replica has it");
    }

    /// The exact rate for n = 2, r = 2, w = 1 with every leg exp(1) at
    /// t = 0: the replies disagree iff the replica that did not ack first
    /// has not yet got the write when the read reaches it.
    #[test]
    fn the_rate_matches_an_independent_count() {
        let s = setup(2, "exp(mean=1)");
        let got = simulate(&s, (2, 1), ReadRepair::Blocking, &[0.0], 200_000, 4);
        // Independent estimate by direct simulation of the event.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(99);
        let e = |rng: &mut Xoshiro256PlusPlus| -(1.0 - rng.random::<f64>()).ln();
        let trials = 200_000;
        let mut hits = 0;
        for _ in 0..trials {
            let (w0, a0, w1, a1) = (e(&mut rng), e(&mut rng), e(&mut rng), e(&mut rng));
            let (r0, r1) = (e(&mut rng), e(&mut rng));
            let commit = (w0 + a0).min(w1 + a1);
            let f0 = w0 <= commit + r0;
            let f1 = w1 <= commit + r1;
            hits += u32::from(f0 != f1);
        }
        let want = hits as f64 / trials as f64;
        let sd = (want * (1.0 - want) / trials as f64).sqrt() * 2f64.sqrt();
        assert!(
            (got.rate(0) - want).abs() < 5.0 * sd,
            "{} vs {want}",
            got.rate(0)
        );
    }

    #[test]
    fn blocking_repair_pays_a_round_trip_and_async_none() {
        let s = setup(3, "const(1)");
        // Constant legs of 1 ms: the write commits at 2 ms with w = 1 (all
        // acks tie), every replica has it by then; at t = 0 nobody is stale.
        let none = simulate(&s, (3, 1), ReadRepair::Blocking, &[0.0], 1000, 1);
        assert_eq!(none.pooled_rate(), 0.0);
        assert_eq!(none.latency_quantile(0.99), Some(2.0));
        let s = setup(3, "exp(mean=1)");
        let plain = simulate(&s, (3, 1), ReadRepair::None, &[0.0], 50_000, 2);
        let block = simulate(&s, (3, 1), ReadRepair::Blocking, &[0.0], 50_000, 2);
        let lazy = simulate(&s, (3, 1), ReadRepair::Async(0.5), &[0.0], 50_000, 2);
        assert_eq!(plain.pooled_rate(), 0.0);
        assert!(block.latency_mean().unwrap() > plain.latency_mean().unwrap() + 0.3);
        assert_eq!(lazy.latency_mean(), plain.latency_mean());
        // Async compares all replies, here the same r = n ones, half the time.
        let ratio = lazy.pooled_rate() / block.pooled_rate();
        assert!((0.45..0.55).contains(&ratio), "{ratio}");
    }
}
