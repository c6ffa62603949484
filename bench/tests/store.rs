//! The store end to end: replicas on loopback with injected delays, a
//! coordinator with many operations in flight, and the history checker.
//! Every run is bounded in operations and time and stops by itself.

use quorum_bench::check::{check_regular, History};
use quorum_bench::inject::Scheduler;
use quorum_bench::store::{Coordinator, Legs, Replica, ReplicaConfig};
use std::sync::Arc;
use std::time::Duration;

fn cluster(n: usize, legs: &Legs) -> (Vec<Replica>, Coordinator, Arc<Scheduler>) {
    cluster_with(n, legs, None)
}

/// With `durable`, replica i logs to `durable/i.log`.
fn cluster_with(
    n: usize,
    legs: &Legs,
    durable: Option<&std::path::Path>,
) -> (Vec<Replica>, Coordinator, Arc<Scheduler>) {
    let sched = Arc::new(Scheduler::new());
    let replicas: Vec<Replica> = (0..n)
        .map(|i| {
            Replica::spawn(
                ReplicaConfig {
                    legs: legs.clone(),
                    drawn: None,
                    seed: 100 + i as u64,
                    durable: durable.map(|d| d.join(format!("{i}.log"))),
                    keeps_data: false,
                },
                sched.clone(),
            )
            .unwrap()
        })
        .collect();
    let addrs: Vec<_> = replicas.iter().map(|r| r.addr()).collect();
    let coord = Coordinator::connect(&addrs, Duration::from_secs(2)).unwrap();
    (replicas, coord, sched)
}

fn exp_legs() -> Legs {
    let d: quorum_model::dist::Dist = "exp(mean=0.2)".parse().unwrap();
    Legs {
        w: d.clone(),
        a: d.clone(),
        r: d.clone(),
        s: d,
    }
}

/// `clients` threads each doing `ops` operations (alternating write/read
/// on a few shared keys), all recorded.
fn workload(
    coord: &Coordinator,
    r: usize,
    w: usize,
    clients: usize,
    ops: usize,
    faults: impl Fn(usize) + Sync,
) -> History {
    let history = History::new();
    std::thread::scope(|s| {
        for c in 0..clients {
            let (history, faults) = (&history, &faults);
            s.spawn(move || {
                for i in 0..ops {
                    if c == 0 {
                        faults(i);
                    }
                    let key = (i % 7) as u64;
                    if (i + c) % 2 == 0 {
                        match coord.write(key, &[c as u8], w) {
                            Ok(res) => history.write(key, &res),
                            Err(e) => history.failed_write(key, &e),
                        }
                    } else if let Ok(res) = coord.read(key, r) {
                        history.read(key, &res);
                    }
                }
            });
        }
    });
    history
}

#[test]
fn strict_quorums_are_never_stale() {
    for (n, q) in [(3, 2), (5, 3)] {
        let (_replicas, coord, _s) = cluster(n, &exp_legs());
        let h = workload(&coord, q, q, 8, 1_300, |_| {});
        assert!(h.len() >= 10_000, "only {} operations completed", h.len());
        let v = check_regular(&h.ops());
        assert!(
            v.is_empty(),
            "n={n} r=w={q}: {} violations, first {:?}",
            v.len(),
            v.first()
        );
    }
}

#[test]
fn strict_quorums_survive_crashes_restarts_and_partitions() {
    // Durable replicas: a restart keeps what was acknowledged (a replica
    // that forgets is not a crash fault, and strict quorums do not promise
    // anything against it). At most n - q replicas misbehave at a time.
    for (n, q) in [(3, 2), (5, 3)] {
        let dir = std::env::temp_dir().join(format!("qm-store-durable-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (replicas, coord, _s) = cluster_with(n, &exp_legs(), Some(&dir));
        let h = workload(&coord, q, q, 8, 1_400, |i| match (n, i % 400) {
            (_, 50) => replicas[0].crash(),
            (_, 150) => replicas[0].restart().unwrap(),
            (_, 250) => replicas[1].partition(Duration::from_millis(30)),
            // n = 5 tolerates two at once: a crash during the partition.
            (5, 260) => replicas[2].crash(),
            (5, 350) => replicas[2].restart().unwrap(),
            _ => {}
        });
        assert!(
            h.len() >= 10_000,
            "n={n}: only {} operations completed",
            h.len()
        );
        let v = check_regular(&h.ops());
        assert!(
            v.is_empty(),
            "n={n}: {} violations, first {:?}",
            v.len(),
            v.first()
        );
        drop(replicas);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn partial_quorums_can_be_stale_and_the_checker_sees_it() {
    // Slow writes to all but the fastest replica make r = w = 1 stale often.
    let slow: quorum_model::dist::Dist = "exp(mean=3)".parse().unwrap();
    let fast: quorum_model::dist::Dist = "exp(mean=0.05)".parse().unwrap();
    let legs = Legs {
        w: slow,
        a: fast.clone(),
        r: fast.clone(),
        s: fast,
    };
    let (_replicas, coord, _s) = cluster(3, &legs);
    let h = workload(&coord, 1, 1, 4, 300, |_| {});
    let v = check_regular(&h.ops());
    assert!(!v.is_empty(), "no stale read among {} operations", h.len());
}
