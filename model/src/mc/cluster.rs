//! WARS in a cluster (PBS, Bailis et al., VLDB 2012, §4, with per-replica
//! legs, datacenters and consistency levels): per trial the write and the
//! read coordinators' datacenters are drawn (or fixed), then for each
//! replica `i` its four legs from its own laws, each message between two
//! datacenters delayed by an independent draw of their extra delay. The
//! write commits at `w_t`, the first time its level's rule holds among the
//! acks `Wᵢ + Aᵢ` of replicas up at write time; the read returns at the
//! first time its rule holds among the answers `Rᵢ + Sᵢ` of replicas up at
//! read time, and its responders are the replicas answered by then. A read
//! issued `t` ms after the commit sees the write iff some responder has
//! `w_t + t + Rᵢ >= Wᵢ`, so (as in the engine of [`crate::mc::run`])
//!
//! `t* = max(0, min over responders of (Wᵢ − Rᵢ − w_t))`
//!
//! and `P(consistent at t) = P(t* <= t)`. With the read in another
//! datacenter than the write, `t*` is the time until the far datacenter
//! sees it.
//!
//! Reproducible as the engine is: chunks of 4096 trials, chunk `c`
//! drawing from a generator seeded by `(seed, c)` alone, integer tallies
//! merged by addition.

use super::engine::{chunk_rng, on_workers, CHUNK};
use super::estimate::{quantile, wilson, Proportion, Quantile};
use super::histogram::LogHistogram;
use crate::closed::latency::Operation;
use crate::dist::presets::Wars;
use crate::dist::Dist;
use crate::failure::{DownSampler, FailureModel};
use crate::topology::{Cluster, Level, LevelError, Rule};
use crate::Fanout;
use rand::Rng;

/// One replica's laws from one coordinator's datacenter.
#[derive(Debug, Clone)]
struct ReplicaLaws {
    legs: [Dist; 4],
    /// The extra one-way delay to the coordinator, if any.
    extra: Option<Dist>,
}

/// What to simulate: one write level and one read level in a cluster.
#[derive(Debug, Clone)]
pub struct ClusterSetup {
    dc_of: Vec<usize>,
    dcs: usize,
    /// `[coordinator datacenter][replica]`.
    laws: Vec<Vec<ReplicaLaws>>,
    write_places: Vec<usize>,
    read_places: Vec<usize>,
    /// The rule per coordinator datacenter (`None` where it cannot run).
    write_rules: Vec<Option<Rule>>,
    read_rules: Vec<Option<Rule>>,
    failure: DownSampler,
    /// Operations slower than this fail.
    pub timeout_ms: Option<f64>,
    /// Which replicas a read asks (see [`ClusterSetup::select_reads`]).
    read_fanout: Fanout,
    /// Per coordinator datacenter: the replicas from the one it expects to
    /// answer first (its own datacenter first, then by median round trip).
    closest: Vec<Vec<usize>>,
}

impl ClusterSetup {
    /// The simulation of `write` and `read` levels in `cluster` with the
    /// scenario's legs `base` and failure model (failure domains are the
    /// datacenters).
    pub fn new(
        cluster: &Cluster,
        base: &Wars,
        failure: &FailureModel,
        write: Level,
        read: Level,
    ) -> Result<Self, LevelError> {
        let dc_of = cluster.dc_of();
        let dcs = cluster.dcs.len();
        let counts = cluster.counts();
        let laws = (0..dcs)
            .map(|c| {
                cluster
                    .replicas()
                    .into_iter()
                    .map(|(dc, index)| ReplicaLaws {
                        legs: cluster.legs(base, dc, index, c),
                        extra: cluster.extra(c, dc).cloned(),
                    })
                    .collect()
            })
            .collect();
        let places = |op: Operation| {
            let c = match op {
                Operation::Write => cluster.write_dc,
                Operation::Read => cluster.read_dc,
            };
            cluster
                .places(c)
                .into_iter()
                .map(|p| p.1)
                .collect::<Vec<_>>()
        };
        let (write_places, read_places) = (places(Operation::Write), places(Operation::Read));
        let rules = |level: Level, at: &[usize]| -> Result<Vec<Option<Rule>>, LevelError> {
            (0..dcs)
                .map(|c| {
                    if at.contains(&c) {
                        level.rule(&counts, Some(c)).map(Some)
                    } else {
                        Ok(None)
                    }
                })
                .collect()
        };
        let n = dc_of.len();
        let failure = match failure {
            // The datacenters are the failure domains.
            FailureModel::Domains(d) => DownSampler::Domains {
                domain_of: dc_of.clone(),
                domains: dcs,
                p_domain: d.p_domain,
                p_fail: d.p_fail,
            },
            other => other.sampler(n),
        };
        Ok(ClusterSetup {
            write_rules: rules(write, &write_places)?,
            read_rules: rules(read, &read_places)?,
            dc_of,
            dcs,
            laws,
            write_places,
            read_places,
            failure,
            timeout_ms: None,
            read_fanout: Fanout::All,
            closest: Vec::new(),
        })
    }

