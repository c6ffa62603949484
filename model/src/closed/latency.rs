//! Quorum latency from order statistics.
//!
//! A coordinator sends to all `n` replicas and waits for the `k`-th response
//! (`k = w` acks for a write over `W + A`, `k = r` responses for a read over
//! `R + S`). With replica `i` up with probability `qᵢ` and answering within
//! `x` with CDF `Fᵢ(x)`, the per-replica CDF is `Gᵢ(x) = qᵢ Fᵢ(x)` and
//!
//! `F_(k)(x) = P(at least k of the Gᵢ-events happen by x)`
//!
//! (for identical replicas `Σ_{j=k..n} C(n,j) G^j (1-G)^(n-j)`; otherwise a
//! Poisson-binomial count). `F_(k)(∞)` is the availability, `F_(k)(T)` the
//! availability under a timeout `T`, and the latency given success has CDF
//! `F_(k)(x) / F_(k)(T)`. Percentiles come from root finding on that CDF, the
//! mean from integrating its survival function (adaptive Gauss–Kronrod, in
//! log-x beyond the median) plus the analytic remainder of the tail.
//!
//! Correlated failures (shared repair crews, failure domains) make the
//! replicas' states dependent; the latency is then a mixture, over which
//! replicas are up, of the same order statistic with every listed replica
//! up ([`Replicas`] arrangements). With identical replicas the mixture over
//! up counts `m` is summed by a recurrence in `m`, O(n) per point.
//!
//! The mean exists only if the latency's tail is light enough. If replica
//! delays fall like `x^-αᵢ`, the k-th response given success falls like
//! `x^-β` with `β` the sum of the `m − k + 1` smallest `αᵢ` over the smallest
//! set of `m` replicas that can be up (`m = k` as soon as any replica can
//! fail): a quorum waits on `m − k + 1` slow replicas at once. `β <= 1` means
//! no mean.

use super::response::ResponseTime;
use crate::dist::presets::Wars;
use crate::dist::Dist;
use crate::failure::FailureModel;
use crate::numeric::binomial::{binomial_tails, grouped_tails, Group, Tails};
use crate::numeric::quad::{integrate_pieces, Tolerance};
use crate::topology::{Rule, Term};

/// Relative tolerance of the mean latency's integral (its integrand, the
/// order statistic's survival, is exact to about 1e-10 where a round trip
/// is tabulated, 1e-13 otherwise).
pub const OUTER_REL_TOL: f64 = 1e-9;

/// How exact latency figures are, as the outputs say it: tables to 1e-10,
/// the mean's integral to 1e-9, percentiles by root finding to 1e-12; the
/// tests hold every family and sums of them to 1e-8 against independent
/// computations.
pub const HOW_EXACT: &str = "exact (numerical, rel. error < 1e-8)";
use crate::numeric::root::{bracket_above, invert_increasing, invert_increasing_to};

/// Which round trip an operation waits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `W + A`, waiting for `w` acks.
    Write,
    /// `R + S`, waiting for `r` responses.
    Read,
}

/// `count` replicas whose responses take `delays[delay]` and that are down
/// with probability `p_down`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplicaClass {
    /// How many replicas.
    pub count: usize,
    /// Which group (datacenter) they are in, for rules that count answers
    /// per group (see [`QuorumLatency::with_rules`]); 0 where there is one.
    pub group: usize,
    /// Index into [`Replicas::delays`] of their response time.
    pub delay: usize,
    /// Probability that each is down (independently).
    pub p_down: f64,
}

/// The response times of one operation type: the local replica's round
/// trip and, under the WAN topology, the remote replicas' (the same round
/// trip plus the remote hop both ways). Built once per scenario and reused
/// for every `n`, quorum size and failure level.
#[derive(Debug, Clone)]
pub struct RoundTrips {
    /// The round trip to the coordinator's own replica (every replica's, in one place).
    pub local: ResponseTime,
    /// The round trip to a remote replica (WAN), if any.
    pub remote: Option<ResponseTime>,
}

impl RoundTrips {
    /// `W + A` for writes, `R + S` for reads, tabulated where that pays.
    pub fn new(wars: &Wars, op: Operation) -> Self {
        let dist = match op {
            Operation::Write => wars.write_round_trip(),
            Operation::Read => wars.read_round_trip(),
        };
        let local = ResponseTime::new(dist);
        let remote_ms = wars.remote_one_way_ms();
        let remote = (remote_ms > 0.0).then(|| local.shifted(2.0 * remote_ms));
        RoundTrips { local, remote }
    }
}

/// The replicas an operation contacts. Most set-ups have one arrangement;
/// when which replica is local is random (the WAN preset with different
/// per-node failure probabilities), each possible arrangement carries its
/// probability and the order-statistic CDFs are averaged.
#[derive(Debug, Clone)]
pub struct Replicas {
    /// The distinct response times.
    pub delays: Vec<ResponseTime>,
    /// Each arrangement's probability and its replica classes.
    pub arrangements: Vec<(f64, Vec<ReplicaClass>)>,
}

impl Replicas {
    /// `n` identical replicas, each down with probability `p_down`.
    pub fn identical(n: usize, delay: Dist, p_down: f64) -> Self {
        Replicas {
            delays: vec![ResponseTime::new(delay)],
            arrangements: vec![(
                1.0,
                vec![ReplicaClass {
                    count: n,
                    group: 0,
                    delay: 0,
                    p_down,
                }],
            )],
        }
    }

    /// The replicas a write (`W + A`) or a read (`R + S`) contacts, for `n`
    /// replicas under `wars` and `failure`. With the WAN topology one replica,
    /// uniformly at random, is local; the others add the remote delay to both
    /// legs of the round trip.
    pub fn for_operation(wars: &Wars, failure: &FailureModel, n: usize, op: Operation) -> Self {
        Self::from_round_trips(&RoundTrips::new(wars, op), failure, n)
    }

    /// [`Replicas::for_operation`] from round trips computed beforehand.
    pub fn from_round_trips(trips: &RoundTrips, failure: &FailureModel, n: usize) -> Self {
        if let Some(replicas) = Self::correlated(trips, failure, n) {
            return replicas;
        }
        let downs = failure.down_probabilities(n);
        let remote = match &trips.remote {
            Some(r) if n > 1 => r.clone(),
            _ => {
                return match failure.uniform_down(n) {
                    Some(p_fail) => Replicas {
                        delays: vec![trips.local.clone()],
                        arrangements: vec![(
                            1.0,
                            vec![ReplicaClass {
                                count: n,
                                group: 0,
                                delay: 0,
                                p_down: p_fail,
                            }],
                        )],
                    },
                    None => Replicas {
                        delays: vec![trips.local.clone()],
                        arrangements: vec![(
                            1.0,
                            downs
                                .iter()
                                .map(|&p_down| ReplicaClass {
                                    count: 1,
                                    group: 0,
                                    delay: 0,
                                    p_down,
                                })
                                .collect(),
                        )],
                    },
                }
            }
        };
        let delays = vec![trips.local.clone(), remote];
        let arrangements = match failure.uniform_down(n) {
            Some(p_fail) => vec![(
                1.0,
                vec![
                    ReplicaClass {
                        count: 1,
                        group: 0,
                        delay: 0,
                        p_down: p_fail,
                    },
                    ReplicaClass {
                        count: n - 1,
                        group: 0,
                        delay: 1,
                        p_down: p_fail,
                    },
                ],
            )],
            None => (0..n)
                .map(|l| {
                    let classes = downs
                        .iter()
                        .enumerate()
                        .map(|(i, &p_down)| ReplicaClass {
                            count: 1,
                            group: 0,
                            delay: usize::from(i != l),
                            p_down,
                        })
                        .collect();
                    (1.0 / n as f64, classes)
                })
                .collect(),
        };
        Replicas {
            delays,
            arrangements,
        }
    }

