//! The replicas of a [`Cluster`] as the order-statistic formulas take them:
//! each replica's round trip from a coordinator's datacenter (its legs plus
//! the extra one-way delay both ways), grouped into classes of identical
//! replicas per datacenter, and the failure model's law of which are up.
//!
//! Failures: independent models give each replica its down probability
//! (a per-node list in replica order, datacenters in order); failure
//! domains are the datacenters (each down with `p_domain`, nodes of an up
//! one with `p_fail`), one arrangement per pattern of up datacenters;
//! shared repair crews fail a uniformly random set of `j` replicas with the
//! chain's probability of `j`, so the classes' down counts are
//! multivariate hypergeometric, one arrangement per count vector.

use super::latency::{Operation, QuorumLatency, ReplicaClass, Replicas};
use super::response::ResponseTime;
use crate::dist::presets::Wars;
use crate::dist::Dist;
use crate::failure::FailureModel;
use crate::topology::{Cluster, Rule};
use crate::Fanout;
use statrs::function::factorial::ln_binomial;

/// The most arrangements (failure patterns x coordinator places) one
/// evaluation enumerates: beyond it the evaluation is refused, not slow.
pub const MAX_ARRANGEMENTS: usize = 200_000;

/// One coordinator place's round trips: the distinct response times and
/// which one each replica has.
#[derive(Debug, Clone)]
pub struct PlacedTrips {
    /// The coordinator's datacenter.
    pub coordinator: usize,
    /// Distinct response times.
    pub delays: Vec<ResponseTime>,
    /// Per replica (in [`Cluster::dc_of`] order): its index in `delays`.
    pub delay_of: Vec<usize>,
}

impl PlacedTrips {
    /// How close a replica in datacenter `dc` with response time
    /// `delays[delay]` looks to this place's coordinator, as Cassandra's
    /// snitch orders them: its own datacenter first, then by median round
    /// trip (smaller is closer; compare with [`closer`]).
    pub fn closeness(&self, dc: usize, delay: usize) -> (bool, f64) {
        (dc != self.coordinator, self.delays[delay].median())
    }

    /// The replicas (indices in `dc_of`'s order), closest first; ties keep
    /// replica order.
    pub fn closest_order(&self, dc_of: &[usize]) -> Vec<usize> {
        let mut order: Vec<usize> = (0..dc_of.len()).collect();
        order.sort_by(|&a, &b| {
            closer(
                self.closeness(dc_of[a], self.delay_of[a]),
                self.closeness(dc_of[b], self.delay_of[b]),
            )
        });
        order
    }
}

/// Orders two [`PlacedTrips::closeness`] values, closer first.
pub fn closer(a: (bool, f64), b: (bool, f64)) -> std::cmp::Ordering {
    a.0.cmp(&b.0).then(a.1.total_cmp(&b.1))
}

/// The round trips of one operation from every place its coordinator can
/// be, built once (tables are tabulated on first use and shared by clones)
/// and reused for every level and failure model.
#[derive(Debug, Clone)]
pub struct ClusterTrips {
    /// Each place with its probability.
    pub places: Vec<(f64, PlacedTrips)>,
}

impl ClusterTrips {
    /// The round trips of `op` in `cluster` with the scenario's legs `base`.
    pub fn new(cluster: &Cluster, base: &Wars, op: Operation) -> Self {
        let coordinator = match op {
            Operation::Write => cluster.write_dc,
            Operation::Read => cluster.read_dc,
        };
        // Shared across places: one table per distinct law.
        let mut laws: Vec<(Dist, Dist, Option<Dist>, ResponseTime)> = Vec::new();
        let places = cluster
            .places(coordinator)
            .into_iter()
            .map(|(p, c)| {
                let mut delays: Vec<ResponseTime> = Vec::new();
                let mut delay_of = Vec::new();
                for (dc, index) in cluster.replicas() {
                    let legs = cluster.legs(base, dc, index, c);
                    let (out, back) = match op {
                        Operation::Write => (legs[0].clone(), legs[1].clone()),
                        Operation::Read => (legs[2].clone(), legs[3].clone()),
                    };
                    let rt = response(&mut laws, out, back, cluster.extra(c, dc).cloned());
                    let k = match delays.iter().position(|d| same(d, &rt)) {
                        Some(k) => k,
                        None => {
                            delays.push(rt);
                            delays.len() - 1
                        }
                    };
                    delay_of.push(k);
                }
                (
                    p,
                    PlacedTrips {
                        coordinator: c,
                        delays,
                        delay_of,
                    },
                )
            })
            .collect();
        ClusterTrips { places }
    }

