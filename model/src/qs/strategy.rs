//! Strategies: how often each read and each write quorum is used, and the
//! load, capacity, network load and latency they give (Quoracle's
//! definitions, Whittaker et al., PaPoC 2021, section 3).
//!
//! With read fraction `fr`, node `i`'s load is
//! `fr · P(i in the read quorum) / read_capacity(i) + (1 - fr) · P(i in the
//! write quorum) / write_capacity(i)`; a strategy's load is its busiest
//! node's, its capacity the inverse. Over a distribution of read
//! fractions, the load is the expectation of the loads and the capacity
//! the expectation of the capacities. Network load is the expected quorum
//! size; latency the expected time until the contacted nodes' answers form
//! a quorum. The optimal strategy minimises one of the three subject to
//! limits on the others: a linear program over the quorums' probabilities
//! (one variable per minimal quorum, one per read fraction for the load),
//! solved by `microlp`, a pure-Rust simplex.

use super::expr::Expr;
use super::QuorumSystem;
use crate::dist::{Delay, Dist};
use crate::numeric::quad::{integrate_mapped, Map, Piece, Tolerance};
use microlp::{ComparisonOp, OptimizationDirection, Problem};
use serde::Serialize;

/// A node's capacities (operations per unit time) and delay law.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSpec {
    /// Reads it can serve.
    pub read_capacity: f64,
    /// Writes it can serve.
    pub write_capacity: f64,
    /// The time from contacting it to its answer, ms.
    pub latency: Dist,
}

impl Default for NodeSpec {
    /// Capacity 1 and a latency of 1 ms (Quoracle's defaults, in ms).
    fn default() -> Self {
        NodeSpec {
            read_capacity: 1.0,
            write_capacity: 1.0,
            latency: Dist::Const(crate::dist::Constant::new(1.0).expect("1 ms is a delay")),
        }
    }
}

/// What the strategy minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    /// The busiest node's load.
    Load,
    /// The expected quorum size.
    Network,
    /// The expected time to a quorum.
    Latency,
}

/// The workload and the constraints.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// Read fractions and their weights (normalised here).
    pub read_fraction: Vec<(f64, f64)>,
    /// What to minimise.
    pub objective: Objective,
    /// At most this load.
    pub load_limit: Option<f64>,
    /// At most this network load.
    pub network_limit: Option<f64>,
    /// At most this latency, ms.
    pub latency_limit: Option<f64>,
    /// Quorums that survive any `f` failures of their own nodes.
    pub f: usize,
}

impl Default for Workload {
    fn default() -> Self {
        Workload {
            read_fraction: vec![(1.0, 1.0)],
            objective: Objective::Load,
            load_limit: None,
            network_limit: None,
            latency_limit: None,
            f: 0,
        }
    }
}

/// Why no strategy was found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StrategyError {
    /// The limits cannot all be met.
    #[error("no strategy meets the limits ({0})")]
    Infeasible(String),
    /// No quorum survives `f` failures.
    #[error("f: no {side} quorum survives {f} failures of its nodes")]
    NotResilient {
        /// `read` or `write`.
        side: &'static str,
        /// The `f` asked.
        f: usize,
    },
    /// The search for f-resilient quorums visited more than
    /// [`RESILIENT_VISITS`] sets.
    #[error("f: too many sets to search for f-resilient quorums of {0} nodes (more than {max} visited)", max = RESILIENT_VISITS)]
    TooManyNodes(usize),
    /// The solver gave up.
    #[error("the linear program could not be solved: {0}")]
    Solver(String),
    /// A read fraction outside [0, 1] or a weight that is not positive.
    #[error("read_fraction: {0}")]
    ReadFraction(String),
    /// A side of a [`QuorumSystem::large`] system has too many minimal
    /// quorums to list, and a strategy has a probability for each.
    #[error("more than {max} minimal {side} quorums: too many for a strategy, which gives each a probability", max = super::MAX_QUORUMS)]
    Unlisted {
        /// `read` or `write`.
        side: &'static str,
    },
}

/// Sets visited at most in the search for f-resilient quorums: the
/// 2^20 subsets of 20 nodes fit, and with pruning most systems visit far
/// fewer (`choose(3)` of 25 nodes with f = 1, a few thousand); a 5 x 5
/// grid's rows with f = 1 go beyond, in about a second.
pub const RESILIENT_VISITS: usize = 1 << 21;

/// A strategy needs both sides' quorums listed.
fn listed(qs: &QuorumSystem) -> Result<(), StrategyError> {
    if qs.read_quorums().is_empty() {
        return Err(StrategyError::Unlisted { side: "read" });
    }
    if qs.write_quorums().is_empty() {
        return Err(StrategyError::Unlisted { side: "write" });
    }
    Ok(())
}

/// A strategy and its metrics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Strategy {
    /// Read quorums (their nodes' names) and their probabilities.
    pub reads: Vec<(Vec<String>, f64)>,
    /// Write quorums and their probabilities.
    pub writes: Vec<(Vec<String>, f64)>,
    /// Expected load over the read fractions.
    pub load: f64,
    /// Expected capacity over the read fractions.
    pub capacity: f64,
    /// Expected quorum size.
    pub network_load: f64,
    /// Expected time to a quorum, ms.
    pub latency_ms: f64,
    /// The 99th percentile of the time to a quorum over the operations
    /// (reads and writes in their shares, each quorum as often as the
    /// strategy picks it), ms.
    pub latency_p99_ms: f64,
    /// Each node's load (expected over the read fractions), by name.
    pub node_loads: Vec<(String, f64)>,
    /// The probability that a read's quorum misses the last write's (0 for
    /// an intersecting system).
    pub p_disjoint: f64,
    /// `P(a read misses each of the last k writes)`, k = 1, 2, 3: the
    /// write quorums drawn independently, `Σ_r σ(r) (Σ_w σ(w) [r ∩ w = ∅])^k`
    /// (PBS's k-staleness, `(C(n-w, r) / C(n, r))^k` for a threshold's
    /// uniform strategy).
    pub p_stale_k: [f64; 3],
}

/// The uniform strategy of `qs`: every minimal read quorum equally likely,
/// every minimal write quorum equally likely (the optimum of a symmetric
/// system, and PBS's model of a threshold's replicas).
pub fn uniform(
    qs: &QuorumSystem,
    nodes: &[NodeSpec],
    read_fraction: &[(f64, f64)],
) -> Result<Strategy, StrategyError> {
    listed(qs)?;
    let total: f64 = read_fraction.iter().map(|p| p.1).sum();
    let dist: Vec<(f64, f64)> = read_fraction
        .iter()
        .map(|&(fr, w)| (fr, w / total))
        .collect();
    let (reads, writes) = (qs.read_quorums(), qs.write_quorums());
    let px = vec![1.0 / reads.len() as f64; reads.len()];
    let py = vec![1.0 / writes.len() as f64; writes.len()];
    let r_lat = set_latencies(qs.reads(), reads, nodes);
    let w_lat = set_latencies(qs.writes(), writes, nodes);
    Ok(evaluate(
        qs, nodes, &dist, reads, &px, writes, &py, &r_lat, &w_lat,
    ))
}

