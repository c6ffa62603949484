//! What an operation waits for, as a condition on which replicas answered:
//! a [`Rule`] is a conjunction of [`Term`]s, each "at least `k` answers
//! among the replicas of these datacenters", the terms over disjoint sets
//! of datacenters. Every consistency level is one (`QUORUM`: one term over
//! all datacenters; `EACH_QUORUM`: one term per datacenter).
//!
//! Two questions about a write rule and a read rule, both answered exactly:
//!
//! - **Strictness** ([`can_miss`]): can some set of replicas that satisfies
//!   the read miss every replica of some set that satisfies the write? This
//!   is set intersection, not `r + w > n`: both sets exist disjointly iff a
//!   flow network carries every term's demand within each datacenter's
//!   replicas (max-flow, Ford–Fulkerson on a graph of terms and
//!   datacenters).
//! - **k-staleness** ([`p_disjoint`]): with the write landing on a uniformly
//!   random set satisfying each write term (exactly `k` replicas of its
//!   datacenters, PBS's model) and the read asking a uniformly random set
//!   for each read term, the probability that they share no replica. For
//!   one term over all replicas on each side this is PBS's
//!   `C(n−w, r) / C(n, r)` (Bailis et al., VLDB 2012, §3). It is computed by
//!   dynamic programming over datacenters: the write's count in each
//!   datacenter is hypergeometric given what its term has left to place,
//!   and given the write's counts a read term misses them with probability
//!   `C(B − written, b) / C(B, b)`.

use statrs::function::factorial::ln_binomial;
use std::collections::BTreeMap;

/// At least `k` answers among the replicas of datacenters `dcs`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Term {
    /// The datacenters whose replicas count (indices, ascending).
    pub dcs: Vec<usize>,
    /// Answers needed.
    pub k: usize,
}

impl Term {
    /// A term (its datacenters sorted).
    pub fn new(mut dcs: Vec<usize>, k: usize) -> Self {
        dcs.sort_unstable();
        dcs.dedup();
        Term { dcs, k }
    }

    /// Replicas the term counts among.
    pub fn size(&self, counts: &[usize]) -> usize {
        self.dcs.iter().map(|d| counts[*d]).sum()
    }
}

/// All of its terms at once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rule {
    /// The terms, over disjoint sets of datacenters.
    pub terms: Vec<Term>,
}

impl Rule {
    /// Whether `answered[d]` answers per datacenter satisfy the rule.
    pub fn holds(&self, answered: &[usize]) -> bool {
        self.terms
            .iter()
            .all(|t| t.dcs.iter().map(|d| answered[*d]).sum::<usize>() >= t.k)
    }

    /// The fewest answers that can satisfy it.
    pub fn least(&self) -> usize {
        self.terms.iter().map(|t| t.k).sum()
    }
}

/// Whether a read satisfying `read` can miss a write satisfying `write`:
/// two disjoint sets of replicas, one satisfying each, exist among
/// `counts[d]` replicas per datacenter. `false`: every read meets every
/// write (strict).
///
/// ```
/// use quorum_model::topology::{can_miss, Level};
/// let c = [3, 3];
/// let lq = |d| Level::LocalQuorum.rule(&c, Some(d)).unwrap();
/// let each = Level::EachQuorum.rule(&c, None).unwrap();
/// assert!(!can_miss(&each, &lq(1), &c)); // EACH_QUORUM writes, LOCAL_QUORUM reads
/// assert!(can_miss(&lq(0), &lq(1), &c)); // LOCAL_QUORUM in two datacenters
/// let q = Level::Quorum.rule(&c, None).unwrap();
/// assert!(!can_miss(&q, &q, &c));
/// ```
pub fn can_miss(write: &Rule, read: &Rule, counts: &[usize]) -> bool {
    // Nodes: 0 source, 1 sink, then write terms, read terms, datacenters.
    let (nw, nr, nd) = (write.terms.len(), read.terms.len(), counts.len());
    let node_w = |i: usize| 2 + i;
    let node_r = |j: usize| 2 + nw + j;
    let node_d = |d: usize| 2 + nw + nr + d;
    let size = 2 + nw + nr + nd;
    let mut cap = vec![vec![0usize; size]; size];
    let big = counts.iter().sum::<usize>() + 1;
    for (i, t) in write.terms.iter().enumerate() {
        cap[0][node_w(i)] = t.k;
        for d in &t.dcs {
            cap[node_w(i)][node_d(*d)] = big;
        }
    }
    for (j, t) in read.terms.iter().enumerate() {
        cap[0][node_r(j)] = t.k;
        for d in &t.dcs {
            cap[node_r(j)][node_d(*d)] = big;
        }
    }
    for (d, m) in counts.iter().enumerate() {
        cap[node_d(d)][1] = *m;
    }
    let demand = write.least() + read.least();
    max_flow(&mut cap, 0, 1) == demand
}

