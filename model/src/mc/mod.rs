//! Monte Carlo: t-visibility and staleness under failures, with confidence
//! intervals, reproducible for a seed whatever the thread count.
//!
//! [`run`] simulates every (r, w) for one n at once; the result reads off
//! estimates: probabilities with Wilson intervals, quantiles with
//! order-statistic intervals, and whole t-visibility curves.

pub mod cluster;
pub(crate) mod engine;
pub(crate) mod estimate;
pub(crate) mod histogram;
pub mod read_repair;
pub mod timeline;

use engine::Tally;
pub use engine::{sampling_floor, Setup};
use estimate::quantile;
pub use estimate::{wilson, Proportion, Quantile};

/// Trials by default: the 95% Wilson half-width of `p_consistent_t0` is below
/// 0.002 for every p (`1.96 · 0.5 / √250000 = 0.00196`).
pub const DEFAULT_TRIALS: u64 = 250_000;
/// Seed by default, so that runs are reproducible unless asked otherwise.
pub const DEFAULT_SEED: u64 = 1;

/// A finished simulation and the seed that produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct McResult {
    pub(crate) tally: Tally,
    /// The seed that produced it.
    pub seed: u64,
}

/// One point of a t-visibility curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurvePoint {
    /// Time after the commit, ms.
    pub t_ms: f64,
    /// P(the read sees the write) and its interval.
    pub p: Proportion,
}

/// Simulates `trials` trials of `setup` with `threads` workers.
///
/// ```
/// use quorum_model::dist::presets::Wars;
/// use quorum_model::failure::FailureModel;
/// use quorum_model::mc::{run, Setup};
/// let wars = Wars::uniform("exp(mean=1)".parse().unwrap());
/// let res = run(&Setup::new(&wars, &FailureModel::NONE, 3), 20_000, 7, Some(1));
/// // Strict quorums are never stale.
/// assert_eq!(res.p_consistent_at(2, 2, 0.0).estimate, 1.0);
/// assert!(res.p_consistent_at(1, 1, 0.0).estimate < 1.0);
/// ```
pub fn run(setup: &Setup, trials: u64, seed: u64, threads: Option<usize>) -> McResult {
    McResult {
        tally: engine::simulate(setup, trials, seed, threads),
        seed,
    }
}

impl McResult {
    fn pair(&self, r: usize, w: usize) -> usize {
        self.tally
            .pair_index(r, w)
            .unwrap_or_else(|| panic!("(r, w) = ({r}, {w}) was not simulated"))
    }

    /// Trials simulated.
    pub fn trials(&self) -> u64 {
        self.tally.trials
    }

    /// P(a read of quorum `r` asked one more replica), per trial: the
    /// speculative retry's extra requests per read.
    pub fn retry_rate(&self, r: usize) -> Proportion {
        let ri = self
            .tally
            .r_index(r)
            .unwrap_or_else(|| panic!("r = {r} was not simulated"));
        wilson(self.tally.retried[ri], self.tally.trials)
    }

    /// `P(a read t ms after commit sees the write)`, given both succeed.
    pub fn p_consistent_at(&self, r: usize, w: usize, t: f64) -> Proportion {
        let pair = self.pair(r, w);
        let both = self.tally.both_ok[pair];
        match &self.tally.t_star[pair] {
            None => wilson(both, both),
            Some(h) => {
                let hits = if t <= 0.0 {
                    h.zeros() as f64
                } else {
                    h.count_at_most(t)
                };
                // Interpolated counts are rounded for the interval.
                wilson(hits.round() as u64, both).with_estimate(hits / both as f64)
            }
        }
    }

    /// The time after commit by which a fraction `p` of reads see the write
    /// (e.g. 0.999), with its interval.
    pub fn t_visibility(&self, r: usize, w: usize, p: f64) -> Quantile {
        let pair = self.pair(r, w);
        match &self.tally.t_star[pair] {
            None if self.tally.both_ok[pair] > 0 => Quantile::Finite {
                estimate: 0.0,
                ci_low: 0.0,
                ci_high: 0.0,
            },
            None => Quantile::Empty,
            Some(h) => quantile(h, p),
        }
    }

