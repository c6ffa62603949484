//! The WARS Monte Carlo engine (PBS, Bailis et al., VLDB 2012, §4).
//!
//! Per trial and replica `i`, four independent one-way delays are drawn:
//! `Wᵢ` (write delivery), `Aᵢ` (its ack), `Rᵢ` (read request), `Sᵢ` (read
//! response). The write commits at `w_t`, the w-th smallest `Wᵢ + Aᵢ`; the
//! read's responders are the r replicas with the smallest `Rᵢ + Sᵢ`. A read
//! issued `t` ms after commit sees the write iff some responder has
//! `w_t + t + Rᵢ >= Wᵢ`, so each trial has a threshold
//!
//! `t* = max(0, min over responders of (Wᵢ − Rᵢ − w_t))`
//!
//! and `P(consistent at t) = P(t* <= t)`: one pass gives the whole
//! t-visibility curve. Every (r, w) for the same n is evaluated on the same
//! trials (common random numbers), so comparisons between configurations
//! carry no sampling noise of their own.
//!
//! Failures: the set of down replicas is drawn at write time and,
//! independently, at read time from the scenario's failure model (clustered
//! under shared repair crews, whole domains at once under failure domains;
//! see [`crate::failure::sample`]); a model with durations (repair) keeps
//! the write's set for the read, milliseconds later (reads hours later are
//! [`super::timeline`]'s). Down at write time, it never receives the write
//! within the horizon (`Wᵢ = ∞`) and cannot ack; down at read time, it does
//! not answer. A trial whose write gets fewer than `w` acks (or whose read gets
//! fewer than `r` responses) counts against availability and is left out of
//! the staleness statistics, which are conditional on a committed write and an
//! answered read. With `timeout_ms`, operations slower than that fail too.
//!
//! With `k_versions = K > 1`, each trial runs K writes back to back (each
//! starts when the previous one commits) and also asks whether the read
//! returns one of the last K versions: replica i holds one of them once the
//! earliest of their deliveries has arrived.
//!
//! Reproducibility: trials are cut into fixed chunks of [`CHUNK`] trials, and
//! chunk `c` draws from a generator seeded by `(seed, c)` alone. Results are
//! integer counts, merged by addition, so the bytes do not depend on the
//! number of threads or on which thread ran which chunk.
//!
//! Chunks are `CHUNK` trials long so that a 1M-trial run has ~250 of them to
//! share out dynamically among workers.

use super::histogram::LogHistogram;
use crate::dist::presets::Wars;
use crate::dist::Dist;
use crate::failure::{DownSampler, FailureModel};
use crate::fanout::Fanout;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::sync::atomic::{AtomicU64, Ordering};

/// Trials per chunk: the unit of seeding and of parallel work.
pub const CHUNK: u64 = 4096;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct Setup {
    /// Replicas.
    pub n: usize,
    /// Write delivery delay, coordinator to replica, ms.
    pub w: Dist,
    /// Write ack delay, replica to coordinator, ms.
    pub a: Dist,
    /// Read request delay, ms.
    pub r: Dist,
    /// Read response delay, ms.
    pub s: Dist,
    /// Extra one-way delay to every non-local replica (WAN), 0 otherwise.
    pub remote_ms: f64,
    /// Which replicas are down (drawn from the scenario's failure model).
    pub failure: DownSampler,
    /// Operations slower than this fail.
    pub timeout_ms: Option<f64>,
    /// Versions for "read one of the last K" (1: only the latest).
    pub k_versions: u32,
    /// The (r, w) configurations to tally; all of them by default. A single
    /// pair keeps large n cheap (`eval` simulates only its own).
    pub pairs: Vec<(usize, usize)>,
    /// Quorum fan-out: the read goes to r live replicas picked uniformly at
    /// random (not the r fastest) and waits for all of them.
    pub read_fanout: Fanout,
    /// With quorum fan-out, per read quorum r (index r − 1): after this
    /// many ms without all r answers the read also asks one more random
    /// live replica and completes with the first r answers (speculative
    /// retry); `None` or absent: never.
    pub retry_ms: Vec<Option<f64>>,
}