/// Edmonds–Karp on an adjacency matrix (small graphs: terms and
/// datacenters).
fn max_flow(cap: &mut [Vec<usize>], s: usize, t: usize) -> usize {
    let n = cap.len();
    let mut flow = 0;
    loop {
        let mut prev = vec![usize::MAX; n];
        prev[s] = s;
        let mut queue = std::collections::VecDeque::from([s]);
        while let Some(u) = queue.pop_front() {
            for v in 0..n {
                if prev[v] == usize::MAX && cap[u][v] > 0 {
                    prev[v] = u;
                    queue.push_back(v);
                }
            }
        }
        if prev[t] == usize::MAX {
            return flow;
        }
        let mut push = usize::MAX;
        let mut v = t;
        while v != s {
            push = push.min(cap[prev[v]][v]);
            v = prev[v];
        }
        let mut v = t;
        while v != s {
            cap[prev[v]][v] -= push;
            cap[v][prev[v]] += push;
            v = prev[v];
        }
        flow += push;
    }
}

/// `C(n, k)` as a probability ratio `C(a, x) / C(b, y)`, exactly 1 when the
/// two are the same coefficient.
fn ratio(a: usize, x: usize, b: usize, y: usize) -> f64 {
    if x > a {
        return 0.0;
    }
    if (a, x) == (b, y) {
        return 1.0;
    }
    (ln_binomial(a as u64, x as u64) - ln_binomial(b as u64, y as u64)).exp()
}

/// The most states the staleness recursion keeps at once (each a count per
/// open term): beyond it the answer is refused rather than slow.
pub const MAX_STATES: usize = 1_000_000;

