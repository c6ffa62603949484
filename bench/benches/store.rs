//! The real store's speed (issue 5), all from one run:
//!
//! - `no injection`: one quorum write and one quorum read for n = 3 and 5
//!   (majority quorums) with no injected delay, beside a single-connection
//!   TCP ping-pong on loopback: the floor any networked operation pays;
//! - `64 in flight`: quorum writes with 64 operations in flight at once
//!   (per-operation time; throughput = 1 / that);
//! - `exp(mean=1)`: n = 3, r = w = 2 with every leg delayed by exp(mean=1);
//!   the model's predicted mean is printed beside criterion's measurement.
//!
//! Run: `cargo bench -p quorum-bench --bench store`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use quorum_bench::inject::Scheduler;
use quorum_bench::store::{Coordinator, Legs, Replica, ReplicaConfig};
use quorum_model::eval::{evaluate, Config, EvalOptions};
use quorum_model::scenario::Scenario;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn cluster(n: usize, legs: &Legs) -> (Vec<Replica>, Coordinator) {
    let sched = Arc::new(Scheduler::new());
    let replicas: Vec<Replica> = (0..n)
        .map(|i| {
            Replica::spawn(
                ReplicaConfig {
                    legs: legs.clone(),
                    drawn: None,
                    seed: i as u64 + 1,
                    durable: None,
                    keeps_data: false,
                },
                sched.clone(),
            )
            .expect("replica")
        })
        .collect();
    let addrs: Vec<_> = replicas.iter().map(|r| r.addr()).collect();
    let coord = Coordinator::connect(&addrs, Duration::from_secs(5)).expect("connect");
    (replicas, coord)
}

/// An echo server on loopback and a connected client.
fn ping_pong() -> TcpStream {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let _ = s.set_nodelay(true);
            let mut buf = [0u8; 8];
            while s.read_exact(&mut buf).is_ok() {
                if s.write_all(&buf).is_err() {
                    return;
                }
            }
        }
    });
    let c = TcpStream::connect(addr).expect("connect");
    c.set_nodelay(true).expect("nodelay");
    c
}

fn no_injection(c: &mut Criterion) {
    let mut g = c.benchmark_group("store no injection");
    g.sample_size(50);
    let mut pp = ping_pong();
    let mut buf = [0u8; 8];
    g.bench_function("tcp ping-pong (1 connection)", |b| {
        b.iter(|| {
            pp.write_all(&[7u8; 8]).expect("send");
            pp.read_exact(&mut buf).expect("receive");
        })
    });
    let key = AtomicU64::new(0);
    for (n, q) in [(3, 2), (5, 3)] {
        let (_replicas, coord) = cluster(n, &Legs::none());
        g.bench_function(format!("quorum write n={n} w={q}"), |b| {
            b.iter(|| {
                coord
                    .write(key.fetch_add(1, Ordering::Relaxed) % 1000, b"v", q)
                    .expect("write")
            })
        });
        g.bench_function(format!("quorum read n={n} r={q}"), |b| {
            b.iter(|| {
                coord
                    .read(key.fetch_add(1, Ordering::Relaxed) % 1000, q)
                    .expect("read")
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("store 64 in flight");
    g.sample_size(20);
    g.throughput(Throughput::Elements(1));
    let (_replicas, coord) = cluster(3, &Legs::none());
    g.bench_function("quorum write n=3 w=2, per operation", |b| {
        b.iter_custom(|iters| {
            let per_thread = iters.div_ceil(64);
            let start = Instant::now();
            std::thread::scope(|s| {
                for t in 0..64u64 {
                    let coord = &coord;
                    s.spawn(move || {
                        for i in 0..per_thread {
                            coord.write(t * 1_000_000 + i, b"v", 2).expect("write");
                        }
                    });
                }
            });
            start
                .elapsed()
                .mul_f64(iters as f64 / (per_thread * 64) as f64)
        })
    });
    g.finish();
}

fn injected(c: &mut Criterion) {
    let scenario = Scenario::default_exponential();
    let exact = evaluate(
        &scenario,
        Config::new(3, 2, 2).expect("valid"),
        EvalOptions::default(),
    )
    .expect("evaluates");
    println!(
        "model (exact) for exp(mean=1) legs, n = 3, r = w = 2: mean write {:.4} ms, mean read {:.4} ms",
        exact.write.mean_ms.clone().unwrap_or(f64::NAN),
        exact.read.mean_ms.clone().unwrap_or(f64::NAN)
    );
    let d: quorum_model::dist::Dist = "exp(mean=1)".parse().expect("spec");
    let legs = Legs {
        w: d.clone(),
        a: d.clone(),
        r: d.clone(),
        s: d,
    };
    let (_replicas, coord) = cluster(3, &legs);
    let mut g = c.benchmark_group("store exp(mean=1) n=3 r=w=2");
    g.sample_size(30);
    let key = AtomicU64::new(0);
    g.bench_function("quorum write (model mean printed above)", |b| {
        b.iter(|| {
            coord
                .write(key.fetch_add(1, Ordering::Relaxed) % 1000, b"v", 2)
                .expect("write")
        })
    });
    g.bench_function("quorum read (model mean printed above)", |b| {
        b.iter(|| {
            coord
                .read(key.fetch_add(1, Ordering::Relaxed) % 1000, 2)
                .expect("read")
        })
    });
    g.finish();
}

criterion_group!(benches, no_injection, injected);
criterion_main!(benches);
