//! The grid: scenarios × n × every (r, w) × failure levels, evaluated in
//! parallel.
//!
//! Work is cut into groups, one per (scenario, failure level, n). A group
//! tabulates nothing new (round trips are built once per scenario), runs one
//! Monte Carlo simulation for all its non-strict (r, w) pairs (common random
//! numbers) with a seed derived from the master seed and the group's identity,
//! and evaluates every pair exactly. Groups run in parallel (rayon); each
//! simulation is single-threaded, so the bytes do not depend on the thread
//! count, and a group's results do not depend on which shard ran it.
//!
//! Rows are ordered by scenario name, then `p_fail`, `n`, `r`, `w`: a
//! canonical order that merging shards reproduces by sorting.

use crate::curve::{curve, CurveRow};
use crate::eval::{evaluate_all, ConfigError, EvalOptions, ScenarioTrips, SummaryRow};
use crate::failure::{FailureModel, PerNode};
use crate::mc::engine::chunk_seed;
use crate::mc::{self, McResult, Setup};
use crate::named::{display_named, Named, Namer};
use crate::scenario::Scenario;
use rayon::prelude::*;

/// The largest `--n-max`: a group's simulation tallies every (r, w) pair
/// of its trials, O(n²) per trial, so the grid's work grows about as
/// n_max⁴ (n_max = 30: 3 minutes on 2 cores; 64: hours).
pub const MAX_N_MAX: usize = 64;

/// What to sweep.
#[derive(Debug, Clone)]
pub struct SweepSpec {
    /// Scenarios; their own failure models are replaced by the sweep's
    /// failure levels.
    pub scenarios: Vec<Scenario>,
    /// Clusters of 1 to `n_max` replicas.
    pub n_max: usize,
    /// Independent failure levels (`iid(p_fail=P)`).
    pub p_fail: Vec<f64>,
    /// Further failure levels: repair, domains, per-node lists.
    pub failures: Vec<FailureModel>,
    /// Monte Carlo trials per (scenario, failure level, n).
    pub trials: u64,
    /// Monte Carlo seed.
    pub seed: u64,
    /// Clusters in which every pair of consistency levels is compared
    /// (`levels.csv`, see [`crate::levels`]); none: no comparison.
    pub clusters: Vec<crate::topology::Cluster>,
    /// The mechanisms compared under failures in time (`healing.csv`, see
    /// [`crate::mechanisms`]): their hint window and anti-entropy interval.
    pub healing: crate::heal::Healing,
    /// A speculative-retry threshold compared besides the usual ones
    /// (`retry.csv`).
    pub retry: Option<crate::retry::SpeculativeRetry>,
}

/// Why a sweep is refused (before any work). Fields are named neutrally
/// (see [`crate::named`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SweepError {
    /// `n_max` is outside `1..=MAX_N_MAX`.
    NMax(usize),
    /// A `p_fail` level is not a probability.
    PFail(f64),
    /// Neither `p_fail` levels nor `failures` were given.
    NoPFail,
    /// A failure level is refused.
    Failure {
        /// The level's spec.
        spec: String,
        /// Why, fields named as in specs.
        why: String,
    },
    /// `trials` is 0.
    Trials,
    /// No scenarios.
    NoScenarios,
    /// A shard is not `I/M` with `1 <= I <= M`.
    Shard(String),
    /// Two scenarios share a name.
    DuplicateName(String),
    /// A configuration or option is refused.
    Config(ConfigError),
    /// Writing the output failed.
    Write(String),
}

impl From<ConfigError> for SweepError {
    fn from(e: ConfigError) -> Self {
        SweepError::Config(e)
    }
}

