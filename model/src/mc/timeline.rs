//! Failures in time: t-visibility from milliseconds to hours when nodes
//! fail and are repaired, with the mechanisms that heal what they missed
//! ([`crate::heal`]).
//!
//! The WARS engine (`mc::engine`) looks at one instant: which replicas
//! are down is drawn once for the write and once for the read, which is
//! right for a model with only a probability of being down and wrong for a
//! read hours later. Here, under a repair model ([`Repair`]: failure rate
//! `λ = 1/MTTF`, repair rate `μ = 1/MTTR`, `c` crews), each trial follows
//! the whole cluster in time:
//!
//! 1. the state at the write is drawn from the chain's stationary law (each
//!    node down with `MTTR/(MTTF+MTTR)` under a crew per node; with shared
//!    crews the number down from the birth-death chain, a uniformly random
//!    set of that size, queued in random order);
//! 2. the chain is then run forward event by event (Gillespie): each up
//!    node fails at rate `λ`, each of the first `c` queued nodes is repaired
//!    at rate `μ`. Exponential holding times make the residual down time of
//!    a node down at the write exponential with mean MTTR (memoryless) under
//!    a crew per node, and longer behind a queue with shared crews; a read
//!    1 ms after the write finds the same nodes down with probability
//!    `≈ 1 − n·1ms/MTTF`, where the WARS engine redraws them;
//! 3. the write reaches each up replica after its `W` delay and commits at
//!    the w-th ack (with a sloppy quorum, a down replica's hint counts after
//!    a round trip to the node that keeps it). A replica down at the write
//!    has it at its heal time: back at `u` within the hint window, at
//!    `u + replay`; with anti-entropy every `I`, at the first round of its
//!    own uniformly random phase after `u`; the earlier of the two; never
//!    without either;
//! 4. a read issued `t` after the commit goes to the replicas up at that
//!    moment (the `r` fastest by `R + S`, or `r` picked at random with
//!    quorum fan-out) and sees the write iff some responder has it when the
//!    request arrives (`heal ≤ commit + t + R`). Every `t` of a fixed
//!    logarithmic grid is checked on the same trial (common random numbers);
//!    the curve is the fraction per `t`, conditional on a committed write
//!    and an answered read, as in the WARS engine;
//! 5. the limit `t → ∞`: the read meets an independent stationary state and
//!    sees the write iff a responder eventually has it. When it is below the
//!    target the time to that visibility is "never".
//!
//! Simplifications, stated: a replica is durable (it keeps what it had
//! across a failure); a hint is replayed and an anti-entropy round applies
//! even if the replica fails again in between (both take seconds, failures
//! hours); message delays do not depend on failures. The t grid has 20
//! points per decade, and quantiles interpolate between them.
//!
//! Reproducibility is the engine's: chunks of `CHUNK`
//! trials seeded by `(seed, chunk)`, integer counts added.

use super::engine::{chunk_rng, on_workers, CHUNK};
use super::estimate::{wilson, Proportion};
use crate::dist::presets::Wars;
use crate::dist::Delay;
use crate::failure::Repair;
use crate::heal::Healing;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::collections::VecDeque;

/// Milliseconds in an hour.
const HOUR_MS: f64 = 3_600_000.0;
/// Grid points per decade of t.
const PER_DECADE: usize = 20;
/// The grid's first point after 0, ms.
const GRID_LOW_MS: f64 = 1e-3;
/// Most replicas followed in time (every trial runs the whole cluster).
pub const MAX_TIMELINE_N: usize = 64;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct TimelineSetup {
    /// Replicas.
    pub n: usize,
    /// Read quorum.
    pub r: usize,
    /// Write quorum.
    pub w: usize,
    /// The four one-way delays (ms).
    pub wars: Wars,
    /// Failure and repair rates.
    pub repair: Repair,
    /// The healing mechanisms.
    pub healing: Healing,
    /// Reads ask `r` live replicas picked at random (quorum fan-out), not
    /// every replica.
    pub random_reads: bool,
    /// Times after the commit at which reads are checked, ms, increasing,
    /// from 0 to the horizon.
    pub grid: Vec<f64>,
}