    /// Reads ask every replica (`All`, the default), as many live ones as
    /// the level needs at random (`Quorum`), or the closest live ones
    /// (`Closest`: the coordinator's datacenter first, then by the median
    /// of the read round trip, as the exact evaluation orders them).
    pub fn select_reads(&mut self, cluster: &Cluster, base: &Wars, fanout: Fanout) {
        self.read_fanout = fanout;
        if fanout != Fanout::Closest {
            return;
        }
        let trips = crate::closed::cluster::ClusterTrips::new(cluster, base, Operation::Read);
        self.closest = vec![Vec::new(); self.dcs];
        for (_, place) in &trips.places {
            self.closest[place.coordinator] = place.closest_order(&self.dc_of);
        }
    }
}

/// Counts and histograms of a cluster simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterResult {
    /// The seed.
    pub seed: u64,
    trials: u64,
    write_ok: u64,
    read_ok: u64,
    both_ok: u64,
    write_latency: LogHistogram,
    read_latency: LogHistogram,
    t_star: LogHistogram,
}

impl ClusterResult {
    fn new(seed: u64) -> Self {
        ClusterResult {
            seed,
            trials: 0,
            write_ok: 0,
            read_ok: 0,
            both_ok: 0,
            write_latency: LogHistogram::new(),
            read_latency: LogHistogram::new(),
            t_star: LogHistogram::new(),
        }
    }

    fn merge(mut self, o: ClusterResult) -> Self {
        self.trials += o.trials;
        self.write_ok += o.write_ok;
        self.read_ok += o.read_ok;
        self.both_ok += o.both_ok;
        self.write_latency.merge(&o.write_latency);
        self.read_latency.merge(&o.read_latency);
        self.t_star.merge(&o.t_star);
        self
    }

    /// Trials simulated.
    pub fn trials(&self) -> u64 {
        self.trials
    }

    /// Trials with a committed write and an answered read.
    pub fn both(&self) -> u64 {
        self.both_ok
    }

    /// P(a read issued `t` ms after the commit sees the write), given both
    /// succeed.
    pub fn p_consistent_at(&self, t: f64) -> Proportion {
        let hits = if t <= 0.0 {
            self.t_star.zeros() as f64
        } else {
            self.t_star.count_at_most(t)
        };
        wilson(hits.round() as u64, self.both_ok).with_estimate(hits / self.both_ok.max(1) as f64)
    }

    /// The time after the commit by which a fraction `p` of reads see it.
    pub fn t_visibility(&self, p: f64) -> Quantile {
        quantile(&self.t_star, p)
    }

    /// Write availability.
    pub fn write_availability(&self) -> Proportion {
        wilson(self.write_ok, self.trials)
    }

    /// Read availability.
    pub fn read_availability(&self) -> Proportion {
        wilson(self.read_ok, self.trials)
    }

    /// A write latency percentile (given success).
    pub fn write_latency(&self, p: f64) -> Quantile {
        quantile(&self.write_latency, p)
    }

    /// A read latency percentile (given success).
    pub fn read_latency(&self, p: f64) -> Quantile {
        quantile(&self.read_latency, p)
    }
}

struct Scratch {
    response: Vec<f64>,
    cands: Vec<usize>,
    chosen: Vec<usize>,
    down_w: Vec<bool>,
    down_r: Vec<bool>,
    idx: Vec<usize>,
    write_arrival: Vec<f64>,
    ack: Vec<(f64, usize)>,
    request: Vec<f64>,
    answer: Vec<(f64, usize)>,
    answered: Vec<usize>,
}

