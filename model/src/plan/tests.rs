use super::capacity::{NodeSpec, Workload};
use super::slo::{Percentile, Slo, Status};
use super::*;
use crate::eval::{evaluate, Config};
use crate::mc::Setup;
use crate::Fanout;

fn input(slos: Vec<Slo>, max_n: usize, trials: u64) -> PlanInput {
    let mut scenario = Scenario::from_preset("lnkd-disk").unwrap();
    scenario.failure = FailureModel::iid(0.01);
    PlanInput {
        cluster: None,
        speculative_retry: Default::default(),
        scenario,
        slos,
        max_n,
        workload: Workload::default(),
        node: NodeSpec::default(),
        fanout: Fanout::All,
        trials,
        seed: 5,
        threads: Some(2),
    }
}

/// A plan of a small grid, for tests of what is made from one.
#[cfg(feature = "charts")]
pub(crate) fn small_plan() -> Plan {
    plan(&input(vec![consistency(0.9, 5.0)], 3, 5_000)).unwrap()
}

fn consistency(p: f64, t_ms: f64) -> Slo {
    Slo::Consistency { p, t_ms }
}

#[test]
fn rows_are_what_eval_computes_one_configuration_at_a_time() {
    let inp = input(vec![consistency(0.99, 5.0)], 4, 20_000);
    let rows = measure(&inp).unwrap();
    assert_eq!(rows.len(), 1 + 4 + 9 + 16);
    let options = EvalOptions {
        consistency_t_ms: Some(5.0),
        ..EvalOptions::default()
    };
    for row in &rows {
        let cfg = Config::new(row.n, row.r, row.w).unwrap();
        let e = evaluate(&inp.scenario, cfg, options).unwrap();
        let mut one = SummaryRow::from_exact(&inp.scenario, &e, options);
        if cfg.strict() {
            one.add_strict_consistency();
        } else {
            // eval simulates its own pair alone, on one thread here.
            let setup = Setup::new(&inp.scenario.wars, &inp.scenario.failure, cfg.n)
                .with_pairs(vec![(cfg.r, cfg.w)]);
            one.add_monte_carlo(&mc::run(&setup, inp.trials, inp.seed, Some(1)));
        }
        assert_eq!(&one, row, "n={} r={} w={}", row.n, row.r, row.w);
    }
}

#[test]
fn the_choice_meets_everything_and_nothing_cheaper_does() {
    let slos = vec![
        Slo::ReadAvailability(0.9999),
        Slo::WriteAvailability(0.999),
        Slo::WriteLatency {
            percentile: Percentile::P99,
            ms: 30.0,
        },
    ];
    let p = plan(&input(slos, 5, 1_000)).unwrap();
    let best = p.best().expect("feasible");
    assert!(best.checks.iter().all(|c| c.status == Status::Meets));
    for c in &p.candidates {
        if c.checks.iter().all(|k| k.status == Status::Meets) {
            assert!(c.capacity.cost >= best.capacity.cost);
        }
    }
    // Ranked list: non-decreasing cost, all qualifying.
    let costs: Vec<f64> = p.ranked().map(|c| c.capacity.cost).collect();
    assert!(costs.windows(2).all(|w| w[0] <= w[1]), "{costs:?}");
    // Without a consistency SLO nothing is simulated.
    assert!(p.candidates.iter().all(|c| c.row.trials.is_none()));
    // The runner-up is the next configuration that meets everything.
    assert_ne!(p.runner_up().unwrap().config(), best.config());
}

#[test]
fn pareto_members_are_undominated_and_the_cheapest_is_one() {
    let p = plan(&input(vec![consistency(0.9, 5.0)], 4, 5_000)).unwrap();
    let q: Vec<&Candidate> = p.ranked().collect();
    assert!(q[0].pareto);
    for a in &q {
        let dominated = q.iter().any(|b| {
            let (x, y) = (b.objectives(), a.objectives());
            x.iter().zip(&y).all(|(u, v)| u <= v) && x.iter().zip(&y).any(|(u, v)| u < v)
        });
        assert_eq!(a.pareto, !dominated, "{:?}", a.config());
    }
}