impl TimelineSetup {
    /// The simulation of `(n, r, w)` under `repair` and `healing`, on a
    /// grid from 0 to [`TimelineSetup::horizon_ms`].
    pub fn new(
        wars: &Wars,
        repair: Repair,
        healing: Healing,
        (n, r, w): (usize, usize, usize),
        random_reads: bool,
    ) -> Self {
        let mut s = TimelineSetup {
            n,
            r,
            w,
            wars: wars.clone(),
            repair,
            healing,
            random_reads,
            grid: Vec::new(),
        };
        s.grid = log_grid(s.horizon_ms());
        s
    }

    /// Where the curve stops, ms: 30 repair times (behind the queue of
    /// shared crews) after the last mechanism could have acted, so that a
    /// replica still down there has probability below `e^-30`.
    pub fn horizon_ms(&self) -> f64 {
        let crews = self.repair.crews.unwrap_or(self.n).clamp(1, self.n.max(1));
        let queue = self.n.div_ceil(crews) as f64;
        let replay = self.healing.hint_replay.mean();
        let replay = if replay.is_finite() { replay } else { 0.0 };
        let hints = self
            .healing
            .hint_window_ms
            .map_or(0.0, |w| w + 10.0 * replay);
        let ae = self.healing.anti_entropy_interval_ms.unwrap_or(0.0);
        30.0 * self.repair.mttr_hours * HOUR_MS * queue + hints.max(ae)
    }
}

/// 0, then 20 points per decade from 1 µs to `horizon` (which it ends on).
pub fn log_grid(horizon: f64) -> Vec<f64> {
    let decades = (horizon / GRID_LOW_MS).log10().max(0.0);
    let points = (decades * PER_DECADE as f64).ceil() as usize;
    let mut grid = vec![0.0];
    grid.extend((0..=points).map(|i| {
        if i == points {
            horizon
        } else {
            GRID_LOW_MS * 10f64.powf(i as f64 / PER_DECADE as f64)
        }
    }));
    grid
}

/// Counts from a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// The grid, ms after the commit.
    pub grid: Vec<f64>,
    /// Trials run.
    pub trials: u64,
    /// Trials whose write committed.
    pub write_ok: u64,
    /// Per grid point: reads answered.
    pub read_ok: Vec<u64>,
    /// Per grid point: reads that saw the write.
    pub consistent: Vec<u64>,
    /// At `t → ∞`: reads answered.
    pub floor_ok: u64,
    /// At `t → ∞`: reads that saw the write.
    pub floor_consistent: u64,
    /// Committed writes that some replica missed.
    pub missed: u64,
    /// Reads at the grid's points that found exactly the write's down set.
    pub same_down: Vec<u64>,
}

impl Timeline {
    fn new(grid: &[f64]) -> Self {
        Timeline {
            grid: grid.to_vec(),
            trials: 0,
            write_ok: 0,
            read_ok: vec![0; grid.len()],
            consistent: vec![0; grid.len()],
            floor_ok: 0,
            floor_consistent: 0,
            missed: 0,
            same_down: vec![0; grid.len()],
        }
    }

