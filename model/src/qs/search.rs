//! The best quorum system of a family for a set of nodes: every threshold
//! (`choose(k)` of the nodes), every grid shape (rows of the nodes in
//! their order, each shape and its transpose), weighted votes from the
//! nodes' capacities and the nested systems of Quoracle's search (every
//! partition of the nodes, a `choose` inside each part and a `choose` of
//! the parts), each with its optimal strategy, kept when it meets the
//! availability and resilience asked for, ranked by the strategy's
//! objective (Quoracle, PaPoC 2021 section 4; its `search` tries the
//! nested systems of height 2 first, then deeper ones until a timeout:
//! here the first phase, whole for up to 6 nodes, up to a budget beyond,
//! so that a search ends in seconds and gives the same answer every time).

use super::avail::availability;
use super::expr::{Expr, Shown};
use super::strategy::{optimal, NodeSpec, Objective, Strategy, Workload};
use super::QuorumSystem;
use crate::failure::FailureModel;
use serde::Serialize;

/// The families searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// `choose(k, nodes)` for every `k`.
    Thresholds,
    /// Rows of `c` nodes, for every `r x c = n` with `r, c >= 2`.
    Grids,
    /// Votes in proportion to the nodes' capacities (1 to 5), every read
    /// threshold.
    Weighted,
    /// `choose(k, e1, ..., em)` over a partition of the nodes into `m >= 2`
    /// parts, each part `eᵢ` a `choose` of its nodes (Quoracle's height-2
    /// expressions).
    Nested,
}

impl Family {
    /// Every family.
    pub const ALL: [Family; 4] = [
        Family::Thresholds,
        Family::Grids,
        Family::Weighted,
        Family::Nested,
    ];

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Family::Thresholds => "thresholds",
            Family::Grids => "grids",
            Family::Weighted => "weighted",
            Family::Nested => "nested",
        }
    }
}

impl std::str::FromStr for Family {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Family::ALL
            .into_iter()
            .find(|f| f.name() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown family '{}': thresholds, grids, weighted or nested",
                    s.trim()
                )
            })
    }
}

/// What a system must meet besides the strategy's limits.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Requirements {
    /// Both sides at least this available under the model.
    pub availability: Option<(f64, FailureModel)>,
    /// Both sides surviving at least this many failures.
    pub resilience: Option<usize>,
}

/// A system found, with its strategy and what it was judged on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// The family.
    pub family: Family,
    /// Its read and write expressions.
    pub reads: String,
    /// The writes.
    pub writes: String,
    /// Its optimal strategy.
    pub strategy: Strategy,
    /// The objective's value (load, network load or latency in ms).
    pub objective: f64,
    /// Read and write availability (when a model is given).
    pub read_availability: Option<f64>,
    /// The writes'.
    pub write_availability: Option<f64>,
    /// The fewer failures of the two sides always survived.
    pub resilience: Option<usize>,
}

/// Nested systems generated at most: Quoracle's height-2 space has 3216
/// for 6 nodes, 21693 for 7, 157536 for 8 (each needs a linear program).
pub const NESTED_BUDGET: usize = 5000;
/// Minimal quorums (reads and writes, the linear programs' variables)
/// of the nested systems tried at most: with many nodes each system is a
/// large program, and this keeps a search to seconds.
pub const NESTED_QUORUM_BUDGET: usize = 200_000;

/// What a search found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    /// The systems meeting every limit and requirement, best first.
    pub candidates: Vec<Candidate>,
    /// Distinct systems tried (the same quorums from two families or two
    /// expressions count once).
    pub tried: usize,
    /// Whether the nested family stopped at [`NESTED_BUDGET`] or
    /// [`NESTED_QUORUM_BUDGET`] before the end of its space.
    pub nested_truncated: bool,
}

/// Every set partition of `0..n` with at least two parts, in a fixed
/// order, handed to `visit` until it returns false (Quoracle's
/// `_partitionings`: each partition of the rest, with the first element
/// alone or added to each part).
fn partitions(n: usize, visit: &mut dyn FnMut(&[Vec<usize>]) -> bool) {
    fn go(
        i: usize,
        n: usize,
        parts: &mut Vec<Vec<usize>>,
        visit: &mut dyn FnMut(&[Vec<usize>]) -> bool,
    ) -> bool {
        if i == n {
            return parts.len() < 2 || visit(parts);
        }
        parts.push(vec![i]);
        let more = go(i + 1, n, parts, visit);
        parts.pop();
        if !more {
            return false;
        }
        for p in 0..parts.len() {
            parts[p].push(i);
            let more = go(i + 1, n, parts, visit);
            parts[p].pop();
            if !more {
                return false;
            }
        }
        true
    }
    go(0, n, &mut Vec::new(), visit);
}