    /// Builds every table now (a sweep builds them in parallel up front).
    pub fn tabulate(&self) {
        for (_, p) in &self.places {
            for d in &p.delays {
                let _ = d.cdf_sf(d.support().0 + 1.0);
            }
        }
    }
}

fn same(a: &ResponseTime, b: &ResponseTime) -> bool {
    a.dist() == b.dist() && a.support() == b.support()
}

/// `out + back + extra + extra` (the extra drawn independently each way):
/// a constant extra shifts the legs' shared table.
fn response(
    laws: &mut Vec<(Dist, Dist, Option<Dist>, ResponseTime)>,
    out: Dist,
    back: Dist,
    extra: Option<Dist>,
) -> ResponseTime {
    let shift = match &extra {
        Some(Dist::Const(c)) => Some(2.0 * c.value()),
        None => Some(0.0),
        Some(_) => None,
    };
    let key_extra = if shift.is_some() { None } else { extra.clone() };
    let found = laws
        .iter()
        .find(|(o, b, e, _)| *o == out && *b == back && *e == key_extra)
        .map(|l| l.3.clone());
    let base = match found {
        Some(rt) => rt,
        None => {
            let law = match &key_extra {
                None => out.plus(&back),
                Some(x) => {
                    crate::dist::Sum::of(vec![out.clone(), back.clone(), x.clone(), x.clone()])
                }
            };
            let rt = ResponseTime::new(law);
            laws.push((out, back, key_extra, rt.clone()));
            rt
        }
    };
    match shift {
        Some(s) if s != 0.0 => base.shifted(s),
        _ => base,
    }
}

/// Why the cluster's replicas could not be built.
#[derive(Debug, Clone, PartialEq)]
pub enum ClusterReplicasError {
    /// The failure model is failure domains whose count is not the
    /// datacenters'.
    Domains {
        /// The model's domains.
        domains: usize,
        /// The cluster's datacenters.
        datacenters: usize,
    },
    /// More failure patterns than [`MAX_ARRANGEMENTS`].
    TooMany(f64),
}

