//! The probability that a quorum system's side can form a quorum: some
//! quorum all of whose nodes are up, under each of the crate's failure
//! models.
//!
//! Independent nodes (iid, per node, repair with a crew each): when every
//! node appears once in the expression its parts are independent and the
//! probability is a product (`*`: the product, `+`: one minus the product
//! of the misses, `choose` and `weighted`: a Poisson-binomial or vote-sum
//! recursion); otherwise a Shannon expansion over the nodes, node by node,
//! stopping as soon as the nodes decided so far settle the question (the
//! expressions are monotone: a superset of a quorum is one). Both are exact.
//! Correlated nodes: failure domains are conditioned on (every up/down
//! state of the domains holding nodes, each then independent); shared
//! repair crews make the up nodes an exchangeable set, so the probability
//! is `Σ_u P(u up) · (u-sets holding a quorum) / C(n, u)`, the counts from
//! the same expansion. Where the work would be too large, Monte Carlo with
//! the crate's sampler and a Wilson interval.

use super::expr::Expr;
use crate::failure::FailureModel;
use rand::SeedableRng;
use serde::Serialize;

/// Steps of the Shannon expansion before giving way to Monte Carlo.
const MAX_STEPS: u64 = 50_000_000;
/// Domain states enumerated at most (2^16).
const MAX_DOMAIN_BITS: usize = 16;
/// Monte Carlo draws when nothing exact applies.
pub const TRIALS: u64 = 1_000_000;

/// An availability and how it was found.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The probability.
    pub p: f64,
    /// Exact, or Monte Carlo with its 95% Wilson interval.
    pub exact: bool,
    /// The interval's ends (Monte Carlo only).
    pub interval: Option<(f64, f64)>,
    /// Draws (Monte Carlo only).
    pub trials: Option<u64>,
}

impl Estimate {
    fn exact(p: f64) -> Self {
        Estimate {
            p: p.clamp(0.0, 1.0),
            exact: true,
            interval: None,
            trials: None,
        }
    }
}

/// The availability of `e` over `n` nodes (bits `0..n`) under `model`;
/// Monte Carlo (seeded by `seed`) only where exact work is too large.
///
/// ```
/// use quorum_model::failure::FailureModel;
/// use quorum_model::qs::{avail::availability, QuorumSystem};
/// // Two of three nodes, each down 1% of the time: 1 − 3p² + 2p³.
/// let qs = QuorumSystem::new("choose(2, a, b, c)", None).unwrap();
/// let a = availability(qs.reads(), qs.n(), &FailureModel::iid(0.01), 1).unwrap();
/// assert!(a.exact && (a.p - (1.0 - 3e-4 + 2e-6)).abs() < 1e-15);
/// ```
pub fn availability(
    e: &Expr,
    n: usize,
    model: &FailureModel,
    seed: u64,
) -> Result<Estimate, crate::failure::FailureError> {
    model.validate(n)?;
    let mc = || monte_carlo(e, n, model, TRIALS, seed);
    Ok(match model {
        FailureModel::Domains(d) => {
            let holding = d.domains.min(n);
            let domain_of = |i: usize| match d.placement {
                crate::failure::Placement::Spread => i % d.domains,
                crate::failure::Placement::Packed => 0,
            };
            if holding > MAX_DOMAIN_BITS {
                return Ok(mc());
            }
            let mut total = 0.0;
            for state in 0u64..1 << holding {
                let down_domains = state.count_ones() as i32;
                let p_state = d.p_domain.powi(down_domains)
                    * (1.0 - d.p_domain).powi(holding as i32 - down_domains);
                if p_state == 0.0 {
                    continue;
                }
                let up: Vec<f64> = (0..n)
                    .map(|i| {
                        if state >> domain_of(i) & 1 == 1 {
                            0.0
                        } else {
                            1.0 - d.p_fail
                        }
                    })
                    .collect();
                match independent(e, &up) {
                    Some(p) => total += p_state * p,
                    None => return Ok(mc()),
                }
            }
            Estimate::exact(total)
        }
        m if m.correlated(n) => {
            // Exchangeable: the law of the up count.
            let law = m.up_law(n, false).unwrap_or_default();
            match quorum_counts(e, n) {
                Some(counts) => {
                    let mut total = 0.0;
                    for (p, _, up) in law {
                        total += p * counts[up] / binomial(n, up);
                    }
                    Estimate::exact(total)
                }
                None => mc(),
            }
        }
        m => {
            let up: Vec<f64> = m.down_probabilities(n).iter().map(|d| 1.0 - d).collect();
            match independent(e, &up) {
                Some(p) => Estimate::exact(p),
                None => mc(),
            }
        }
    })
}