impl Setup {
    /// The simulation of `n` replicas under `wars` and `failure`.
    pub fn new(wars: &Wars, failure: &FailureModel, n: usize) -> Self {
        Setup {
            n,
            w: wars.w.clone(),
            a: wars.a.clone(),
            r: wars.r.clone(),
            s: wars.s.clone(),
            remote_ms: wars.remote_one_way_ms(),
            failure: failure.sampler(n),
            timeout_ms: None,
            k_versions: 1,
            pairs: (1..=n).flat_map(|r| (1..=n).map(move |w| (r, w))).collect(),
            read_fanout: Fanout::All,
            retry_ms: Vec::new(),
        }
    }

    /// The read quorums of the pairs, increasing.
    pub fn rs_asked(&self) -> Vec<usize> {
        let mut rs: Vec<usize> = self.pairs.iter().map(|p| p.0).collect();
        rs.sort_unstable();
        rs.dedup();
        rs
    }

    /// Only the given (r, w) pairs.
    pub fn with_pairs(mut self, pairs: Vec<(usize, usize)>) -> Self {
        self.pairs = pairs;
        self
    }
}

/// Mixes the master seed and a chunk index into a chunk's seed
/// (SplitMix64's finalizer; Steele, Lea & Flood 2014).
pub fn chunk_seed(seed: u64, chunk: u64) -> u64 {
    let mut z = seed ^ chunk.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator of chunk `chunk`.
pub fn chunk_rng(seed: u64, chunk: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(chunk_seed(seed, chunk))
}

/// Counts and histograms from a run; estimates are read off with the
/// methods of [`super::McResult`].
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    pub n: usize,
    pub trials: u64,
    /// The simulated (r, w) pairs; per-pair vectors follow this order.
    pub pairs: Vec<(usize, usize)>,
    /// Distinct write quorums, increasing; per-w vectors follow this order.
    pub ws: Vec<usize>,
    /// Distinct read quorums, increasing.
    pub rs: Vec<usize>,
    /// Trials where the write committed, per w.
    pub write_ok: Vec<u64>,
    /// Trials where the read was answered, per r.
    pub read_ok: Vec<u64>,
    pub write_latency: Vec<LogHistogram>,
    pub read_latency: Vec<LogHistogram>,
    /// Trials with both, per pair.
    pub both_ok: Vec<u64>,
    /// `t*` per pair; `None` for strict pairs, where `t* = 0` always.
    pub t_star: Vec<Option<LogHistogram>>,
    /// Trials (with both ok) whose read returns one of the last K versions
    /// at t = 0, per pair.
    pub within_k: Vec<u64>,
    /// Trials whose read asked one more replica (speculative retry), per r.
    pub retried: Vec<u64>,
}

impl Tally {
    fn new(setup: &Setup) -> Self {
        let n = setup.n;
        let mut ws: Vec<usize> = setup.pairs.iter().map(|p| p.1).collect();
        ws.sort_unstable();
        ws.dedup();
        let mut rs: Vec<usize> = setup.pairs.iter().map(|p| p.0).collect();
        rs.sort_unstable();
        rs.dedup();
        let t_star = setup
            .pairs
            .iter()
            .map(|&(r, w)| (r + w <= n).then(LogHistogram::new))
            .collect();
        let np = setup.pairs.len();
        Tally {
            n,
            trials: 0,
            pairs: setup.pairs.clone(),
            write_ok: vec![0; ws.len()],
            read_ok: vec![0; rs.len()],
            write_latency: ws.iter().map(|_| LogHistogram::new()).collect(),
            read_latency: rs.iter().map(|_| LogHistogram::new()).collect(),
            both_ok: vec![0; np],
            t_star,
            within_k: vec![0; np],
            retried: vec![0; rs.len()],
            ws,
            rs,
        }
    }

    /// Index of pair (r, w), if simulated.
    pub fn pair_index(&self, r: usize, w: usize) -> Option<usize> {
        self.pairs.iter().position(|p| *p == (r, w))
    }

    pub fn w_index(&self, w: usize) -> Option<usize> {
        self.ws.binary_search(&w).ok()
    }

    pub fn r_index(&self, r: usize) -> Option<usize> {
        self.rs.binary_search(&r).ok()
    }