impl Named for SweepError {
    fn named(&self, name: Namer) -> String {
        match self {
            SweepError::NMax(n) => format!(
                "{}: must be an integer between 1 and {MAX_N_MAX}, got {n}",
                name("n_max")
            ),
            SweepError::PFail(p) => format!(
                "{}: every level must be a probability in [0, 1], got {p}",
                name("p_fail")
            ),
            SweepError::NoPFail => format!(
                "no failure levels: give {} or {}",
                name("p_fail"),
                name("failure")
            ),
            SweepError::Failure { spec, why } => format!("{} {spec}: {why}", name("failure")),
            SweepError::Trials => format!("{}: must be an integer >= 1", name("trials")),
            SweepError::NoScenarios => format!(
                "no scenarios: name presets with {} or files with {}",
                name("presets"),
                name("scenario")
            ),
            SweepError::Shard(s) => {
                format!("{}: must be I/M with 1 <= I <= M, got {s}", name("shard"))
            }
            SweepError::DuplicateName(n) => {
                format!("scenario names must be unique; '{n}' appears twice")
            }
            SweepError::Config(e) => e.named(name),
            SweepError::Write(why) => why.clone(),
        }
    }
}

display_named!(SweepError);

/// One unit of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    /// Index into the (name-sorted) scenarios.
    pub scenario: usize,
    /// Index into [`SweepSpec::levels`].
    pub p_index: usize,
    /// Replicas.
    pub n: usize,
}

/// Which part of the grid to run: shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, from 1.
    pub index: usize,
    /// Of how many.
    pub count: usize,
}

impl Shard {
    /// The whole grid.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Parses `I/M`.
    pub fn parse(s: &str) -> Result<Shard, SweepError> {
        let bad = || SweepError::Shard(s.to_string());
        let (i, m) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = m.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether group number `g` (in canonical order) belongs to this shard.
    pub fn owns(&self, g: usize) -> bool {
        g % self.count == self.index - 1
    }
}

impl SweepSpec {
    /// Checks the spec and puts scenarios in canonical (name) order.
    pub fn validated(mut self) -> Result<Self, SweepError> {
        if self.n_max == 0 || self.n_max > MAX_N_MAX {
            return Err(SweepError::NMax(self.n_max));
        }
        if self.p_fail.is_empty() && self.failures.is_empty() {
            return Err(SweepError::NoPFail);
        }
        for f in &self.failures {
            let n = match f {
                FailureModel::PerNode(PerNode(ps)) => {
                    if ps.len() < self.n_max {
                        return Err(SweepError::Failure {
                            spec: f.spec(),
                            why: format!("a per-node list needs at least n_max = {} entries (replica i uses entry i)", self.n_max),
                        });
                    }
                    ps.len()
                }
                // Crews beyond n would idle; the sweep caps them at n.
                _ => usize::MAX,
            };
            f.validate(n).map_err(|e| SweepError::Failure {
                spec: f.spec(),
                why: e.as_spec_keys(),
            })?;
        }
        if let Some(bad) = self.p_fail.iter().find(|p| !(0.0..=1.0).contains(*p)) {
            return Err(SweepError::PFail(*bad));
        }
        if self.trials == 0 {
            return Err(SweepError::Trials);
        }
        if self.scenarios.is_empty() {
            return Err(SweepError::NoScenarios);
        }
        self.scenarios.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(w) = self.scenarios.windows(2).find(|w| w[0].name == w[1].name) {
            return Err(SweepError::DuplicateName(w[0].name.clone()));
        }
        self.p_fail.sort_by(f64::total_cmp);
        self.p_fail.dedup();
        Ok(self)
    }

    /// The scenario the levels are compared in: the first (by name) that
    /// is not the `wan` topology; `None` without clusters.
    pub fn levels_scenario(&self) -> Option<&Scenario> {
        if self.clusters.is_empty() {
            return None;
        }
        self.scenarios
            .iter()
            .find(|s| s.wars.remote_one_way_ms() == 0.0)
    }

    /// The scenario the mechanisms are compared in: the first (by name)
    /// that is not the `wan` topology.
    pub fn plain_scenario(&self) -> Option<&Scenario> {
        self.scenarios
            .iter()
            .find(|s| s.wars.remote_one_way_ms() == 0.0)
    }

    /// All groups in canonical order.
    pub fn groups(&self) -> Vec<Group> {
        let mut out = Vec::new();
        for scenario in 0..self.scenarios.len() {
            for p_index in 0..self.levels().len() {
                for n in 1..=self.n_max {
                    out.push(Group {
                        scenario,
                        p_index,
                        n,
                    });
                }
            }
        }
        out
    }