/// `C(n, k)` as a float.
fn binomial(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// Exact availability with node `i` up with probability `up[i]`,
/// independently; `None` when the expansion would be too long.
pub fn independent(e: &Expr, up: &[f64]) -> Option<f64> {
    independent_known(e, up, e.dup_free())
}

/// [`independent`] with `e.dup_free()` already known: callers that ask
/// thousands of times about one expression (latency integrals and
/// quantiles) check it once.
pub(crate) fn independent_known(e: &Expr, up: &[f64], dup_free: bool) -> Option<f64> {
    if dup_free {
        return Some(product_form(e, up));
    }
    let nodes: Vec<usize> = (0..up.len()).filter(|i| e.nodes() >> i & 1 == 1).collect();
    let mut steps = 0u64;
    shannon(e, up, &nodes, 0, 0, 1.0, &mut steps)
}

/// The recursion for expressions whose nodes each appear once.
fn product_form(e: &Expr, up: &[f64]) -> f64 {
    match e {
        Expr::Node(i) => up[*i],
        Expr::And(es) => es.iter().map(|c| product_form(c, up)).product(),
        Expr::Or(es) => {
            1.0 - es
                .iter()
                .map(|c| 1.0 - product_form(c, up))
                .product::<f64>()
        }
        Expr::Choose(k, es) => {
            // P(j children hold), j = 0..=len, by adding one child at a time.
            let mut pmf = vec![1.0];
            for c in es {
                let p = product_form(c, up);
                let mut next = vec![0.0; pmf.len() + 1];
                for (j, &m) in pmf.iter().enumerate() {
                    next[j] += m * (1.0 - p);
                    next[j + 1] += m * p;
                }
                pmf = next;
            }
            pmf[*k..].iter().sum()
        }
        Expr::Weighted { votes, threshold } => {
            // P(votes so far = v), v capped at the threshold.
            let t = *threshold as usize;
            let mut pmf = vec![0.0; t + 1];
            pmf[0] = 1.0;
            for &(i, v) in votes {
                let mut next = vec![0.0; t + 1];
                for (s, &m) in pmf.iter().enumerate() {
                    next[s] += m * (1.0 - up[i]);
                    next[(s + v as usize).min(t)] += m * up[i];
                }
                pmf = next;
            }
            pmf[t]
        }
    }
}

/// Shannon expansion over `nodes[k..]` with `set` up among those decided
/// (`decided` the mask of `nodes[..k]`) at probability `p`.
fn shannon(
    e: &Expr,
    up: &[f64],
    nodes: &[usize],
    k: usize,
    set: u64,
    p: f64,
    steps: &mut u64,
) -> Option<f64> {
    *steps += 1;
    if *steps > MAX_STEPS {
        return None;
    }
    let undecided: u64 = nodes[k..].iter().fold(0, |m, &i| m | 1 << i);
    if e.is_quorum(set) {
        return Some(p);
    }
    if p == 0.0 || !e.is_quorum(set | undecided) {
        return Some(0.0);
    }
    let i = nodes[k];
    let yes = shannon(e, up, nodes, k + 1, set | 1 << i, p * up[i], steps)?;
    let no = shannon(e, up, nodes, k + 1, set, p * (1.0 - up[i]), steps)?;
    Some(yes + no)
}

/// For `u = 0..=n`: how many `u`-subsets of the `n` nodes hold a quorum of
/// `e` (as floats); `None` when the expansion would be too long.
pub fn quorum_counts(e: &Expr, n: usize) -> Option<Vec<f64>> {
    // Pascal's triangle for the completions of a settled branch.
    let mut choose = vec![vec![0.0; n + 1]; n + 1];
    for (a, row) in choose.iter_mut().enumerate() {
        for (b, slot) in row.iter_mut().enumerate().take(a + 1) {
            *slot = binomial(a, b);
        }
    }
    let mut counts = vec![0.0; n + 1];
    let mut steps = 0u64;
    // Nodes outside the expression are free: every completion counts.
    fn go(
        e: &Expr,
        n: usize,
        k: usize,
        set: u64,
        choose: &[Vec<f64>],
        counts: &mut [f64],
        steps: &mut u64,
    ) -> Option<()> {
        *steps += 1;
        if *steps > MAX_STEPS {
            return None;
        }
        let undecided: u64 = if k >= 64 {
            0
        } else {
            ((1u128 << n) - 1) as u64 & !((1u64 << k) - 1)
        };
        if e.is_quorum(set) {
            let have = set.count_ones() as usize;
            let free = n - k;
            for extra in 0..=free {
                counts[have + extra] += choose[free][extra];
            }
            return Some(());
        }
        if k == n || !e.is_quorum(set | undecided) {
            return Some(());
        }
        go(e, n, k + 1, set | 1 << k, choose, counts, steps)?;
        go(e, n, k + 1, set, choose, counts, steps)
    }
    go(e, n, 0, 0, &choose, &mut counts, &mut steps)?;
    Some(counts)
}

/// Monte Carlo with the model's own sampler of down nodes: the share of
/// draws with a quorum up, and its 95% Wilson interval.
pub fn monte_carlo(e: &Expr, n: usize, model: &FailureModel, trials: u64, seed: u64) -> Estimate {
    let sampler = model.sampler(n);
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut down = vec![false; n];
    let mut scratch = Vec::new();
    let mut hits = 0u64;
    for _ in 0..trials {
        sampler.draw(&mut rng, &mut down, &mut scratch);
        let up = (0..n).filter(|&i| !down[i]).fold(0u64, |m, i| m | 1 << i);
        hits += u64::from(e.is_quorum(up));
    }
    let w = crate::mc::estimate::wilson(hits, trials);
    let (lo, hi) = (w.ci_low, w.ci_high);
    Estimate {
        p: hits as f64 / trials as f64,
        exact: false,
        interval: Some((lo, hi)),
        trials: Some(trials),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qs::QuorumSystem;

    /// Availability by brute force over every up set, each weighted by its
    /// probability.
    fn brute(e: &Expr, up: &[f64]) -> f64 {
        let n = up.len();
        (0u64..1 << n)
            .filter(|&s| e.is_quorum(s))
            .map(|s| {
                (0..n)
                    .map(|i| if s >> i & 1 == 1 { up[i] } else { 1.0 - up[i] })
                    .product::<f64>()
            })
            .sum()
    }

    #[test]
    fn exact_forms_match_brute_force() {
        let up = [0.9, 0.8, 0.95, 0.7, 0.99, 0.85];
        for text in [
            "a*b*c + d*e*f",
            "a*b + b*c + a*c",
            "choose(3, a, c, e, b + d + f)",
            "weighted(a=3, b=1, c=1, d=2, e=1, f=1; read=5)",
            "(a + b) * (c + a * d) + e * f",
        ] {
            let qs = QuorumSystem::new(text, None).unwrap();
            for e in [qs.reads(), qs.writes()] {
                let exact = independent(e, &up[..qs.n()]).unwrap();
                let want = brute(e, &up[..qs.n()]);
                assert!((exact - want).abs() < 1e-12, "{text}: {exact} vs {want}");
            }
        }
    }

    /// A threshold is a `choose`: its availability is eval's for n = 3,
    /// r = 2 under every failure model.
    #[test]
    fn choose_two_of_three_is_the_threshold_under_every_model() {
        let qs = QuorumSystem::new("choose(2, a, b, c)", None).unwrap();
        for spec in [
            "iid(p_fail=0.05)",
            "per_node(0.01,0.2,0.05)",
            "repair(mttf=1000,mttr=10)",
            "repair(mttf=100,mttr=10,crews=1)",
            "domains(d=2,p_domain=0.01,p_fail=0.02)",
            "domains(d=3,p_domain=0.05,p_fail=0.01,placement=packed)",
        ] {
            let model: FailureModel = spec.parse().unwrap();
            let mine = availability(qs.reads(), 3, &model, 1).unwrap();
            assert!(mine.exact, "{spec}");
            let eval = model.availability(2, 3).available;
            assert!(
                (mine.p - eval).abs() < 1e-12,
                "{spec}: {} vs {eval}",
                mine.p
            );
        }
    }

    /// Issue 17: a 5 x 5 grid's read availability at p_fail = 0.01 is exact
    /// (1 - (1 - 0.99^5)^5) and Monte Carlo agrees inside its interval.
    #[test]
    fn five_by_five_grid_exact_and_monte_carlo() {
        let rows: Vec<String> = (0..5)
            .map(|r| {
                (0..5)
                    .map(|c| format!("n{r}{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect();
        let qs = QuorumSystem::new(&format!("grid({})", rows.join("; ")), None).unwrap();
        assert_eq!(qs.n(), 25);
        let model = FailureModel::iid(0.01);
        let exact = availability(qs.reads(), 25, &model, 1).unwrap();
        assert!(exact.exact);
        let closed = 1.0 - (1.0 - 0.99f64.powi(5)).powi(5);
        assert!((exact.p - closed).abs() < 1e-15, "{} vs {closed}", exact.p);
        // Writes: one node of every row.
        let w = availability(qs.writes(), 25, &model, 1).unwrap();
        assert!((w.p - (1.0 - 0.01f64.powi(5)).powi(5)).abs() < 1e-15);
        // At p_fail = 0.3 the read side misses often enough to see.
        let model = FailureModel::iid(0.3);
        let exact = availability(qs.reads(), 25, &model, 1).unwrap().p;
        let mc = monte_carlo(qs.reads(), 25, &model, 200_000, 7);
        let (lo, hi) = mc.interval.unwrap();
        assert!(lo <= exact && exact <= hi, "{exact} outside [{lo}, {hi}]");
        let mc = monte_carlo(qs.reads(), 25, &FailureModel::iid(0.01), 200_000, 7);
        let (lo, hi) = mc.interval.unwrap();
        let exact = 1.0 - (1.0 - 0.99f64.powi(5)).powi(5);
        assert!(lo <= exact && exact <= hi, "{exact} outside [{lo}, {hi}]");
    }

    #[test]
    fn counts_by_size_match_brute_force() {
        let qs = QuorumSystem::new("a*b + b*c + c*d + a*d*e", None).unwrap();
        let n = qs.n();
        let counts = quorum_counts(qs.reads(), n).unwrap();
        for (u, &c) in counts.iter().enumerate() {
            let want = (0u64..1 << n)
                .filter(|s| s.count_ones() as usize == u && qs.reads().is_quorum(*s))
                .count() as f64;
            assert_eq!(c, want, "size {u}");
        }
    }
}