    /// Correlated failures (shared repair crews, failure domains with
    /// outages): a mixture over which replicas are up, each arrangement
    /// listing only its up replicas (down ones never answer). Uniform
    /// topology: one arrangement per number of up replicas. WAN: one per
    /// (local replica up or not, number of remote replicas up). `None` for
    /// models where replicas fail independently.
    fn correlated(trips: &RoundTrips, failure: &FailureModel, n: usize) -> Option<Self> {
        let wan = trips.remote.is_some() && n > 1;
        // (probability, local up, others up); uniform topology uses
        // local up = false and others = the up count (see Failures::up_law).
        let law = failure.up_law(n, wan)?;
        let class = |count: usize, delay: usize| ReplicaClass {
            count,
            group: 0,
            delay,
            p_down: 0.0,
        };
        let arrangements = law
            .into_iter()
            .filter(|(p, _, _)| *p > 0.0)
            .map(|(p, local, others)| {
                let mut classes = Vec::new();
                if wan {
                    if local {
                        classes.push(class(1, 0));
                    }
                    if others > 0 {
                        classes.push(class(others, 1));
                    }
                } else if others > 0 {
                    classes.push(class(others, 0));
                }
                (p, classes)
            })
            .collect();
        let mut delays = vec![trips.local.clone()];
        if wan {
            delays.extend(trips.remote.clone());
        }
        Some(Replicas {
            delays,
            arrangements,
        })
    }

    fn replica_count(&self) -> usize {
        self.arrangements
            .iter()
            .map(|a| a.1.iter().map(|c| c.count).sum())
            .max()
            .unwrap_or(0)
    }
}

/// What a latency figure is, when it is not a number.
#[derive(Debug, Clone, PartialEq)]
pub enum Undefined {
    /// The quorum is never reached (availability 0).
    NoQuorum,
    /// The mean is infinite: a power-law tail with index `<= 1`.
    InfiniteMean {
        /// The latency's tail index.
        tail_index: f64,
    },
}

impl std::fmt::Display for Undefined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Undefined::NoQuorum => write!(f, "the quorum is never reached (availability 0), so there is no latency"),
            Undefined::InfiniteMean { tail_index } => write!(
                f,
                "the mean is infinite: given success, the latency has a power-law tail P(T > x) ~ x^-{tail_index:.4} with index <= 1; the percentiles still exist"
            ),
        }
    }
}

/// Latency summary of one operation type: exact to the integration and root
/// finding tolerances (1e-10 relative).
#[derive(Debug, Clone, PartialEq)]
pub struct LatencySummary {
    /// Probability the operation succeeds (within the timeout, if any).
    pub availability: f64,
    /// `1 - availability`, computed directly.
    pub unavailability: f64,
    /// Mean latency given success, ms.
    pub mean_ms: Result<f64, Undefined>,
    /// Median, ms.
    pub p50_ms: Result<f64, Undefined>,
    /// 99th percentile, ms.
    pub p99_ms: Result<f64, Undefined>,
    /// 99.9th percentile, ms.
    pub p999_ms: Result<f64, Undefined>,
    /// Power-law index of the latency tail (`f64::INFINITY`: light).
    pub tail_index: f64,
    /// Percentiles that lie where a replica's response time is known only
    /// by extrapolation (its tail probability there is below what its
    /// table holds): `(percent, that tail probability)`. Such a percentile
    /// is approximate. It happens where the latency's CDF has a plateau at
    /// exactly the percentile's level (a WAN quorum whose local replica is
    /// down with probability 1 - p).
    pub extrapolated: Vec<(f64, f64)>,
}

/// The k-th response time of a set of replicas.
///
/// ```
/// use quorum_model::closed::latency::{QuorumLatency, Replicas};
/// use quorum_model::dist::Dist;
/// // Second of three Exp(1) responses: E = 1/3 + 1/2.
/// let d: Dist = "exp(rate=1)".parse().unwrap();
/// let q = QuorumLatency::new(Replicas::identical(3, d, 0.0), 2, None);
/// assert!((q.summary().mean_ms.unwrap() - (1.0 / 3.0 + 0.5)).abs() < 1e-8);
/// ```
#[derive(Debug, Clone)]
pub struct QuorumLatency {
    replicas: Replicas,
    /// What each arrangement waits for (parallel to its arrangements).
    rules: Vec<Rule>,
    timeout: Option<f64>,
    /// Probability of arrangements that can never gather k responses
    /// (fewer than k replicas in them), set aside from `replicas`.
    never: f64,
    /// Tail index over every arrangement that can succeed, before pruning.
    tail_index: f64,
    /// When every arrangement is `m` identical up replicas (uniform
    /// topology, correlated failures): `(probability, m)`, for the O(n)
    /// recurrence in [`Self::tails_at`].
    up_counts: Option<Vec<(f64, usize)>>,
    /// Tails at the end of the horizon (the timeout, or infinity).
    end: Tails,
}

/// The group a term names to count every class, whatever its group.
pub const ALL_GROUPS: usize = usize::MAX;

/// Whether `term` counts the answers of class `c`.
fn counts_in(term: &Term, c: &ReplicaClass) -> bool {
    term.dcs.first() == Some(&ALL_GROUPS) || term.dcs.contains(&c.group)
}

/// Whether some outcome of `classes` satisfies `rule`: every term has
/// enough replicas.
fn can_hold(rule: &Rule, classes: &[ReplicaClass]) -> bool {
    rule.terms.iter().all(|t| {
        classes
            .iter()
            .filter(|c| counts_in(t, c))
            .map(|c| c.count)
            .sum::<usize>()
            >= t.k
    })
}

trait CountsAll {
    /// `Some(k)`: one term counting every class.
    fn counts_all(&self) -> Option<usize>;
}

impl CountsAll for Rule {
    fn counts_all(&self) -> Option<usize> {
        match self.terms.as_slice() {
            [t] if t.dcs.first() == Some(&ALL_GROUPS) => Some(t.k),
            _ => None,
        }
    }
}

/// Under correlated failures, arrangements (sets of up replicas) carrying
/// less than this share of the probability of those that can succeed are
/// dropped: it moves any conditional figure by less than 1e-16 relative and
/// keeps n = 1001 with shared repair crews fast (the law over up counts has
/// n + 1 arrangements, most of them astronomically unlikely).
const PRUNE: f64 = 1e-17;

impl QuorumLatency {
    /// The `k`-th response among `replicas`, with an optional timeout (ms).
    pub fn new(replicas: Replicas, k: usize, timeout: Option<f64>) -> Self {
        let rule = Rule {
            terms: vec![Term::new(vec![ALL_GROUPS], k)],
        };
        let rules = vec![rule; replicas.arrangements.len()];
        Self::with_rules(replicas, rules, timeout)
    }