    /// Largest finite `t*` seen (0 for strict pairs): where a curve that
    /// never reaches 99.9% can stop.
    pub fn max_finite_t_star(&self, r: usize, w: usize) -> f64 {
        match &self.tally.t_star[self.pair(r, w)] {
            None => 0.0,
            Some(h) => {
                let finite = h.count() - h.infinities();
                match h.rank(finite.max(1)) {
                    histogram::RankValue::Finite { high, .. } => high,
                    _ => 0.0,
                }
            }
        }
    }

    /// The t-visibility curve at `points` times from 0 to `t_max`.
    pub fn curve(&self, r: usize, w: usize, t_max: f64, points: usize) -> Vec<CurvePoint> {
        (0..points)
            .map(|i| {
                let t = t_max * i as f64 / (points - 1).max(1) as f64;
                CurvePoint {
                    t_ms: t,
                    p: self.p_consistent_at(r, w, t),
                }
            })
            .collect()
    }

    /// P(the read returns one of the last K versions at t = 0).
    pub fn p_within_k(&self, r: usize, w: usize) -> Proportion {
        let pair = self.pair(r, w);
        wilson(self.tally.within_k[pair], self.tally.both_ok[pair])
    }

    fn wi(&self, w: usize) -> usize {
        self.tally
            .w_index(w)
            .unwrap_or_else(|| panic!("w = {w} was not simulated"))
    }

    fn ri(&self, r: usize) -> usize {
        self.tally
            .r_index(r)
            .unwrap_or_else(|| panic!("r = {r} was not simulated"))
    }

    /// P(a write quorum of `w` acks; within the timeout, if any).
    pub fn write_availability(&self, w: usize) -> Proportion {
        wilson(self.tally.write_ok[self.wi(w)], self.tally.trials)
    }

    /// P(a read quorum of `r` answers; within the timeout, if any).
    pub fn read_availability(&self, r: usize) -> Proportion {
        wilson(self.tally.read_ok[self.ri(r)], self.tally.trials)
    }

    /// The `p` quantile of write latency at quorum `w`, with its interval.
    pub fn write_latency(&self, w: usize, p: f64) -> Quantile {
        quantile(&self.tally.write_latency[self.wi(w)], p)
    }

    /// The `p` quantile of read latency at quorum `r`, with its interval.
    pub fn read_latency(&self, r: usize, p: f64) -> Quantile {
        quantile(&self.tally.read_latency[self.ri(r)], p)
    }
}