/// P(a read set misses a write set), each drawn uniformly as the module
/// docs say; `None` if the recursion would need more than [`MAX_STATES`]
/// states.
///
/// ```
/// use quorum_model::topology::{p_disjoint, Level};
/// use quorum_model::closed::staleness::p_stale;
/// let c = [5];
/// let w = Level::Count(2).rule(&c, None).unwrap();
/// let r = Level::Count(2).rule(&c, None).unwrap();
/// assert!((p_disjoint(&w, &r, &c).unwrap() - p_stale(5, 2, 2)).abs() < 1e-15);
/// ```
pub fn p_disjoint(write: &Rule, read: &Rule, counts: &[usize]) -> Option<f64> {
    let nw = write.terms.len();
    let nr = read.terms.len();
    let owner_w = |d: usize| write.terms.iter().position(|t| t.dcs.contains(&d));
    let owner_r = |d: usize| read.terms.iter().position(|t| t.dcs.contains(&d));
    // The last datacenter of each term: there its factor is applied and
    // its count forgotten.
    let last = |t: &Term| t.dcs.iter().copied().max();
    // State: for each write term, replicas still to place; for each read
    // term, written replicas among its datacenters so far.
    let start: Vec<usize> = write
        .terms
        .iter()
        .map(|t| t.k)
        .chain(std::iter::repeat_n(0, nr))
        .collect();
    // Pool left to each write term (replicas in its unprocessed
    // datacenters), the same in every state.
    let mut pool: Vec<usize> = write.terms.iter().map(|t| t.size(counts)).collect();
    let mut states: BTreeMap<Vec<usize>, f64> = BTreeMap::from([(start, 1.0)]);
    for (d, &m) in counts.iter().enumerate() {
        let wi = owner_w(d);
        let rj = owner_r(d);
        let mut next: BTreeMap<Vec<usize>, f64> = BTreeMap::new();
        for (state, p) in &states {
            let placements: Vec<(usize, f64)> = match wi {
                None => vec![(0, 1.0)],
                Some(i) => {
                    let left = state[i];
                    let rest = pool[i] - m;
                    (left.saturating_sub(rest)..=left.min(m))
                        .map(|x| {
                            // Hypergeometric: x of the `left` placed here.
                            let lp = ln_binomial(m as u64, x as u64)
                                + ln_binomial(rest as u64, (left - x) as u64)
                                - ln_binomial(pool[i] as u64, left as u64);
                            (x, lp.exp())
                        })
                        .collect()
                }
            };
            for (x, px) in placements {
                let mut s = state.clone();
                let mut q = p * px;
                if let Some(i) = wi {
                    s[i] -= x;
                }
                if let Some(j) = rj {
                    s[nw + j] += x;
                    let t = &read.terms[j];
                    if last(t) == Some(d) {
                        // The read term draws t.k of its replicas: all
                        // among the unwritten ones.
                        let size = t.size(counts);
                        q *= ratio(size - s[nw + j], t.k, size, t.k);
                        s[nw + j] = 0;
                    }
                }
                if q > 0.0 {
                    *next.entry(s).or_insert(0.0) += q;
                }
            }
        }
        if let Some(i) = wi {
            pool[i] -= m;
        }
        if next.len() > MAX_STATES {
            return None;
        }
        states = next;
    }
    Some(states.values().sum())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::Level;

    /// Every subset of the replicas (replica i in datacenter dc_of[i]).
    fn subsets(counts: &[usize]) -> (Vec<usize>, Vec<u32>) {
        let dc_of: Vec<usize> = counts
            .iter()
            .enumerate()
            .flat_map(|(d, m)| std::iter::repeat_n(d, *m))
            .collect();
        (dc_of.clone(), (0..1u32 << dc_of.len()).collect())
    }

    fn per_dc(set: u32, dc_of: &[usize], dcs: usize) -> Vec<usize> {
        let mut out = vec![0; dcs];
        for (i, d) in dc_of.iter().enumerate() {
            if set & (1 << i) != 0 {
                out[*d] += 1;
            }
        }
        out
    }

    fn brute_can_miss(w: &Rule, r: &Rule, counts: &[usize]) -> bool {
        let (dc_of, all) = subsets(counts);
        let ws: Vec<u32> = all
            .iter()
            .copied()
            .filter(|s| w.holds(&per_dc(*s, &dc_of, counts.len())))
            .collect();
        let rs: Vec<u32> = all
            .iter()
            .copied()
            .filter(|s| r.holds(&per_dc(*s, &dc_of, counts.len())))
            .collect();
        ws.iter().any(|a| rs.iter().any(|b| a & b == 0))
    }

    /// The write's set: per term, a uniform k-subset of its replicas; the
    /// read's likewise; P(disjoint) by enumerating both.
    fn brute_p_disjoint(w: &Rule, r: &Rule, counts: &[usize]) -> f64 {
        let (dc_of, all) = subsets(counts);
        let draws = |rule: &Rule| -> Vec<(u32, f64)> {
            // Independent uniform choices per term: the product law.
            let mut out = vec![(0u32, 1.0)];
            for t in &rule.terms {
                let mask: u32 = dc_of
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| t.dcs.contains(d))
                    .map(|(i, _)| 1 << i)
                    .sum();
                let choices: Vec<u32> = all
                    .iter()
                    .copied()
                    .filter(|s| s & !mask == 0 && s.count_ones() as usize == t.k)
                    .collect();
                let p = 1.0 / choices.len() as f64;
                out = out
                    .iter()
                    .flat_map(|(s, q)| choices.iter().map(move |c| (s | c, q * p)))
                    .collect();
            }
            out
        };
        let (wd, rd) = (draws(w), draws(r));
        let mut miss = 0.0;
        for (a, p) in &wd {
            for (b, q) in &rd {
                if a & b == 0 {
                    miss += p * q;
                }
            }
        }
        miss
    }

    const LEVELS: [Level; 8] = [
        Level::Count(1),
        Level::Count(2),
        Level::Quorum,
        Level::All,
        Level::LocalOne,
        Level::LocalQuorum,
        Level::EachQuorum,
        Level::Count(3),
    ];

    #[test]
    fn strictness_and_staleness_match_enumeration() {
        let mut tested = 0;
        for counts in [
            vec![3],
            vec![2, 2],
            vec![3, 3],
            vec![1, 2, 3],
            vec![3, 1, 1],
        ] {
            let dcs = counts.len();
            for wl in LEVELS {
                for rl in LEVELS {
                    for (wd, rd) in [(0, 0), (0, dcs - 1)] {
                        let (Ok(w), Ok(r)) =
                            (wl.rule(&counts, Some(wd)), rl.rule(&counts, Some(rd)))
                        else {
                            continue;
                        };
                        let what = format!("{counts:?} {wl}@{wd} / {rl}@{rd}");
                        assert_eq!(
                            can_miss(&w, &r, &counts),
                            brute_can_miss(&w, &r, &counts),
                            "{what}"
                        );
                        let p = p_disjoint(&w, &r, &counts).unwrap();
                        let want = brute_p_disjoint(&w, &r, &counts);
                        assert!((p - want).abs() < 1e-13, "{what}: {p} vs {want}");
                        // Strict rules never miss; a miss is possible when
                        // its probability is positive.
                        assert_eq!(p > 0.0, can_miss(&w, &r, &counts), "{what}");
                        tested += 1;
                    }
                }
            }
        }
        assert!(tested > 500, "{tested}");
    }

    #[test]
    fn the_issues_pairs() {
        let c = [3, 3];
        let lq = |d| Level::LocalQuorum.rule(&c, Some(d)).unwrap();
        let rule = |l: Level| l.rule(&c, Some(0)).unwrap();
        assert!(!can_miss(&rule(Level::EachQuorum), &lq(0), &c));
        assert!(!can_miss(&rule(Level::EachQuorum), &lq(1), &c));
        assert!(can_miss(&lq(0), &lq(1), &c));
        // Never meet: the write's and the read's datacenters differ.
        assert_eq!(p_disjoint(&lq(0), &lq(1), &c), Some(1.0));
        assert!(!can_miss(&rule(Level::Quorum), &rule(Level::Quorum), &c));
        assert!(!can_miss(&rule(Level::All), &rule(Level::Count(1)), &c));
        assert_eq!(
            p_disjoint(&rule(Level::All), &rule(Level::Count(1)), &c),
            Some(0.0)
        );
    }

    #[test]
    fn one_term_each_side_is_pbs() {
        for n in 1..=12 {
            for r in 1..=n {
                for w in 1..=n {
                    let c = [n];
                    let p = p_disjoint(
                        &Level::Count(w).rule(&c, None).unwrap(),
                        &Level::Count(r).rule(&c, None).unwrap(),
                        &c,
                    )
                    .unwrap();
                    let want = crate::closed::staleness::p_stale(n, r, w);
                    assert!((p - want).abs() < 1e-14, "n={n} r={r} w={w}: {p} vs {want}");
                }
            }
        }
    }

    #[test]
    fn large_layouts_stay_small() {
        let c = [10; 8];
        let each = Level::EachQuorum.rule(&c, None).unwrap();
        let q = Level::Quorum.rule(&c, None).unwrap();
        let p = p_disjoint(&each, &q, &c).unwrap();
        assert!((0.0..=1.0).contains(&p));
        assert!(!can_miss(&each, &each, &c));
    }
}