#[test]
fn an_interval_that_straddles_the_target_is_flagged_not_chosen() {
    // Target the estimate of n = 3, r = w = 1 exactly: its interval holds
    // the target on both sides.
    let probe = measure(&input(vec![consistency(0.5, 2.0)], 3, 4_000)).unwrap();
    let row = probe.iter().find(|r| (r.n, r.r, r.w) == (3, 1, 1)).unwrap();
    let target = row.p_consistent_t.unwrap();
    let p = plan(&input(vec![consistency(target, 2.0)], 3, 4_000)).unwrap();
    let c = p
        .candidates
        .iter()
        .find(|c| c.config() == (3, 1, 1))
        .unwrap();
    assert_eq!(c.status, Status::Uncertain);
    assert_ne!(p.best().map(Candidate::config), Some((3, 1, 1)));
    // Uncertain ones come after every configuration that meets outright.
    let statuses: Vec<Status> = p.ranked().map(|c| c.status).collect();
    assert!(statuses.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn infeasible_plans_say_what_binds() {
    let slos = vec![
        Slo::ReadAvailability(0.9999),
        Slo::WriteLatency {
            percentile: Percentile::P99,
            ms: 1.0,
        },
    ];
    let p = plan(&input(slos, 5, 1_000)).unwrap();
    assert!(p.best().is_none());
    let e = explain::explain(&p);
    // Dropping the latency SLO admits configurations; dropping availability
    // does not (no write is that fast).
    assert!(e.relaxations[1].admitted > 0 && e.relaxations[1].closest.is_some());
    assert_eq!(e.relaxations[0].admitted, 0);
    assert_eq!(e.unreachable.len(), 1);
    let text = e
        .lines(5, &|f| format!("--{}", f.replace('_', "-")))
        .join("\n");
    assert!(
        text.contains("binding") && text.contains("--slo-write-p99-ms"),
        "{text}"
    );
}

#[test]
fn capacity_changes_the_ranking_not_the_rows() {
    let mut inp = input(vec![Slo::ReadAvailability(0.999)], 5, 1_000);
    let rows = measure(&inp).unwrap();
    inp.workload = Workload {
        reads_per_s: 10_000.0,
        writes_per_s: 10_000.0,
        data_gb: 0.0,
    };
    inp.node.ops_per_s = Some(5_000.0);
    let p = rank(&inp, &rows);
    let best = p.best().unwrap();
    // Each write and read touches n replicas: 20000·n ops over 3000 a node.
    let n = best.row.n as f64;
    assert_eq!(
        best.capacity.nodes,
        (20_000.0 * n / 3_000.0).ceil() as usize
    );
    assert_eq!(best.row.n, 2, "the fewest replicas meeting 0.999 reads");
}

#[test]
fn refusals() {
    assert_eq!(
        input(vec![], 0, 10).validate().unwrap_err(),
        PlanError::MaxN(0)
    );
    let e = input(vec![Slo::ReadAvailability(1.2)], 3, 10)
        .validate()
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("slo_read_availability: must be"), "{e}");
    let dup = input(
        vec![Slo::ReadAvailability(0.9), Slo::ReadAvailability(0.99)],
        3,
        10,
    );
    assert!(dup.validate().is_err());
}

/// A speculative retry's extra requests count in the load: replica
/// operations grow by reads/s x the exact retry rate.
#[test]
fn speculative_retries_add_load() {
    let mut base = input(vec![], 3, 1_000);
    base.fanout = Fanout::Quorum;
    base.workload = Workload {
        reads_per_s: 10_000.0,
        writes_per_s: 0.0,
        data_gb: 0.0,
    };
    base.node.ops_per_s = Some(1_000.0);
    let mut retrying = base.clone();
    retrying.speculative_retry = "1ms".parse().unwrap();
    let (a, b) = (plan(&base).unwrap(), plan(&retrying).unwrap());
    let find = |p: &Plan, n: usize, r: usize| {
        p.candidates
            .iter()
            .find(|c| c.config() == (n, r, 1))
            .unwrap()
            .clone()
    };
    let (plain, retried) = (find(&a, 3, 1), find(&b, 3, 1));
    let rate = retried.row.speculative_retry_rate.unwrap();
    assert!(rate > 0.0 && rate < 1.0, "{rate}");
    let extra = retried.capacity.replica_ops_per_s - plain.capacity.replica_ops_per_s;
    assert!((extra - 10_000.0 * rate).abs() < 1e-6, "{extra} vs {rate}");
    // n = 1: no other replica to ask, no retry.
    assert_eq!(find(&b, 1, 1).row.speculative_retry_rate, None);
    // Reads to every replica cannot retry.
    let mut all = retrying.clone();
    all.fanout = Fanout::All;
    assert!(plan(&all).is_err());
}

/// Blocking read repair's writes count in the load: replica operations
/// grow by reads/s x the replicas each read repairs; one-replica reads
/// never disagree and add nothing.
#[test]
fn read_repairs_add_load() {
    let mut base = input(vec![], 3, 20_000);
    base.workload = Workload {
        reads_per_s: 10_000.0,
        writes_per_s: 0.0,
        data_gb: 0.0,
    };
    base.node.ops_per_s = Some(1_000.0);
    let mut repairing = base.clone();
    repairing.scenario.healing.read_repair = crate::heal::ReadRepair::Blocking;
    let (a, b) = (plan(&base).unwrap(), plan(&repairing).unwrap());
    let find = |p: &Plan, n: usize, r: usize, w: usize| {
        p.candidates
            .iter()
            .find(|c| c.config() == (n, r, w))
            .unwrap()
            .clone()
    };
    let (plain, repaired) = (find(&a, 3, 3, 1), find(&b, 3, 3, 1));
    let per_read = repaired.row.read_repair_writes_per_read.unwrap();
    let rate = repaired.row.read_repair_rate.unwrap();
    assert!(rate > 0.1 && per_read >= rate, "{rate} {per_read}");
    let extra = repaired.capacity.replica_ops_per_s - plain.capacity.replica_ops_per_s;
    assert!(
        (extra - 10_000.0 * per_read).abs() < 1e-6,
        "{extra} vs {per_read}"
    );
    assert_eq!(find(&b, 3, 1, 1).row.read_repair_rate, Some(0.0));
    assert_eq!(find(&b, 3, 1, 1).row.read_repair, "blocking");
}