    fn merge(mut self, o: Timeline) -> Self {
        self.trials += o.trials;
        self.write_ok += o.write_ok;
        self.floor_ok += o.floor_ok;
        self.floor_consistent += o.floor_consistent;
        self.missed += o.missed;
        for (a, b) in [
            (&mut self.read_ok, &o.read_ok),
            (&mut self.consistent, &o.consistent),
            (&mut self.same_down, &o.same_down),
        ] {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        self
    }

    /// P(a read `grid[g]` after the commit sees the write), with its 95%
    /// interval.
    pub fn p_consistent(&self, g: usize) -> Proportion {
        wilson(self.consistent[g], self.read_ok[g])
    }

    /// P(a read long after the write sees it), with its 95% interval.
    pub fn p_consistent_eventually(&self) -> Proportion {
        wilson(self.floor_consistent, self.floor_ok)
    }

    /// P(the write commits).
    pub fn write_availability(&self) -> Proportion {
        wilson(self.write_ok, self.trials)
    }

    /// P(a read at `grid[g]` finds exactly the replicas down that the
    /// write found).
    pub fn p_same_down(&self, g: usize) -> f64 {
        self.same_down[g] as f64 / self.write_ok.max(1) as f64
    }

    /// The time after which reads see the write with probability at least
    /// `p`, for good: never when the limit stays below `p`; otherwise the
    /// last crossing of the grid, interpolated (logarithmically in t).
    pub fn t_visibility(&self, p: f64) -> Visibility {
        if self.floor_ok == 0 || self.write_ok == 0 {
            return Visibility::Undefined;
        }
        if self.p_consistent_eventually().estimate < p {
            return Visibility::Never;
        }
        let est = |g: usize| {
            let q = self.p_consistent(g);
            if q.trials == 0 {
                1.0
            } else {
                q.estimate
            }
        };
        let last_below = (0..self.grid.len()).rev().find(|&g| est(g) < p);
        let Some(g) = last_below else {
            return Visibility::At(0.0);
        };
        if g + 1 == self.grid.len() {
            return Visibility::Beyond(self.grid[g]);
        }
        let (t0, t1) = (self.grid[g], self.grid[g + 1]);
        let (p0, p1) = (est(g), est(g + 1));
        let f = ((p - p0) / (p1 - p0)).clamp(0.0, 1.0);
        Visibility::At(if t0 > 0.0 {
            t0 * (t1 / t0).powf(f)
        } else {
            t1 * f
        })
    }

    /// The curve: `(t, P(consistent at t))` at every grid point.
    pub fn curve(&self) -> Vec<(f64, Proportion)> {
        (0..self.grid.len())
            .map(|g| (self.grid[g], self.p_consistent(g)))
            .collect()
    }
}

/// When reads see a write with a given probability, under failures in time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Visibility {
    /// After this many ms.
    At(f64),
    /// Never: too many reads never see it (no mechanism heals the replicas
    /// that missed it).
    Never,
    /// Not within the simulated horizon (ms), though eventually.
    Beyond(f64),
    /// No write committed or no read answered.
    Undefined,
}

impl Visibility {
    /// The time, if finite.
    pub fn ms(self) -> Option<f64> {
        match self {
            Visibility::At(t) => Some(t),
            _ => None,
        }
    }
}

impl std::fmt::Display for Visibility {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Visibility::At(t) => f.write_str(&crate::duration::human(*t)),
            Visibility::Never => f.write_str("never"),
            Visibility::Beyond(t) => write!(f, "beyond {}", crate::duration::human(*t)),
            Visibility::Undefined => f.write_str("undefined"),
        }
    }
}

/// The cluster's failure chain: which nodes are down and the repair queue.
pub(crate) struct Chain {
    n: usize,
    crews: usize,
    /// Failure and repair rates per ms.
    lambda: f64,
    mu: f64,
    p_down: f64,
    /// Cumulative stationary law of the number down (shared crews).
    cumulative: Vec<f64>,
}

impl Chain {
    pub(crate) fn new(repair: &Repair, n: usize) -> Self {
        let crews = repair.crews.unwrap_or(n).clamp(1, n.max(1));
        let cumulative = repair.stationary_cdf(n);
        Chain {
            n,
            crews,
            lambda: 1.0 / (repair.mttf_hours * HOUR_MS),
            mu: 1.0 / (repair.mttr_hours * HOUR_MS),
            p_down: repair.mttr_hours / (repair.mttf_hours + repair.mttr_hours),
            cumulative,
        }
    }

    /// A state from the stationary law: `down` flags and the repair queue
    /// (a uniformly random order of the down nodes; the first `crews` are
    /// being repaired).
    pub(crate) fn stationary<R: Rng>(
        &self,
        rng: &mut R,
        down: &mut [bool],
        queue: &mut VecDeque<usize>,
    ) {
        queue.clear();
        down.iter_mut().for_each(|d| *d = false);
        if self.crews >= self.n {
            for (i, d) in down.iter_mut().enumerate() {
                if rng.random::<f64>() < self.p_down {
                    *d = true;
                    queue.push_back(i);
                }
            }
            return;
        }
        let u: f64 = rng.random();
        let j = self
            .cumulative
            .iter()
            .position(|&c| u < c)
            .unwrap_or(self.n);
        // j distinct nodes in random order (partial Fisher-Yates over the
        // down flags: pick among those not yet down).
        for k in 0..j {
            let pick = rng.random_range(0..self.n - k);
            let i = (0..self.n)
                .filter(|&i| !down[i])
                .nth(pick)
                .expect("enough up nodes");
            down[i] = true;
            queue.push_back(i);
        }
    }