/// `choose(k, es)`, written `+` for k = 1 and `*` for all of them.
fn choose(k: usize, es: &[Expr]) -> Expr {
    match k {
        1 => Expr::Or(es.to_vec()),
        k if k == es.len() => Expr::And(es.to_vec()),
        k => Expr::Choose(k, es.to_vec()),
    }
}

/// Quoracle's height-2 read expressions over `n` nodes, at most `budget`
/// of them; and whether that stopped before the end.
fn nested(n: usize, budget: usize) -> (Vec<Expr>, bool) {
    let mut out = Vec::new();
    let mut truncated = false;
    partitions(n, &mut |parts| {
        // Each part's choices: the node itself, or choose(k) of its nodes.
        let options: Vec<Vec<Expr>> = parts
            .iter()
            .map(|p| match p.as_slice() {
                [one] => vec![Expr::Node(*one)],
                many => {
                    let leaves: Vec<Expr> = many.iter().map(|&i| Expr::Node(i)).collect();
                    (1..=many.len()).map(|k| choose(k, &leaves)).collect()
                }
            })
            .collect();
        let mut pick = vec![0; parts.len()];
        loop {
            let subs: Vec<Expr> = pick
                .iter()
                .zip(&options)
                .map(|(&j, o)| o[j].clone())
                .collect();
            for k in 1..=subs.len() {
                if out.len() == budget {
                    truncated = true;
                    return false;
                }
                out.push(choose(k, &subs));
            }
            // The next combination, odometer-wise.
            let mut d = 0;
            while d < pick.len() && pick[d] + 1 == options[d].len() {
                pick[d] = 0;
                d += 1;
            }
            if d == pick.len() {
                return true;
            }
            pick[d] += 1;
        }
    });
    (out, truncated)
}