    fn merge(mut self, other: Tally) -> Tally {
        self.trials += other.trials;
        for (a, b) in self.write_ok.iter_mut().zip(&other.write_ok) {
            *a += b;
        }
        for (a, b) in self.read_ok.iter_mut().zip(&other.read_ok) {
            *a += b;
        }
        for (a, b) in self.retried.iter_mut().zip(&other.retried) {
            *a += b;
        }
        for (a, b) in self.both_ok.iter_mut().zip(&other.both_ok) {
            *a += b;
        }
        for (a, b) in self.within_k.iter_mut().zip(&other.within_k) {
            *a += b;
        }
        for (a, b) in self.write_latency.iter_mut().zip(&other.write_latency) {
            a.merge(b);
        }
        for (a, b) in self.read_latency.iter_mut().zip(&other.read_latency) {
            a.merge(b);
        }
        for (a, b) in self.t_star.iter_mut().zip(&other.t_star) {
            if let (Some(a), Some(b)) = (a, b) {
                a.merge(b);
            }
        }
        self
    }
}

/// Per-trial working memory, allocated once per worker.
struct Scratch {
    /// Write delivery time of each version at each replica (`∞` if down),
    /// version-major: `deliver[j * n + i]`.
    deliver: Vec<f64>,
    /// Round trip `W + A` of each version.
    round: Vec<f64>,
    sorted: Vec<f64>,
    r_leg: Vec<f64>,
    rs: Vec<f64>,
    order: Vec<usize>,
    /// Commit time of the last version and start of each version, per w.
    commit: Vec<f64>,
    starts: Vec<f64>,
    down_w: Vec<bool>,
    down_r: Vec<bool>,
    /// Working memory of the failure sampler.
    picks: Vec<usize>,
    prefix_min: Vec<f64>,
    read_at: Vec<f64>,
    /// Whether the read of quorum r + 1 asked one more replica.
    retried: Vec<bool>,
}

impl Scratch {
    fn new(n: usize, k: usize) -> Self {
        Scratch {
            deliver: vec![0.0; n * k],
            round: vec![0.0; n * k],
            sorted: vec![0.0; n],
            r_leg: vec![0.0; n],
            rs: vec![0.0; n],
            order: (0..n).collect(),
            retried: vec![false; n],
            commit: vec![0.0; n],
            starts: vec![0.0; n * k],
            down_w: vec![false; n],
            down_r: vec![false; n],
            picks: Vec::with_capacity(n),
            prefix_min: vec![0.0; n],
            read_at: vec![0.0; n],
        }
    }
}