impl Proportion {
    /// The same interval around an interpolated point estimate.
    pub(crate) fn with_estimate(mut self, estimate: f64) -> Self {
        self.estimate = estimate;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::closed::latency::{Operation, QuorumLatency, Replicas};
    use crate::closed::staleness::p_stale;
    use crate::dist::presets::{all, Wars};
    use crate::failure::FailureModel;

    fn exp_wars() -> Wars {
        Wars::uniform("exp(mean=1)".parse().unwrap())
    }

    #[test]
    fn same_seed_same_result_whatever_the_threads() {
        let p = crate::dist::presets::preset("wan").unwrap();
        let setup = Setup::new(&p.wars, &FailureModel::iid(0.05), 4);
        let one = run(&setup, 50_000, 11, Some(1));
        let two = run(&setup, 50_000, 11, Some(2));
        let three = run(&setup, 50_000, 11, Some(3));
        assert_eq!(one, two);
        assert_eq!(one, three);
        let other = run(&setup, 50_000, 12, Some(2));
        assert_ne!(one, other);
    }

    #[test]
    fn strict_quorums_are_never_stale_even_with_failures() {
        for p in all() {
            for fail in [0.0, 0.1] {
                let n = 5;
                let res = run(
                    &Setup::new(&p.wars, &FailureModel::iid(fail), n),
                    20_000,
                    3,
                    None,
                );
                for r in 1..=n {
                    for w in 1..=n {
                        if r + w > n {
                            let c = res.p_consistent_at(r, w, 0.0);
                            assert_eq!(c.successes, c.trials, "{} r={r} w={w}", p.name);
                        }
                    }
                }
            }
        }
    }

    /// Many comparisons against exact values: each must fall inside the
    /// 99.9% interval, and at least 90% inside the 95% interval (about one
    /// in twenty 95% intervals misses by design).
    struct Agreement {
        inside95: usize,
        total: usize,
    }

    impl Agreement {
        fn new() -> Self {
            Agreement {
                inside95: 0,
                total: 0,
            }
        }
        fn check(&mut self, what: &str, exact: f64, ci95: (f64, f64), ci999: (f64, f64)) {
            assert!(
                ci999.0 <= exact && exact <= ci999.1,
                "{what}: exact {exact} outside the 99.9% interval {ci999:?}"
            );
            self.total += 1;
            if ci95.0 <= exact && exact <= ci95.1 {
                self.inside95 += 1;
            }
        }
        fn finish(&self) {
            assert!(
                self.inside95 as f64 >= 0.9 * self.total as f64,
                "{} of {} inside the 95% intervals",
                self.inside95,
                self.total
            );
        }
    }

    #[test]
    fn availability_agrees_with_the_closed_form() {
        use estimate::{wilson_z, Z999};
        let mut agree = Agreement::new();
        let n = 5;
        let mut check = |res: &McResult, f: &FailureModel, n: usize, label: &str| {
            for k in 1..=n {
                let exact = f.availability(k, n).available;
                for (what, ok) in [
                    ("read", res.tally.read_ok[res.tally.r_index(k).unwrap()]),
                    ("write", res.tally.write_ok[res.tally.w_index(k).unwrap()]),
                ] {
                    let ci = wilson(ok, res.trials());
                    let wide = wilson_z(ok, res.trials(), Z999);
                    agree.check(
                        &format!("{label} {what} k={k}"),
                        exact,
                        (ci.ci_low, ci.ci_high),
                        (wide.ci_low, wide.ci_high),
                    );
                }
            }
        };
        for fail in [0.01, 0.2] {
            let f = FailureModel::iid(fail);
            let res = run(&Setup::new(&exp_wars(), &f, n), 200_000, 21, None);
            check(&res, &f, n, &format!("iid p={fail}"));
        }
        let f = FailureModel::per_node(vec![0.01, 0.3, 0.05]);
        let res = run(&Setup::new(&exp_wars(), &f, 3), 200_000, 22, None);
        check(&res, &f, 3, "per node");
        // Correlated models: the simulation draws the repair chain's
        // clustered failures and whole-domain outages, not the marginals.
        let correlated = [
            ("repair, 1 crew", "repair(mttf=10,mttr=5,crews=1)"),
            ("repair, 2 crews", "repair(mttf=10,mttr=5,crews=2)"),
            (
                "domains spread",
                "domains(d=3,p_domain=0.05,p_fail=0.1,placement=spread)",
            ),
            (
                "domains packed",
                "domains(d=3,p_domain=0.05,p_fail=0.1,placement=packed)",
            ),
        ];
        for (i, (label, spec)) in correlated.iter().enumerate() {
            let f: FailureModel = spec.parse().unwrap();
            let res = run(
                &Setup::new(&exp_wars(), &f, n),
                200_000,
                30 + i as u64,
                None,
            );
            check(&res, &f, n, label);
        }
        agree.finish();
    }

    #[test]
    fn latency_percentiles_agree_with_the_closed_form() {
        let mut cases: Vec<(String, Wars, FailureModel)> =
            vec![("exp".into(), exp_wars(), FailureModel::NONE)];
        for p in all() {
            cases.push((p.name.to_string(), p.wars.clone(), FailureModel::NONE));
        }
        cases.push((
            "lnkd-disk p=0.05".into(),
            crate::dist::presets::preset("lnkd-disk").unwrap().wars,
            FailureModel::iid(0.05),
        ));
        // Correlated failures: latency given success mixes over which
        // replicas are up (uniform and WAN topologies).
        let wan = crate::dist::presets::preset("wan").unwrap().wars;
        for (name, wars, spec) in [
            ("exp, 1 crew", exp_wars(), "repair(mttf=10,mttr=5,crews=1)"),
            (
                "exp, packed",
                exp_wars(),
                "domains(d=3,p_domain=0.2,p_fail=0.1,placement=packed)",
            ),
            ("wan, 1 crew", wan.clone(), "repair(mttf=10,mttr=5,crews=1)"),
            (
                "wan, spread",
                wan.clone(),
                "domains(d=2,p_domain=0.2,p_fail=0.1,placement=spread)",
            ),
        ] {
            cases.push((name.into(), wars, spec.parse().unwrap()));
        }
        let case_count = cases.len();
        use estimate::{quantile_z, Z999};
        let n = 3;
        let mut agree = Agreement::new();
        for (name, wars, failure) in cases {
            let res = run(&Setup::new(&wars, &failure, n), 200_000, 5, None);
            for k in 1..=n {
                for op in [Operation::Read, Operation::Write] {
                    let exact = QuorumLatency::new(
                        Replicas::for_operation(&wars, &failure, n, op),
                        k,
                        None,
                    );
                    let hist = match op {
                        Operation::Read => &res.tally.read_latency[res.tally.r_index(k).unwrap()],
                        Operation::Write => &res.tally.write_latency[res.tally.w_index(k).unwrap()],
                    };
                    for p in [0.5, 0.99, 0.999] {
                        let interval = |q: Quantile| match q {
                            Quantile::Finite {
                                ci_low, ci_high, ..
                            } => (ci_low, ci_high),
                            other => panic!("{name}: {other:?}"),
                        };
                        let x = exact.quantile(p).unwrap();
                        agree.check(
                            &format!("{name} {op:?} k={k} p{p}"),
                            x,
                            interval(quantile(hist, p)),
                            interval(quantile_z(hist, p, Z999)),
                        );
                    }
                }
            }
        }
        assert_eq!(agree.total, case_count * 3 * 2 * 3);
        agree.finish();
    }

    /// Quorum fan-out written out plainly, trial by trial: P(a read at the
    /// commit sees the write) when the read goes to r random live replicas.
    fn naive_quorum_fanout(n: usize, r: usize, w: usize, p_fail: f64, trials: usize) -> (f64, f64) {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(77);
        let exp = |rng: &mut rand_xoshiro::Xoshiro256PlusPlus| -(1.0 - rng.random::<f64>()).ln();
        let (mut ok, mut seen) = (0usize, 0usize);
        for _ in 0..trials {
            let up_w: Vec<bool> = (0..n).map(|_| rng.random::<f64>() >= p_fail).collect();
            let up_r: Vec<bool> = (0..n).map(|_| rng.random::<f64>() >= p_fail).collect();
            let wd: Vec<f64> = (0..n).map(|_| exp(&mut rng)).collect();
            let mut rounds: Vec<f64> = (0..n)
                .filter(|&i| up_w[i])
                .map(|i| wd[i] + exp(&mut rng))
                .collect();
            let rd: Vec<f64> = (0..n).map(|_| exp(&mut rng)).collect();
            let mut live: Vec<usize> = (0..n).filter(|&i| up_r[i]).collect();
            if rounds.len() < w || live.len() < r {
                continue;
            }
            rounds.sort_by(f64::total_cmp);
            let commit = rounds[w - 1];
            for j in 0..r {
                let pick = rng.random_range(j..live.len());
                live.swap(j, pick);
            }
            seen += 1;
            if live[..r]
                .iter()
                .any(|&i| up_w[i] && wd[i] <= commit + rd[i])
            {
                ok += 1;
            }
        }
        let p = ok as f64 / seen as f64;
        (p, (p * (1.0 - p) / seen as f64).sqrt())
    }

    #[test]
    fn quorum_fanout_staleness_agrees_with_a_plain_simulation() {
        let n = 3;
        let f = FailureModel::iid(0.1);
        let mut setup = Setup::new(&exp_wars(), &f, n);
        setup.read_fanout = crate::Fanout::Quorum;
        let res = run(&setup, 200_000, 41, None);
        let all = run(&Setup::new(&exp_wars(), &f, n), 200_000, 41, None);
        for (r, w) in [(1, 1), (2, 1), (1, 2)] {
            let (p, se) = naive_quorum_fanout(n, r, w, 0.1, 200_000);
            let e = res.p_consistent_at(r, w, 0.0);
            let se_e = (e.estimate * (1.0 - e.estimate) / e.trials as f64).sqrt();
            let z = (e.estimate - p).abs() / (se * se + se_e * se_e).sqrt();
            assert!(
                z < 4.5,
                "r={r} w={w}: engine {} vs plain {p} (z = {z:.2})",
                e.estimate
            );
            // Random responders are not the fastest ones: the answer moves.
            let fastest = all.p_consistent_at(r, w, 0.0).estimate;
            let se_f = (fastest * (1.0 - fastest) / e.trials as f64).sqrt();
            assert!(
                (fastest - e.estimate).abs() > 5.0 * (se_e * se_e + se_f * se_f).sqrt(),
                "r={r} w={w}: {fastest} vs {}",
                e.estimate
            );
        }
        // Read latency: the slowest of r live replicas, exactly.
        use crate::eval::{evaluate, Config, EvalOptions};
        use crate::Fanout;
        let scenario = crate::scenario::Scenario {
            failure: f.clone(),
            ..crate::scenario::Scenario::default_exponential()
        };
        let options = EvalOptions {
            read_fanout: Fanout::Quorum,
            ..EvalOptions::default()
        };
        for r in 1..=n {
            let e = evaluate(&scenario, Config::new(n, r, 1).unwrap(), options).unwrap();
            let hist = &res.tally.read_latency[res.tally.r_index(r).unwrap()];
            for q in [0.5, 0.99] {
                let exact = match q {
                    0.5 => e.read.p50_ms.clone().unwrap(),
                    _ => e.read.p99_ms.clone().unwrap(),
                };
                match estimate::quantile_z(hist, q, estimate::Z999) {
                    Quantile::Finite {
                        ci_low, ci_high, ..
                    } => {
                        assert!(
                            ci_low <= exact && exact <= ci_high,
                            "r={r} p{q}: {exact} not in [{ci_low}, {ci_high}]"
                        )
                    }
                    other => panic!("{other:?}"),
                }
            }
        }
    }

    #[test]
    fn pbs_closed_form_bounds_the_simulated_staleness() {
        // PBS's C(n-w, r)/C(n, r) ignores propagation beyond the write
        // quorum, so the simulated stale fraction at t = 0 cannot exceed it.
        for p in all() {
            let n = 5;
            let res = run(
                &Setup::new(&p.wars, &FailureModel::NONE, n),
                50_000,
                8,
                None,
            );
            for r in 1..=n {
                for w in 1..=n - r {
                    let stale = 1.0 - res.p_consistent_at(r, w, 0.0).ci_high;
                    assert!(stale <= p_stale(n, r, w) + 1e-12, "{} r={r} w={w}", p.name);
                }
            }
        }
    }

    #[test]
    fn curves_are_monotone_and_reach_the_quantile() {
        let p = crate::dist::presets::preset("lnkd-disk").unwrap();
        let res = run(
            &Setup::new(&p.wars, &FailureModel::NONE, 3),
            100_000,
            9,
            None,
        );
        let t999 = res.t_visibility(1, 1, 0.999).estimate().unwrap();
        let curve = res.curve(1, 1, 1.2 * t999, 200);
        assert_eq!(curve[0].t_ms, 0.0);
        assert_eq!(curve[0].p, res.p_consistent_at(1, 1, 0.0));
        for pair in curve.windows(2) {
            assert!(pair[1].p.estimate >= pair[0].p.estimate);
        }
        assert!(curve[199].p.estimate >= 0.999);
    }

    #[test]
    fn one_pair_matches_the_full_grid() {
        // Simulating only (r, w) draws the same trials as the full grid.
        let p = crate::dist::presets::preset("ymmr").unwrap();
        let f = FailureModel::iid(0.02);
        let full = run(&Setup::new(&p.wars, &f, 4), 30_000, 17, None);
        let one = run(
            &Setup::new(&p.wars, &f, 4).with_pairs(vec![(1, 2)]),
            30_000,
            17,
            None,
        );
        assert_eq!(
            full.p_consistent_at(1, 2, 0.0),
            one.p_consistent_at(1, 2, 0.0)
        );
        assert_eq!(
            full.t_visibility(1, 2, 0.999),
            one.t_visibility(1, 2, 0.999)
        );
        assert_eq!(full.read_availability(1), one.read_availability(1));
        assert_eq!(full.write_latency(2, 0.99), one.write_latency(2, 0.99));
    }

    #[test]
    fn selection_and_sorting_agree_for_large_n() {
        // n > 32 with one pair takes the selection path; with five pairs the
        // sorting path. Same seed, same trials: identical counts.
        let p = crate::dist::presets::preset("lnkd-disk").unwrap();
        let f = FailureModel::iid(0.03);
        let one = run(
            &Setup::new(&p.wars, &f, 40).with_pairs(vec![(7, 11)]),
            5_000,
            2,
            None,
        );
        let pairs = vec![(7, 11), (1, 1), (20, 2), (3, 30), (39, 1)];
        let five = run(
            &Setup::new(&p.wars, &f, 40).with_pairs(pairs),
            5_000,
            2,
            None,
        );
        assert_eq!(
            one.p_consistent_at(7, 11, 0.0),
            five.p_consistent_at(7, 11, 0.0)
        );
        assert_eq!(one.t_visibility(7, 11, 0.9), five.t_visibility(7, 11, 0.9));
        assert_eq!(one.read_latency(7, 0.5), five.read_latency(7, 0.5));
        assert_eq!(one.write_availability(11), five.write_availability(11));
    }

    #[test]
    fn large_n_single_pair_runs() {
        let res = run(
            &Setup::new(&exp_wars(), &FailureModel::iid(0.01), 101).with_pairs(vec![(30, 30)]),
            2_000,
            1,
            None,
        );
        let c = res.p_consistent_at(30, 30, 0.0);
        assert!(c.estimate > 0.99, "{c:?}");
    }

    #[test]
    fn failures_can_leave_reads_stale_forever() {
        // A replica down during the write but up for the read never has it:
        // the curve levels off below 1 and the 99.9% time does not exist.
        let f = FailureModel::iid(0.2);
        let res = run(&Setup::new(&exp_wars(), &f, 3), 100_000, 10, None);
        assert_eq!(res.t_visibility(1, 1, 0.999), Quantile::Infinite);
        assert!(res.p_consistent_at(1, 1, 1e6).estimate < 0.99);
    }

    #[test]
    fn more_versions_are_easier_to_hit() {
        let p = crate::dist::presets::preset("lnkd-disk").unwrap();
        let mut setup = Setup::new(&p.wars, &FailureModel::NONE, 3);
        setup.k_versions = 3;
        let res = run(&setup, 100_000, 4, None);
        let latest = res.p_consistent_at(1, 1, 0.0);
        let within = res.p_within_k(1, 1);
        assert!(within.estimate > latest.estimate);
        // PBS's closed form for K versions, 1 - p_s^K, is a lower bound on
        // the probability of reading one of them.
        assert!(within.ci_high >= 1.0 - p_stale(3, 1, 1).powi(3));
    }
}