/// The replicas of one place under `failure`, as arrangements (failure
/// patterns) each with the rule of that place.
fn place_arrangements(
    cluster: &Cluster,
    place: &PlacedTrips,
    failure: &FailureModel,
    offset: usize,
) -> Result<Vec<(f64, Vec<ReplicaClass>)>, ClusterReplicasError> {
    let n = cluster.n();
    let dc_of = cluster.dc_of();
    // Classes without failures: (dc, delay) -> count, in first-seen order.
    let mut base: Vec<(usize, usize, usize)> = Vec::new();
    for (i, &dc) in dc_of.iter().enumerate() {
        let delay = place.delay_of[i];
        match base.iter_mut().find(|c| c.0 == dc && c.1 == delay) {
            Some(c) => c.2 += 1,
            None => base.push((dc, delay, 1)),
        }
    }
    let class = |dc: usize, delay: usize, count: usize, p_down: f64| ReplicaClass {
        count,
        group: dc,
        delay: delay + offset,
        p_down,
    };
    if let FailureModel::Domains(d) = failure {
        if d.domains != cluster.dcs.len() {
            return Err(ClusterReplicasError::Domains {
                domains: d.domains,
                datacenters: cluster.dcs.len(),
            });
        }
        let dcs = cluster.dcs.len();
        let mut out = Vec::new();
        for mask in 0u32..(1u32 << dcs) {
            // Bit d set: datacenter d is down.
            let mut p = 1.0;
            for dc in 0..dcs {
                p *= if mask >> dc & 1 == 1 {
                    d.p_domain
                } else {
                    1.0 - d.p_domain
                };
            }
            if p <= 0.0 {
                continue;
            }
            let classes = base
                .iter()
                .filter(|c| mask >> c.0 & 1 == 0)
                .map(|c| class(c.0, c.1, c.2, d.p_fail))
                .collect();
            out.push((p, classes));
        }
        return Ok(out);
    }
    if let Some(law) = failure.up_law(n, false) {
        // Exchangeable: j = n - up replicas down, a uniformly random set.
        let states: f64 = base.iter().map(|c| (c.2 + 1) as f64).product::<f64>() * law.len() as f64;
        if states > MAX_ARRANGEMENTS as f64 {
            return Err(ClusterReplicasError::TooMany(states));
        }
        let mut out = Vec::new();
        for (p, _, up) in law {
            let down = n - up;
            if p <= 0.0 {
                continue;
            }
            let ln_total = ln_binomial(n as u64, down as u64);
            let mut counts = vec![0usize; base.len()];
            each_composition(&base, down, 0, &mut counts, &mut |counts| {
                let ln: f64 = base
                    .iter()
                    .zip(counts)
                    .map(|(c, d)| ln_binomial(c.2 as u64, *d as u64))
                    .sum::<f64>()
                    - ln_total;
                let classes = base
                    .iter()
                    .zip(counts)
                    .filter(|(c, d)| c.2 > **d)
                    .map(|(c, d)| class(c.0, c.1, c.2 - d, 0.0))
                    .collect();
                out.push((p * ln.exp(), classes));
            });
        }
        return Ok(out);
    }
    // Independent.
    if let Some(p) = failure.uniform_down(n) {
        return Ok(vec![(
            1.0,
            base.iter().map(|c| class(c.0, c.1, c.2, p)).collect(),
        )]);
    }
    let downs = failure.down_probabilities(n);
    let mut classes: Vec<ReplicaClass> = Vec::new();
    for (i, &dc) in dc_of.iter().enumerate() {
        let c = class(dc, place.delay_of[i], 1, downs[i]);
        match classes
            .iter_mut()
            .find(|k| (k.group, k.delay, k.p_down) == (c.group, c.delay, c.p_down))
        {
            Some(k) => k.count += 1,
            None => classes.push(c),
        }
    }
    Ok(vec![(1.0, classes)])
}

/// Each failure arrangement expanded into its patterns of up replicas:
/// classes of `count` up replicas and no down probability, each pattern
/// with its probability (a binomial up count per class).
fn live_patterns(
    arrangements: Vec<(f64, Vec<ReplicaClass>)>,
) -> Result<Vec<(f64, Vec<ReplicaClass>)>, ClusterReplicasError> {
    let mut out = Vec::new();
    for (p, classes) in arrangements {
        let states: f64 = classes
            .iter()
            .map(|c| {
                if c.p_down > 0.0 {
                    (c.count + 1) as f64
                } else {
                    1.0
                }
            })
            .product();
        if (out.len() as f64 + states) > MAX_ARRANGEMENTS as f64 {
            return Err(ClusterReplicasError::TooMany(out.len() as f64 + states));
        }
        let mut patterns: Vec<(f64, Vec<ReplicaClass>)> = vec![(p, Vec::new())];
        for c in classes {
            let mut next = Vec::new();
            let ups: Vec<(usize, f64)> = if c.p_down > 0.0 {
                (0..=c.count)
                    .map(|u| {
                        let ln = ln_binomial(c.count as u64, u as u64)
                            + u as f64 * (-c.p_down).ln_1p()
                            + (c.count - u) as f64 * c.p_down.ln();
                        (u, ln.exp())
                    })
                    .filter(|(_, q)| *q > 0.0)
                    .collect()
            } else {
                vec![(c.count, 1.0)]
            };
            for (q, pattern) in &patterns {
                for &(u, pu) in &ups {
                    let mut pat = pattern.clone();
                    if u > 0 {
                        pat.push(ReplicaClass {
                            count: u,
                            p_down: 0.0,
                            ..c
                        });
                    }
                    next.push((q * pu, pat));
                }
            }
            patterns = next;
        }
        out.extend(patterns);
    }
    Ok(out)
}