    /// Every failure level in canonical order (by [`FailureModel::spec`],
    /// which puts independent levels in increasing `p_fail`).
    pub fn levels(&self) -> Vec<FailureModel> {
        let mut out: Vec<FailureModel> = self
            .p_fail
            .iter()
            .map(|p| FailureModel::iid(*p))
            .chain(self.failures.iter().cloned())
            .collect();
        out.sort_by_key(|f| f.spec());
        out.dedup_by_key(|f| f.spec());
        out
    }

    /// The level the rules of thumb and the charts use: the lowest
    /// independent `p_fail`, else the first level.
    pub fn base_level(&self) -> FailureModel {
        let levels = self.levels();
        levels
            .iter()
            .find(|f| matches!(f, FailureModel::Iid(_)))
            .unwrap_or(&levels[0])
            .clone()
    }

    /// The group's simulation seed: a function of the master seed and the
    /// group's identity only (scenario name, level spec, n), so adding a
    /// scenario or a level to a sweep leaves every other group's rows as
    /// they were.
    fn group_seed(&self, g: Group) -> u64 {
        let s = chunk_seed(self.seed, fnv1a(&self.scenarios[g.scenario].name));
        let s = chunk_seed(s, fnv1a(&self.levels()[g.p_index].spec()));
        chunk_seed(s, g.n as u64)
    }
}

/// FNV-1a, 64 bit: a stable hash of a name (std's hasher may change
/// between releases; seeds must not).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Rows of the output files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SweepOutput {
    /// One row per (scenario, failure level, n, r, w).
    pub summary: Vec<SummaryRow>,
    /// The t-visibility curves of the partial quorums.
    pub curves: Vec<CurveRow>,
    /// [`RULES_OF_THUMB`] evaluated for every scenario at the lowest
    /// failure level (computed by the shard that owns the first group).
    pub rules: Vec<SummaryRow>,
    /// Consistency levels compared in the spec's clusters (by the shard
    /// that owns the first group).
    pub levels: Vec<SummaryRow>,
    /// The healing mechanisms compared (same shard).
    pub healing: Vec<SummaryRow>,
    /// Their curves.
    pub healing_curves: Vec<crate::mechanisms::HealingPoint>,
    /// Speculative retry thresholds compared (same shard).
    pub retry: Vec<SummaryRow>,
}

/// What the shard that owns the first group computes besides its groups.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extras {
    /// The rules of thumb.
    pub rules: Vec<SummaryRow>,
    /// The level comparison.
    pub levels: Vec<SummaryRow>,
    /// The healing comparison ([`crate::mechanisms::healing`]).
    pub healing: Vec<SummaryRow>,
    /// Its curves.
    pub healing_curves: Vec<crate::mechanisms::HealingPoint>,
    /// The retry comparison ([`crate::mechanisms::retry`]).
    pub retry: Vec<SummaryRow>,
}

/// Advice from quorum best-practice guides, for N = 10: read and write sets
/// of 30% and 60% of the nodes, or 40% and 60%, which such guides call
/// strongly consistent, and read and write sets as disjoint halves.
pub const RULES_OF_THUMB: [(&str, usize, usize, usize); 3] = [
    ("read 30%, write 60% of the nodes", 10, 3, 6),
    ("read 40%, write 60% of the nodes", 10, 4, 6),
    ("read and write sets as disjoint halves", 10, 5, 5),
];

/// Runs the groups of `shard`, calling `done()` as each group finishes, and
/// returns every row in memory (see [`run_into`] for a large sweep).
pub fn run(
    spec: &SweepSpec,
    shard: Shard,
    done: &(dyn Fn() + Sync),
) -> Result<SweepOutput, SweepError> {
    let mut out = SweepOutput::default();
    let extras = run_into(spec, shard, done, &mut |part| {
        out.summary.extend(part.summary);
        out.curves.extend(part.curves);
        Ok(())
    })?;
    out.rules = extras.rules;
    out.levels = extras.levels;
    out.healing = extras.healing;
    out.healing_curves = extras.healing_curves;
    out.retry = extras.retry;
    Ok(out)
}

