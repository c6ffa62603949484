//! Monte Carlo engine speed (issue 3's figures), all from one run:
//!
//! - `engine` vs `floor`: single-thread trials/s for lnkd-disk, n = 3, every
//!   (r, w) evaluated, against only drawing the same 4n variates per trial
//!   with the same generator and summing them;
//! - `curve 200 points` vs `one t-value`: a whole t-visibility curve against
//!   a single P(consistent at t) (both include the simulation);
//! - `threads 1` vs `threads 2` on 1M trials;
//! - failures in time (issue 14): the timeline simulation of one
//!   configuration (n = 3, r = w = 1, MTTF 99 h, MTTR 1 h, hints and
//!   anti-entropy, 225 grid points from 1 µs to 30 h) against the WARS
//!   engine on the same trials and legs.
//!
//! Run: `cargo bench -p quorum-bench --bench mc`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use quorum_model::dist::presets::preset;
use quorum_model::failure::FailureModel;
use quorum_model::mc::sampling_floor;
use quorum_model::mc::{run, Setup};
use std::hint::black_box;

fn engine_vs_floor(c: &mut Criterion) {
    let wars = preset("lnkd-disk").expect("preset").wars;
    let setup = Setup::new(&wars, &FailureModel::NONE, 3);
    let trials = 200_000;
    let mut g = c.benchmark_group("mc single thread lnkd-disk n=3");
    g.sample_size(20);
    g.throughput(Throughput::Elements(trials));
    g.bench_function("engine (all r, w)", |b| {
        b.iter(|| run(black_box(&setup), trials, 1, Some(1)))
    });
    g.bench_function("sampling floor", |b| {
        b.iter(|| sampling_floor(black_box(&setup), trials, 1))
    });
    g.bench_function("engine + curve 200 points", |b| {
        b.iter(|| {
            let res = run(black_box(&setup), trials, 1, Some(1));
            res.curve(1, 1, 60.0, 200)
        })
    });
    g.bench_function("engine + one t-value", |b| {
        b.iter(|| {
            let res = run(black_box(&setup), trials, 1, Some(1));
            res.p_consistent_at(1, 1, 10.0)
        })
    });
    g.finish();
}

fn threads(c: &mut Criterion) {
    let wars = preset("lnkd-disk").expect("preset").wars;
    let setup = Setup::new(&wars, &FailureModel::NONE, 3);
    let trials = 1_000_000;
    let mut g = c.benchmark_group("mc 1M trials lnkd-disk n=3");
    g.sample_size(30);
    g.measurement_time(std::time::Duration::from_secs(15));
    g.throughput(Throughput::Elements(trials));
    for t in [1, 2] {
        g.bench_function(format!("threads {t}"), |b| {
            b.iter(|| run(black_box(&setup), trials, 1, Some(t)))
        });
    }
    g.finish();
}

fn failures_in_time(c: &mut Criterion) {
    use quorum_model::failure::Repair;
    use quorum_model::mc::timeline::{simulate, TimelineSetup};
    let wars = preset("lnkd-disk").expect("preset").wars;
    let repair = Repair {
        mttf_hours: 99.0,
        mttr_hours: 1.0,
        crews: None,
    };
    let healing = quorum_model::mechanisms::default_settings();
    let timeline = TimelineSetup::new(&wars, repair, healing, (3, 1, 1), false);
    let engine = Setup::new(&wars, &FailureModel::Repair(repair), 3).with_pairs(vec![(1, 1)]);
    let trials = 200_000;
    let mut g = c.benchmark_group("failures in time lnkd-disk n=3 r=w=1");
    g.sample_size(20);
    g.throughput(Throughput::Elements(trials));
    g.bench_function("timeline (hints + anti-entropy)", |b| {
        b.iter(|| simulate(black_box(&timeline), trials, 1, Some(1)))
    });
    g.bench_function("WARS engine (one pair)", |b| {
        b.iter(|| run(black_box(&engine), trials, 1, Some(1)))
    });
    g.finish();
}

criterion_group!(benches, engine_vs_floor, threads, failures_in_time);
criterion_main!(benches);
