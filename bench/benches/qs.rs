//! Time to find the load-optimal strategy of 25-node quorum systems
//! (issue 17: under a second): a 5 x 5 grid (5 read quorums, 3125 write
//! quorums) and `choose(3)` of 25 (2300 and 300), each from the
//! expression: parsing, listing the minimal quorums, the linear program.
//!
//! Run: `cargo bench -p quorum-bench --bench qs`

use criterion::{criterion_group, criterion_main, Criterion};
use quorum_model::qs::strategy::{optimal, NodeSpec, Workload};
use quorum_model::qs::QuorumSystem;
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
    g.finish();
}

criterion_group!(benches, qs);
criterion_main!(benches);