/// Each node's law class: the first node with an equal law.
fn law_classes(nodes: &[NodeSpec]) -> Vec<usize> {
    (0..nodes.len())
        .map(|i| {
            (0..=i)
                .find(|&j| nodes[j].latency == nodes[i].latency)
                .unwrap_or(i)
        })
        .collect()
}

/// A minimal quorum's time is its slowest member's, so it depends only
/// on the multiset of its members' laws: that multiset (sorted classes),
/// or `None` for a set that is not a minimal quorum of `e` (an
/// f-resilient one, whose time depends on the structure).
fn minimal_key(e: &Expr, q: u64, classes: &[usize]) -> Option<Vec<usize>> {
    let members = (0..classes.len()).filter(|i| q >> i & 1 == 1);
    let minimal = e.is_quorum(q) && members.clone().all(|i| !e.is_quorum(q & !(1 << i)));
    minimal.then(|| {
        let mut key: Vec<usize> = members.map(|i| classes[i]).collect();
        key.sort_unstable();
        key
    })
}

/// [`quorum_latency`] of each set, computed once per multiset of laws
/// among minimal quorums (a threshold of 20 nodes alike has 184756
/// quorums and one multiset).
fn set_latencies(e: &Expr, sets: &[u64], nodes: &[NodeSpec]) -> Vec<f64> {
    let classes = law_classes(nodes);
    let mut cache: std::collections::HashMap<Vec<usize>, f64> = Default::default();
    // Minimal quorums under laws (not all fixed) share one grid.
    let mut grid: Option<Option<MaxGrid>> = None;
    sets.iter()
        .map(|&q| match minimal_key(e, q, &classes) {
            Some(key) => *cache.entry(key).or_insert_with(|| {
                let members: Vec<usize> = (0..nodes.len()).filter(|i| q >> i & 1 == 1).collect();
                if members
                    .iter()
                    .all(|&i| matches!(nodes[i].latency, Dist::Const(_)))
                {
                    return quorum_latency(e, q, nodes);
                }
                match grid.get_or_insert_with(|| MaxGrid::new(nodes)) {
                    Some(g) => g.mean(&members, nodes),
                    None => quorum_latency(e, q, nodes),
                }
            }),
            None => quorum_latency(e, q, nodes),
        })
        .collect()
}

/// The mean of the slowest answer of a set of nodes, `∫ (1 − ∏ F_i(t)) dt`
/// (a minimal quorum's time), for many sets on one grid: the integral of
/// [`mean_time_to_quorum`] on fixed points (Simpson in log time, broken at
/// point masses, the power-law tail in closed form) over every node's
/// range at once, with each node's `ln F_i` tabulated once, so that a set
/// costs a sum per grid point.
struct MaxGrid {
    /// Below it, every node is still silent but for a 10⁻¹² chance.
    lo: f64,
    /// Simpson's weight times `t` at each point.
    weights: Vec<f64>,
    /// `ln F_i` at each point, node-major.
    ln_f: Vec<Vec<f64>>,
    /// The end of the grid, and `ln F_i` there and at half of it.
    top: f64,
    ln_f_top: Vec<(f64, f64)>,
}

impl MaxGrid {
    const PANELS: f64 = 1500.0;

    fn new(nodes: &[NodeSpec]) -> Option<Self> {
        let (lo, top) = grid_range(nodes.iter().map(|n| &n.latency))?;
        let atoms = nodes.iter().flat_map(|n| n.latency.atoms());
        let (points, weights) = log_simpson(lo, top, atoms.map(|a| a.0), Self::PANELS);
        let ln_cdf = |n: &NodeSpec, t: f64| (-n.latency.cdf_sf(t).1).ln_1p();
        Some(MaxGrid {
            lo,
            weights,
            ln_f: nodes
                .iter()
                .map(|n| points.iter().map(|&t| ln_cdf(n, t)).collect())
                .collect(),
            top,
            ln_f_top: nodes
                .iter()
                .map(|n| (ln_cdf(n, top), ln_cdf(n, top / 2.0)))
                .collect(),
        })
    }

    /// The mean of the slowest of `members`; infinite when one of them has
    /// a tail of index at most 1.
    fn mean(&self, members: &[usize], nodes: &[NodeSpec]) -> f64 {
        if members
            .iter()
            .any(|&i| nodes[i].latency.tail_index() <= 1.0)
        {
            return f64::INFINITY;
        }
        let mut area = self.lo;
        let mut sum = vec![0.0; self.weights.len()];
        for &i in members {
            for (s, l) in sum.iter_mut().zip(&self.ln_f[i]) {
                *s += l;
            }
        }
        for (w, s) in self.weights.iter().zip(&sum) {
            area += w * -s.exp_m1();
        }
        let (l1, l2) = members.iter().fold((0.0, 0.0), |(a, b), &i| {
            (a + self.ln_f_top[i].0, b + self.ln_f_top[i].1)
        });
        area + power_tail(-f64::exp_m1(l1), -f64::exp_m1(l2), self.top)
    }
}

/// The quorums a strategy may pick: minimal ones, or with `f > 0` the
/// minimal sets that stay quorums after any `f` of their nodes fail.
fn candidates(
    e: &Expr,
    quorums: &[u64],
    n: usize,
    f: usize,
    side: &'static str,
) -> Result<Vec<u64>, StrategyError> {
    if f == 0 {
        return Ok(quorums.to_vec());
    }
    let resilient = |s: u64| -> bool {
        let members: Vec<usize> = (0..n).filter(|i| s >> i & 1 == 1).collect();
        if members.len() <= f {
            return false;
        }
        let mut ok = true;
        super::expr::for_each_subset(&members, f, &mut |down| {
            if !e.is_quorum(s & !down) {
                ok = false;
            }
            !ok
        });
        ok
    };
    // Quoracle's depth-first search: grow sets in node order and stop a
    // branch at its first resilient set. Resilience is monotone, so every
    // minimal resilient set is reached along the path of its own nodes,
    // none of whose prefixes is resilient; what else is found is a
    // superset of one, pruned by `minimize`. Monotone too: a branch whose
    // set with every node still to come is not resilient holds none, and
    // is cut (write quorums of all but one node are reached directly).
    fn grow(
        set: u64,
        next: usize,
        n: usize,
        resilient: &dyn Fn(u64) -> bool,
        found: &mut Vec<u64>,
        visits: &mut usize,
    ) -> bool {
        *visits += 1;
        if *visits > RESILIENT_VISITS {
            return false;
        }
        if set != 0 && resilient(set) {
            found.push(set);
            return true;
        }
        let rest = (next..n).fold(set, |m, j| m | 1 << j);
        if !resilient(rest) {
            return true;
        }
        (next..n).all(|j| grow(set | 1 << j, j + 1, n, resilient, found, visits))
    }
    let (mut sets, mut visits) = (Vec::new(), 0);
    if !grow(0, 0, n, &resilient, &mut sets, &mut visits) {
        return Err(StrategyError::TooManyNodes(n));
    }
    let min = super::expr::minimize(sets);
    if min.is_empty() {
        return Err(StrategyError::NotResilient { side, f });
    }
    Ok(min)
}