    /// The first time `rules[i]` holds in arrangement `i` (its terms count
    /// answers among the classes of their groups; a term over
    /// [`ALL_GROUPS`] counts every class): independent replicas, so the
    /// probability that every term holds by `x` is the product over terms
    /// of each one's Poisson-binomial tail.
    pub fn with_rules(mut replicas: Replicas, mut rules: Vec<Rule>, timeout: Option<f64>) -> Self {
        assert_eq!(
            rules.len(),
            replicas.arrangements.len(),
            "a rule per arrangement"
        );
        let mut never = 0.0;
        if replicas.arrangements.len() > 1 {
            let (can, cannot): (Vec<_>, Vec<_>) = replicas
                .arrangements
                .into_iter()
                .zip(rules)
                .partition(|(a, rule)| can_hold(rule, &a.1));
            never = cannot.iter().map(|a| a.0 .0).sum();
            (replicas.arrangements, rules) = can.into_iter().unzip();
        }
        let mut q = QuorumLatency {
            replicas,
            rules,
            timeout,
            never,
            tail_index: f64::INFINITY,
            up_counts: None,
            end: Tails {
                below: 0.0,
                at_least: 0.0,
                ln_below: 0.0,
                ln_at_least: 0.0,
            },
        };
        q.tail_index = q.arrangement_tail_index();
        let total: f64 = q.replicas.arrangements.iter().map(|a| a.0).sum();
        if q.replicas.arrangements.len() > 1 {
            let (keep, drop): (Vec<_>, Vec<_>) = std::mem::take(&mut q.replicas.arrangements)
                .into_iter()
                .zip(std::mem::take(&mut q.rules))
                .partition(|a| a.0 .0 >= PRUNE * total);
            // Counted as never succeeding: availability errs low, by less
            // than 1e-17 of itself.
            q.never += drop.iter().map(|a| a.0 .0).sum::<f64>();
            (q.replicas.arrangements, q.rules) = keep.into_iter().unzip();
        }
        let one_delay =
            |c: &Vec<ReplicaClass>| c.len() == 1 && c[0].delay == 0 && c[0].p_down == 0.0;
        // The O(n) recurrence needs one k over every class of one delay.
        let one_k = q
            .rules
            .first()
            .and_then(|r| r.counts_all())
            .filter(|k| q.rules.iter().all(|r| r.counts_all() == Some(*k)));
        if q.replicas.arrangements.len() > 1
            && one_k.is_some()
            && q.replicas.arrangements.iter().all(|a| one_delay(&a.1))
        {
            q.up_counts = Some(
                q.replicas
                    .arrangements
                    .iter()
                    .map(|(w, c)| (*w, c[0].count))
                    .collect(),
            );
        }
        q.end = q.tails_at(timeout.unwrap_or(f64::INFINITY));
        q
    }

    /// `Σ w_m P(Bin(m, F) ≥ k)` and its complement over up counts `m`, in
    /// O(max m): with `p_m = P(Bin(m, F) = k − 1)` (a positive recurrence
    /// in log space), `P(Bin(m + 1, F) ≥ k) = P(Bin(m, F) ≥ k) + F p_m`
    /// summed upwards from `m = k − 1`, and the lower tail summed downwards
    /// from the largest `m`, computed directly. Only additions of positive
    /// terms, so both tails keep their relative accuracy.
    fn mixture_tails(&self, counts: &[(f64, usize)], f: f64, s: f64) -> Tails {
        let k = self.rules[0].counts_all().expect("one k over all classes");
        let top = counts.iter().map(|c| c.1).max().unwrap_or(0);
        let (ln_f, ln_s) = (f.ln(), s.ln());
        // ln p_m for m = k - 1 ..= top (index m - (k - 1)).
        let mut ln_p = Vec::with_capacity(top + 2 - k);
        ln_p.push(if k == 1 { 0.0 } else { (k - 1) as f64 * ln_f });
        for m in (k - 1)..top {
            let step = ((m + 1) as f64 / (m + 2 - k) as f64).ln();
            ln_p.push(ln_p[m + 1 - k] + ln_s + step);
        }
        let add = |m: usize| {
            let x = ln_f + ln_p[m + 1 - k];
            if x.is_nan() {
                0.0
            } else {
                x.exp()
            }
        };
        let mut at_least = vec![0.0; top + 2 - k];
        for m in (k - 1)..top {
            at_least[m + 2 - k] = at_least[m + 1 - k] + add(m);
        }
        let mut below = vec![0.0; top + 2 - k];
        below[top + 1 - k] = binomial_tails(k, top, f, s).below;
        for m in (k - 1..top).rev() {
            below[m + 1 - k] = below[m + 2 - k] + add(m);
        }
        let (mut b, mut a) = (self.never, 0.0);
        for &(w, m) in counts {
            b += w * below[m + 1 - k];
            a += w * at_least[m + 1 - k];
        }
        Tails {
            below: b,
            at_least: a,
            ln_below: b.ln(),
            ln_at_least: a.ln(),
        }
    }

    /// Unconditional `P(k-th response by x)` and its complement.
    pub fn tails_at(&self, x: f64) -> Tails {
        let fs: Vec<(f64, f64)> = self
            .replicas
            .delays
            .iter()
            .map(|d| {
                if x.is_infinite() {
                    (1.0, 0.0)
                } else {
                    d.cdf_sf(x)
                }
            })
            .collect();
        if let Some(counts) = &self.up_counts {
            let (f, s) = fs[0];
            return self.mixture_tails(counts, f, s);
        }
        let mut below = 0.0;
        let mut at_least = 0.0;
        let mut single = None;
        for ((weight, classes), rule) in self.replicas.arrangements.iter().zip(&self.rules) {
            let group = |c: &ReplicaClass| {
                let (f, s) = fs[c.delay];
                let up = 1.0 - c.p_down;
                Group {
                    count: c.count,
                    s: up * f,
                    f: c.p_down + up * s,
                }
            };
            let t = match rule.counts_all() {
                Some(k) => grouped_tails(k, &classes.iter().map(group).collect::<Vec<_>>()),
                None => Tails::all_of(rule.terms.iter().map(|term| {
                    let groups: Vec<Group> = classes
                        .iter()
                        .filter(|c| counts_in(term, c))
                        .map(group)
                        .collect();
                    grouped_tails(term.k, &groups)
                })),
            };
            if self.replicas.arrangements.len() == 1 {
                single = Some(t);
            }
            below += weight * t.below;
            at_least += weight * t.at_least;
        }
        if self.never > 0.0 || self.replicas.arrangements.is_empty() {
            single = None;
            below += self.never;
        }
        single.unwrap_or(Tails {
            below,
            at_least,
            ln_below: below.ln(),
            ln_at_least: at_least.ln(),
        })
    }

    /// Probability of success within the horizon.
    pub fn availability(&self) -> f64 {
        self.end.at_least
    }

    /// Latency survival given success: `P(T > x | success)`.
    pub fn sf(&self, x: f64) -> f64 {
        if let Some(t) = self.timeout {
            if x >= t {
                return 0.0;
            }
        }
        let t = self.tails_at(x);
        // P(success, later than x) over P(success), from whichever tail
        // is small at the horizon, so that neither cancels.
        let later = if self.end.at_least < 0.5 {
            self.end.at_least - t.at_least
        } else {
            t.below - self.end.below
        };
        (later / self.end.at_least).clamp(0.0, 1.0)
    }

    /// Latency CDF given success.
    pub fn cdf(&self, x: f64) -> f64 {
        1.0 - self.sf(x)
    }