/// Insertion sort where n is small (it beats the general sort there).
#[inline]
fn sort_small(v: &mut [f64]) {
    if v.len() > 32 {
        v.sort_unstable_by(f64::total_cmp);
        return;
    }
    for i in 1..v.len() {
        let x = v[i];
        let mut j = i;
        while j > 0 && v[j - 1] > x {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
    }
}

/// Replica indices in increasing order of `key`.
#[inline]
fn order_by(order: &mut [usize], key: &[f64]) {
    for (i, o) in order.iter_mut().enumerate() {
        *o = i;
    }
    if order.len() > 32 {
        order.sort_unstable_by(|a, b| key[*a].total_cmp(&key[*b]));
        return;
    }
    for i in 1..order.len() {
        let x = order[i];
        let kx = key[x];
        let mut j = i;
        while j > 0 && key[order[j - 1]] > kx {
            order[j] = order[j - 1];
            j -= 1;
        }
        order[j] = x;
    }
}

/// Up to this many replicas every order statistic comes from sorting;
/// beyond, when few are requested, each comes from a selection (O(n)).
const SMALL_N: usize = 32;
/// At most this many distinct quorum sizes for the selection path.
const SELECT_MAX: usize = 4;

#[inline]
fn finite_within(x: f64, horizon: f64) -> f64 {
    if x.is_finite() && x <= horizon {
        x
    } else {
        f64::INFINITY
    }
}

/// Fills `commit[w-1]` for every w, and `read_at[r-1]`, `prefix_min[r-1]`
/// (the minimum of `W − R` over the first r responders) for r up to `max_r`.
fn order_statistics_by_sorting(sc: &mut Scratch, last: usize, max_r: usize, horizon: f64) {
    let n = sc.rs.len();
    sc.sorted.copy_from_slice(&sc.round[last..last + n]);
    sort_small(&mut sc.sorted);
    for w in 0..n {
        sc.commit[w] = finite_within(sc.sorted[w], horizon);
    }
    order_by(&mut sc.order, &sc.rs);
    let mut m = f64::INFINITY;
    for r in 0..max_r {
        let i = sc.order[r];
        m = m.min(sc.deliver[last + i] - sc.r_leg[i]);
        sc.prefix_min[r] = m;
        sc.read_at[r] = finite_within(sc.rs[i], horizon);
    }
}

/// As [`order_statistics_by_sorting`] under quorum fan-out: the read's r
/// replicas are the first r of a uniformly random order of the live ones
/// (down ones last: a failure detector steers around them), and the read
/// completes when the slowest of them answers.
fn order_statistics_quorum_fanout<R: Rng>(
    sc: &mut Scratch,
    last: usize,
    max_r: usize,
    horizon: f64,
    retry: &[Option<f64>],
    rng: &mut R,
) {
    let n = sc.rs.len();
    sc.sorted.copy_from_slice(&sc.round[last..last + n]);
    sort_small(&mut sc.sorted);
    for w in 0..n {
        sc.commit[w] = finite_within(sc.sorted[w], horizon);
    }
    // Live replicas first, in their index order, then shuffled.
    let mut live = 0;
    for i in 0..n {
        if sc.rs[i].is_finite() {
            sc.order[live] = i;
            live += 1;
        }
    }
    let mut d = live;
    for i in 0..n {
        if !sc.rs[i].is_finite() {
            sc.order[d] = i;
            d += 1;
        }
    }
    for j in 0..live.saturating_sub(1) {
        let pick = rng.random_range(j..live);
        sc.order.swap(j, pick);
    }
    let (mut m, mut slowest) = (f64::INFINITY, 0.0f64);
    for r in 0..max_r {
        let i = sc.order[r];
        m = m.min(sc.deliver[last + i] - sc.r_leg[i]);
        slowest = slowest.max(sc.rs[i]);
        sc.prefix_min[r] = m;
        sc.read_at[r] = finite_within(slowest, horizon);
        sc.retried[r] = false;
        // Speculative retry: the r + 1 asked have not all answered by τ
        // and another live replica exists; it is asked at τ, and the read
        // completes with the first r + 1 of the r + 2 answers.
        let Some(tau) = retry.get(r).copied().flatten() else {
            continue;
        };
        if r + 1 >= live || slowest <= tau || !slowest.is_finite() {
            continue;
        }
        sc.retried[r] = true;
        let e = sc.order[r + 1];
        let te = tau + sc.rs[e];
        if te >= slowest {
            continue;
        }
        // The slowest asked replica drops out of the responders.
        let slow_j = (0..=r)
            .max_by(|&a, &b| sc.rs[sc.order[a]].total_cmp(&sc.rs[sc.order[b]]))
            .expect("r + 1 asked");
        let (mut second, mut m2) = (0.0f64, sc.deliver[last + e] - sc.r_leg[e] - tau);
        for j in (0..=r).filter(|&j| j != slow_j) {
            let k = sc.order[j];
            second = second.max(sc.rs[k]);
            m2 = m2.min(sc.deliver[last + k] - sc.r_leg[k]);
        }
        sc.read_at[r] = finite_within(second.max(te), horizon);
        sc.prefix_min[r] = m2;
    }
}

/// As [`order_statistics_by_sorting`], but only at the requested quorum
/// sizes, each by a selection; `order[..r]` then holds the first r
/// responders (unordered) for the last r requested.
fn order_statistics_by_selection(
    sc: &mut Scratch,
    ws: &[usize],
    rs: &[usize],
    last: usize,
    horizon: f64,
) {
    let n = sc.rs.len();
    for &w in ws {
        sc.sorted.copy_from_slice(&sc.round[last..last + n]);
        let (_, kth, _) = sc.sorted.select_nth_unstable_by(w - 1, f64::total_cmp);
        sc.commit[w - 1] = finite_within(*kth, horizon);
    }
    for (i, o) in sc.order.iter_mut().enumerate() {
        *o = i;
    }
    for &r in rs {
        let key = &sc.rs;
        sc.order
            .select_nth_unstable_by(r - 1, |a, b| key[*a].total_cmp(&key[*b]));
        let mut m = f64::INFINITY;
        for &i in &sc.order[..r] {
            m = m.min(sc.deliver[last + i] - sc.r_leg[i]);
        }
        sc.prefix_min[r - 1] = m;
        sc.read_at[r - 1] = finite_within(sc.rs[sc.order[r - 1]], horizon);
    }
}

/// Draws both legs of a round trip for every replica and hands them to
/// `put(i, out, back)`. Under WAN, one replica drawn uniformly is local to
/// this operation's coordinator; the others pay `remote_ms` on each leg.
#[inline]
pub(crate) fn draw_round_trip<R: Rng, F: FnMut(usize, f64, f64)>(
    out: &Dist,
    back: &Dist,
    remote_ms: f64,
    wan: bool,
    n: usize,
    rng: &mut R,
    mut put: F,
) {
    let local = if wan {
        rng.random_range(0..n)
    } else {
        usize::MAX
    };
    for i in 0..n {
        let extra = if wan && i != local { remote_ms } else { 0.0 };
        let x = out.sample(rng) + extra;
        let y = back.sample(rng) + extra;
        put(i, x, y);
    }
}

/// Runs trials `[first, first + count)` of chunk `chunk` into `tally`.
fn run_chunk(
    setup: &Setup,
    seed: u64,
    chunk: u64,
    count: u64,
    tally: &mut Tally,
    sc: &mut Scratch,
) {
    let n = setup.n;
    let kv = setup.k_versions as usize;
    let mut rng = chunk_rng(seed, chunk);
    let wan = setup.remote_ms > 0.0 && n > 1;
    let any_failures = setup.failure.any();
    let horizon = setup.timeout_ms.unwrap_or(f64::INFINITY);
    let max_r = setup.pairs.iter().map(|p| p.0).max().unwrap_or(0);
    // Selection pays when n is large and few quorum sizes are asked for;
    // K versions need the full arrival order.
    let select = n > SMALL_N
        && tally.ws.len() + tally.rs.len() <= SELECT_MAX
        && kv == 1
        && setup.read_fanout == Fanout::All;
    for _ in 0..count {
        // Failures first, so a replica's state holds for the whole trial.
        if any_failures {
            setup
                .failure
                .draw_pair(&mut rng, &mut sc.down_w, &mut sc.down_r, &mut sc.picks);
        }
        // Writes (K versions; the last one is "the" write), then the read.
        for j in 0..kv {
            draw_round_trip(
                &setup.w,
                &setup.a,
                setup.remote_ms,
                wan,
                n,
                &mut rng,
                |i, w, a| {
                    let down = sc.down_w[i];
                    sc.deliver[j * n + i] = if down { f64::INFINITY } else { w };
                    sc.round[j * n + i] = if down { f64::INFINITY } else { w + a };
                },
            );
        }
        draw_round_trip(
            &setup.r,
            &setup.s,
            setup.remote_ms,
            wan,
            n,
            &mut rng,
            |i, r, s| {
                sc.r_leg[i] = r;
                sc.rs[i] = if sc.down_r[i] { f64::INFINITY } else { r + s };
            },
        );
        // Commit of the last version for each w: the w-th smallest round
        // trip, after the earlier versions committed back to back.
        let last = (kv - 1) * n;
        if setup.read_fanout != Fanout::All {
            order_statistics_quorum_fanout(sc, last, max_r, horizon, &setup.retry_ms, &mut rng);
        } else if !select {
            order_statistics_by_sorting(sc, last, max_r, horizon);
        } else {
            order_statistics_by_selection(sc, &tally.ws, &tally.rs, last, horizon);
        }
        for (wi, &w) in tally.ws.iter().enumerate() {
            let latency = sc.commit[w - 1];
            if latency.is_finite() {
                tally.write_ok[wi] += 1;
                tally.write_latency[wi].record(latency);
            }
        }
        for (ri, &r) in tally.rs.iter().enumerate() {
            if sc.retried[r - 1] && setup.read_fanout != Fanout::All {
                tally.retried[ri] += 1;
            }
            let latency = sc.read_at[r - 1];
            if latency.is_finite() {
                tally.read_ok[ri] += 1;
                tally.read_latency[ri].record(latency);
            }
        }
        for (pi, &(r, w)) in setup.pairs.iter().enumerate() {
            let commit = sc.commit[w - 1];
            if !(commit.is_finite() && sc.read_at[r - 1].is_finite()) {
                continue;
            }
            tally.both_ok[pi] += 1;
            if let Some(h) = &mut tally.t_star[pi] {
                let t = sc.prefix_min[r - 1] - commit;
                if t <= 0.0 {
                    h.record_zero();
                } else {
                    h.record(t);
                }
            }
        }
        if kv > 1 {
            tally_versions(setup, sc, tally);
        }
    }
    tally.trials += count;
}

/// "Does the read return one of the last K versions at t = 0?" for every
/// pair: versions start back to back, so their start times depend on w.
fn tally_versions(setup: &Setup, sc: &mut Scratch, tally: &mut Tally) {
    let n = setup.n;
    let kv = setup.k_versions as usize;
    for (pi, &(r, w)) in setup.pairs.iter().enumerate() {
        if !(sc.commit[w - 1].is_finite() && sc.read_at[r - 1].is_finite()) {
            continue;
        }
        // Start of each version: the previous version's commit.
        let mut start = 0.0;
        for j in 0..kv {
            sc.starts[j] = start;
            sc.sorted.copy_from_slice(&sc.round[j * n..(j + 1) * n]);
            sort_small(&mut sc.sorted);
            start += sc.sorted[w - 1];
        }
        if !start.is_finite() {
            continue;
        }
        // Replica i holds one of the K versions from its earliest delivery.
        let mut m = f64::INFINITY;
        for &i in &sc.order[..r] {
            let mut e = f64::INFINITY;
            for j in 0..kv {
                e = e.min(sc.starts[j] + sc.deliver[j * n + i]);
            }
            m = m.min(e - sc.r_leg[i] - start);
        }
        if m <= 0.0 {
            tally.within_k[pi] += 1;
        }
    }
}

/// The shared chunk counter, alone on its cache lines so that claiming a
/// chunk never invalidates data the workers read.
#[repr(align(128))]
struct PaddedCounter(AtomicU64);

/// Runs chunks `0..chunks` on `threads` workers (`None`: all cores), each
/// with its own state from `fresh`, taking the next unclaimed chunk from a
/// shared counter (so a slower core simply does fewer); returns every
/// worker's state, to be merged. Which worker ran a chunk must never show
/// in the merged result: `run` draws only from the chunk's own generator.
pub(crate) fn on_workers<W: Send>(
    chunks: u64,
    threads: Option<usize>,
    fresh: impl Fn() -> W + Sync,
    run: impl Fn(&mut W, u64) + Sync,
) -> Vec<W> {
    let workers = threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, chunks.max(1) as usize);
    let next = PaddedCounter(AtomicU64::new(0));
    let worker = || {
        let mut state = fresh();
        loop {
            let c = next.0.fetch_add(1, Ordering::Relaxed);
            if c >= chunks {
                return state;
            }
            run(&mut state, c);
        }
    };
    if workers == 1 {
        return vec![worker()];
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers).map(|_| scope.spawn(worker)).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a simulation worker panicked"))
            .collect()
    })
}