/// The time until the answers of the nodes of `q` form a quorum of `e`:
/// its mean, ms (`f64::INFINITY` when it has none). With fixed latencies,
/// the latency of the slowest node of the quickest quorum inside `q`
/// (Quoracle's quorum latency); with laws, `∫ P(no quorum yet at t) dt`
/// ([`mean_time_to_quorum`]).
pub fn quorum_latency(e: &Expr, q: u64, nodes: &[NodeSpec]) -> f64 {
    let members: Vec<usize> = (0..nodes.len()).filter(|i| q >> i & 1 == 1).collect();
    let fixed: Option<Vec<f64>> = members
        .iter()
        .map(|&i| match &nodes[i].latency {
            Dist::Const(c) => Some(c.value()),
            _ => None,
        })
        .collect();
    if let Some(lat) = fixed {
        let mut order: Vec<(f64, usize)> = lat.into_iter().zip(members.iter().copied()).collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut set = 0u64;
        for (t, i) in order {
            set |= 1 << i;
            if e.is_quorum(set) {
                return t;
            }
        }
        return f64::INFINITY;
    }
    mean_time_to_quorum(e, q, nodes)
}

/// `E[T] = ∫₀^∞ P(T > t) dt` for `T`, the time until the members of `q`
/// that answered (node `i` by `t` with its law's `F_i(t)`, independently)
/// hold a quorum of `e`.
///
/// `P(T > t)` is the probability that the silent members block every
/// quorum: the availability of `e`'s dual over the nodes' survival
/// functions (nodes outside `q` silent for ever), exact and accurate deep
/// in the tail. The integral is taken in `u = ln t` by Simpson's rule from
/// the members' 10⁻¹² quantile to their 10⁻¹⁵ survival point, broken at
/// the laws' point masses (so a step is never straddled); below, `T`
/// exceeds `t` but for a 10⁻¹² chance. Beyond, a power-law tail is added
/// in closed form from its local exponent. The mean is infinite when the
/// silence of some set of members with power-law tails of total index at
/// most 1 blocks every quorum (`P(T > t)` then decays no faster than
/// `1/t`).
pub fn mean_time_to_quorum(e: &Expr, q: u64, nodes: &[NodeSpec]) -> f64 {
    let members: Vec<usize> = (0..nodes.len()).filter(|i| q >> i & 1 == 1).collect();
    // Heavy members that could make the mean infinite: a blocking set of
    // total tail index <= 1 holds only members of index <= 1.
    let heavy: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&i| nodes[i].latency.tail_index() <= 1.0)
        .collect();
    if heavy.len() <= 20 {
        for b in 1u64..1 << heavy.len() {
            let (mut silent, mut index) = (0u64, 0.0);
            for (j, &i) in heavy.iter().enumerate() {
                if b >> j & 1 == 1 {
                    silent |= 1 << i;
                    index += nodes[i].latency.tail_index();
                }
            }
            if index <= 1.0 && !e.is_quorum(q & !silent) {
                return f64::INFINITY;
            }
        }
    }
    let Some((lo, top)) = grid_range(members.iter().map(|&i| &nodes[i].latency)) else {
        return f64::INFINITY;
    };
    let dual = e.dual();
    let dup_free = dual.dup_free();
    let miss = |t: f64| -> f64 {
        let silent: Vec<f64> = (0..nodes.len())
            .map(|i| {
                if q >> i & 1 == 1 {
                    nodes[i].latency.cdf_sf(t).1
                } else {
                    1.0
                }
            })
            .collect();
        super::avail::independent_known(&dual, &silent, dup_free).unwrap_or(1.0)
    };
    // The crate's adaptive Gauss–Kronrod in log time, split at the laws'
    // landmarks (point masses, kinks) so that no piece straddles a step.
    let mut breaks: Vec<f64> = members
        .iter()
        .flat_map(|&i| nodes[i].latency.landmarks())
        .filter(|x| *x > lo && *x < top)
        .chain([lo, top])
        .collect();
    breaks.sort_by(f64::total_cmp);
    breaks.dedup();
    let pieces: Vec<Piece> = breaks
        .windows(2)
        .map(|w| Piece {
            a: w[0],
            b: w[1],
            map: Map::LogAbove(0.0),
            floor: 0.0,
        })
        .collect();
    let body = integrate_mapped(&miss, &pieces, MEAN_TOL).value;
    lo * miss(lo * (1.0 - 1e-12)).max(0.0) + body + power_tail(miss(top), miss(top / 2.0), top)
}

/// Tolerance of the mean time to a quorum: the crate's "exact" one.
const MEAN_TOL: Tolerance = Tolerance {
    abs: 1e-13,
    rel: 1e-10,
    max_intervals: 400,
};

/// Where a mean's integral runs: from the laws' smallest 10⁻¹² quantile
/// (below, every node is still silent but for that chance) to their
/// largest 10⁻¹⁵ survival point; `None` when that is not finite.
fn grid_range<'a>(laws: impl Iterator<Item = &'a Dist> + Clone) -> Option<(f64, f64)> {
    let lo = laws
        .clone()
        .map(|d| d.quantile(1e-12))
        .fold(f64::INFINITY, f64::min);
    let top = laws.map(|d| d.isf(1e-15)).fold(0.0, f64::max);
    if !(top.is_finite() && top > 0.0) {
        return None;
    }
    Some((
        if lo > 0.0 && lo < top {
            lo
        } else {
            top * 1e-15
        },
        top,
    ))
}

/// Points `t` and weights `w` with `∫_lo^top g(t) dt ≈ Σ w g(t)`, fixed so
/// that [`MaxGrid`] can tabulate each node once (an adaptive rule would
/// pick its points per set): Simpson's rule in `u = ln t` (the weights
/// carry the `t` of `dt = t du`), about
/// `panels` of them, broken at the point masses `atoms` so that no panel
/// straddles a step; each piece's right end is taken just left of it (a
/// mass there belongs to the next piece).
fn log_simpson(
    lo: f64,
    top: f64,
    atoms: impl Iterator<Item = f64>,
    panels: f64,
) -> (Vec<f64>, Vec<f64>) {
    let (ulo, utop) = (lo.ln(), top.ln());
    let mut breaks: Vec<f64> = atoms
        .map(f64::ln)
        .filter(|u| *u > ulo && *u < utop)
        .collect();
    breaks.push(ulo);
    breaks.push(utop);
    breaks.sort_by(f64::total_cmp);
    breaks.dedup();
    let (mut points, mut weights) = (Vec::new(), Vec::new());
    for w in breaks.windows(2) {
        let (a, b) = (w[0], w[1]);
        let m = (((b - a) / (utop - ulo) * panels).ceil() as usize).max(1) * 2;
        let h = (b - a) / m as f64;
        for k in 0..=m {
            let u = if k == m {
                b - (b - a) * 1e-12
            } else {
                a + k as f64 * h
            };
            let simpson = match k {
                0 => 1.0,
                k if k == m => 1.0,
                k if k % 2 == 1 => 4.0,
                _ => 2.0,
            };
            points.push(u.exp());
            weights.push(simpson * h / 3.0 * u.exp());
        }
    }
    (points, weights)
}

