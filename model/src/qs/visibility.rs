//! t-visibility of any read and write quorums: PBS's WARS Monte Carlo
//! (Bailis et al., VLDB 2012, §4) with the threshold's "w-th ack" and
//! "first r answers" replaced by "the first time the nodes heard from
//! hold a quorum".
//!
//! Per trial and node `i`, four independent one-way delays are drawn, as
//! for thresholds ([`crate::mc`]): `Wᵢ` (write delivery), `Aᵢ`
//! (its ack), `Rᵢ` (read request), `Sᵢ` (read response). As in PBS the
//! write and the read go to every node. The write commits at `w_t`, the
//! first time the nodes that acked hold a write quorum; the read completes
//! when the nodes that answered hold a read quorum, and takes every answer
//! it has by then. A read issued `t` ms after commit sees the write iff
//! one of its responders got the write before the read request,
//! `w_t + t + Rᵢ >= Wᵢ`, so a trial's
//!
//! `t* = max(0, min over responders of (Wᵢ − Rᵢ − w_t))`
//!
//! gives the whole curve `P(consistent at t) = P(t* <= t)`. Every read
//! quorum of an intersecting system meets the committed write quorum,
//! whose nodes all hold the write, so `t* = 0` there: only partial
//! systems (`--partial`) have a curve. For `choose(r, ...)` reads and
//! `choose(w, ...)` writes this is the threshold engine's model, which a
//! test checks.
//!
//! Failures as in the threshold engine: down sets drawn at write and at
//! read time ([`crate::failure::DownSampler::draw_pair`]); a node down at
//! write time never gets the write; a trial whose write or read finds no
//! quorum up is left out of the staleness figures, which are conditional
//! on both. Under a WAN topology one node, drawn per operation, is local
//! to the coordinator and the others pay the remote one-way delay on each
//! leg.
//!
//! Reproducible: chunk `c` of 4096 trials draws from a generator
//! seeded by `(seed, c)` alone and counts are added, so the bytes do not
//! depend on the number of threads.

use super::QuorumSystem;
use crate::dist::presets::Wars;
use crate::failure::FailureModel;
use crate::mc::engine::{chunk_rng, draw_round_trip, on_workers, CHUNK};
use crate::mc::estimate::quantile;
use crate::mc::histogram::LogHistogram;
use crate::mc::{wilson, Proportion, Quantile};

/// Counts from a run: how many trials, how many had both a committed
/// write and an answered read, and the distribution of their `t*`.
#[derive(Debug, Clone, PartialEq)]
pub struct Visibility {
    /// Trials run.
    pub trials: u64,
    /// Trials whose write committed.
    pub write_ok: u64,
    /// Trials whose read was answered.
    pub read_ok: u64,
    /// Trials with both.
    pub both_ok: u64,
    t_star: LogHistogram,
}

impl Visibility {
    fn new() -> Self {
        Visibility {
            trials: 0,
            write_ok: 0,
            read_ok: 0,
            both_ok: 0,
            t_star: LogHistogram::new(),
        }
    }

    fn merge(mut self, other: Visibility) -> Visibility {
        self.trials += other.trials;
        self.write_ok += other.write_ok;
        self.read_ok += other.read_ok;
        self.both_ok += other.both_ok;
        self.t_star.merge(&other.t_star);
        self
    }

    /// `P(a read t ms after commit sees the write)`, given both succeed,
    /// with its 95% Wilson interval.
    pub fn p_consistent_at(&self, t: f64) -> Proportion {
        let h = &self.t_star;
        let hits = if t <= 0.0 {
            h.zeros() as f64
        } else {
            h.count_at_most(t)
        };
        // Interpolated counts are rounded for the interval.
        wilson(hits.round() as u64, self.both_ok).with_estimate(hits / self.both_ok.max(1) as f64)
    }

    /// The time after commit by which a share `p` of reads see the write
    /// (e.g. 0.999), with its interval; [`Quantile::Infinite`] when more
    /// than `1 − p` never do.
    pub fn t_visibility(&self, p: f64) -> Quantile {
        quantile(&self.t_star, p)
    }
}

/// Per-worker memory.
struct Scratch {
    deliver: Vec<f64>,
    acked: Vec<f64>,
    r_leg: Vec<f64>,
    answered: Vec<f64>,
    order: Vec<usize>,
    down_w: Vec<bool>,
    down_r: Vec<bool>,
    picks: Vec<usize>,
}