/// Runs `trials` trials with `threads` workers (`None`: all cores).
///
/// Each worker owns one tally and takes the next unclaimed chunk from a
/// shared counter, so a slower core simply does fewer chunks; tallies are
/// added at the end. Which worker ran a chunk never shows in the result.
pub fn simulate(setup: &Setup, trials: u64, seed: u64, threads: Option<usize>) -> Tally {
    let chunks = trials.div_ceil(CHUNK);
    let count = |c: u64| CHUNK.min(trials - c * CHUNK);
    let kv = setup.k_versions.max(1) as usize;
    on_workers(
        chunks,
        threads,
        || (Tally::new(setup), Scratch::new(setup.n, kv)),
        |(tally, sc), c| run_chunk(setup, seed, c, count(c), tally, sc),
    )
    .into_iter()
    .map(|w| w.0)
    .reduce(Tally::merge)
    .expect("at least one worker")
}

/// The "sampling floor": draws the same `4n` variates per trial from the
/// same generator and only sums them. The engine's speed is measured
/// against this (benchmarks).
pub fn sampling_floor(setup: &Setup, trials: u64, seed: u64) -> f64 {
    let mut total = 0.0;
    for c in 0..trials.div_ceil(CHUNK) {
        let mut rng = chunk_rng(seed, c);
        for _ in 0..CHUNK.min(trials - c * CHUNK) {
            for _ in 0..setup.n {
                total += setup.w.sample(&mut rng) + setup.a.sample(&mut rng);
                total += setup.r.sample(&mut rng) + setup.s.sample(&mut rng);
            }
        }
    }
    total
}