    /// Lower end of the latency's support: no quorum forms earlier.
    fn floor(&self) -> f64 {
        // The earliest any arrangement can satisfy its rule: the latest of
        // its terms' k-th earliest possible answers.
        self.replicas
            .arrangements
            .iter()
            .zip(&self.rules)
            .filter_map(|((_, classes), rule)| {
                rule.terms
                    .iter()
                    .map(|term| {
                        let mut lows: Vec<f64> = Vec::new();
                        for c in classes.iter().filter(|c| counts_in(term, c)) {
                            let lo = self.replicas.delays[c.delay].support().0;
                            lows.extend(std::iter::repeat_n(lo, c.count));
                        }
                        lows.sort_by(f64::total_cmp);
                        lows.get(term.k.max(1) - 1).copied()
                    })
                    .try_fold(f64::NEG_INFINITY, |m, x| x.map(|x| m.max(x)))
            })
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.min(x))))
            .unwrap_or(0.0)
    }

    fn quantile_to(&self, p: f64, rel_tol: f64) -> f64 {
        let lo = self.floor();
        let h = |x: f64| self.cdf(x);
        if h(lo) >= p {
            return lo;
        }
        let hi = match self.timeout {
            Some(t) => t,
            None => {
                let start = if lo > 0.0 { lo * 1.5 } else { 1.0 };
                bracket_above(h, p, start).unwrap_or(f64::MAX)
            }
        };
        if rel_tol >= 1e-6 {
            invert_increasing_to(h, p, lo, hi, rel_tol)
        } else {
            invert_increasing(h, p, lo, hi)
        }
    }

    /// The `p`-quantile of the latency given success.
    pub fn quantile(&self, p: f64) -> Result<f64, Undefined> {
        if self.end.at_least <= 0.0 {
            return Err(Undefined::NoQuorum);
        }
        Ok(self.quantile_to(p, 1e-12))
    }

    /// Power-law index of the latency tail given success (see module docs).
    pub fn tail_index(&self) -> f64 {
        if self.timeout.is_some() {
            return f64::INFINITY;
        }
        self.tail_index
    }

    /// [`Self::tail_index`] over the arrangements (before pruning).
    fn arrangement_tail_index(&self) -> f64 {
        let mut best = f64::INFINITY;
        // The rule holds when its last term does: the tail of the latest
        // of independent terms is the heaviest of theirs.
        for ((_, classes), rule) in self.replicas.arrangements.iter().zip(&self.rules) {
            for term in &rule.terms {
                best = best.min(self.term_tail_index(classes, term));
            }
        }
        best
    }

    /// Tail index of one term's completion in one arrangement.
    fn term_tail_index(&self, classes: &[ReplicaClass], term: &Term) -> f64 {
        let mut best = f64::INFINITY;
        {
            let k = term.k;
            let mut certain: Vec<f64> = Vec::new();
            let mut uncertain: Vec<f64> = Vec::new();
            for c in classes.iter().filter(|c| counts_in(term, c)) {
                let alpha = self.replicas.delays[c.delay].tail_index();
                let bucket = if c.p_down == 0.0 {
                    &mut certain
                } else if c.p_down < 1.0 {
                    &mut uncertain
                } else {
                    continue;
                };
                bucket.extend(std::iter::repeat_n(alpha, c.count));
            }
            let m = k.max(certain.len());
            if m > certain.len() + uncertain.len() {
                return best;
            }
            uncertain.sort_by(f64::total_cmp);
            let mut up: Vec<f64> = certain;
            let extra = m - up.len();
            up.extend(uncertain.into_iter().take(extra));
            up.sort_by(f64::total_cmp);
            let beta: f64 = up.iter().take(m - k + 1).sum();
            best = best.min(beta);
        }
        best
    }

    /// The mean latency given success.
    pub fn mean(&self) -> Result<f64, Undefined> {
        if self.end.at_least <= 0.0 {
            return Err(Undefined::NoQuorum);
        }
        let beta = self.tail_index();
        if beta <= 1.0 {
            return Err(Undefined::InfiniteMean { tail_index: beta });
        }
        let lo = self.floor();
        // Split points: a ladder of quantiles locating floor, bulk and tail.
        // They are found precisely (a narrow law is narrower than a coarse
        // root-finding tolerance: a Weibull of shape 3000 spans 1e-3 of its
        // median), so every steep stretch lies between two of them.
        let top_p = 1.0 - 1e-12;
        let ladder = [
            1e-9,
            1e-6,
            1e-3,
            0.02,
            0.1,
            0.5,
            0.9,
            0.99,
            0.999,
            0.9999,
            1.0 - 1e-6,
            1.0 - 1e-8,
            1.0 - 1e-10,
        ];
        let mut marks: Vec<f64> = ladder.iter().map(|p| self.quantile_to(*p, 1e-11)).collect();
        let median = marks[5];
        let top = match self.timeout {
            Some(t) => t,
            None => self.quantile_to(top_p, 1e-9),
        };
        marks.retain(|m| *m > lo && *m < top);
        let median = if median > lo && median < top {
            median
        } else {
            marks.first().copied().unwrap_or(top)
        };
        let mut breaks: Vec<f64> = self
            .replicas
            .delays
            .iter()
            .flat_map(|d| d.breakpoints())
            .collect();
        breaks.extend(marks.iter().copied());
        // The integrand is itself computed to ~1e-13 (the convolution), so
        // the outer integral asks for 1e-9 relative and an absolute error
        // scaled to the latency's size; tighter would only chase noise.
        let tol = Tolerance {
            abs: 1e-12 * median.max(1e-300),
            rel: OUTER_REL_TOL,
            max_intervals: 200,
        };
        // Below the floor the survival is 1.
        let body = integrate_pieces(|x| self.sf(x), lo, median, &breaks, tol).value;
        // Beyond the median, integrate in s = ln x: heavy tails become
        // exponentially decaying integrands.
        // Beyond the median the breaks are the marks and the delays' own
        // kinks and jumps (an empirical law's atoms: a step function is
        // integrated exactly only piece by piece).
        let log_breaks: Vec<f64> = breaks
            .iter()
            .filter(|m| **m > median)
            .map(|m| m.ln())
            .collect();
        let tail = if top > median && median > 0.0 {
            integrate_pieces(
                |s| {
                    let x = s.exp();
                    self.sf(x) * x
                },
                median.ln(),
                top.ln(),
                &log_breaks,
                tol,
            )
            .value
        } else {
            integrate_pieces(|x| self.sf(x), median, top, &breaks, tol).value
        };
        let remainder = if self.timeout.is_some() {
            0.0
        } else {
            let s_top = self.sf(top);
            if beta.is_finite() {
                // ∫_top^∞ S(top) (x/top)^-β dx
                s_top * top / (beta - 1.0)
            } else {
                // Exponential decay fitted on the last decade of the ladder.
                let x_prev = marks.last().copied().unwrap_or(median);
                let s_prev = self.sf(x_prev);
                if s_top > 0.0 && s_prev > s_top {
                    s_top * (top - x_prev) / (s_prev / s_top).ln()
                } else {
                    0.0
                }
            }
        };
        Ok(lo + body + tail + remainder)
    }

    /// Availability, mean and the p50/p99/p99.9 percentiles.
    pub fn summary(&self) -> LatencySummary {
        let (p50_ms, p99_ms, p999_ms) = (
            self.quantile(0.5),
            self.quantile(0.99),
            self.quantile(0.999),
        );
        let mut extrapolated = Vec::new();
        for (pct, q) in [(50.0, &p50_ms), (99.0, &p99_ms), (99.9, &p999_ms)] {
            if let Ok(x) = q {
                if let Some(s) = self.extrapolated_at(*x) {
                    extrapolated.push((pct, s));
                }
            }
        }
        LatencySummary {
            availability: self.end.at_least,
            unavailability: self.end.below,
            mean_ms: self.mean(),
            p50_ms,
            p99_ms,
            p999_ms,
            tail_index: self.tail_index(),
            extrapolated,
        }
    }

    /// Whether the percentile at `x` rests on extrapolated tails: some
    /// response time holds `x` only by extrapolation (its tail probability
    /// `t` there is below its table's floor), and an error of the size of
    /// `t` in the latency's CDF would move `x` by more than 1e-9 of itself
    /// (the CDF is flat there: a plateau). Returns the smallest such `t`.
    fn extrapolated_at(&self, x: f64) -> Option<f64> {
        let tail = self
            .replicas
            .delays
            .iter()
            .filter_map(|d| {
                let floor = d.dist().tail_floor();
                let (f, s) = d.cdf_sf(x);
                let t = f.min(s);
                (t > 0.0 && t < floor).then_some(t)
            })
            .reduce(f64::max)?;
        let h = 1e-6 * x.abs().max(1e-9);
        let density = (self.cdf(x + h) - self.cdf(x - h)) / (2.0 * h);
        let shift = self.n() as f64 * tail / (density * x.abs().max(1e-300));
        (shift > 1e-9 || !shift.is_finite()).then_some(tail)
    }

    /// Number of replicas contacted.
    pub fn n(&self) -> usize {
        self.replicas.replica_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{Delay, Exponential, Gamma};
    use proptest::prelude::*;

    fn exp(rate: f64) -> Dist {
        Dist::Exp(Exponential::new(rate).unwrap())
    }

    /// E[X_(k:n)] for iid Exp(λ): (1/λ) Σ_{i=n-k+1..n} 1/i (Rényi).
    fn renyi(n: usize, k: usize, rate: f64) -> f64 {
        (n - k + 1..=n).map(|i| 1.0 / i as f64).sum::<f64>() / rate
    }

    #[test]
    fn exponential_order_statistic_means() {
        for n in 1..=7 {
            for k in 1..=n {
                let q = QuorumLatency::new(Replicas::identical(n, exp(0.7), 0.0), k, None);
                let m = q.mean().unwrap();
                assert!((m - renyi(n, k, 0.7)).abs() < 1e-8 * m, "n={n} k={k}: {m}");
            }
        }
    }

    #[test]
    fn exponential_order_statistic_percentiles() {
        // Min of n Exp(λ) is Exp(nλ); max has CDF (1-e^{-λx})^n.
        let n = 5;
        let min = QuorumLatency::new(Replicas::identical(n, exp(2.0), 0.0), 1, None);
        let p99 = min.quantile(0.99).unwrap();
        assert!((p99 - (-(0.01f64).ln() / 10.0)).abs() < 1e-10);
        let max = QuorumLatency::new(Replicas::identical(n, exp(2.0), 0.0), n, None);
        let p50 = max.quantile(0.5).unwrap();
        assert!((p50 - (-(1.0 - 0.5f64.powf(0.2)).ln() / 2.0)).abs() < 1e-10);
    }

    #[test]
    fn erlang_second_of_three() {
        // W + A with both Exp(1) is Erlang-2; E[X_(2:3)] = 3∫S² − 2∫S³ with
        // S = e^{-x}(1+x): ∫S² = 5/4, ∫S³ = 26/27 (term-by-term Gamma
        // integrals), so the mean is 15/4 − 52/27.
        let want = 15.0 / 4.0 - 52.0 / 27.0;
        let sum = exp(1.0).plus(&exp(1.0));
        let q = QuorumLatency::new(Replicas::identical(3, sum, 0.0), 2, None);
        assert!(
            (q.mean().unwrap() - want).abs() < 1e-8,
            "{}",
            q.mean().unwrap()
        );
        // The same with a Gamma(2, 1) delay directly (no convolution).
        let g = Dist::Gamma(Gamma::new(2.0, 1.0).unwrap());
        let q = QuorumLatency::new(Replicas::identical(3, g, 0.0), 2, None);
        assert!((q.mean().unwrap() - want).abs() < 1e-8);
        assert!((want - 1.8241).abs() < 1e-4);
    }

    #[test]
    fn failures_condition_on_success() {
        // n = 2, k = 1, each down with p: given success, with prob
        // (1-p)^2/(1-p^2) both are up (min of two), else one (Exp).
        let p = 0.3;
        let q = QuorumLatency::new(Replicas::identical(2, exp(1.0), p), 1, None);
        let both = (1.0 - p) * (1.0 - p) / (1.0 - p * p);
        let want = both * 0.5 + (1.0 - both) * 1.0;
        assert!((q.mean().unwrap() - want).abs() < 1e-8);
        assert!((q.availability() - (1.0 - p * p)).abs() < 1e-15);
    }

    #[test]
    fn timeout_truncates() {
        // One Exp(1) replica, timeout T: availability 1 - e^{-T}, mean of
        // the truncated exponential 1 - T e^{-T}/(1 - e^{-T}).
        let t = 2.0;
        let q = QuorumLatency::new(Replicas::identical(1, exp(1.0), 0.0), 1, Some(t));
        let a = 1.0 - (-t).exp();
        assert!((q.availability() - a).abs() < 1e-15);
        let want = 1.0 - t * (-t).exp() / a;
        assert!((q.mean().unwrap() - want).abs() < 1e-9);
        assert!(q.quantile(0.999).unwrap() <= t);
    }

    #[test]
    fn heavy_tails_give_no_mean_but_percentiles() {
        let p: Dist = "pareto(xm=1,alpha=0.9)".parse().unwrap();
        // The max of 3 keeps the index: no mean.
        let q = QuorumLatency::new(Replicas::identical(3, p.clone(), 0.0), 3, None);
        assert!(matches!(q.mean(), Err(Undefined::InfiniteMean { .. })));
        let p50 = q.quantile(0.5).unwrap();
        assert!((p50 - (1.0 / (1.0 - 0.5f64.powf(1.0 / 3.0))).powf(1.0 / 0.9)).abs() < 1e-8);
        // The 2nd of 3 waits on two slow replicas at once: index 1.8, a mean.
        let q = QuorumLatency::new(Replicas::identical(3, p.clone(), 0.0), 2, None);
        assert!((q.tail_index() - 1.8).abs() < 1e-12);
        // E[X_(2:3)] for Pareto(1, a): 3∫S² − 2∫S³ with S = x^-a on x > 1,
        // = 1 + 3/(2a−1) − 2/(3a−1).
        let a = 0.9;
        let want = 1.0 + 3.0 / (2.0 * a - 1.0) - 2.0 / (3.0 * a - 1.0);
        let got = q.mean().unwrap();
        assert!((got - want).abs() < 1e-5 * want, "{got} vs {want}");
        // With failures possible, a quorum can be left with one slow replica.
        let q = QuorumLatency::new(Replicas::identical(3, p, 0.01), 2, None);
        assert!(q.mean().is_err());
    }

    #[test]
    fn the_up_count_recurrence_matches_arrangement_by_arrangement() {
        // A mixture over up counts, once through the O(n) recurrence and
        // once through binomial tails per arrangement (a zero-count second
        // class forces the general path).
        let d: Dist = "exp(rate=1)".parse().unwrap();
        let weights = [(0.1, 2usize), (0.2, 5), (0.3, 9), (0.4, 12)];
        let build = |pad: bool| Replicas {
            delays: vec![ResponseTime::new(d.clone())],
            arrangements: weights
                .iter()
                .map(|&(w, m)| {
                    let mut classes = vec![ReplicaClass {
                        count: m,
                        group: 0,
                        delay: 0,
                        p_down: 0.0,
                    }];
                    if pad {
                        classes.push(ReplicaClass {
                            count: 0,
                            group: 0,
                            delay: 0,
                            p_down: 0.0,
                        });
                    }
                    (w, classes)
                })
                .collect(),
        };
        for k in [1, 3, 5, 10] {
            let fast = QuorumLatency::new(build(false), k, None);
            let slow = QuorumLatency::new(build(true), k, None);
            // k = 10: one arrangement can succeed, the general path.
            assert_eq!(fast.up_counts.is_some(), k < 10);
            assert!(slow.up_counts.is_none());
            for x in [0.01, 0.5, 2.0, 8.0, 30.0, f64::INFINITY] {
                let (a, b) = (fast.tails_at(x), slow.tails_at(x));
                for (u, v) in [(a.below, b.below), (a.at_least, b.at_least)] {
                    assert!(
                        (u - v).abs() <= 1e-12 * v.abs().max(1e-300),
                        "k={k} x={x}: {u} vs {v}"
                    );
                }
            }
        }
    }

    #[test]
    fn no_quorum_is_undefined() {
        let q = QuorumLatency::new(Replicas::identical(3, exp(1.0), 1.0), 2, None);
        assert_eq!(q.availability(), 0.0);
        assert_eq!(q.quantile(0.5), Err(Undefined::NoQuorum));
        assert_eq!(q.mean(), Err(Undefined::NoQuorum));
    }

    #[test]
    fn lognormal_min_of_two() {
        // P(min > x) = S(x)^2 for two iid lognormals; mean = ∫ S² by plain
        // trapezoid on a fine grid (an independent integrator).
        let d: Dist = "lognormal(mu=0.5,sigma=0.8)".parse().unwrap();
        let q = QuorumLatency::new(Replicas::identical(2, d.clone(), 0.0), 1, None);
        let h = 1e-3;
        let mut want = 0.0;
        for i in 0..200_000 {
            let (a, b) = (i as f64 * h, (i + 1) as f64 * h);
            want += 0.5 * h * (d.sf(a).powi(2) + d.sf(b).powi(2));
        }
        assert!(
            (q.mean().unwrap() - want).abs() < 1e-6,
            "{} vs {want}",
            q.mean().unwrap()
        );
    }

    #[test]
    fn a_percentile_on_a_plateau_says_it_is_extrapolated() {
        // WAN, first of 7, each down with 0.001: given success the latency
        // is the local round trip with probability 0.999 and 150 ms more
        // otherwise, so its p99.9 sits on the local law's far tail.
        let wars = crate::dist::presets::preset("wan").unwrap().wars;
        let q = QuorumLatency::new(
            Replicas::for_operation(&wars, &FailureModel::iid(0.001), 7, Operation::Read),
            1,
            None,
        );
        let s = q.summary();
        assert_eq!(s.extrapolated.len(), 1, "{:?}", s.extrapolated);
        assert_eq!(s.extrapolated[0].0, 99.9);
        // An ordinary configuration's percentiles are all inside the tables.
        let q = QuorumLatency::new(
            Replicas::for_operation(&wars, &FailureModel::NONE, 3, Operation::Read),
            2,
            None,
        );
        assert!(q.summary().extrapolated.is_empty());
    }

    #[test]
    fn wan_local_replica_answers_first() {
        // n = 3, k = 1 with 75 ms each way to the two remote replicas: the
        // local replica alone decides unless its round trip exceeds 150 ms.
        let wars = crate::dist::presets::Wars {
            topology: crate::dist::presets::Topology::Wan {
                remote_one_way_ms: 75.0,
            },
            ..crate::dist::presets::Wars::uniform(exp(1.0))
        };
        let reps = Replicas::for_operation(&wars, &FailureModel::NONE, 3, Operation::Read);
        let q = QuorumLatency::new(reps, 1, None);
        assert!((q.mean().unwrap() - 2.0).abs() < 1e-6);
        // k = 2 needs a remote replica: at least 150 ms.
        let reps = Replicas::for_operation(&wars, &FailureModel::NONE, 3, Operation::Read);
        let q = QuorumLatency::new(reps, 2, None);
        assert!(q.quantile(0.5).unwrap() > 150.0);
        // Per-node failures average over which replica is local; with equal
        // probabilities this equals the iid arrangement.
        let iid = QuorumLatency::new(
            Replicas::for_operation(&wars, &FailureModel::iid(0.1), 3, Operation::Write),
            2,
            None,
        );
        let per = QuorumLatency::new(
            Replicas::for_operation(
                &wars,
                &FailureModel::per_node(vec![0.1; 3]),
                3,
                Operation::Write,
            ),
            2,
            None,
        );
        assert!((iid.quantile(0.99).unwrap() - per.quantile(0.99).unwrap()).abs() < 1e-6);
        assert!((iid.availability() - per.availability()).abs() < 1e-15);
    }

    #[test]
    fn thousand_and_one_replicas_match_the_incomplete_beta() {
        // P(X_(k) <= x) = I_{F(x)}(k, n-k+1) for iid F; invert it through
        // statrs (an independent route) for Exp(1): x = -ln(1 - g).
        let (n, k) = (1001, 700);
        let q = QuorumLatency::new(Replicas::identical(n, exp(1.0), 0.0), k, None);
        for p in [0.5, 0.99, 0.999] {
            let g = statrs::function::beta::inv_beta_reg(k as f64, (n - k + 1) as f64, p);
            let want = -(-g).ln_1p();
            let got = q.quantile(p).unwrap();
            assert!((got - want).abs() < 1e-9 * want, "p={p}: {got} vs {want}");
        }
        let m = q.mean().unwrap();
        assert!((m - renyi(n, k, 1.0)).abs() < 1e-8 * m, "{m}");
    }

    /// Plain simulation of the k-th of n round trips: an independent check
    /// of convolution, tabulation and order statistics together.
    fn simulate(d_leg1: &Dist, d_leg2: &Dist, n: usize, k: usize, trials: usize) -> Vec<f64> {
        use rand::SeedableRng;
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(2012);
        let mut out = Vec::with_capacity(trials);
        let mut times = vec![0.0; n];
        for _ in 0..trials {
            for t in times.iter_mut() {
                *t = d_leg1.sample(&mut rng) + d_leg2.sample(&mut rng);
            }
            times.sort_by(f64::total_cmp);
            out.push(times[k - 1]);
        }
        out.sort_by(f64::total_cmp);
        out
    }

    #[test]
    fn latency_matches_simulation() {
        let cases: Vec<(&str, Dist, Dist, usize, usize)> = vec![
            (
                "lognormal",
                "lognormal(mu=0,sigma=1)".parse().unwrap(),
                "lognormal(mu=0,sigma=1)".parse().unwrap(),
                3,
                2,
            ),
            (
                "lnkd-disk W+A",
                crate::dist::presets::preset("lnkd-disk").unwrap().wars.w,
                crate::dist::presets::preset("lnkd-disk").unwrap().wars.a,
                5,
                3,
            ),
            (
                "ymmr W+A",
                crate::dist::presets::preset("ymmr").unwrap().wars.w,
                crate::dist::presets::preset("ymmr").unwrap().wars.a,
                3,
                1,
            ),
            (
                "weibull+gamma",
                "weibull(shape=0.8,scale=2)".parse().unwrap(),
                "gamma(shape=3,scale=0.5)".parse().unwrap(),
                4,
                4,
            ),
            (
                "five different terms",
                "exp(mean=1) + lognormal(mu=0,sigma=0.5) + weibull(shape=2,scale=1)"
                    .parse()
                    .unwrap(),
                "gamma(shape=0.5,scale=2) + pareto(xm=0.5,alpha=3)"
                    .parse()
                    .unwrap(),
                3,
                2,
            ),
            (
                "mixture of scales 1e4 apart",
                "mix(0.99: exp(mean=0.1), 0.01: exp(mean=1000))"
                    .parse()
                    .unwrap(),
                "mix(0.99: exp(mean=0.1), 0.01: exp(mean=1000))"
                    .parse()
                    .unwrap(),
                3,
                1,
            ),
        ];
        let trials = 200_000;
        for (name, a, b, n, k) in cases {
            let q = QuorumLatency::new(Replicas::identical(n, a.plus(&b), 0.0), k, None);
            let sim = simulate(&a, &b, n, k, trials);
            // Percentiles: the simulated CDF at the exact quantile is within
            // 5 binomial standard errors of p.
            for p in [0.5, 0.99, 0.999] {
                let x = q.quantile(p).unwrap();
                let frac = sim.partition_point(|v| *v <= x) as f64 / trials as f64;
                let se = (p * (1.0 - p) / trials as f64).sqrt();
                assert!(
                    (frac - p).abs() < 5.0 * se,
                    "{name} p{p}: sim cdf {frac} at {x}"
                );
            }
            // Mean: within 5 standard errors of the sample mean, except where
            // rare events dominate it (a sample of 200 000 then cannot
            // estimate its standard error; see the closed-form test below).
            if name.starts_with("mixture of scales") {
                continue;
            }
            let mean = sim.iter().sum::<f64>() / trials as f64;
            let var = sim.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (trials - 1) as f64;
            let se = (var / trials as f64).sqrt();
            let exact = q.mean().unwrap();
            assert!(
                (exact - mean).abs() < 5.0 * se,
                "{name} mean: exact {exact}, sim {mean} ± {se}"
            );
        }
    }

    #[test]
    fn a_mean_dominated_by_rare_slow_answers_matches_its_closed_form() {
        // Round trip M + M with M = 0.99 Exp(mean 0.1) + 0.01 Exp(mean
        // 1000): its survival is a sum of hypoexponentials; the first of 3
        // has mean ∫ S³, summed here by the trapezoid rule on a log grid.
        let m: Dist = "mix(0.99: exp(mean=0.1), 0.01: exp(mean=1000))"
            .parse()
            .unwrap();
        let q = QuorumLatency::new(Replicas::identical(3, m.plus(&m), 0.0), 1, None);
        let hypo = |a: f64, b: f64, x: f64| -> f64 {
            if a == b {
                (-a * x).exp() * (1.0 + a * x)
            } else {
                (b * (-a * x).exp() - a * (-b * x).exp()) / (b - a)
            }
        };
        let sf = |x: f64| {
            0.99 * 0.99 * hypo(10.0, 10.0, x)
                + 2.0 * 0.99 * 0.01 * hypo(10.0, 1e-3, x)
                + 1e-4 * hypo(1e-3, 1e-3, x)
        };
        let steps = 400_000;
        let (u0, u1) = ((1e-9f64).ln(), (2e5f64).ln());
        let h = (u1 - u0) / steps as f64;
        let mut want = 1e-9;
        for i in 0..steps {
            let (a, b) = ((u0 + i as f64 * h).exp(), (u0 + (i + 1) as f64 * h).exp());
            want += 0.5 * (b - a) * (sf(a).powi(3) + sf(b).powi(3));
        }
        let got = q.mean().unwrap();
        assert!((got / want - 1.0).abs() < 1e-7, "{got} vs {want}");
    }

    /// The k-th of n iid round trips `A + B`, computed without tables,
    /// Gauss–Kronrod or root finding: the round trip's CDF as
    /// `∫₀¹ F_A(x − Q_B(u)) du` by the midpoint rule on 10 000 points (the
    /// quantile transform: a bounded integrand whatever B's shape), the
    /// order statistic by the binomial sum, the mean by the trapezoid rule
    /// over its survival and the quantiles by linear interpolation. The x
    /// grid is 1 500 points over the whole range plus 1 500 between the
    /// order statistic's 1e-7 and 1 - 1e-7 points (a first pass finds them),
    /// so a narrow bulk is resolved. Returns (mean, p50, p99).
    fn brute_order_statistic(a: &Dist, b: &Dist, n: usize, k: usize) -> (f64, f64, f64) {
        use crate::dist::Delay;
        let (x_lo, x_hi) = (
            a.quantile(1e-14) + b.quantile(1e-14),
            a.isf(1e-14) + b.isf(1e-14),
        );
        let m = 10_000;
        let ys: Vec<f64> = (0..m)
            .map(|i| b.quantile((i as f64 + 0.5) / m as f64))
            .collect();
        let binom =
            |j: usize| -> f64 { (0..j).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64) };
        let order = |x: f64| -> f64 {
            let f = (ys.iter().map(|y| a.cdf(x - y)).sum::<f64>() / m as f64).min(1.0);
            (k..=n)
                .map(|j| binom(j) * f.powi(j as i32) * (1.0 - f).powi((n - j) as i32))
                .sum::<f64>()
        };
        let uniform = |lo: f64, hi: f64, count: usize| -> Vec<f64> {
            (0..=count)
                .map(|i| lo + (hi - lo) * i as f64 / count as f64)
                .collect()
        };
        let coarse = uniform(x_lo, x_hi, 1500);
        let fc: Vec<f64> = coarse.iter().map(|x| order(*x)).collect();
        let first = fc.partition_point(|v| *v < 1e-7).saturating_sub(1);
        let last = fc
            .partition_point(|v| *v < 1.0 - 1e-7)
            .min(coarse.len() - 1);
        let mut pts: Vec<(f64, f64)> = coarse.iter().copied().zip(fc).collect();
        for x in uniform(coarse[first], coarse[last], 1500) {
            pts.push((x, order(x)));
        }
        pts.sort_by(|p, q| p.0.total_cmp(&q.0));
        pts.dedup_by(|p, q| p.0 == q.0);
        let mut mean = x_lo;
        for w in pts.windows(2) {
            mean += 0.5 * (w[1].0 - w[0].0) * ((1.0 - w[0].1) + (1.0 - w[1].1));
        }
        let q = |p: f64| -> f64 {
            let i = pts.partition_point(|v| v.1 < p);
            let ((x0, f0), (x1, f1)) = (pts[i - 1], pts[i]);
            x0 + (x1 - x0) * (p - f0) / (f1 - f0)
        };
        (mean, q(0.5), q(0.99))
    }

    #[test]
    fn narrow_laws_latency_matches_brute_force() {
        for (a, b, n, k) in [
            (
                "weibull(shape=3000,scale=1)",
                "weibull(shape=3000,scale=1)",
                3,
                1,
            ),
            (
                "weibull(shape=3000,scale=1)",
                "weibull(shape=3000,scale=1)",
                5,
                3,
            ),
            ("gamma(shape=100,scale=7)", "gamma(shape=150,scale=5)", 3, 2),
            (
                "lognormal(mu=0,sigma=0.001)",
                "lognormal(mu=0,sigma=0.001)",
                3,
                2,
            ),
            ("lognormal(mu=2,sigma=0.0001)", "exp(mean=0.001)", 4, 4),
            (
                "pareto(xm=1,alpha=5000)",
                "lognormal(mu=0,sigma=0.0002)",
                3,
                2,
            ),
        ] {
            let (da, db): (Dist, Dist) = (a.parse().unwrap(), b.parse().unwrap());
            let q = QuorumLatency::new(Replicas::identical(n, da.plus(&db), 0.0), k, None);
            let (mean, p50, p99) = brute_order_statistic(&da, &db, n, k);
            // The brute force resolves the bulk to about 1e-4 of its width
            // (between the 1e-7 and 1 - 1e-7 points); the exact path must
            // agree to that. The issue's wrong answers were off by whole
            // widths.
            let (lo, hi) = (q.quantile(1e-7).unwrap(), q.quantile(1.0 - 1e-7).unwrap());
            let tol = 1e-4 * (hi - lo);
            for (name, got, want) in [
                ("mean", q.mean().unwrap(), mean),
                ("p50", q.quantile(0.5).unwrap(), p50),
                ("p99", q.quantile(0.99).unwrap(), p99),
            ] {
                assert!(
                    (got - want).abs() < tol,
                    "{a} + {b}, {k} of {n}: {name} {got} vs brute force {want} (tol {tol:e})"
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn percentiles_are_ordered(n in 1usize..7, k in 1usize..7, p in 0.0f64..0.3) {
            let k = k.min(n);
            let q = QuorumLatency::new(Replicas::identical(n, exp(1.0), p), k, None);
            let s = q.summary();
            let (a, b, c) = (s.p50_ms.unwrap(), s.p99_ms.unwrap(), s.p999_ms.unwrap());
            prop_assert!(a <= b && b <= c);
            prop_assert!((0.0..=1.0).contains(&s.availability));
        }
    }

    /// Two datacenters of three replicas, every leg Exp(1) (a round trip is
    /// Erlang-2), 40 ms one way between them; the coordinator in the first.
    fn two_dcs(p_down: f64) -> Replicas {
        let rt: Dist = "gamma(shape=2,scale=1)".parse().unwrap();
        let near = ResponseTime::new(rt);
        let far = near.shifted(80.0);
        let class = |group, delay| ReplicaClass {
            count: 3,
            group,
            delay,
            p_down,
        };
        Replicas {
            delays: vec![near, far],
            arrangements: vec![(1.0, vec![class(0, 0), class(1, 1)])],
        }
    }

    /// The issue's anchors: LOCAL_QUORUM waits for the 2nd of the three
    /// near Erlang-2 round trips; EACH_QUORUM for the later of both
    /// datacenters' 2nd, which is the far one's (80 ms away) but for a
    /// probability below 1e-30.
    #[test]
    fn local_and_each_quorum_anchors() {
        use crate::topology::Level;
        let counts = [3, 3];
        // E of the 2nd of 3 Erlang-2 (survival S = (1 + x) e^-x):
        // ∫ S³ + 3 (1 - S) S² dx = 3 ∫ S² - 2 ∫ S³, with
        // ∫ (1 + x)^n e^-ax dx = Σ_k C(n, k) k! / a^(k+1).
        let s2 = 1.0 / 2.0 + 2.0 / 4.0 + 2.0 / 8.0;
        let s3 = 1.0 / 3.0 + 3.0 / 9.0 + 6.0 / 27.0 + 6.0 / 81.0;
        let want: f64 = 3.0 * s2 - 2.0 * s3;
        assert!((want - 1.8240741).abs() < 1e-7, "{want}");
        let mean = |level: Level| {
            let rule = level.rule(&counts, Some(0)).unwrap();
            QuorumLatency::with_rules(two_dcs(0.0), vec![rule], None)
                .mean()
                .unwrap()
        };
        assert!((mean(Level::LocalQuorum) - want).abs() < 1e-8);
        assert!((mean(Level::EachQuorum) - (80.0 + want)).abs() < 1e-7);
        // QUORUM (4 of 6): the 3 near ones and the first far one.
        let q = mean(Level::Quorum);
        assert!(q > 80.0 && q < 80.0 + want, "{q}");
    }

    /// Rules with several terms and failures, against direct simulation.
    #[test]
    fn rules_match_simulation() {
        use crate::topology::Level;
        use rand::{Rng, SeedableRng};
        let counts = [3, 3];
        let p_down = 0.1;
        let rt: Dist = "gamma(shape=2,scale=1)".parse().unwrap();
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(13);
        for level in [
            Level::EachQuorum,
            Level::Quorum,
            Level::LocalOne,
            Level::All,
        ] {
            let rule = level.rule(&counts, Some(0)).unwrap();
            let q = QuorumLatency::with_rules(two_dcs(p_down), vec![rule.clone()], None);
            let trials = 200_000;
            let mut ok = Vec::new();
            for _ in 0..trials {
                let mut times: Vec<(usize, f64)> = Vec::new();
                for dc in 0..2 {
                    for _ in 0..3 {
                        let up = rng.random::<f64>() >= p_down;
                        let t = rt.sample(&mut rng) + if dc == 1 { 80.0 } else { 0.0 };
                        if up {
                            times.push((dc, t));
                        }
                    }
                }
                times.sort_by(|a, b| a.1.total_cmp(&b.1));
                let mut answered = [0, 0];
                for (dc, t) in times {
                    answered[dc] += 1;
                    if rule.holds(&answered) {
                        ok.push(t);
                        break;
                    }
                }
            }
            let avail = ok.len() as f64 / trials as f64;
            let se = (avail * (1.0 - avail) / trials as f64).sqrt();
            assert!(
                (q.availability() - avail).abs() < 5.0 * se + 1e-12,
                "{level}: {} vs {avail}",
                q.availability()
            );
            ok.sort_by(f64::total_cmp);
            let m = ok.iter().sum::<f64>() / ok.len() as f64;
            let sd = (ok.iter().map(|x| (x - m).powi(2)).sum::<f64>() / ok.len() as f64).sqrt();
            let exact = q.mean().unwrap();
            assert!(
                (exact - m).abs() < 5.0 * sd / (ok.len() as f64).sqrt(),
                "{level}: {exact} vs {m}"
            );
            // The median against the sample's, within its order-statistic
            // interval.
            let n = ok.len() as f64;
            let half = 2.6 * (n * 0.25).sqrt();
            let (lo, hi) = (ok[(n / 2.0 - half) as usize], ok[(n / 2.0 + half) as usize]);
            let med = q.quantile(0.5).unwrap();
            assert!(
                lo <= med && med <= hi,
                "{level}: median {med} not in [{lo}, {hi}]"
            );
        }
    }
}