/// The first time `rule` holds among `events` (sorted by time), and how
/// many events it took; `None` if it never does.
fn first_hold(
    rule: &Rule,
    events: &[(f64, usize)],
    dc_of: &[usize],
    answered: &mut [usize],
) -> Option<(f64, usize)> {
    answered.fill(0);
    for (j, &(t, i)) in events.iter().enumerate() {
        answered[dc_of[i]] += 1;
        if rule.holds(answered) {
            return Some((t, j + 1));
        }
    }
    None
}

/// A read that asks only some live replicas and waits for all of them:
/// its latency and how many it asked, which are left in `sc.answer`.
fn selected_read(
    setup: &ClusterSetup,
    coordinator: usize,
    rule: &Rule,
    sc: &mut Scratch,
    rng: &mut impl Rng,
) -> Option<(f64, usize)> {
    sc.chosen.clear();
    for term in &rule.terms {
        sc.cands.clear();
        let live_in_term = |i: usize| !sc.down_r[i] && term.dcs.contains(&setup.dc_of[i]);
        if setup.read_fanout == Fanout::Closest {
            for &i in &setup.closest[coordinator] {
                if sc.cands.len() == term.k {
                    break;
                }
                if live_in_term(i) {
                    sc.cands.push(i);
                }
            }
        } else {
            sc.cands
                .extend((0..setup.dc_of.len()).filter(|&i| live_in_term(i)));
            // The first k of a uniform shuffle.
            for j in 0..term.k.min(sc.cands.len()) {
                let pick = rng.random_range(j..sc.cands.len());
                sc.cands.swap(j, pick);
            }
        }
        if sc.cands.len() < term.k {
            return None;
        }
        sc.chosen.extend_from_slice(&sc.cands[..term.k]);
    }
    sc.answer.clear();
    sc.answer
        .extend(sc.chosen.iter().map(|&i| (sc.response[i], i)));
    let t = sc.answer.iter().map(|a| a.0).fold(0.0, f64::max);
    Some((t, sc.answer.len()))
}

fn draw(laws: &ReplicaLaws, leg: usize, rng: &mut impl Rng) -> f64 {
    laws.legs[leg].sample(rng) + laws.extra.as_ref().map_or(0.0, |x| x.sample(rng))
}

fn pick(places: &[usize], rng: &mut impl Rng) -> usize {
    if places.len() == 1 {
        places[0]
    } else {
        places[rng.random_range(0..places.len())]
    }
}

fn run_chunk(
    setup: &ClusterSetup,
    seed: u64,
    chunk: u64,
    trials: u64,
    out: &mut ClusterResult,
    sc: &mut Scratch,
) {
    let mut rng = chunk_rng(seed, chunk);
    let n = setup.dc_of.len();
    let horizon = setup.timeout_ms.unwrap_or(f64::INFINITY);
    for _ in 0..trials {
        out.trials += 1;
        let cw = pick(&setup.write_places, &mut rng);
        let cr = pick(&setup.read_places, &mut rng);
        setup
            .failure
            .draw_pair(&mut rng, &mut sc.down_w, &mut sc.down_r, &mut sc.idx);
        sc.ack.clear();
        sc.answer.clear();
        for i in 0..n {
            let wl = &setup.laws[cw][i];
            let rl = &setup.laws[cr][i];
            let w = draw(wl, 0, &mut rng);
            let a = draw(wl, 1, &mut rng);
            let r = draw(rl, 2, &mut rng);
            let s = draw(rl, 3, &mut rng);
            sc.write_arrival[i] = if sc.down_w[i] { f64::INFINITY } else { w };
            sc.request[i] = r;
            sc.response[i] = r + s;
            if !sc.down_w[i] {
                sc.ack.push((w + a, i));
            }
            if !sc.down_r[i] {
                sc.answer.push((r + s, i));
            }
        }
        sc.ack.sort_unstable_by(|x, y| x.0.total_cmp(&y.0));
        sc.answer.sort_unstable_by(|x, y| x.0.total_cmp(&y.0));
        let wrule = setup.write_rules[cw].as_ref().expect("a rule per place");
        let rrule = setup.read_rules[cr].as_ref().expect("a rule per place");
        let commit = first_hold(wrule, &sc.ack, &setup.dc_of, &mut sc.answered)
            .filter(|(t, _)| *t <= horizon);
        let read = match setup.read_fanout {
            Fanout::All => first_hold(rrule, &sc.answer, &setup.dc_of, &mut sc.answered),
            _ => selected_read(setup, cr, rrule, sc, &mut rng),
        }
        .filter(|(t, _)| *t <= horizon);
        if let Some((wt, _)) = commit {
            out.write_ok += 1;
            out.write_latency.record(wt);
        }
        if let Some((rt, _)) = read {
            out.read_ok += 1;
            out.read_latency.record(rt);
        }
        if let (Some((wt, _)), Some((_, m))) = (commit, read) {
            out.both_ok += 1;
            let t = sc.answer[..m]
                .iter()
                .map(|&(_, i)| sc.write_arrival[i] - sc.request[i] - wt)
                .fold(f64::INFINITY, f64::min);
            if t <= 0.0 {
                out.t_star.record_zero();
            } else {
                out.t_star.record(t);
            }
        }
    }
}