/// `∫_top^∞ P(T > t) dt` for a tail `c t^{−β}`, `β` read off `m1 =
/// P(T > top)` and `m2 = P(T > top/2)`; 0 for a tail steeper than that
/// can tell (light tails are negligible past the 10⁻¹⁵ point).
fn power_tail(m1: f64, m2: f64, top: f64) -> f64 {
    if m1 > 0.0 && m2 > m1 {
        let beta = (m2 / m1).ln() / std::f64::consts::LN_2;
        if beta > 1.0 {
            return m1 * top / (beta - 1.0);
        }
    }
    0.0
}

/// The optimal strategy of `qs` for `work`, its nodes' capacities and
/// latencies `nodes` (in the order of `qs.names()`).
///
/// ```
/// use quorum_model::qs::strategy::{optimal, NodeSpec, Workload};
/// use quorum_model::qs::QuorumSystem;
/// // Quoracle's README: a 2 x 3 grid at 25% reads has load 3/8.
/// let grid = QuorumSystem::new("a*b*c + d*e*f", None).unwrap();
/// let work = Workload {
///     read_fraction: vec![(0.25, 1.0)],
///     ..Workload::default()
/// };
/// let s = optimal(&grid, &vec![NodeSpec::default(); 6], &work).unwrap();
/// assert!((s.load - 0.375).abs() < 1e-9);
/// assert!((s.capacity - 8.0 / 3.0).abs() < 1e-9);
/// ```
pub fn optimal(
    qs: &QuorumSystem,
    nodes: &[NodeSpec],
    work: &Workload,
) -> Result<Strategy, StrategyError> {
    listed(qs)?;
    let n = qs.n();
    let total: f64 = work.read_fraction.iter().map(|p| p.1).sum();
    for &(fr, w) in &work.read_fraction {
        if !(0.0..=1.0).contains(&fr) {
            return Err(StrategyError::ReadFraction(format!(
                "{fr} is not in [0, 1]"
            )));
        }
        if !(w > 0.0 && w.is_finite()) {
            return Err(StrategyError::ReadFraction(format!(
                "weight {w} must be > 0"
            )));
        }
    }
    let dist: Vec<(f64, f64)> = work
        .read_fraction
        .iter()
        .map(|&(fr, w)| (fr, w / total))
        .collect();
    let fr_mean: f64 = dist.iter().map(|(fr, p)| fr * p).sum();
    let reads = candidates(qs.reads(), qs.read_quorums(), n, work.f, "read")?;
    let writes = candidates(qs.writes(), qs.write_quorums(), n, work.f, "write")?;
    let r_lat = set_latencies(qs.reads(), &reads, nodes);
    let w_lat = set_latencies(qs.writes(), &writes, nodes);

    let mut lp = Problem::new(OptimizationDirection::Minimize);
    let (obj_net, obj_lat, obj_load) = match work.objective {
        Objective::Network => (1.0, 0.0, 0.0),
        Objective::Latency => (0.0, 1.0, 0.0),
        Objective::Load => (0.0, 0.0, 1.0),
    };
    let x: Vec<_> = reads
        .iter()
        .zip(&r_lat)
        .map(|(q, lat)| {
            let cost = obj_net * fr_mean * q.count_ones() as f64 + obj_lat * fr_mean * finite(*lat);
            lp.add_var(cost, (0.0, 1.0))
        })
        .collect();
    let y: Vec<_> = writes
        .iter()
        .zip(&w_lat)
        .map(|(q, lat)| {
            let cost = obj_net * (1.0 - fr_mean) * q.count_ones() as f64
                + obj_lat * (1.0 - fr_mean) * finite(*lat);
            lp.add_var(cost, (0.0, 1.0))
        })
        .collect();
    let l: Vec<_> = dist
        .iter()
        .map(|&(_, p)| lp.add_var(obj_load * p, (0.0, f64::INFINITY)))
        .collect();
    lp.add_constraint(
        x.iter().map(|&v| (v, 1.0)).collect::<Vec<_>>(),
        ComparisonOp::Eq,
        1.0,
    );
    lp.add_constraint(
        y.iter().map(|&v| (v, 1.0)).collect::<Vec<_>>(),
        ComparisonOp::Eq,
        1.0,
    );
    for (k, &(fr, _)) in dist.iter().enumerate() {
        for (i, node) in nodes.iter().enumerate().take(n) {
            let mut terms: Vec<(microlp::Variable, f64)> = Vec::new();
            for (j, &q) in reads.iter().enumerate() {
                if q >> i & 1 == 1 && fr > 0.0 {
                    terms.push((x[j], fr / node.read_capacity));
                }
            }
            for (j, &q) in writes.iter().enumerate() {
                if q >> i & 1 == 1 && fr < 1.0 {
                    terms.push((y[j], (1.0 - fr) / node.write_capacity));
                }
            }
            terms.push((l[k], -1.0));
            lp.add_constraint(terms, ComparisonOp::Le, 0.0);
        }
    }
    let mut limits = Vec::new();
    if let Some(limit) = work.load_limit {
        lp.add_constraint(
            l.iter()
                .zip(&dist)
                .map(|(&v, &(_, p))| (v, p))
                .collect::<Vec<_>>(),
            ComparisonOp::Le,
            limit,
        );
        limits.push(format!("load <= {limit}"));
    }
    if let Some(limit) = work.network_limit {
        let mut terms: Vec<(microlp::Variable, f64)> = Vec::new();
        terms.extend(
            x.iter()
                .zip(&reads)
                .map(|(&v, q)| (v, fr_mean * q.count_ones() as f64)),
        );
        terms.extend(
            y.iter()
                .zip(&writes)
                .map(|(&v, q)| (v, (1.0 - fr_mean) * q.count_ones() as f64)),
        );
        lp.add_constraint(terms, ComparisonOp::Le, limit);
        limits.push(format!("network load <= {limit}"));
    }
    if let Some(limit) = work.latency_limit {
        let mut terms: Vec<(microlp::Variable, f64)> = Vec::new();
        terms.extend(
            x.iter()
                .zip(&r_lat)
                .map(|(&v, t)| (v, fr_mean * finite(*t))),
        );
        terms.extend(
            y.iter()
                .zip(&w_lat)
                .map(|(&v, t)| (v, (1.0 - fr_mean) * finite(*t))),
        );
        lp.add_constraint(terms, ComparisonOp::Le, limit);
        limits.push(format!("latency <= {limit} ms"));
    }
    let solution = match lp.solve() {
        Ok(outcome) => outcome
            .into_solution()
            .map_err(|_| StrategyError::Solver("interrupted".into()))?,
        Err(microlp::Error::Infeasible) => {
            return Err(StrategyError::Infeasible(if limits.is_empty() {
                "none given".into()
            } else {
                limits.join(", ")
            }))
        }
        Err(e) => return Err(StrategyError::Solver(e.to_string())),
    };
    // Probabilities: tiny negatives from round-off cut, then normalised.
    let probs = |vars: &[microlp::Variable]| -> Vec<f64> {
        let v: Vec<f64> = vars
            .iter()
            .map(|&v| solution.var_value(v).max(0.0))
            .collect();
        let s: f64 = v.iter().sum();
        v.into_iter().map(|p| p / s).collect()
    };
    let (px, py) = (probs(&x), probs(&y));
    Ok(evaluate(
        qs, nodes, &dist, &reads, &px, &writes, &py, &r_lat, &w_lat,
    ))
}