/// The first time the nodes heard from (at `times`, `∞` for never) hold
/// a quorum of `is_quorum`, and those nodes as a mask; `None` if they
/// never do. The prefixes of the arrival order grow, so a binary search
/// over their length finds the first quorum in `log n` tests.
fn first_quorum(
    times: &[f64],
    order: &mut [usize],
    is_quorum: impl Fn(u64) -> bool,
) -> Option<(f64, u64)> {
    for (i, o) in order.iter_mut().enumerate() {
        *o = i;
    }
    order.sort_unstable_by(|a, b| times[*a].total_cmp(&times[*b]));
    let live = order.iter().take_while(|&&i| times[i].is_finite()).count();
    let prefix = |k: usize| order[..k].iter().fold(0u64, |m, &i| m | 1 << i);
    if !is_quorum(prefix(live)) {
        return None;
    }
    let (mut lo, mut hi) = (0, live);
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if is_quorum(prefix(mid)) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    // `hi` nodes hold a quorum and `lo` do not (an empty quorum never
    // parses, so `hi >= 1`).
    Some((times[order[hi - 1]], prefix(hi)))
}

/// Runs `trials` trials of the WARS model for `qs` under the legs of
/// `wars` (every node alike) and `failure`, on `threads` workers (`None`:
/// all cores).
///
/// ```
/// use quorum_model::dist::presets::Wars;
/// use quorum_model::failure::FailureModel;
/// use quorum_model::qs::{visibility::simulate, QuorumSystem};
/// let legs = Wars::uniform("exp(mean=1)".parse().unwrap());
/// // Node a reads, node b writes: a read right after commit misses the
/// // write with probability 11/144 (see the tests).
/// let qs = QuorumSystem::partial("a", "b").unwrap();
/// let v = simulate(&qs, &legs, &FailureModel::NONE, 100_000, 1, None);
/// // Within 5 standard deviations, sqrt(p (1 - p) / trials) = 0.00084.
/// assert!((v.p_consistent_at(0.0).estimate - 133.0 / 144.0).abs() < 0.0042);
/// ```
pub fn simulate(
    qs: &QuorumSystem,
    wars: &Wars,
    failure: &FailureModel,
    trials: u64,
    seed: u64,
    threads: Option<usize>,
) -> Visibility {
    let n = qs.n();
    let sampler = failure.sampler(n);
    let any_failures = sampler.any();
    let remote_ms = wars.remote_one_way_ms();
    let wan = remote_ms > 0.0 && n > 1;
    let chunks = trials.div_ceil(CHUNK);
    let fresh = || {
        (
            Visibility::new(),
            Scratch {
                deliver: vec![0.0; n],
                acked: vec![0.0; n],
                r_leg: vec![0.0; n],
                answered: vec![0.0; n],
                order: vec![0; n],
                down_w: vec![false; n],
                down_r: vec![false; n],
                picks: Vec::with_capacity(n),
            },
        )
    };
    let run = |(v, sc): &mut (Visibility, Scratch), c: u64| {
        let mut rng = chunk_rng(seed, c);
        let count = CHUNK.min(trials - c * CHUNK);
        for _ in 0..count {
            if any_failures {
                sampler.draw_pair(&mut rng, &mut sc.down_w, &mut sc.down_r, &mut sc.picks);
            }
            draw_round_trip(&wars.w, &wars.a, remote_ms, wan, n, &mut rng, |i, w, a| {
                let down = sc.down_w[i];
                sc.deliver[i] = if down { f64::INFINITY } else { w };
                sc.acked[i] = if down { f64::INFINITY } else { w + a };
            });
            draw_round_trip(&wars.r, &wars.s, remote_ms, wan, n, &mut rng, |i, r, s| {
                sc.r_leg[i] = r;
                sc.answered[i] = if sc.down_r[i] { f64::INFINITY } else { r + s };
            });
            let write = first_quorum(&sc.acked, &mut sc.order, |m| qs.writes().is_quorum(m));
            let read = first_quorum(&sc.answered, &mut sc.order, |m| qs.reads().is_quorum(m));
            v.write_ok += u64::from(write.is_some());
            v.read_ok += u64::from(read.is_some());
            let (Some((commit, _)), Some((_, responders))) = (write, read) else {
                continue;
            };
            v.both_ok += 1;
            let mut m = f64::INFINITY;
            for i in (0..n).filter(|i| responders >> i & 1 == 1) {
                m = m.min(sc.deliver[i] - sc.r_leg[i]);
            }
            let t = m - commit;
            if t <= 0.0 {
                v.t_star.record_zero();
            } else {
                v.t_star.record(t);
            }
        }
        v.trials += count;
    };
    on_workers(chunks, threads, fresh, run)
        .into_iter()
        .map(|w| w.0)
        .reduce(Visibility::merge)
        .unwrap_or_else(Visibility::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;
    use crate::mc::engine::Setup;

    fn exp1() -> Wars {
        Wars::uniform("exp(mean=1)".parse::<Dist>().unwrap())
    }

    /// Thresholds as `choose`: the same model as the threshold engine, so
    /// the two estimates (different random streams) agree within their
    /// sampling error, over the whole curve.
    #[test]
    fn choose_matches_the_threshold_engine() {
        let trials = 200_000;
        let iid: FailureModel = "iid(p_fail=0.1)".parse().unwrap();
        for (n, r, w, failure) in [
            (3, 1, 1, &FailureModel::NONE),
            (5, 2, 2, &FailureModel::NONE),
            (4, 1, 2, &iid),
            (5, 2, 1, &iid),
        ] {
            let names: Vec<String> = (0..n).map(|i| format!("n{i}")).collect();
            let choose = |k: usize| format!("choose({k}, {})", names.join(", "));
            let qs = QuorumSystem::partial(&choose(r), &choose(w)).unwrap();
            let ours = simulate(&qs, &exp1(), failure, trials, 7, None);
            let setup = Setup::new(&exp1(), failure, n).with_pairs(vec![(r, w)]);
            let theirs = crate::mc::run(&setup, trials, 99, None);
            for t in [0.0, 0.5, 1.0, 2.0] {
                let a = ours.p_consistent_at(t).estimate;
                let b = theirs.p_consistent_at(r, w, t).estimate;
                // Two independent estimates of p: sd of the difference
                // sqrt(2 p (1 - p) / trials) <= 0.0016; 5 sd.
                assert!((a - b).abs() < 0.008, "n={n} r={r} w={w} t={t}: {a} vs {b}");
            }
            let both = theirs.tally.both_ok[0] as f64 / trials as f64;
            let ours_both = ours.both_ok as f64 / trials as f64;
            assert!((both - ours_both).abs() < 0.008, "{both} vs {ours_both}");
        }
    }

    /// Node a reads, node b writes, exponential legs of mean 1. The read
    /// takes every answer it has when a's arrives, so it misses the write
    /// iff a answers before b (`R_a + S_a < U`, U = R_b + S_b of shape 2)
    /// and a got the write after the request (`W_a > R_a + V + t`, V =
    /// W_b + A_b of shape 2). With `P(U > s) = e^{−s}(1 + s)`,
    /// `P(W_a > x) = e^{−x}` and `E[e^{−V}] = 1/4`, the stale share is
    /// `e^{−t}/4 · E[e^{−2R − S}(1 + R + S)]
    ///  = e^{−t}/4 · (1/6 + 1/18 + 1/12) = 11/144 · e^{−t}`.
    #[test]
    fn two_single_nodes_match_the_gamma_closed_form() {
        let qs = QuorumSystem::partial("a", "b").unwrap();
        let v = simulate(&qs, &exp1(), &FailureModel::NONE, 400_000, 3, None);
        for t in [0.0, 0.7, 2.0] {
            let want = 1.0 - 11.0 / 144.0 * f64::exp(-t);
            let p = v.p_consistent_at(t);
            // The histogram interpolates within bins: allow 1e-3 beyond
            // the interval for that.
            assert!(
                p.ci_low - 1e-3 < want && want < p.ci_high + 1e-3,
                "t={t}: {want} not in [{}, {}]",
                p.ci_low,
                p.ci_high
            );
        }
    }

    /// An intersecting system's reads always see the write: every read
    /// quorum meets the committed write quorum.
    #[test]
    fn intersecting_systems_are_always_consistent() {
        let qs = QuorumSystem::new("a*b*c + d*e*f", None).unwrap();
        let failure: FailureModel = "iid(p_fail=0.1)".parse().unwrap();
        let v = simulate(&qs, &exp1(), &failure, 50_000, 5, None);
        assert!(v.both_ok > 40_000 && v.both_ok < v.trials);
        assert_eq!(v.t_star.zeros(), v.both_ok);
    }

    /// The bytes do not depend on the number of workers. Rows read and
    /// rows write (a partial system): the read and the write complete
    /// with the same row half of the time by symmetry, and those reads
    /// see the write, so more than half do.
    #[test]
    fn the_same_bytes_whatever_the_threads() {
        let qs = QuorumSystem::partial("a*b + c*d", "a*b + c*d").unwrap();
        let failure: FailureModel = "iid(p_fail=0.05)".parse().unwrap();
        let one = simulate(&qs, &exp1(), &failure, 30_000, 11, Some(1));
        let four = simulate(&qs, &exp1(), &failure, 30_000, 11, Some(4));
        assert_eq!(one, four);
        assert!(one.p_consistent_at(0.0).estimate > 0.5);
    }
}
