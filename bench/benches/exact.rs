//! Time to evaluate one configuration exactly: availability, staleness and
//! latency mean/p50/p99/p99.9 for reads and writes (issue 2's figure).
//!
//! - `cold`: what one `quorum-model eval` computes, including tabulating the
//!   scenario's two round-trip convolutions;
//! - `warm`: one more configuration in a scenario whose round trips are
//!   already tabulated (what a sweep pays per configuration);
//! - `tabulate`: building the round trips alone;
//! - issue 11's laws: sums and narrow laws from a spec to every figure
//!   (`cold`), and a million-sample empirical file from disk.
//!
//! - issue 13's clusters: levels in two datacenters of three replicas,
//!   `warm` (round trips tabulated; the bound is 1 ms).
//!
//! Run: `cargo bench -p quorum-bench --bench exact`

use criterion::{criterion_group, criterion_main, Criterion};
use quorum_model::eval::{evaluate, evaluate_with, Config, EvalOptions, ScenarioTrips};
use quorum_model::failure::{Domains, FailureModel, Placement, Repair};
use quorum_model::scenario::Scenario;
use std::hint::black_box;

fn exact(c: &mut Criterion) {
    let mut group = c.benchmark_group("exact");
    group.sample_size(20);
    let disk = Scenario::from_preset("lnkd-disk").expect("preset");
    let config = Config::new(5, 3, 3).expect("valid");
    group.bench_function("cold lnkd-disk n=5 r=3 w=3", |b| {
        b.iter(|| evaluate(black_box(&disk), config, EvalOptions::default()).expect("evaluates"))
    });
    group.bench_function("tabulate lnkd-disk round trips", |b| {
        b.iter(|| ScenarioTrips::new(black_box(&disk)))
    });
    let trips = ScenarioTrips::new(&disk);
    for (r, w) in [(3, 3), (1, 1)] {
        let config = Config::new(5, r, w).expect("valid");
        group.bench_function(format!("warm lnkd-disk n=5 r={r} w={w}"), |b| {
            b.iter(|| {
                evaluate_with(black_box(&disk), &trips, config, EvalOptions::default())
                    .expect("evaluates")
            })
        });
    }
    let mut failing = disk.clone();
    failing.failure = FailureModel::iid(0.01);
    group.bench_function("warm lnkd-disk n=5 r=3 w=3 p_fail=0.01", |b| {
        b.iter(|| {
            evaluate_with(black_box(&failing), &trips, config, EvalOptions::default())
                .expect("evaluates")
        })
    });
    group.bench_function("availability only n=1001 k=501", |b| {
        b.iter(|| black_box(&FailureModel::iid(0.01)).availability(501, 1001))
    });
    let repair = Repair {
        mttf_hours: 1000.0,
        mttr_hours: 10.0,
        crews: Some(3),
    };
    group.bench_function(
        "repair n=1001 crews=3: availability + mean time to quorum loss",
        |b| {
            b.iter(|| {
                let r = black_box(&repair);
                (
                    r.availability(501, 1001),
                    r.mean_time_to_quorum_loss(501, 1001),
                )
            })
        },
    );
    let mut crewed = Scenario::default_exponential();
    crewed.failure = FailureModel::Repair(repair);
    let big = Config::new(1001, 501, 501).expect("valid");
    group.bench_function(
        "eval n=1001 r=w=501, 3 repair crews (latency included)",
        |b| {
            b.iter(|| evaluate(black_box(&crewed), big, EvalOptions::default()).expect("evaluates"))
        },
    );
    let domains = Domains {
        domains: 16,
        p_domain: 0.001,
        p_fail: 0.01,
        placement: Placement::Spread,
    };
    group.bench_function("domains D=16 n=101 k=51", |b| {
        b.iter(|| black_box(&domains).availability(51, 101))
    });
    group.finish();
}

/// Issue 11: laws that used to hang or print wrong numbers, each from its
/// spec to every exact figure of `eval` (n = 3, r = w = 2), tables
/// included.
fn laws(c: &mut Criterion) {
    let mut group = c.benchmark_group("laws");
    group.sample_size(10);
    let config = Config::new(3, 2, 2).expect("valid");
    for spec in [
        "exp(mean=1) + exp(mean=1) + exp(mean=1)",
        "exp(mean=1) + exp(mean=10)",
        "exp(mean=1) + lognormal(mu=0,sigma=0.5) + weibull(shape=2,scale=1)",
        "gamma(shape=100,scale=7) + gamma(shape=150,scale=5)",
        "weibull(shape=3000,scale=1)",
        "lognormal(mu=0,sigma=0.001)",
    ] {
        group.bench_function(format!("cold {spec}"), |b| {
            b.iter(|| {
                let mut s = Scenario::default_exponential();
                s.wars = quorum_model::dist::presets::Wars::uniform(spec.parse().expect("spec"));
                evaluate(black_box(&s), config, EvalOptions::default()).expect("evaluates")
            })
        });
    }
    // A million samples (a day of latency logs) from a file: load, bin,
    // and evaluate.
    let dir = std::env::temp_dir().join(format!("qm-bench-empirical-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("latency.txt");
    let mut state: u64 = 7;
    let body: String = (0..1_000_000)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let u = ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
            format!("{:.6}\n", -2.0 * u.ln())
        })
        .collect();
    std::fs::write(&file, body).expect("sample file");
    let spec = format!("empirical(file={})", file.display());
    group.bench_function(
        "cold empirical with 1e6 samples (read, bin, evaluate)",
        |b| {
            b.iter(|| {
                let mut s = Scenario::default_exponential();
                s.wars = quorum_model::dist::presets::Wars::uniform(spec.parse().expect("spec"));
                evaluate(black_box(&s), config, EvalOptions::default()).expect("evaluates")
            })
        },
    );
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 13: a 3+3 two-datacenter configuration, its round trips
/// tabulated, every exact figure of one pair of levels.
fn clusters(c: &mut Criterion) {
    use quorum_model::eval::{evaluate_levels_with, ClusterScenarioTrips, Levels};
    use quorum_model::topology::{Cluster, Level};
    let mut group = c.benchmark_group("cluster");
    group.sample_size(30);
    let cluster: Cluster = "east:3,west:3;east-west=const(40);write_dc=east;read_dc=east"
        .parse()
        .expect("cluster");
    for (name, scenario) in [
        ("exp(mean=1)", Scenario::default_exponential()),
        (
            "lnkd-disk",
            Scenario::from_preset("lnkd-disk").expect("preset"),
        ),
    ] {
        let trips = ClusterScenarioTrips::new(&scenario, &cluster);
        for (write, read) in [
            (Level::LocalQuorum, Level::LocalQuorum),
            (Level::EachQuorum, Level::LocalQuorum),
            (Level::Quorum, Level::Quorum),
        ] {
            let levels = Levels { write, read };
            group.bench_function(format!("warm 3+3 {name} {write}/{read}"), |b| {
                b.iter(|| {
                    evaluate_levels_with(
                        black_box(&scenario),
                        &cluster,
                        &trips,
                        levels,
                        EvalOptions::default(),
                    )
                    .expect("evaluates")
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, exact, laws, clusters);
criterion_main!(benches);