/// Runs the groups of `shard` and hands each group's rows to `sink` in
/// canonical order, holding at most a window of groups (four per thread)
/// in memory: the sink can write them out, so that a sweep's memory does
/// not grow with its size. Returns the rules of thumb and the level
/// comparison (computed by the shard that owns the first group).
pub fn run_into(
    spec: &SweepSpec,
    shard: Shard,
    done: &(dyn Fn() + Sync),
    sink: &mut dyn FnMut(SweepOutput) -> Result<(), String>,
) -> Result<Extras, SweepError> {
    let trips: Vec<ScenarioTrips> = spec.scenarios.par_iter().map(ScenarioTrips::new).collect();
    let groups: Vec<Group> = spec
        .groups()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| shard.owns(*i))
        .map(|(_, g)| g)
        .collect();
    let window = 4 * rayon::current_num_threads().max(1);
    for batch in groups.chunks(window) {
        let parts: Vec<Result<SweepOutput, SweepError>> = batch
            .par_iter()
            .map(|g| {
                let out = run_group(spec, &trips[g.scenario], *g);
                done();
                out
            })
            .collect();
        for part in parts {
            sink(part?).map_err(SweepError::Write)?;
        }
    }
    let mut extras = Extras::default();
    if shard.owns(0) {
        let per_scenario: Vec<Result<Vec<SummaryRow>, SweepError>> = (0..spec.scenarios.len())
            .into_par_iter()
            .map(|i| rules_of_thumb(spec, &trips[i], i))
            .collect();
        for r in per_scenario {
            extras.rules.extend(r?);
        }
        if let Some(s) = spec.levels_scenario() {
            let seed = chunk_seed(spec.seed, fnv1a("levels"));
            extras.levels = crate::levels::compare(s, &spec.clusters, spec.trials, seed)?;
        }
        if let Some(s) = spec.plain_scenario() {
            let seed = chunk_seed(spec.seed, fnv1a("healing"));
            (extras.healing, extras.healing_curves) =
                crate::mechanisms::healing(s, &spec.healing, spec.trials, seed)?;
            extras.retry = crate::mechanisms::retry(s, spec.retry)?;
        }
    }
    Ok(extras)
}

/// The rules of thumb for scenario `i`, one simulation for all of them.
fn rules_of_thumb(
    spec: &SweepSpec,
    trips: &ScenarioTrips,
    i: usize,
) -> Result<Vec<SummaryRow>, SweepError> {
    let mut scenario = spec.scenarios[i].clone();
    let n = RULES_OF_THUMB[0].1;
    let level = spec.base_level();
    if matches!(&level, FailureModel::PerNode(PerNode(ps)) if ps.len() < n) {
        // A per-node list shorter than the rules' N describes no such
        // cluster: no rows rather than invented probabilities.
        return Ok(Vec::new());
    }
    scenario.failure = level.for_n(n);
    let pairs: Vec<(usize, usize)> = RULES_OF_THUMB.iter().map(|r| (r.2, r.3)).collect();
    let setup = Setup::new(&scenario.wars, &scenario.failure, n).with_pairs(pairs);
    // Apart from every grid group's seed, which mixes in a level's hash and
    // then n where this mixes in u64::MAX once.
    let seed = chunk_seed(
        chunk_seed(spec.seed, fnv1a(&spec.scenarios[i].name)),
        u64::MAX,
    );
    let res = mc::run(&setup, spec.trials, seed, Some(1));
    let options = EvalOptions::default();
    let mut rows = Vec::new();
    for &(_, n, r, w) in &RULES_OF_THUMB {
        let e =
            crate::eval::evaluate_with(&scenario, trips, crate::eval::Config { n, r, w }, options)?;
        let mut row = SummaryRow::from_exact(&scenario, &e, options);
        row.failure = level.spec();
        if r + w > n {
            row.add_strict_consistency();
        } else {
            row.add_monte_carlo(&res);
            row.seed = Some(spec.seed);
        }
        rows.push(row);
    }
    Ok(rows)
}