/// The `p` quantile of the time to a quorum over operations: a read
/// (share `fr`) or a write, its quorum drawn from the strategy, the time
/// until the contacted nodes' answers (each node by its law, independently)
/// hold a quorum. `P(T <= t)` is the strategy's mixture of each quorum's
/// availability with node `i` up with `F_i(t)`, exact; the quantile by
/// bisection to 1e-9 of the slowest node's 1 - 1e-9 quantile.
fn latency_quantile(
    qs: &QuorumSystem,
    nodes: &[NodeSpec],
    fr: f64,
    reads: (&[u64], &[f64]),
    writes: (&[u64], &[f64]),
    p: f64,
) -> f64 {
    let n = qs.n();
    let classes = law_classes(nodes);
    // Each side's quorums in use: minimal ones grouped by their laws'
    // multiset (answered by t with the product of their CDFs, one term per
    // multiset), the rest one by one (the exact availability machinery).
    // A BTreeMap, so that the sums run in one order.
    let group = |e: &Expr, (sets, ps): (&[u64], &[f64])| {
        let mut products: std::collections::BTreeMap<Vec<usize>, (f64, u64)> = Default::default();
        let mut others: Vec<(f64, u64)> = Vec::new();
        for (&q, &w) in sets.iter().zip(ps).filter(|(_, w)| **w > 0.0) {
            match minimal_key(e, q, &classes) {
                Some(key) => products.entry(key).or_insert((0.0, q)).0 += w,
                None => others.push((w, q)),
            }
        }
        (products.into_values().collect::<Vec<_>>(), others)
    };
    let sides = [
        (
            qs.reads(),
            qs.reads().dup_free(),
            fr,
            group(qs.reads(), reads),
        ),
        (
            qs.writes(),
            qs.writes().dup_free(),
            1.0 - fr,
            group(qs.writes(), writes),
        ),
    ];
    let cdf = |t: f64| -> f64 {
        let f: Vec<f64> = (0..n).map(|i| nodes[i].latency.cdf(t)).collect();
        let mut total = 0.0;
        for (e, dup, share, (products, others)) in &sides {
            if *share == 0.0 {
                continue;
            }
            let mut side = 0.0;
            for &(w, q) in products {
                side += w
                    * (0..n)
                        .filter(|i| q >> i & 1 == 1)
                        .map(|i| f[i])
                        .product::<f64>();
            }
            for &(w, q) in others {
                let up: Vec<f64> = (0..n)
                    .map(|i| if q >> i & 1 == 1 { f[i] } else { 0.0 })
                    .collect();
                side += w * super::avail::independent_known(e, &up, *dup).unwrap_or(0.0);
            }
            total += share * side;
        }
        total
    };
    let top = (0..n)
        .map(|i| nodes[i].latency.isf(1e-9))
        .fold(0.0, f64::max);
    if !(top.is_finite() && top > 0.0) || cdf(top) < p {
        return f64::INFINITY;
    }
    let floor = (0..n)
        .map(|i| nodes[i].latency.quantile(1e-15))
        .fold(f64::INFINITY, f64::min);
    let lo = if floor > 0.0 && cdf(floor) < p {
        floor
    } else {
        0.0
    };
    crate::numeric::root::invert_increasing(cdf, p, lo, top)
}

/// A latency the LP can hold (an unreachable quorum's is infinite).
fn finite(t: f64) -> f64 {
    if t.is_finite() {
        t
    } else {
        1e12
    }
}