    /// Runs the chain from the state in `down`/`queue` up to `horizon` ms,
    /// appending `(time, node, now down)` to `events`.
    pub(crate) fn run<R: Rng>(
        &self,
        rng: &mut R,
        down: &mut [bool],
        queue: &mut VecDeque<usize>,
        horizon: f64,
        events: &mut Vec<(f64, usize, bool)>,
    ) {
        events.clear();
        let mut t = 0.0;
        loop {
            let n_down = queue.len();
            let up = self.n - n_down;
            let busy = n_down.min(self.crews);
            let fail = up as f64 * self.lambda;
            let rate = fail + busy as f64 * self.mu;
            if rate <= 0.0 {
                return;
            }
            t += -(1.0 - rng.random::<f64>()).ln() / rate;
            if t > horizon {
                return;
            }
            if rng.random::<f64>() * rate < fail {
                let pick = rng.random_range(0..up);
                let i = (0..self.n)
                    .filter(|&i| !down[i])
                    .nth(pick)
                    .expect("an up node");
                down[i] = true;
                queue.push_back(i);
                events.push((t, i, true));
            } else {
                let i = queue
                    .remove(rng.random_range(0..busy))
                    .expect("a node in repair");
                down[i] = false;
                events.push((t, i, false));
            }
        }
    }
}

/// Per-worker memory.
struct Scratch {
    down0: Vec<bool>,
    down: Vec<bool>,
    queue: VecDeque<usize>,
    events: Vec<(f64, usize, bool)>,
    acks: Vec<f64>,
    has_at: Vec<f64>,
    eventually: Vec<bool>,
    r_leg: Vec<f64>,
    rs: Vec<f64>,
    order: Vec<usize>,
}

impl Scratch {
    fn new(n: usize) -> Self {
        Scratch {
            down0: vec![false; n],
            down: vec![false; n],
            queue: VecDeque::with_capacity(n),
            events: Vec::new(),
            acks: vec![0.0; n],
            has_at: vec![0.0; n],
            eventually: vec![false; n],
            r_leg: vec![0.0; n],
            rs: vec![0.0; n],
            order: (0..n).collect(),
        }
    }
}

/// The read: the first `r` up replicas in `order`, if there are `r`, and
/// whether one of them is `fresh`.
fn read_sees(sc: &Scratch, down: &[bool], r: usize, fresh: impl Fn(usize) -> bool) -> Option<bool> {
    let mut seen = 0;
    let mut any = false;
    for &i in &sc.order {
        if down[i] {
            continue;
        }
        seen += 1;
        any |= fresh(i);
        if seen == r {
            return Some(any);
        }
    }
    None
}

