//! Time for issue 7's acceptance plan: lnkd-disk, p_fail 0.01, read
//! availability 0.9999, write availability 0.999, consistency 0.999@10ms,
//! write p99 30 ms, n up to 7, 250000 trials per n, and the worksheet's
//! sensitivity replans (failures doubled, load doubled).
//!
//! Run: `cargo bench -p quorum-bench --bench plan`

use criterion::{criterion_group, criterion_main, Criterion};
use quorum_model::failure::FailureModel;
use quorum_model::mc::DEFAULT_TRIALS;
use quorum_model::plan::capacity::{NodeSpec, Workload};
use quorum_model::plan::slo::{Percentile, Slo};
use quorum_model::plan::{measure, plan, rank, sensitivity, PlanInput};
use quorum_model::scenario::Scenario;
use quorum_model::Fanout;
use std::hint::black_box;

fn input() -> PlanInput {
    let mut scenario = Scenario::from_preset("lnkd-disk").expect("preset");
    scenario.failure = FailureModel::iid(0.01);
    PlanInput {
        cluster: None,
        speculative_retry: Default::default(),
        scenario,
        slos: vec![
            Slo::ReadAvailability(0.9999),
            Slo::WriteAvailability(0.999),
            Slo::Consistency {
                p: 0.999,
                t_ms: 10.0,
            },
            Slo::WriteLatency {
                percentile: Percentile::P99,
                ms: 30.0,
            },
        ],
        max_n: 7,
        workload: Workload::default(),
        node: NodeSpec::default(),
        fanout: Fanout::All,
        trials: DEFAULT_TRIALS,
        seed: 1,
        threads: None,
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan");
    group.sample_size(10);
    let inp = input();
    group.bench_function("lnkd-disk max-n 7, 250k trials", |b| {
        b.iter(|| plan(black_box(&inp)).expect("plans"))
    });
    let rows = measure(&inp).expect("measures");
    group.bench_function("re-rank for another workload", |b| {
        b.iter(|| rank(black_box(&inp), &rows))
    });
    group.bench_function("worksheet sensitivity (replan, doubled failures)", |b| {
        b.iter(|| sensitivity(black_box(&inp), &rows).expect("replans"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