/// The replicas a read asks in each pattern of up replicas: for every
/// term of `rule`, `k` of the up replicas of its datacenters, the closest
/// by `order` (then by class) or uniformly at random (each composition
/// over classes with its multivariate hypergeometric probability). A term
/// with fewer than `k` up replicas asks them all and cannot hold.
fn select(
    patterns: Vec<(f64, Vec<ReplicaClass>)>,
    rule: &Rule,
    selection: Fanout,
    order: &dyn Fn(&ReplicaClass) -> (bool, f64),
) -> Result<Vec<(f64, Vec<ReplicaClass>)>, ClusterReplicasError> {
    let mut out = Vec::new();
    for (p, classes) in patterns {
        let mut picks: Vec<(f64, Vec<ReplicaClass>)> = vec![(p, Vec::new())];
        for term in &rule.terms {
            let mut cands: Vec<ReplicaClass> = classes
                .iter()
                .filter(|c| term.dcs.contains(&c.group))
                .copied()
                .collect();
            let up: usize = cands.iter().map(|c| c.count).sum();
            let choices: Vec<(f64, Vec<ReplicaClass>)> = if up <= term.k {
                vec![(1.0, cands)]
            } else if selection == Fanout::Closest {
                // Stable: ties keep the classes' order (replica order).
                cands.sort_by(|a, b| closer(order(a), order(b)));
                let mut left = term.k;
                let mut chosen = Vec::new();
                for c in cands {
                    if left == 0 {
                        break;
                    }
                    let take = c.count.min(left);
                    left -= take;
                    chosen.push(ReplicaClass { count: take, ..c });
                }
                vec![(1.0, chosen)]
            } else {
                let ln_total = ln_binomial(up as u64, term.k as u64);
                let base: Vec<(usize, usize, usize)> =
                    cands.iter().map(|c| (c.group, c.delay, c.count)).collect();
                let mut counts = vec![0usize; base.len()];
                let mut v = Vec::new();
                each_composition(&base, term.k, 0, &mut counts, &mut |j| {
                    let ln: f64 = base
                        .iter()
                        .zip(j)
                        .map(|(c, j)| ln_binomial(c.2 as u64, *j as u64))
                        .sum::<f64>()
                        - ln_total;
                    let chosen = cands
                        .iter()
                        .zip(j)
                        .filter(|(_, j)| **j > 0)
                        .map(|(c, j)| ReplicaClass { count: *j, ..*c })
                        .collect();
                    v.push((ln.exp(), chosen));
                });
                v
            };
            let mut next = Vec::with_capacity(picks.len() * choices.len());
            for (q, pick) in &picks {
                for (r, chosen) in &choices {
                    let mut all = pick.clone();
                    all.extend(chosen.iter().copied());
                    next.push((q * r, all));
                }
            }
            picks = next;
            if out.len() + picks.len() > MAX_ARRANGEMENTS {
                return Err(ClusterReplicasError::TooMany(
                    (out.len() + picks.len()) as f64,
                ));
            }
        }
        out.extend(picks);
    }
    Ok(out)
}

/// How many replicas per datacenter a read with `Fanout::Closest` asks
/// from `place` when every replica is up: for each term of `rule`, its `k`
/// closest (the coordinator's datacenter first, then by median round trip).
pub fn closest_counts(cluster: &Cluster, place: &PlacedTrips, rule: &Rule) -> Vec<usize> {
    let dc_of = cluster.dc_of();
    let order = place.closest_order(&dc_of);
    let mut counts = vec![0; cluster.dcs.len()];
    for term in &rule.terms {
        for &i in order
            .iter()
            .filter(|&&i| term.dcs.contains(&dc_of[i]))
            .take(term.k)
        {
            counts[dc_of[i]] += 1;
        }
    }
    counts
}