fn run_chunk(
    setup: &TimelineSetup,
    chain: &Chain,
    seed: u64,
    chunk: u64,
    count: u64,
    out: &mut Timeline,
    sc: &mut Scratch,
) {
    let n = setup.n;
    let mut rng = chunk_rng(seed, chunk);
    let horizon = *setup.grid.last().unwrap_or(&0.0);
    let heal = &setup.healing;
    let hints = heal.hint_window_ms;
    let ae = heal.anti_entropy_interval_ms;
    for _ in 0..count {
        out.trials += 1;
        chain.stationary(&mut rng, &mut sc.down0, &mut sc.queue);
        sc.down.copy_from_slice(&sc.down0);
        // The chain runs past the last read by the latest commit: a write
        // commits within its slowest round trip, negligible against hours.
        // Its own stream: a longer horizon (another mechanism) extends the
        // same trajectory and leaves every other draw where it was.
        let mut chain_rng = Xoshiro256PlusPlus::seed_from_u64(rng.random());
        chain.run(
            &mut chain_rng,
            &mut sc.down,
            &mut sc.queue,
            2.0 * horizon,
            &mut sc.events,
        );
        // The write.
        for i in 0..n {
            let w = setup.wars.w.sample(&mut rng);
            let a = setup.wars.a.sample(&mut rng);
            let counted = !sc.down0[i] || heal.sloppy_quorum;
            sc.acks[i] = if counted { w + a } else { f64::INFINITY };
            sc.has_at[i] = if sc.down0[i] { f64::INFINITY } else { w };
            sc.eventually[i] = !sc.down0[i];
        }
        sc.acks.sort_unstable_by(f64::total_cmp);
        let commit = sc.acks[setup.w - 1];
        if !commit.is_finite() {
            continue;
        }
        out.write_ok += 1;
        // Heal times of the replicas that missed it.
        let mut missed = false;
        for i in 0..n {
            if !sc.down0[i] {
                continue;
            }
            missed = true;
            let back = sc
                .events
                .iter()
                .find(|e| e.1 == i && !e.2)
                .map_or(f64::INFINITY, |e| e.0);
            // Drawn whatever the mechanisms, so that runs that differ only
            // in them share their random numbers: turning one on can only
            // make a trial's reads fresher.
            let replay = heal.hint_replay.sample(&mut rng);
            let phase_u = rng.random::<f64>();
            let mut heal_at = f64::INFINITY;
            if let Some(window) = hints {
                if back <= window {
                    heal_at = back + replay;
                    sc.eventually[i] = true;
                }
            }
            if let Some(interval) = ae {
                let phase = phase_u * interval;
                if back.is_finite() {
                    let rounds = ((back - phase) / interval).ceil().max(0.0);
                    heal_at = heal_at.min(phase + rounds * interval);
                }
                sc.eventually[i] = true;
            }
            sc.has_at[i] = heal_at;
        }
        out.missed += u64::from(missed);
        // The read's legs, and the order it takes replies in.
        for i in 0..n {
            let r = setup.wars.r.sample(&mut rng);
            let s = setup.wars.s.sample(&mut rng);
            sc.r_leg[i] = r;
            sc.rs[i] = r + s;
        }
        // From the identity each trial, so that a trial's draws alone decide
        // its order (not the trials a worker ran before).
        for (k, o) in sc.order.iter_mut().enumerate() {
            *o = k;
        }
        if setup.random_reads {
            for i in 0..n {
                let j = rng.random_range(i..n);
                sc.order.swap(i, j);
            }
        } else {
            let rs = &sc.rs;
            sc.order.sort_unstable_by(|&a, &b| rs[a].total_cmp(&rs[b]));
        }
        // Walk the grid and the chain's events together.
        sc.down.copy_from_slice(&sc.down0);
        let mut e = 0;
        let mut changed = 0usize;
        for (g, &t) in setup.grid.iter().enumerate() {
            let at = commit + t;
            while e < sc.events.len() && sc.events[e].0 <= at {
                let (_, i, d) = sc.events[e];
                changed += 1;
                sc.down[i] = d;
                e += 1;
            }
            if changed == 0 || sc.down == sc.down0 {
                out.same_down[g] += 1;
            }
            // A responder has the write when the request reaches it.
            let has = |i: usize| sc.has_at[i] <= at + sc.r_leg[i];
            if let Some(fresh) = read_sees(sc, &sc.down, setup.r, has) {
                out.read_ok[g] += 1;
                out.consistent[g] += u64::from(fresh);
            }
        }
        // The limit: an independent stationary state.
        let mut down = std::mem::take(&mut sc.down);
        chain.stationary(&mut rng, &mut down, &mut sc.queue);
        if let Some(fresh) = read_sees(sc, &down, setup.r, |i| sc.eventually[i]) {
            out.floor_ok += 1;
            out.floor_consistent += u64::from(fresh);
        }
        sc.down = down;
    }
}

