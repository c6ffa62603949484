//! Time to find the load-optimal strategy of 25-node quorum systems
//! (issue 17: under a second): a 5 x 5 grid (5 read quorums, 3125 write
//! quorums) and `choose(3)` of 25 (2300 and 300), each from the
//! expression: parsing, listing the minimal quorums, the linear program.
//! With delay laws, the same for a 14-node majority whose nodes each have
//! their own law (the mean and p99 of every quorum's time). Beside them,
//! Quoracle's README search (six nodes, 1-resilient, latency
//! and network limits; Quoracle runs it to a 60 s timeout), and the
//! t-visibility Monte Carlo of a partial system (250000 trials, the
//! default).
//!
//! Run: `cargo bench -p quorum-bench --bench qs`

use criterion::{criterion_group, criterion_main, Criterion};
use quorum_model::dist::presets::Wars;
use quorum_model::failure::FailureModel;
use quorum_model::qs::search::{search, Family, Requirements};
use quorum_model::qs::strategy::{optimal, NodeSpec, Workload};
use quorum_model::qs::{visibility, QuorumSystem};
use std::hint::black_box;

fn qs(c: &mut Criterion) {
    let names: Vec<String> = (0..25).map(|i| format!("n{i}")).collect();
    let rows: Vec<String> = names.chunks(5).map(|r| r.join(",")).collect();
    let grid = format!("grid({})", rows.join(";"));
    let choose = format!("choose(3, {})", names.join(","));
    let work = Workload {
        read_fraction: vec![(0.5, 1.0)],
        ..Workload::default()
    };
    // Uneven capacities, so that the optimum is not the uniform strategy.
    let nodes: Vec<NodeSpec> = (0..25)
        .map(|i| NodeSpec {
            read_capacity: 1.0 + (i % 3) as f64,
            write_capacity: 1.0 + (i % 4) as f64,
            ..NodeSpec::default()
        })
        .collect();
    let mut g = c.benchmark_group("qs");
    g.sample_size(10);
    for (name, expr) in [("5x5 grid", &grid), ("choose 3 of 25", &choose)] {
        g.bench_function(format!("load-optimal strategy, {name}"), |b| {
            b.iter(|| {
                let qs = QuorumSystem::new(black_box(expr), None).expect("a system");
                optimal(&qs, &nodes, &work).expect("a strategy")
            })
        });
    }
    // Delay laws instead of fixed latencies: the mean and p99 of the time
    // to a quorum for each of choose(7) of 14's 6435 quorums, every node
    // with its own law (no two minimal quorums share a multiset of laws).
    let fourteen: Vec<String> = (0..14).map(|i| format!("n{i}")).collect();
    let laws: Vec<NodeSpec> = (0..14)
        .map(|i| NodeSpec {
            latency: format!("exp(mean={})", 1.0 + 0.1 * i as f64)
                .parse()
                .expect("a law"),
            ..NodeSpec::default()
        })
        .collect();
    let majority = format!("choose(7, {})", fourteen.join(","));
    g.bench_function(
        "load-optimal strategy with 14 distinct delay laws, choose 7 of 14",
        |b| {
            b.iter(|| {
                let qs = QuorumSystem::new(black_box(&majority), None).expect("a system");
                optimal(&qs, &laws, &work).expect("a strategy")
            })
        },
    );
    // Quoracle's README search.
    let six: Vec<String> = ["a", "b", "c", "d", "e", "f"].map(String::from).to_vec();
    let specs: Vec<NodeSpec> = (0..6)
        .map(|i| NodeSpec {
            read_capacity: if i % 2 == 0 { 10000.0 } else { 5000.0 },
            write_capacity: if i % 2 == 0 { 1000.0 } else { 500.0 },
            latency: format!("const({})", i + 1).parse().expect("a law"),
        })
        .collect();
    let limits = Workload {
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
    g.bench_function("search, Quoracle's README (6 nodes, every family)", |b| {
        b.iter(|| search(black_box(&six), &specs, &Family::ALL, &limits, &req, 1))
    });
    // t-visibility of a partial system: 2 of 5 read, 2 of 5 write.
    let partial = QuorumSystem::partial("choose(2, a, b, c, d, e)", "choose(2, a, b, c, d, e)")
        .expect("a system");
    let legs = Wars::uniform("exp(mean=1)".parse().expect("a law"));
    g.bench_function("t-visibility, 250000 trials, choose(2) of 5", |b| {
        b.iter(|| {
            visibility::simulate(
                black_box(&partial),
                &legs,
                &FailureModel::NONE,
                250_000,
                1,
                None,
            )
        })
    });
    g.finish();
}

criterion_group!(benches, qs);
criterion_main!(benches);