/// P(a write landing on a uniformly random set for each term of `write`,
/// `k` of the term's replicas, misses every replica of a fixed read set
/// with `read[d]` replicas in datacenter `d`): the product over terms of
/// `C(m − s, k) / C(m, k)`, `m` the term's replicas and `s` the read's
/// among them.
pub fn p_miss_fixed(write: &Rule, read: &[usize], counts: &[usize]) -> f64 {
    write
        .terms
        .iter()
        .map(|t| {
            let m = t.size(counts);
            let s: usize = t.dcs.iter().map(|d| read[*d]).sum();
            if m - s < t.k {
                0.0
            } else {
                (ln_binomial((m - s) as u64, t.k as u64) - ln_binomial(m as u64, t.k as u64)).exp()
            }
        })
        .product()
}

/// Calls `f` with every vector of down counts per class (each at most its
/// class's count) summing to `left`.
fn each_composition(
    base: &[(usize, usize, usize)],
    left: usize,
    at: usize,
    counts: &mut Vec<usize>,
    f: &mut dyn FnMut(&[usize]),
) {
    if at == base.len() {
        if left == 0 {
            f(counts);
        }
        return;
    }
    let rest: usize = base[at + 1..].iter().map(|c| c.2).sum();
    let lo = left.saturating_sub(rest);
    for d in lo..=base[at].2.min(left) {
        counts[at] = d;
        each_composition(base, left - d, at + 1, counts, f);
    }
    counts[at] = 0;
}