/// Runs `trials` trials with `threads` workers (`None`: all cores); the
/// counts do not depend on the number of workers.
pub fn simulate(setup: &TimelineSetup, trials: u64, seed: u64, threads: Option<usize>) -> Timeline {
    let chain = Chain::new(&setup.repair, setup.n);
    let count = |c: u64| CHUNK.min(trials - c * CHUNK);
    on_workers(
        trials.div_ceil(CHUNK),
        threads,
        || (Timeline::new(&setup.grid), Scratch::new(setup.n)),
        |(out, sc), c| run_chunk(setup, &chain, seed, c, count(c), out, sc),
    )
    .into_iter()
    .map(|w| w.0)
    .reduce(Timeline::merge)
    .expect("at least one worker")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heal::Healing;

    fn exp_wars() -> Wars {
        Wars::uniform("exp(mean=1)".parse().unwrap())
    }

    fn repair(mttf: f64, mttr: f64) -> Repair {
        Repair {
            mttf_hours: mttf,
            mttr_hours: mttr,
            crews: None,
        }
    }

    fn healing(hints_h: Option<f64>, ae_min: Option<f64>) -> Healing {
        Healing {
            hint_window_ms: hints_h.map(|h| h * HOUR_MS),
            anti_entropy_interval_ms: ae_min.map(|m| m * 60_000.0),
            ..Healing::default()
        }
    }

    /// The case: MTTF 99 h, MTTR 1 h (1% down), n = 3, one-replica
    /// reads and writes.
    /// All on one grid (the longest horizon), so that runs compare point by
    /// point.
    fn one_percent(h: Healing) -> Timeline {
        let longest = healing(Some(3.0), Some(10.0));
        let grid =
            TimelineSetup::new(&exp_wars(), repair(99.0, 1.0), longest, (3, 1, 1), false).grid;
        let mut s = TimelineSetup::new(&exp_wars(), repair(99.0, 1.0), h, (3, 1, 1), false);
        s.grid = grid;
        simulate(&s, 300_000, 1, None)
    }

    #[test]
    fn mechanisms_bound_what_failures_leave_stale_forever() {
        let none = one_percent(healing(None, None));
        let hints = one_percent(healing(Some(3.0), None));
        let ae = one_percent(healing(None, Some(10.0)));
        let both = one_percent(healing(Some(3.0), Some(10.0)));
        // Without a mechanism a replica that missed the write answers reads
        // stale forever once it is back: about 1% of reads (3% of writes
        // miss a replica, which then answers first a third of the time).
        assert_eq!(none.t_visibility(0.999), Visibility::Never);
        let floor = 1.0 - none.p_consistent_eventually().estimate;
        assert!((0.007..0.013).contains(&floor), "{floor}");
        // Hints bound it unless the replica stays down beyond the window
        // (e^-3 of them): finite at 99.9%, never at 99.99%.
        let lost = 1.0 - hints.p_consistent_eventually().estimate;
        assert!(
            (floor * 0.03..floor * 0.08).contains(&lost),
            "{lost} vs {floor}"
        );
        assert!(hints.t_visibility(0.999).ms().is_some());
        assert_eq!(hints.t_visibility(0.9999), Visibility::Never);
        // Anti-entropy heals every replica within an interval of its return.
        assert!(ae.t_visibility(0.999).ms().is_some());
        let ae4 = ae
            .t_visibility(0.9999)
            .ms()
            .expect("finite with anti-entropy");
        assert!(ae4 > 600_000.0, "{ae4}");
        // Both: no later than either.
        let both4 = both.t_visibility(0.9999).ms().expect("finite");
        assert!(both4 < ae4, "{both4} vs {ae4}");
        // Common random numbers: turning a mechanism on only ever helps,
        // trial by trial, so the curves are ordered point by point.
        for g in 0..none.grid.len() {
            let c = |t: &Timeline| t.consistent[g];
            assert!(c(&none) <= c(&hints) && c(&none) <= c(&ae), "{g}");
            assert!(c(&hints) <= c(&both) && c(&ae) <= c(&both), "{g}");
        }
        for p in [0.999, 0.9999] {
            let t = |x: &Timeline| x.t_visibility(p).ms().unwrap_or(f64::INFINITY);
            assert!(t(&both) <= t(&hints).min(t(&ae)), "{p}");
        }
    }

    #[test]
    fn a_read_a_millisecond_later_finds_the_same_replicas_down() {
        let t = one_percent(healing(None, None));
        let g = t.grid.iter().position(|&x| x >= 1.0).unwrap();
        assert!((1.0..1.2).contains(&t.grid[g]));
        // P(a change within 1 ms) = 3 · 1 ms / 99 h ≈ 1e-8.
        assert_eq!(t.p_same_down(g), 1.0);
        // An hour later a third of the writes that missed a replica find
        // it back (e^-1 still down), and some up replica has failed.
        let h = t.grid.iter().position(|&x| x >= HOUR_MS).unwrap();
        let changed = 1.0 - t.p_same_down(h);
        assert!(changed > 0.02, "{changed}");
        // The WARS engine draws the read's down set with the write's for a
        // model with durations, and independently for a bare probability:
        // with one, a read at t = 1 ms never meets a replica that missed
        // the write; with the other, it does.
        use crate::failure::FailureModel;
        use crate::mc::{run, Setup};
        let stale_at_1ms = |model: &str| {
            let m: FailureModel = model.parse().unwrap();
            let setup = Setup::new(&exp_wars(), &m, 3).with_pairs(vec![(1, 1)]);
            let res = run(&setup, 200_000, 3, None);
            1.0 - res.p_consistent_at(1, 1, 1e6).estimate
        };
        assert_eq!(stale_at_1ms("repair(mttf=99,mttr=1)"), 0.0);
        let iid = stale_at_1ms("iid(p_fail=0.01)");
        assert!(iid > 0.005, "{iid}");
    }

    /// An independent check of the whole simulation: one long history in
    /// which each node alternates `Exp(MTTF)` up and `Exp(MTTR)` down on
    /// its own (a renewal process per node: no stationary draw, no chain),
    /// a write every two hours to a new key, each read back at `ts` after
    /// its commit. Returns (reads answered, reads fresh) per t.
    fn long_run(setup: &TimelineSetup, ts: &[f64], writes: usize, seed: u64) -> Vec<(u64, u64)> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let n = setup.n;
        let exp =
            |rng: &mut Xoshiro256PlusPlus, mean: f64| -mean * (1.0 - rng.random::<f64>()).ln();
        let spacing = 2.0 * HOUR_MS;
        let burn_in = 50.0 * HOUR_MS;
        let end = burn_in
            + spacing * (writes as f64 + 2.0)
            + ts.iter().copied().fold(0.0, f64::max) * 2.0;
        // Each node's flips; up at time 0.
        let flips: Vec<Vec<f64>> = (0..n)
            .map(|_| {
                let (mut t, mut up, mut v) = (0.0, true, Vec::new());
                while t < end {
                    let mean = if up {
                        setup.repair.mttf_hours
                    } else {
                        setup.repair.mttr_hours
                    };
                    t += exp(&mut rng, mean * HOUR_MS);
                    v.push(t);
                    up = !up;
                }
                v
            })
            .collect();
        let down_at = |i: usize, x: f64| flips[i].partition_point(|&f| f <= x) % 2 == 1;
        let back_after = |i: usize, x: f64| flips[i][flips[i].partition_point(|&f| f <= x)];
        let phases: Vec<f64> = (0..n)
            .map(|_| rng.random::<f64>() * setup.healing.anti_entropy_interval_ms.unwrap_or(1.0))
            .collect();
        let mut out = vec![(0u64, 0u64); ts.len()];
        for k in 0..writes {
            // Jittered, so that writes do not lock to anti-entropy rounds.
            let s = burn_in + spacing * (k as f64 + 0.5 * rng.random::<f64>());
            let mut has = vec![f64::INFINITY; n];
            let mut acks = vec![f64::INFINITY; n];
            for i in 0..n {
                let (w, a) = (setup.wars.w.sample(&mut rng), setup.wars.a.sample(&mut rng));
                if !down_at(i, s) {
                    has[i] = s + w;
                    acks[i] = w + a;
                    continue;
                }
                let back = back_after(i, s);
                if let Some(window) = setup.healing.hint_window_ms {
                    if back - s <= window {
                        has[i] = back + setup.healing.hint_replay.sample(&mut rng);
                    }
                }
                if let Some(interval) = setup.healing.anti_entropy_interval_ms {
                    let round = phases[i] + ((back - phases[i]) / interval).ceil() * interval;
                    has[i] = has[i].min(round);
                }
            }
            acks.sort_unstable_by(f64::total_cmp);
            if !acks[setup.w - 1].is_finite() {
                continue;
            }
            let commit = s + acks[setup.w - 1];
            for (j, &t) in ts.iter().enumerate() {
                let at = commit + t;
                let mut replies: Vec<(f64, usize, f64)> = (0..n)
                    .map(|i| {
                        let (r, x) = (setup.wars.r.sample(&mut rng), setup.wars.s.sample(&mut rng));
                        (r + x, i, r)
                    })
                    .filter(|&(_, i, _)| !down_at(i, at))
                    .collect();
                if replies.len() < setup.r {
                    continue;
                }
                replies.sort_by(|a, b| a.0.total_cmp(&b.0));
                out[j].0 += 1;
                let fresh = replies[..setup.r].iter().any(|&(_, i, r)| has[i] <= at + r);
                out[j].1 += u64::from(fresh);
            }
        }
        out
    }

    #[test]
    fn agrees_with_an_independent_long_history() {
        // 10% down, so that staleness is common enough to compare sharply.
        let ts = [1.0, 600_000.0, 2_400_000.0, 5_400_000.0, 4.0 * HOUR_MS];
        for (hints, ae) in [
            (None, None),
            (Some(1.0), None),
            (None, Some(30.0)),
            (Some(1.0), Some(30.0)),
        ] {
            let mut h = healing(hints, ae);
            h.hint_replay = "const(60000)".parse().unwrap();
            let mut setup = TimelineSetup::new(&exp_wars(), repair(9.0, 1.0), h, (3, 1, 1), false);
            let horizon = setup.horizon_ms();
            setup.grid = std::iter::once(0.0).chain(ts).chain([horizon]).collect();
            let model = simulate(&setup, 200_000, 11, None);
            let history = long_run(&setup, &ts, 100_000, 12);
            for (j, &(ok, fresh)) in history.iter().enumerate() {
                let a = fresh as f64 / ok as f64;
                let m = model.p_consistent(j + 1);
                let sd = (a * (1.0 - a) / ok as f64
                    + m.estimate * (1.0 - m.estimate) / m.trials as f64)
                    .sqrt();
                assert!(
                    (a - m.estimate).abs() <= 4.5 * sd + 1e-4,
                    "hints {hints:?} ae {ae:?} t {}: history {a} ({ok}) vs model {} ({})",
                    ts[j],
                    m.estimate,
                    m.trials
                );
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_counts_whatever_the_threads() {
        let s = TimelineSetup::new(
            &exp_wars(),
            repair(9.0, 1.0),
            healing(Some(1.0), None),
            (3, 1, 2),
            true,
        );
        assert_eq!(
            simulate(&s, 20_000, 5, Some(1)),
            simulate(&s, 20_000, 5, Some(3))
        );
    }

    #[test]
    fn shared_crews_keep_replicas_down_longer() {
        // One crew for five nodes: returns queue up, so anti-entropy's
        // bound moves out; the chain's stationary law is the exact one.
        let mut one = repair(20.0, 1.0);
        let h = healing(None, Some(10.0));
        let each = simulate(
            &TimelineSetup::new(&exp_wars(), one, h.clone(), (5, 1, 1), false),
            100_000,
            2,
            None,
        );
        one.crews = Some(1);
        let shared = simulate(
            &TimelineSetup::new(&exp_wars(), one, h, (5, 1, 1), false),
            100_000,
            2,
            None,
        );
        let t = |x: &Timeline| x.t_visibility(0.999).ms().unwrap();
        assert!(t(&shared) > t(&each), "{} vs {}", t(&shared), t(&each));
        assert!(shared.missed > each.missed);
    }
}