/// A strategy's metrics, from its quorums' probabilities.
#[allow(clippy::too_many_arguments)]
fn evaluate(
    qs: &QuorumSystem,
    nodes: &[NodeSpec],
    dist: &[(f64, f64)],
    reads: &[u64],
    px: &[f64],
    writes: &[u64],
    py: &[f64],
    r_lat: &[f64],
    w_lat: &[f64],
) -> Strategy {
    let n = qs.n();
    // P(node i is in the quorum picked), for each node.
    let membership = |sets: &[u64], ps: &[f64]| -> Vec<f64> {
        (0..n)
            .map(|i| {
                sets.iter()
                    .zip(ps)
                    .filter(|(q, _)| *q >> i & 1 == 1)
                    .map(|(_, p)| p)
                    .sum()
            })
            .collect()
    };
    let (in_read, in_write) = (membership(reads, px), membership(writes, py));
    let node_load = |i: usize, fr: f64| {
        fr * in_read[i] / nodes[i].read_capacity
            + (1.0 - fr) * in_write[i] / nodes[i].write_capacity
    };
    let load_at = |fr: f64| (0..n).map(|i| node_load(i, fr)).fold(0.0, f64::max);
    let load: f64 = dist.iter().map(|&(fr, p)| p * load_at(fr)).sum();
    let capacity: f64 = dist.iter().map(|&(fr, p)| p / load_at(fr)).sum();
    let fr_mean: f64 = dist.iter().map(|(fr, p)| fr * p).sum();
    let size = |qs_: &[u64], ps: &[f64]| -> f64 {
        qs_.iter()
            .zip(ps)
            .map(|(q, p)| q.count_ones() as f64 * p)
            .sum()
    };
    let network_load = fr_mean * size(reads, px) + (1.0 - fr_mean) * size(writes, py);
    let mean_lat = |lat: &[f64], ps: &[f64]| -> f64 {
        lat.iter()
            .zip(ps)
            .filter(|(_, p)| **p > 0.0)
            .map(|(t, p)| t * p)
            .sum()
    };
    // A side never used adds nothing, even where its latency is infinite
    // (0 · ∞ would be NaN).
    let share = |w: f64, v: f64| if w > 0.0 { w * v } else { 0.0 };
    let latency_ms =
        share(fr_mean, mean_lat(r_lat, px)) + share(1.0 - fr_mean, mean_lat(w_lat, py));
    let latency_p99_ms = latency_quantile(qs, nodes, fr_mean, (reads, px), (writes, py), 0.99);
    let mut p_stale_k = [0.0; 3];
    for (r, pr) in reads.iter().zip(px) {
        let miss: f64 = writes
            .iter()
            .zip(py)
            .filter(|(w, _)| r & *w == 0)
            .map(|(_, pw)| pw)
            .sum();
        for (k, slot) in p_stale_k.iter_mut().enumerate() {
            *slot += pr * miss.powi(k as i32 + 1);
        }
    }
    let p_disjoint = p_stale_k[0];
    let named = |q: u64| -> Vec<String> {
        (0..n)
            .filter(|i| q >> i & 1 == 1)
            .map(|i| qs.names()[i].clone())
            .collect()
    };
    let listed = |sets: &[u64], ps: &[f64]| -> Vec<(Vec<String>, f64)> {
        sets.iter()
            .zip(ps)
            .filter(|(_, p)| **p > 1e-9)
            .map(|(q, p)| (named(*q), *p))
            .collect()
    };
    Strategy {
        reads: listed(reads, px),
        writes: listed(writes, py),
        load,
        capacity,
        network_load,
        latency_ms,
        latency_p99_ms,
        node_loads: (0..n)
            .map(|i| {
                (
                    qs.names()[i].clone(),
                    dist.iter().map(|&(fr, p)| p * node_load(i, fr)).sum(),
                )
            })
            .collect(),
        p_disjoint,
        p_stale_k,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(c: f64) -> NodeSpec {
        NodeSpec {
            read_capacity: c,
            write_capacity: c,
            ..NodeSpec::default()
        }
    }

    fn rw(read: f64, write: f64, latency_ms: f64) -> NodeSpec {
        NodeSpec {
            read_capacity: read,
            write_capacity: write,
            latency: format!("const({latency_ms})").parse().unwrap(),
        }
    }

    fn work(fr: &[(f64, f64)]) -> Workload {
        Workload {
            read_fraction: fr.to_vec(),
            ..Workload::default()
        }
    }

    /// Nodes of capacity 1 answering after the given laws.
    fn law_nodes(laws: &[&str]) -> Vec<NodeSpec> {
        laws.iter()
            .map(|l| NodeSpec {
                latency: l.parse().unwrap(),
                ..NodeSpec::default()
            })
            .collect()
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{a} vs {b}");
    }

    /// Quoracle's paper (examples/paper.py), every printed number.
    #[test]
    fn quoracle_paper_examples() {
        let nodes = |caps: &[NodeSpec]| caps.to_vec();
        // Majority of three: capacity 1.5 for reads.
        let qs = QuorumSystem::new("a*b + b*c + a*c", None).unwrap();
        let s = optimal(
            &qs,
            &nodes(&[cap(1.0), cap(1.0), cap(1.0)]),
            &work(&[(1.0, 1.0)]),
        )
        .unwrap();
        close(s.capacity, 1.5);
        // Different capacities: 150.
        let grid = QuorumSystem::new("a*b + c*d", None).unwrap();
        let c4 = [cap(100.0), cap(100.0), cap(50.0), cap(50.0)];
        close(
            optimal(&grid, &c4, &work(&[(1.0, 1.0)])).unwrap().capacity,
            150.0,
        );
        // Different read and write capacities: 300, 200, 100.
        let rw4 = [
            rw(200.0, 100.0, 1.0),
            rw(200.0, 100.0, 1.0),
            rw(100.0, 50.0, 1.0),
            rw(100.0, 50.0, 1.0),
        ];
        for (fr, want) in [(1.0, 300.0), (0.5, 200.0), (0.0, 100.0)] {
            close(
                optimal(&grid, &rw4, &work(&[(fr, 1.0)])).unwrap().capacity,
                want,
            );
        }
        // A workload distribution: 159 (printed rounded).
        let grid2 = QuorumSystem::new("a*c + b*d", None).unwrap();
        let fr = [
            (0.0, 10.0 / 18.0),
            (0.25, 4.0 / 18.0),
            (0.5, 2.0 / 18.0),
            (0.75, 1.0 / 18.0),
            (1.0, 1.0 / 18.0),
        ];
        // Its nodes come in the order a, c, b, d.
        assert_eq!(grid2.names(), ["a", "c", "b", "d"]);
        let acbd = [
            rw4[0].clone(),
            rw4[2].clone(),
            rw4[1].clone(),
            rw4[3].clone(),
        ];
        let c = optimal(&grid2, &acbd, &work(&fr)).unwrap().capacity;
        assert_eq!(c.round(), 159.0, "{c}");
        // f-resilient: 300, 300, 100, 200; choose2 with f=1 picks abd and abc.
        let choose2 = QuorumSystem::new("choose(2, a, b, c, d)", None).unwrap();
        close(
            optimal(&choose2, &rw4, &work(&[(1.0, 1.0)]))
                .unwrap()
                .capacity,
            300.0,
        );
        let f1 = Workload {
            f: 1,
            ..work(&[(1.0, 1.0)])
        };
        close(optimal(&grid, &rw4, &f1).unwrap().capacity, 100.0);
        let s = optimal(&choose2, &rw4, &f1).unwrap();
        close(s.capacity, 200.0);
        let mut picked: Vec<String> = s.reads.iter().map(|(q, _)| q.concat()).collect();
        picked.sort();
        assert_eq!(picked, ["abc", "abd"]);
        // Network load and latency: a, b 4 s away, c, d 1 s.
        let lat4 = [
            rw(200.0, 100.0, 4.0),
            rw(200.0, 100.0, 4.0),
            rw(100.0, 50.0, 1.0),
            rw(100.0, 50.0, 1.0),
        ];
        let s = optimal(&grid, &lat4, &work(&[(1.0, 1.0)])).unwrap();
        close(s.capacity, 300.0);
        close(s.network_load, 2.0);
        close(s.latency_ms, 3.0);
        let s = optimal(
            &grid,
            &lat4,
            &Workload {
                objective: Objective::Latency,
                load_limit: Some(1.0 / 150.0),
                network_limit: Some(2.0),
                ..work(&[(1.0, 1.0)])
            },
        )
        .unwrap();
        let p = |q: &str| {
            s.reads
                .iter()
                .find(|(s, _)| s.concat() == q)
                .map_or(0.0, |x| x.1)
        };
        close(p("ab"), 1.0 / 3.0);
        close(p("cd"), 2.0 / 3.0);
    }

    /// Quoracle's README: the 2 x 3 grid's loads, capacities and latencies.
    #[test]
    fn quoracle_readme_examples() {
        let grid = QuorumSystem::new("a*b*c + d*e*f", None).unwrap();
        let ones = vec![NodeSpec::default(); 6];
        let s = optimal(&grid, &ones, &work(&[(0.25, 1.0)])).unwrap();
        close(s.load, 0.375);
        close(s.capacity, 8.0 / 3.0);
        let dist = work(&[(0.1, 1.0), (0.75, 1.0)]);
        close(
            optimal(&grid, &ones, &dist).unwrap().load,
            0.40416666474999996,
        );
        // Heterogeneous nodes: 1333 at 75% reads.
        let het: Vec<NodeSpec> = [1000.0, 500.0, 1000.0, 500.0, 1000.0, 500.0]
            .iter()
            .map(|&c| cap(c))
            .collect();
        let s = optimal(&grid, &het, &work(&[(0.75, 1.0)])).unwrap();
        close(s.load, 0.00075);
        // Read and write capacities, and latencies of 1 to 6 s.
        let rwl: Vec<NodeSpec> = (0..6)
            .map(|i| {
                let (w, r) = if i % 2 == 0 {
                    (1000.0, 10000.0)
                } else {
                    (500.0, 5000.0)
                };
                rw(r, w, (i + 1) as f64)
            })
            .collect();
        for (fr, want) in [(1.0, 10000.0), (0.5, 3913.043450018904), (0.0, 2000.0)] {
            close(
                optimal(&grid, &rwl, &work(&[(fr, 1.0)])).unwrap().capacity,
                want,
            );
        }
        let w1 = |f| Workload {
            f,
            ..work(&[(0.0, 1.0)])
        };
        close(optimal(&grid, &rwl, &w1(0)).unwrap().capacity, 2000.0);
        close(optimal(&grid, &rwl, &w1(1)).unwrap().capacity, 1000.0);
        let write2 =
            QuorumSystem::new("choose(4, a, b, c, d, e)", Some("choose(2, a, b, c, d, e)"))
                .unwrap();
        close(
            optimal(&write2, &rwl[..5], &w1(0)).unwrap().capacity,
            2000.0,
        );
        close(
            optimal(&write2, &rwl[..5], &w1(1)).unwrap().capacity,
            4000.0 / 3.0,
        );
        // Latency-optimal at 50% reads: 3.5 s; with capacity >= 1500, 3.67 s.
        let lat = Workload {
            objective: Objective::Latency,
            ..work(&[(0.5, 1.0)])
        };
        close(optimal(&grid, &rwl, &lat).unwrap().latency_ms, 3.5);
        let s = optimal(
            &grid,
            &rwl,
            &Workload {
                load_limit: Some(1.0 / 1500.0),
                ..lat.clone()
            },
        )
        .unwrap();
        close(s.latency_ms, 3.0 + 2.0 / 3.0);
        close(s.capacity, 1500.0);
        // Load-optimal within 4 s: capacity 3856.
        let s = optimal(
            &grid,
            &rwl,
            &Workload {
                latency_limit: Some(4.0),
                ..work(&[(0.5, 1.0)])
            },
        )
        .unwrap();
        assert!(
            (s.capacity - 3856.2090893331633).abs() < 1e-3,
            "{}",
            s.capacity
        );
        assert!(s.latency_ms <= 4.0 + 1e-6);
        // Impossible: within 1 s.
        let e = optimal(
            &grid,
            &rwl,
            &Workload {
                latency_limit: Some(1.0),
                ..work(&[(0.5, 1.0)])
            },
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("no strategy meets the limits (latency <= 1 ms)"),
            "{e}"
        );
        // Network-optimal: 2.5.
        let s = optimal(
            &grid,
            &rwl,
            &Workload {
                objective: Objective::Network,
                ..work(&[(0.5, 1.0)])
            },
        )
        .unwrap();
        close(s.network_load, 2.5);
    }

    /// The depth-first search's f-resilient quorums against every subset:
    /// the minimal sets that stay quorums after any f of their nodes fail.
    /// Beyond 20 nodes it still answers where resilient sets are small
    /// (any 4 of 25 for `choose(3)` with f = 1).
    #[test]
    fn f_resilient_quorums_match_brute_force() {
        for text in [
            "a*b*c + d*e*f",
            "choose(2, a, b, c, d)",
            "choose(3, a, c, e, b + d + f)",
            "a*b + b*c + c*d + d*a",
            "weighted(a=3, b=1, c=1, d=1, e=2; read=4)",
        ] {
            let qs = QuorumSystem::new(text, None).unwrap();
            let n = qs.n();
            for (e, quorums) in [
                (qs.reads(), qs.read_quorums()),
                (qs.writes(), qs.write_quorums()),
            ] {
                for f in 1..=2 {
                    let survives = |s: u64| {
                        (0u64..1 << n).all(|down| {
                            down & !s != 0
                                || down.count_ones() as usize != f
                                || e.is_quorum(s & !down)
                        }) && s.count_ones() as usize > f
                    };
                    let brute = super::super::expr::minimize(
                        (1u64..1 << n).filter(|&s| survives(s)).collect(),
                    );
                    match candidates(e, quorums, n, f, "read") {
                        Ok(got) => assert_eq!(got, brute, "{text} f={f}"),
                        Err(StrategyError::NotResilient { .. }) => {
                            assert!(brute.is_empty(), "{text} f={f}")
                        }
                        Err(other) => panic!("{text}: {other}"),
                    }
                }
            }
        }
        let names: Vec<String> = (0..25).map(|i| format!("n{i}")).collect();
        let qs = QuorumSystem::new(&format!("choose(3, {})", names.join(", ")), None).unwrap();
        let got = candidates(qs.reads(), qs.read_quorums(), 25, 1, "read").unwrap();
        assert_eq!(got.len(), 12650);
        assert!(got.iter().all(|s| s.count_ones() == 4));
    }

    /// Partial quorums: the uniform strategy of `choose(r)` reads and
    /// `choose(w)` writes of n nodes misses the last k writes with PBS's
    /// probability `(C(n-w, r) / C(n, r))^k` (Bailis et al., VLDB 2012,
    /// section 3.2), for several (n, r, w).
    #[test]
    fn k_staleness_of_partial_thresholds_is_pbs() {
        fn c(n: u64, k: u64) -> f64 {
            (0..k).fold(1.0, |a, i| a * (n - i) as f64 / (i + 1) as f64)
        }
        for (n, r, w) in [(3u64, 1u64, 1u64), (5, 2, 2), (5, 1, 3), (4, 2, 1)] {
            let names: Vec<String> = (0..n).map(|i| format!("n{i}")).collect();
            let list = names.join(",");
            let qs = QuorumSystem::partial(
                &format!("choose({r}, {list})"),
                &format!("choose({w}, {list})"),
            )
            .unwrap();
            assert!(!qs.intersecting());
            let s = uniform(&qs, &vec![NodeSpec::default(); n as usize], &[(0.5, 1.0)]).unwrap();
            let p = c(n - w, r) / c(n, r);
            for k in 0..3 {
                close(s.p_stale_k[k], p.powi(k as i32 + 1));
            }
        }
        // Intersecting systems never miss.
        let qs = QuorumSystem::new("choose(2, a, b, c)", None).unwrap();
        let s = uniform(&qs, &vec![NodeSpec::default(); 3], &[(1.0, 1.0)]).unwrap();
        assert_eq!(s.p_stale_k, [0.0; 3]);
    }

    /// Minimal quorums share one computation per multiset of laws, on one
    /// grid for all nodes; an f-resilient set (not a minimal quorum) is
    /// computed on its own. Both equal the set-by-set figures (to 1e-8:
    /// the grids differ).
    #[test]
    fn latencies_shared_by_law_multisets_are_each_sets() {
        let qs = QuorumSystem::new("choose(2, a, b, c, d)", None).unwrap();
        let laws = [
            "exp(mean=1)",
            "exp(mean=1)",
            "exp(mean=2)",
            "lognormal(mu=0,sigma=1)",
        ];
        let nodes = law_nodes(&laws);
        let mut sets = qs.read_quorums().to_vec();
        sets.extend(candidates(qs.reads(), qs.read_quorums(), 4, 1, "read").unwrap());
        let shared = set_latencies(qs.reads(), &sets, &nodes);
        for (&q, t) in sets.iter().zip(&shared) {
            let alone = quorum_latency(qs.reads(), q, &nodes);
            assert!((t - alone).abs() < 1e-8 * alone, "{q:b}: {t} vs {alone}");
        }
        // A heavy tail (index 0.9) makes every minimal quorum holding its
        // node wait for ever, on the shared grid too.
        let mut heavy = nodes.clone();
        heavy[3].latency = "pareto(xm=1,alpha=0.9)".parse().unwrap();
        let lat = set_latencies(qs.reads(), qs.read_quorums(), &heavy);
        for (&q, t) in qs.read_quorums().iter().zip(&lat) {
            assert_eq!(t.is_infinite(), q >> 3 & 1 == 1, "{q:b}: {t}");
        }
        assert_eq!(law_classes(&nodes), [0, 0, 2, 3]);
    }

    /// The mean time until the answers of all four nodes of `a*b + c*d`
    /// hold a quorum, `min(max(a, b), max(c, d))`, against a direct
    /// simulation of the four delays (log-normal, exponential, gamma and
    /// a mixture with a Pareto tail), inside 5 standard errors.
    #[test]
    fn mean_time_to_quorum_matches_simulation() {
        use rand::SeedableRng;
        let laws = [
            "lognormal(mu=0,sigma=1)",
            "exp(mean=2)",
            "gamma(shape=3,scale=0.5)",
            "mix(0.9: exp(mean=1), 0.1: pareto(xm=1,alpha=2.5))",
        ];
        let nodes = law_nodes(&laws);
        let qs = QuorumSystem::new("a*b + c*d", None).unwrap();
        let exact = quorum_latency(qs.reads(), 0b1111, &nodes);
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(17);
        let trials = 400_000;
        let (mut sum, mut sq) = (0.0, 0.0);
        for _ in 0..trials {
            let x: Vec<f64> = nodes.iter().map(|n| n.latency.sample(&mut rng)).collect();
            let t = x[0].max(x[1]).min(x[2].max(x[3]));
            sum += t;
            sq += t * t;
        }
        let mean = sum / trials as f64;
        let se = ((sq / trials as f64 - mean * mean) / trials as f64).sqrt();
        assert!((exact - mean).abs() < 5.0 * se, "{exact} vs {mean} ± {se}");
    }

    /// The p99 of the time to a quorum: the uniform strategy of two of
    /// three nodes contacts two, each answering in Exp(1), so the time is
    /// the larger of two, `F(t)² = 0.99` at `t = -ln(1 - √0.99)`; with fixed
    /// latencies, the quorums' latencies as a discrete law.
    #[test]
    fn latency_p99_with_laws() {
        let qs = QuorumSystem::new("choose(2, a, b, c)", None).unwrap();
        let exp = NodeSpec {
            latency: "exp(mean=1)".parse().unwrap(),
            ..NodeSpec::default()
        };
        let s = uniform(&qs, &vec![exp; 3], &[(1.0, 1.0)]).unwrap();
        let want = -(1.0 - 0.99f64.sqrt()).ln();
        assert!(
            (s.latency_p99_ms - want).abs() < 1e-6,
            "{} vs {want}",
            s.latency_p99_ms
        );
        // Fixed latencies: the grid's reads take 3 s (a, b, c) or 6 s
        // (d, e, f) half the time each: p99 6, mean 4.5.
        let grid = QuorumSystem::new("a*b*c + d*e*f", None).unwrap();
        let fixed: Vec<NodeSpec> = (1..=6)
            .map(|ms| NodeSpec {
                latency: format!("const({ms})").parse().unwrap(),
                ..NodeSpec::default()
            })
            .collect();
        let s = uniform(&grid, &fixed, &[(1.0, 1.0)]).unwrap();
        close(s.latency_ms, 4.5);
        assert!(
            (s.latency_p99_ms - 6.0).abs() < 1e-6,
            "{}",
            s.latency_p99_ms
        );
    }

    /// Latency with laws: for constant laws the integral is the fixed
    /// latency; for exponential answers from two of three nodes, the mean
    /// of the second order statistic of three Exp(1), 1/3 + 1/2.
    #[test]
    fn latency_with_laws() {
        let qs = QuorumSystem::new("choose(2, a, b, c)", None).unwrap();
        let exp = NodeSpec {
            latency: "exp(mean=1)".parse().unwrap(),
            ..NodeSpec::default()
        };
        let t = quorum_latency(qs.reads(), 0b111, &[exp.clone(), exp.clone(), exp]);
        assert!((t - (1.0 / 3.0 + 1.0 / 2.0)).abs() < 1e-9, "{t}");
        // Closed forms: a Pareto's mean αx/(α − 1); a log-normal's
        // e^{μ + σ²/2}; E[max] of two exponentials 1 + 2 − 1/(1 + 1/2);
        // E[max(2, X)] = 2 + e^{−2} for X ~ Exp(1), a point mass inside;
        // the first of two Pareto(α = 0.6): P(T > t) = t^{−1.2}, mean
        // 1 + 1/0.2; one Pareto(α = 0.9) alone: no mean.
        let spec = |d: &str| NodeSpec {
            latency: d.parse().unwrap(),
            ..NodeSpec::default()
        };
        for (reads, laws, want) in [
            ("a", vec!["pareto(xm=1,alpha=1.5)"], 3.0),
            ("a", vec!["lognormal(mu=0,sigma=2)"], 2f64.exp()),
            ("a*b", vec!["exp(mean=1)", "exp(mean=2)"], 3.0 - 2.0 / 3.0),
            ("a*b", vec!["const(2)", "exp(mean=1)"], 2.0 + (-2f64).exp()),
            (
                "a+b",
                vec!["pareto(xm=1,alpha=0.6)", "pareto(xm=1,alpha=0.6)"],
                6.0,
            ),
            ("a", vec!["pareto(xm=1,alpha=0.9)"], f64::INFINITY),
            (
                "a*b",
                vec!["pareto(xm=1,alpha=0.6)", "pareto(xm=1,alpha=0.6)"],
                f64::INFINITY,
            ),
        ] {
            let qs = QuorumSystem::new(reads, None).unwrap();
            let nodes: Vec<NodeSpec> = laws.iter().map(|l| spec(l)).collect();
            let all = (1u64 << nodes.len()) - 1;
            let t = quorum_latency(qs.reads(), all, &nodes);
            if want.is_infinite() {
                assert!(t.is_infinite(), "{reads} {laws:?}: {t}");
            } else {
                assert!(
                    (t - want).abs() < 1e-6 * want,
                    "{reads} {laws:?}: {t} vs {want}"
                );
            }
        }
    }
}