/// The systems of `families` over `names` (with `nodes`' capacities and
/// latencies), those meeting `work`'s limits and `req`, best first, and
/// how many were tried.
///
/// ```
/// use quorum_model::qs::search::{search, Family, Requirements};
/// use quorum_model::qs::strategy::{NodeSpec, Workload};
/// // Four alike nodes, reads only: reading any one node is the least load.
/// let names: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
/// let nodes = vec![NodeSpec::default(); 4];
/// let found = search(&names, &nodes, &Family::ALL, &Workload::default(), &Requirements::default(), 1);
/// let best = &found.candidates[0];
/// assert_eq!(best.reads, "choose(1, a, b, c, d)");
/// assert!((best.strategy.load - 0.25).abs() < 1e-9);
/// ```
pub fn search(
    names: &[String],
    nodes: &[NodeSpec],
    families: &[Family],
    work: &Workload,
    req: &Requirements,
    seed: u64,
) -> Found {
    let n = names.len();
    let mut systems: Vec<(Family, Expr, Expr)> = Vec::new();
    let mut nested_truncated = false;
    let all: Vec<Expr> = (0..n).map(Expr::Node).collect();
    for &family in families {
        match family {
            Family::Thresholds => {
                for k in 1..=n {
                    let reads = Expr::Choose(k, all.clone());
                    let writes = reads.dual();
                    systems.push((family, reads, writes));
                }
            }
            Family::Grids => {
                for cols in 2..n {
                    if !n.is_multiple_of(cols) || n / cols < 2 {
                        continue;
                    }
                    let rows: Vec<Expr> = (0..n / cols)
                        .map(|r| Expr::And((r * cols..(r + 1) * cols).map(Expr::Node).collect()))
                        .collect();
                    let reads = Expr::Or(rows);
                    let writes = reads.dual();
                    systems.push((family, reads.clone(), writes.clone()));
                    // The transpose: a row writes, one of each row reads.
                    systems.push((family, writes, reads));
                }
            }
            Family::Weighted => {
                let least = nodes
                    .iter()
                    .map(|s| s.read_capacity.min(s.write_capacity))
                    .fold(f64::INFINITY, f64::min);
                let votes: Vec<(usize, u64)> = nodes
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let c = s.read_capacity.min(s.write_capacity);
                        (i, (c / least).round().clamp(1.0, 5.0) as u64)
                    })
                    .collect();
                let total: u64 = votes.iter().map(|v| v.1).sum();
                // Equal votes are the thresholds already.
                if votes.iter().all(|v| v.1 == 1) {
                    continue;
                }
                for t in 1..=total {
                    let reads = Expr::Weighted {
                        votes: votes.clone(),
                        threshold: t,
                    };
                    let writes = reads.dual();
                    systems.push((family, reads, writes));
                }
            }
            Family::Nested => {
                let (exprs, truncated) = nested(n, NESTED_BUDGET);
                nested_truncated = truncated;
                for reads in exprs {
                    let writes = reads.dual();
                    systems.push((family, reads, writes));
                }
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut found: Vec<Candidate> = Vec::new();
    let mut nested_work = 0;
    for (family, reads, writes) in systems {
        if family == Family::Nested && nested_work > NESTED_QUORUM_BUDGET {
            nested_truncated = true;
            continue;
        }
        let Ok(qs) = QuorumSystem::from_exprs(names.to_vec(), reads, writes) else {
            continue;
        };
        if family == Family::Nested {
            nested_work += qs.read_quorums().len() + qs.write_quorums().len();
        }
        // One system, however many expressions give it: the first.
        let mut key = qs.read_quorums().to_vec();
        key.sort_unstable();
        if !seen.insert(key) {
            continue;
        }
        let resilience = match (qs.read_resilience(), qs.write_resilience()) {
            (Some(r), Some(w)) => Some(r.min(w)),
            _ => None,
        };
        if let Some(min) = req.resilience {
            if resilience.is_none_or(|r| r < min) {
                continue;
            }
        }
        let (mut ra, mut wa) = (None, None);
        if let Some((min, model)) = &req.availability {
            let (Ok(r), Ok(w)) = (
                availability(qs.reads(), n, model, seed),
                availability(qs.writes(), n, model, seed ^ 0x5752),
            ) else {
                continue;
            };
            if r.p < *min || w.p < *min {
                continue;
            }
            (ra, wa) = (Some(r.p), Some(w.p));
        }
        let Ok(strategy) = optimal(&qs, nodes, work) else {
            continue;
        };
        let objective = match work.objective {
            Objective::Load => strategy.load,
            Objective::Network => strategy.network_load,
            Objective::Latency => strategy.latency_ms,
        };
        found.push(Candidate {
            family,
            reads: Shown(qs.reads(), names).to_string(),
            writes: Shown(qs.writes(), names).to_string(),
            strategy,
            objective,
            read_availability: ra,
            write_availability: wa,
            resilience,
        });
    }
    // Best first; ties to the earlier family and expression by the
    // stable sort.
    found.sort_by(|a, b| a.objective.total_cmp(&b.objective));
    Found {
        candidates: found,
        tried: seen.len(),
        nested_truncated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Quoracle's paper (section 4): four nodes, a and b 4 s away with
    /// twice c and d's capacity; minimise latency at capacity >= 150 and
    /// network load <= 2 (reads only). Its search finds `a + b + c + d`
    /// with c 1/3 and d 2/3 of the reads: latency 1, network load 1,
    /// capacity 150. Among thresholds that is `choose(1)`.
    #[test]
    fn quoracle_paper_search() {
        let names: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        let spec = |r: f64, w: f64, ms: f64| NodeSpec {
            read_capacity: r,
            write_capacity: w,
            latency: format!("const({ms})").parse().unwrap(),
        };
        let nodes = [
            spec(200.0, 100.0, 4.0),
            spec(200.0, 100.0, 4.0),
            spec(100.0, 50.0, 1.0),
            spec(100.0, 50.0, 1.0),
        ];
        let work = Workload {
            read_fraction: vec![(1.0, 1.0)],
            objective: Objective::Latency,
            load_limit: Some(1.0 / 150.0),
            network_limit: Some(2.0),
            ..Workload::default()
        };
        let Found {
            candidates: found,
            tried,
            ..
        } = search(
            &names,
            &nodes,
            &Family::ALL,
            &work,
            &Requirements::default(),
            1,
        );
        assert!(tried >= 4 + 2);
        let best = &found[0];
        assert!((best.objective - 1.0).abs() < 1e-6, "{best:?}");
        assert!((best.strategy.network_load - 1.0).abs() < 1e-6);
        // Any split of the reads between c and d from 1/3 to 2/3 is as
        // fast; Quoracle's is at the capacity limit, 150.
        assert!(best.strategy.capacity >= 150.0 - 1e-3);
        assert_eq!(best.reads, "choose(1, a, b, c, d)");
        // Every candidate meets the limits, and they come best first.
        for c in &found {
            assert!(c.strategy.load <= 1.0 / 150.0 + 1e-9 && c.strategy.network_load <= 2.0 + 1e-9);
        }
        assert!(found.windows(2).all(|w| w[0].objective <= w[1].objective));
    }

    /// Quoracle's README search: six nodes (read capacities 10000 and
    /// 5000, write 1000 and 500, alternately; latencies 1 to 6), both
    /// sides 1-resilient, 1-resilient strategies, 75% reads, latency <= 4
    /// and network load <= 4, load minimised. Quoracle returns
    /// `choose(3, a, c, e, b + d + f)` with capacity 3500, latency
    /// 3.907143 and network load 3.985714; the nested family holds it, and
    /// nothing better.
    #[test]
    fn quoracle_readme_search() {
        let names: Vec<String> = ["a", "b", "c", "d", "e", "f"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let nodes: Vec<NodeSpec> = (0..6)
            .map(|i| {
                let (r, w) = if i % 2 == 0 {
                    (10000.0, 1000.0)
                } else {
                    (5000.0, 500.0)
                };
                NodeSpec {
                    read_capacity: r,
                    write_capacity: w,
                    latency: format!("const({})", i + 1).parse().unwrap(),
                }
            })
            .collect();
        let work = Workload {
            read_fraction: vec![(0.75, 1.0)],
            latency_limit: Some(4.0),
            network_limit: Some(4.0),
            f: 1,
            ..Workload::default()
        };
        let req = Requirements {
            resilience: Some(1),
            ..Requirements::default()
        };
        let found = search(&names, &nodes, &Family::ALL, &work, &req, 1);
        assert!(!found.nested_truncated);
        let best = &found.candidates[0];
        assert_eq!(best.family, Family::Nested);
        let want = QuorumSystem::new("choose(3, a, c, e, b + d + f)", None).unwrap();
        let got = QuorumSystem::new(&best.reads, None).unwrap();
        let sorted = |q: &QuorumSystem| {
            // Quorums as sets of names (the two number nodes apart).
            let mut v: Vec<String> = q
                .read_quorums()
                .iter()
                .map(|&m| {
                    let set = q.set(m);
                    let mut names: Vec<&str> = set.split(", ").collect();
                    names.sort();
                    names.concat()
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(sorted(&got), sorted(&want), "{}", best.reads);
        assert!((best.strategy.capacity - 3500.0).abs() < 1e-6);
        assert!((best.strategy.latency_ms - 3.907143).abs() < 1e-6);
        assert!((best.strategy.network_load - 3.985714).abs() < 1e-6);
    }

    /// The nested space's size, against a count by another route: over
    /// the set partitions (as restricted growth strings) with m >= 2
    /// parts of sizes s_i, `m · Π s_i` expressions (each part one of s_i
    /// choices, the top `choose` one of m).
    #[test]
    fn nested_space_is_quoracles() {
        for n in 2..=6 {
            let mut want = 0usize;
            let mut rgs = vec![0usize; n];
            loop {
                let m = rgs.iter().max().unwrap() + 1;
                if m >= 2 {
                    let sizes = (0..m).map(|b| rgs.iter().filter(|&&x| x == b).count());
                    want += m * sizes.product::<usize>();
                }
                // The next restricted growth string.
                let mut i = n - 1;
                loop {
                    let prefix_max = rgs[..i].iter().max().copied().unwrap_or(0);
                    if i > 0 && rgs[i] <= prefix_max {
                        rgs[i] += 1;
                        rgs[i + 1..].fill(0);
                        break;
                    }
                    if i == 0 {
                        break;
                    }
                    i -= 1;
                }
                if i == 0 {
                    break;
                }
            }
            let (exprs, truncated) = nested(n, usize::MAX);
            assert!(!truncated);
            assert_eq!(exprs.len(), want, "n = {n}");
        }
        assert_eq!(nested(6, usize::MAX).0.len(), 3216);
        let (some, truncated) = nested(8, 100);
        assert!(truncated && some.len() == 100);
    }

    /// Requirements filter: with nodes down 5% of the time, only systems
    /// whose both sides are 0.99 available are kept.
    #[test]
    fn requirements_filter() {
        let names: Vec<String> = (0..6).map(|i| format!("n{i}")).collect();
        let nodes = vec![NodeSpec::default(); 6];
        let req = Requirements {
            availability: Some((0.99, FailureModel::iid(0.05))),
            resilience: Some(1),
        };
        let Found {
            candidates: found,
            tried,
            ..
        } = search(&names, &nodes, &Family::ALL, &Workload::default(), &req, 1);
        assert!(!found.is_empty() && found.len() < tried);
        for c in &found {
            assert!(c.read_availability.unwrap() >= 0.99 && c.write_availability.unwrap() >= 0.99);
            assert!(c.resilience.unwrap() >= 1);
        }
    }
}