/// The number of groups `shard` will run (for progress bars).
pub fn group_count(spec: &SweepSpec, shard: Shard) -> usize {
    (0..spec.groups().len()).filter(|i| shard.owns(*i)).count()
}

fn run_group(spec: &SweepSpec, trips: &ScenarioTrips, g: Group) -> Result<SweepOutput, SweepError> {
    let mut scenario = spec.scenarios[g.scenario].clone();
    let level = &spec.levels()[g.p_index];
    let n = g.n;
    scenario.failure = level.for_n(n);
    let options = EvalOptions::default();
    let exact = evaluate_all(&scenario, trips, n, options)?;
    let partial: Vec<(usize, usize)> = (1..=n)
        .flat_map(|r| (1..=n).map(move |w| (r, w)))
        .filter(|(r, w)| r + w <= n)
        .collect();
    let res: Option<McResult> = (!partial.is_empty()).then(|| {
        let setup = Setup::new(&scenario.wars, &scenario.failure, n).with_pairs(partial);
        mc::run(&setup, spec.trials, spec.group_seed(g), Some(1))
    });
    let mut out = SweepOutput::default();
    for e in &exact {
        let mut row = SummaryRow::from_exact(&scenario, e, options);
        // The level as given, so every n of a level shares one key.
        row.failure = level.spec();
        let (r, w) = (e.config.r, e.config.w);
        match &res {
            Some(res) if r + w <= n => {
                row.add_monte_carlo(res);
                // The master seed reproduces the row (through the group's
                // derived seed); report that one.
                row.seed = Some(spec.seed);
                out.curves
                    .extend(curve(&scenario.name, level, n, r, w, res));
            }
            _ => row.add_strict_consistency(),
        }
        out.summary.push(row);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(trials: u64) -> SweepSpec {
        SweepSpec {
            scenarios: vec![
                Scenario::from_preset("lnkd-disk").unwrap(),
                Scenario::from_preset("lnkd-ssd").unwrap(),
            ],
            n_max: 4,
            p_fail: vec![0.01, 0.0],
            failures: Vec::new(),
            trials,
            seed: 3,
            clusters: Vec::new(),
            healing: crate::mechanisms::default_settings(),
            retry: None,
        }
        .validated()
        .unwrap()
    }

    #[test]
    fn shards_partition_the_grid_and_merge_to_the_whole() {
        let s = spec(5_000);
        let whole = run(&s, Shard::WHOLE, &|| {}).unwrap();
        assert_eq!(whole.summary.len(), 2 * 2 * (1 + 4 + 9 + 16));
        let mut merged = SweepOutput::default();
        for index in 1..=3 {
            let part = run(&s, Shard { index, count: 3 }, &|| {}).unwrap();
            merged.summary.extend(part.summary);
            merged.curves.extend(part.curves);
            assert_eq!(part.rules.is_empty(), index != 1);
            merged.rules.extend(part.rules);
        }
        assert_eq!(merged.rules, whole.rules);
        assert_eq!(whole.rules.len(), 2 * RULES_OF_THUMB.len());
        let key = |r: &SummaryRow| {
            (
                r.scenario.clone(),
                r.p_fail.map(f64::to_bits),
                r.n,
                r.r,
                r.w,
            )
        };
        merged.summary.sort_by_key(key);
        assert_eq!(merged.summary, whole.summary);
    }

    #[test]
    fn large_clusters_get_thinner_curves() {
        use crate::curve::{curve_points_at, CURVE_POINTS, CURVE_POINTS_LARGE_N, THIN_ABOVE_N};
        assert_eq!(curve_points_at(THIN_ABOVE_N), CURVE_POINTS);
        assert_eq!(curve_points_at(THIN_ABOVE_N + 1), CURVE_POINTS_LARGE_N);
    }

    #[test]
    fn rows_come_in_canonical_order() {
        let out = run(&spec(2_000), Shard::WHOLE, &|| {}).unwrap();
        let keys: Vec<_> = out
            .summary
            .iter()
            .map(|r| {
                (
                    r.scenario.clone(),
                    r.p_fail.unwrap().to_bits(),
                    r.n,
                    r.r,
                    r.w,
                )
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert_eq!(out.summary[0].scenario, "lnkd-disk");
    }

    #[test]
    fn a_row_agrees_with_eval() {
        // The sweep's exact figures are eval's, and its Monte Carlo interval
        // overlaps eval's for the same configuration.
        let out = run(&spec(40_000), Shard::WHOLE, &|| {}).unwrap();
        let row = out
            .summary
            .iter()
            .find(|r| {
                r.scenario == "lnkd-disk"
                    && r.n == 3
                    && r.r == 1
                    && r.w == 1
                    && r.p_fail == Some(0.01)
            })
            .unwrap();
        let mut sc = Scenario::from_preset("lnkd-disk").unwrap();
        sc.failure = FailureModel::iid(0.01);
        let cfg = crate::eval::Config::new(3, 1, 1).unwrap();
        let e = crate::eval::evaluate(&sc, cfg, EvalOptions::default()).unwrap();
        let single = SummaryRow::from_exact(&sc, &e, EvalOptions::default());
        assert_eq!(row.read_latency_p99_ms, single.read_latency_p99_ms);
        assert_eq!(row.write_availability, single.write_availability);
        let setup = Setup::new(&sc.wars, &sc.failure, 3).with_pairs(vec![(1, 1)]);
        let res = mc::run(&setup, 40_000, 99, None);
        let c = res.p_consistent_at(1, 1, 0.0);
        assert!(
            c.ci_low <= row.p_consistent_t0_ci_high.unwrap()
                && row.p_consistent_t0_ci_low.unwrap() <= c.ci_high
        );
    }

    #[test]
    fn adding_a_level_or_scenario_leaves_other_rows_alone() {
        let small = spec(2_000);
        let mut more = small.clone();
        more.failures = vec!["repair(mttf=100,mttr=10,crews=1)".parse().unwrap()];
        more.scenarios.push(Scenario::from_preset("ymmr").unwrap());
        let more = more.validated().unwrap();
        let a = run(&small, Shard::WHOLE, &|| {}).unwrap();
        let b = run(&more, Shard::WHOLE, &|| {}).unwrap();
        let kept: Vec<&SummaryRow> = b
            .summary
            .iter()
            .filter(|r| r.scenario != "ymmr" && r.failure.starts_with("iid"))
            .collect();
        assert_eq!(kept.len(), a.summary.len());
        for (x, y) in a.summary.iter().zip(kept) {
            assert_eq!(x, y);
        }
        assert!(b.summary.iter().any(|r| r.failure.starts_with("repair")));
    }

    #[test]
    fn a_short_per_node_level_skips_the_rules_of_thumb() {
        let mut s = spec(1_000);
        s.n_max = 3;
        s.p_fail = Vec::new();
        s.failures = vec!["per_node(0.01,0.02,0.05)".parse().unwrap()];
        let out = run(&s.validated().unwrap(), Shard::WHOLE, &|| {}).unwrap();
        assert!(out.rules.is_empty());
        assert_eq!(out.summary.len(), 2 * (1 + 4 + 9));
        // Replica i uses entry i: n = 2 sees the first two.
        let row = out.summary.iter().find(|r| r.n == 2 && r.r == 2).unwrap();
        assert!((row.read_availability - 0.99 * 0.98).abs() < 1e-12);
    }

    #[test]
    fn bad_specs_are_refused() {
        let mut s = spec(10);
        s.n_max = 0;
        assert_eq!(s.validated().unwrap_err(), SweepError::NMax(0));
        let mut s = spec(10);
        s.p_fail = vec![2.0];
        assert!(matches!(s.validated(), Err(SweepError::PFail(_))));
        assert!(Shard::parse("3/2").is_err());
        assert!(Shard::parse("0/2").is_err());
        assert!(Shard::parse("x").is_err());
        assert_eq!(Shard::parse("2/3").unwrap(), Shard { index: 2, count: 3 });
    }
}