/// Simulates `trials` trials of `setup` with `threads` workers; the same
/// seed gives the same result whatever the number of threads.
pub fn simulate_cluster(
    setup: &ClusterSetup,
    trials: u64,
    seed: u64,
    threads: Option<usize>,
) -> ClusterResult {
    let count = |c: u64| CHUNK.min(trials - c * CHUNK);
    let n = setup.dc_of.len();
    let fresh = || {
        let sc = Scratch {
            response: vec![0.0; n],
            cands: Vec::with_capacity(n),
            chosen: Vec::with_capacity(n),
            down_w: vec![false; n],
            down_r: vec![false; n],
            idx: Vec::with_capacity(n),
            write_arrival: vec![0.0; n],
            ack: Vec::with_capacity(n),
            request: vec![0.0; n],
            answer: Vec::with_capacity(n),
            answered: vec![0; setup.dcs],
        };
        (ClusterResult::new(seed), sc)
    };
    on_workers(trials.div_ceil(CHUNK), threads, fresh, |(out, sc), c| {
        run_chunk(setup, seed, c, count(c), out, sc)
    })
    .into_iter()
    .map(|w| w.0)
    .reduce(ClusterResult::merge)
    .expect("at least one worker")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::closed::cluster::{cluster_latency, ClusterTrips};
    use crate::topology::can_miss;

    fn three_zones() -> (Cluster, Wars) {
        let c: Cluster = "a:2,b:2,c:2;a-b=const(1);a-c=exp(mean=1.5);b-c=const(2);write_dc=random;read_dc=b;b[2].a=exp(mean=10);b[2].s=exp(mean=10)"
            .parse()
            .unwrap();
        (c, Wars::uniform("exp(mean=1)".parse().unwrap()))
    }

    const LEVELS: [Level; 5] = [
        Level::Count(1),
        Level::LocalQuorum,
        Level::Quorum,
        Level::EachQuorum,
        Level::All,
    ];

    /// The exact latency and availability inside the simulation's
    /// intervals: three zones, one slow replica, random write coordinator,
    /// failures.
    #[test]
    fn exact_latency_inside_the_simulations_intervals() {
        let (c, wars) = three_zones();
        let failure = FailureModel::iid(0.05);
        let counts = c.counts();
        let write_trips = ClusterTrips::new(&c, &wars, Operation::Write);
        let read_trips = ClusterTrips::new(&c, &wars, Operation::Read);
        let cases = [
            (Operation::Write, &write_trips, Fanout::All),
            (Operation::Read, &read_trips, Fanout::All),
            (Operation::Read, &read_trips, Fanout::Quorum),
            (Operation::Read, &read_trips, Fanout::Closest),
        ];
        for (op, trips, fanout) in cases {
            for level in LEVELS {
                let q = cluster_latency(
                    &c,
                    trips,
                    &failure,
                    &|d| level.rule(&counts, Some(d)).unwrap(),
                    fanout,
                    None,
                )
                .unwrap();
                let mut setup = ClusterSetup::new(&c, &wars, &failure, level, level).unwrap();
                setup.select_reads(&c, &wars, fanout);
                let res = simulate_cluster(&setup, 200_000, 11, None);
                let (avail, lat): (Proportion, &dyn Fn(f64) -> Quantile) = match op {
                    Operation::Write => (res.write_availability(), &|p| res.write_latency(p)),
                    Operation::Read => (res.read_availability(), &|p| res.read_latency(p)),
                };
                // 95% intervals, widened to ~99.9% (many comparisons).
                let half = (avail.ci_high - avail.ci_low) / 2.0 * 1.7;
                assert!(
                    (q.availability() - avail.estimate).abs() <= half + 1e-12,
                    "{op:?} {fanout:?} {level}: availability {} vs {:?}",
                    q.availability(),
                    avail
                );
                for p in [0.5, 0.99] {
                    let exact = q.quantile(p).unwrap();
                    let Quantile::Finite {
                        ci_low, ci_high, ..
                    } = lat(p)
                    else {
                        panic!("{op:?} {level}: no estimate")
                    };
                    let slack = 0.35 * (ci_high - ci_low);
                    assert!(
                        ci_low - slack <= exact && exact <= ci_high + slack,
                        "{op:?} {fanout:?} {level} p{p}: {exact} not in [{ci_low}, {ci_high}]"
                    );
                }
            }
        }
    }

    #[test]
    fn strict_pairs_are_never_stale_and_others_are() {
        let (c, wars) = three_zones();
        let counts = c.counts();
        for w in LEVELS {
            for r in LEVELS {
                let setup = ClusterSetup::new(&c, &wars, &FailureModel::NONE, w, r).unwrap();
                let res = simulate_cluster(&setup, 20_000, 3, Some(2));
                let strict = (0..3).all(|cw| {
                    !can_miss(
                        &w.rule(&counts, Some(cw)).unwrap(),
                        &r.rule(&counts, Some(1)).unwrap(),
                        &counts,
                    )
                });
                let p = res.p_consistent_at(0.0).estimate;
                if strict {
                    assert_eq!(p, 1.0, "{w} {r}");
                }
                if w == Level::LocalQuorum && r == Level::LocalQuorum {
                    // Written in a random zone, read in b: two thirds of
                    // the writes are elsewhere, and b's replicas see them
                    // only after a cross-zone hop, sometimes after the read.
                    assert!(!strict && p < 0.995, "{p}");
                }
            }
        }
    }

    /// PBS's WAN scenario as a cluster (one replica per datacenter, 75 ms
    /// apart, coordinators in a random one) against the wan preset's own
    /// simulation: P(consistent at t = 0) and the 99.9% t-visibility agree
    /// within their intervals.
    #[test]
    fn the_wan_preset_as_a_cluster_gives_its_numbers() {
        let s = crate::scenario::Scenario::from_preset("wan").unwrap();
        let n = 3;
        let c = Cluster::wan(n, 75.0).unwrap();
        let legacy = super::super::run(
            &super::super::Setup::new(&s.wars, &FailureModel::NONE, n),
            200_000,
            1,
            None,
        );
        for (r, w) in [(1, 1), (1, 2), (2, 1)] {
            let setup = ClusterSetup::new(
                &c,
                &s.wars,
                &FailureModel::NONE,
                Level::Count(w),
                Level::Count(r),
            )
            .unwrap();
            let res = simulate_cluster(&setup, 200_000, 1, None);
            let (a, b) = (res.p_consistent_at(0.0), legacy.p_consistent_at(r, w, 0.0));
            let half = |p: &Proportion| (p.ci_high - p.ci_low) / 2.0;
            assert!(
                (a.estimate - b.estimate).abs() <= 1.3 * (half(&a) + half(&b)),
                "r={r} w={w}: {a:?} vs {b:?}"
            );
            let (
                Quantile::Finite {
                    ci_low: l1,
                    ci_high: h1,
                    ..
                },
                Quantile::Finite {
                    ci_low: l2,
                    ci_high: h2,
                    ..
                },
            ) = (res.t_visibility(0.999), legacy.t_visibility(r, w, 0.999))
            else {
                panic!("r={r} w={w}: no t-visibility")
            };
            assert!(
                l1 <= h2 && l2 <= h1,
                "r={r} w={w}: [{l1}, {h1}] vs [{l2}, {h2}]"
            );
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_result_on_any_number_of_threads() {
        let (c, wars) = three_zones();
        let setup = ClusterSetup::new(
            &c,
            &wars,
            &FailureModel::iid(0.1),
            Level::Count(1),
            Level::Count(1),
        )
        .unwrap();
        let a = simulate_cluster(&setup, 30_000, 5, Some(1));
        let b = simulate_cluster(&setup, 30_000, 5, Some(3));
        assert_eq!(a, b);
    }
}