/// The latency of an operation in `cluster` whose coordinator, in each of
/// its places, waits for `rule(place)`; `timeout` as in
/// [`QuorumLatency::new`].
pub fn cluster_latency(
    cluster: &Cluster,
    trips: &ClusterTrips,
    failure: &FailureModel,
    rule: &dyn Fn(usize) -> Rule,
    selection: Fanout,
    timeout: Option<f64>,
) -> Result<QuorumLatency, ClusterReplicasError> {
    let mut delays = Vec::new();
    let mut arrangements = Vec::new();
    let mut rules = Vec::new();
    for (p, place) in &trips.places {
        let offset = delays.len();
        delays.extend(place.delays.iter().cloned());
        let r = rule(place.coordinator);
        let failed = place_arrangements(cluster, place, failure, offset)?;
        let placed = match selection {
            Fanout::All => failed,
            _ => {
                let order = |c: &ReplicaClass| place.closeness(c.group, c.delay - offset);
                select(live_patterns(failed)?, &r, selection, &order)?
            }
        };
        for (q, classes) in placed {
            arrangements.push((p * q, classes));
            rules.push(r.clone());
        }
        if arrangements.len() > MAX_ARRANGEMENTS {
            return Err(ClusterReplicasError::TooMany(arrangements.len() as f64));
        }
    }
    Ok(QuorumLatency::with_rules(
        Replicas {
            delays,
            arrangements,
        },
        rules,
        timeout,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Delay;
    use crate::failure::Repair;
    use crate::topology::{Coordinator, Level};

    const LEVELS: [Level; 8] = [
        Level::Count(1),
        Level::Count(2),
        Level::Quorum,
        Level::All,
        Level::LocalOne,
        Level::LocalQuorum,
        Level::EachQuorum,
        Level::Count(4),
    ];

    fn latency(c: &Cluster, f: &FailureModel, level: Level, op: Operation) -> QuorumLatency {
        let wars = Wars::uniform("exp(mean=1)".parse().unwrap());
        let trips = ClusterTrips::new(c, &wars, op);
        let counts = c.counts();
        cluster_latency(
            c,
            &trips,
            f,
            &|d| level.rule(&counts, Some(d)).unwrap(),
            crate::Fanout::All,
            None,
        )
        .unwrap()
    }

    /// P(rule holds) by enumerating every replica's up or down state, with
    /// `p_state(down)` the probability of one whole pattern.
    fn brute_availability(
        c: &Cluster,
        level: Level,
        coordinators: &[(f64, usize)],
        p_state: &dyn Fn(&[bool]) -> f64,
    ) -> f64 {
        let n = c.n();
        let dc_of = c.dc_of();
        let mut total = 0.0;
        for (pc, d) in coordinators {
            let rule = level.rule(&c.counts(), Some(*d)).unwrap();
            for mask in 0u32..1 << n {
                let down: Vec<bool> = (0..n).map(|i| mask >> i & 1 == 1).collect();
                let mut up = vec![0; c.dcs.len()];
                for i in 0..n {
                    if !down[i] {
                        up[dc_of[i]] += 1;
                    }
                }
                if rule.holds(&up) {
                    total += pc * p_state(&down);
                }
            }
        }
        total
    }

    #[test]
    fn availability_matches_enumeration_under_every_model() {
        let mut c: Cluster = "a:2,b:1,c:3".parse().unwrap();
        c.write_dc = Coordinator::Random;
        let dc_of = c.dc_of();
        let n = c.n();
        let (pd, pf) = (0.07, 0.13);
        let domains: FailureModel = format!("domains(d=3,p_domain={pd},p_fail={pf})")
            .parse()
            .unwrap();
        let domain_state = |down: &[bool]| {
            // Sum over which datacenters are down.
            let mut total = 0.0;
            for dmask in 0u32..8 {
                let mut p = 1.0;
                for d in 0..3 {
                    p *= if dmask >> d & 1 == 1 { pd } else { 1.0 - pd };
                }
                for i in 0..n {
                    let dc_down = dmask >> dc_of[i] & 1 == 1;
                    p *= match (dc_down, down[i]) {
                        (true, true) => 1.0,
                        (true, false) => 0.0,
                        (false, true) => pf,
                        (false, false) => 1.0 - pf,
                    };
                }
                total += p;
            }
            total
        };
        let per_node = [0.01, 0.2, 0.05, 0.3, 0.02, 0.11];
        let pn = FailureModel::per_node(per_node.to_vec());
        let pn_state = |down: &[bool]| {
            down.iter()
                .zip(per_node)
                .map(|(d, p)| if *d { p } else { 1.0 - p })
                .product::<f64>()
        };
        let repair = FailureModel::Repair(Repair {
            mttf_hours: 50.0,
            mttr_hours: 10.0,
            crews: Some(1),
        });
        let FailureModel::Repair(rep) = &repair else {
            unreachable!()
        };
        let pi = rep.stationary(n);
        let repair_state = |down: &[bool]| {
            let j = down.iter().filter(|d| **d).count();
            pi[j] / statrs::function::factorial::binomial(n as u64, j as u64)
        };
        let places = c.places(c.write_dc);
        for level in LEVELS {
            for (model, state) in [
                (&domains, &domain_state as &dyn Fn(&[bool]) -> f64),
                (&pn, &pn_state),
                (&repair, &repair_state),
            ] {
                let q = latency(&c, model, level, Operation::Write);
                let want = brute_availability(&c, level, &places, state);
                assert!(
                    (q.availability() - want).abs() < 1e-12,
                    "{level} {model}: {} vs {want}",
                    q.availability()
                );
            }
        }
    }

    /// P(the rule holds by x) by enumerating which replicas have answered.
    #[test]
    fn latency_cdf_matches_enumeration() {
        let c: Cluster =
            "a:2,b:2,c:1;a-b=const(3);a-c=exp(mean=2);b-c=const(1);write_dc=b;b[2].w=exp(mean=4);coordinator_replica"
                .parse()
                .unwrap();
        let wars = Wars::uniform("exp(mean=1)".parse().unwrap());
        let trips = ClusterTrips::new(&c, &wars, Operation::Write);
        let dc_of = c.dc_of();
        let coordinator = 1;
        // Each replica's own round trip, built independently of the classes.
        let rts: Vec<Dist> = c
            .replicas()
            .into_iter()
            .map(|(dc, index)| {
                let legs = c.legs(&wars, dc, index, coordinator);
                let mut terms = vec![legs[0].clone(), legs[1].clone()];
                if dc != coordinator {
                    if let Some(x) = c.extra(dc, coordinator) {
                        terms.extend([x.clone(), x.clone()]);
                    }
                }
                crate::dist::Sum::of(terms)
            })
            .collect();
        let counts = c.counts();
        for level in LEVELS {
            let rule = level.rule(&counts, Some(coordinator)).unwrap();
            let q = cluster_latency(
                &c,
                &trips,
                &FailureModel::NONE,
                &|_| rule.clone(),
                crate::Fanout::All,
                None,
            )
            .unwrap();
            for x in [0.5, 2.0, 5.0, 9.0, 15.0] {
                let fs: Vec<f64> = rts.iter().map(|d| d.cdf(x)).collect();
                let mut want = 0.0;
                for mask in 0u32..1 << c.n() {
                    let mut p = 1.0;
                    let mut answered = vec![0; 3];
                    for i in 0..c.n() {
                        if mask >> i & 1 == 1 {
                            p *= fs[i];
                            answered[dc_of[i]] += 1;
                        } else {
                            p *= 1.0 - fs[i];
                        }
                    }
                    if rule.holds(&answered) {
                        want += p;
                    }
                }
                let got = q.cdf(x);
                assert!((got - want).abs() < 1e-9, "{level} at {x}: {got} vs {want}");
            }
        }
    }

    /// Reads that ask only some replicas (the closest, or random ones),
    /// against enumeration of every up/down pattern and, for random reads,
    /// every set the coordinator may pick.
    #[test]
    fn selected_reads_match_enumeration() {
        let c: Cluster = "a:2,b:2;a-b=const(2);b[1].s=exp(mean=3);a[2].r=exp(mean=0.5)"
            .parse()
            .unwrap();
        let wars = Wars::uniform("exp(mean=1)".parse().unwrap());
        let trips = ClusterTrips::new(&c, &wars, Operation::Read);
        let (n, p_down, coordinator) = (c.n(), 0.2, 0);
        let dc_of = c.dc_of();
        let rts: Vec<Dist> = c
            .replicas()
            .into_iter()
            .map(|(dc, index)| {
                let legs = c.legs(&wars, dc, index, coordinator);
                let mut terms = vec![legs[2].clone(), legs[3].clone()];
                if dc != coordinator {
                    let x = c.extra(dc, coordinator).unwrap();
                    terms.extend([x.clone(), x.clone()]);
                }
                crate::dist::Sum::of(terms)
            })
            .collect();
        let medians: Vec<f64> = rts.iter().map(|d| d.quantile(0.5)).collect();
        let counts = c.counts();
        for level in [
            Level::Count(1),
            Level::Count(3),
            Level::LocalQuorum,
            Level::EachQuorum,
        ] {
            let rule = level.rule(&counts, Some(coordinator)).unwrap();
            for fanout in [Fanout::Closest, Fanout::Quorum] {
                let q = cluster_latency(
                    &c,
                    &trips,
                    &FailureModel::iid(p_down),
                    &|_| rule.clone(),
                    fanout,
                    None,
                )
                .unwrap();
                for x in [1.0, 3.0, 6.0, 12.0] {
                    let fs: Vec<f64> = rts.iter().map(|d| d.cdf(x)).collect();
                    let mut want = 0.0;
                    let mut avail = 0.0;
                    for mask in 0u32..1 << n {
                        let up: Vec<bool> = (0..n).map(|i| mask >> i & 1 == 0).collect();
                        let p: f64 = up
                            .iter()
                            .map(|u| if *u { 1.0 - p_down } else { p_down })
                            .product();
                        // Per term: the candidates, and the sets it may ask.
                        let mut sets: Vec<(f64, Vec<usize>)> = vec![(1.0, Vec::new())];
                        let mut ok = true;
                        for t in &rule.terms {
                            let mut cands: Vec<usize> = (0..n)
                                .filter(|&i| up[i] && t.dcs.contains(&dc_of[i]))
                                .collect();
                            if cands.len() < t.k {
                                ok = false;
                                break;
                            }
                            let options: Vec<Vec<usize>> = if fanout == Fanout::Closest {
                                cands.sort_by(|&a, &b| {
                                    (dc_of[a] != coordinator)
                                        .cmp(&(dc_of[b] != coordinator))
                                        .then(medians[a].total_cmp(&medians[b]))
                                });
                                vec![cands[..t.k].to_vec()]
                            } else {
                                (0u32..1 << cands.len())
                                    .filter(|m| m.count_ones() as usize == t.k)
                                    .map(|m| {
                                        (0..cands.len())
                                            .filter(|j| m >> j & 1 == 1)
                                            .map(|j| cands[j])
                                            .collect()
                                    })
                                    .collect()
                            };
                            let w = 1.0 / options.len() as f64;
                            sets = sets
                                .iter()
                                .flat_map(|(q, s)| {
                                    options.iter().map(move |o| {
                                        let mut all = s.clone();
                                        all.extend(o);
                                        (q * w, all)
                                    })
                                })
                                .collect();
                        }
                        if !ok {
                            continue;
                        }
                        avail += p;
                        for (q, set) in sets {
                            want += p * q * set.iter().map(|&i| fs[i]).product::<f64>();
                        }
                    }
                    assert!(
                        (q.availability() - avail).abs() < 1e-12,
                        "{level} {fanout:?}"
                    );
                    let got = q.availability() * q.cdf(x);
                    assert!(
                        (got - want).abs() < 1e-9,
                        "{level} {fanout:?} at {x}: {got} vs {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_fixed_read_set_is_missed_as_enumeration_says() {
        // 3 + 2 replicas, writes on 3 of all 5, the read asks replicas 0
        // and 3: of the C(5, 3) = 10 write sets only {1, 2, 4} misses both.
        let counts = [3, 2];
        let w = Level::Count(3).rule(&counts, None).unwrap();
        assert!((p_miss_fixed(&w, &[1, 1], &counts) - 0.1).abs() < 1e-15);
        // EACH_QUORUM writes (2 of 3, 2 of 2) always meet a read of one
        // replica in the second datacenter.
        let e = Level::EachQuorum.rule(&counts, None).unwrap();
        assert_eq!(p_miss_fixed(&e, &[0, 1], &counts), 0.0);
        // ... and miss one replica of the first with C(2,2)/C(3,2).
        assert!((p_miss_fixed(&e, &[1, 0], &counts) - 1.0 / 3.0).abs() < 1e-15);
    }

    /// PBS's WAN scenario as a cluster gives the wan preset's numbers.
    #[test]
    fn wan_as_a_cluster() {
        let s = crate::scenario::Scenario::from_preset("wan").unwrap();
        for failure in [
            FailureModel::NONE,
            FailureModel::iid(0.05),
            FailureModel::per_node(vec![0.01, 0.1, 0.2]),
        ] {
            let c = Cluster::wan(3, 75.0).unwrap();
            for op in [Operation::Write, Operation::Read] {
                let trips = ClusterTrips::new(&c, &s.wars, op);
                let old = Replicas::for_operation(&s.wars, &failure, 3, op);
                for k in 1..=3 {
                    let new = cluster_latency(
                        &c,
                        &trips,
                        &failure,
                        &|_| Level::Count(k).rule(&[1, 1, 1], None).unwrap(),
                        Fanout::All,
                        None,
                    )
                    .unwrap();
                    let old = QuorumLatency::new(old.clone(), k, None);
                    let (a, b) = (new.summary(), old.summary());
                    assert!((a.availability - b.availability).abs() < 1e-14);
                    for (x, y) in [(a.mean_ms, b.mean_ms), (a.p99_ms, b.p99_ms)] {
                        let (x, y) = (x.unwrap(), y.unwrap());
                        assert!((x / y - 1.0).abs() < 1e-9, "{failure} k={k}: {x} vs {y}");
                    }
                }
            }
        }
    }
}
