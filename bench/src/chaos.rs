//! Chaos: a workload under random crashes, restarts and partitions, then a
//! heal and a read-back of every acknowledged write.
//!
//! At any moment at most `n - max(r, w)` replicas are crashed or
//! partitioned, so every operation can still find its quorum. After the
//! workload, every replica is restarted and partitions lapse; each key is
//! read back with `r = n - w + 1`, which meets every write quorum. With
//! durable replicas (log + fsync before the ack) nothing acknowledged can be
//! lost; without, a restarted replica comes back empty, and an acknowledged
//! write that only survived there is gone.

use crate::check::{check_regular, History};
use crate::inject::Scheduler;
use crate::limits::{check_legs, Budget};
use crate::store::{Coordinator, Legs, Replica, ReplicaConfig};
use quorum_model::dist::Delay;
use quorum_model::eval::Config;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What to run.
#[derive(Debug, Clone)]
pub struct ChaosConfig {
    pub config: Config,
    pub legs: Legs,
    pub durable: bool,
    pub ops: usize,
    pub crash_restart: bool,
    pub partitions: bool,
    pub seed: u64,
    pub clients: usize,
    pub keys: u64,
    /// The run's time budget: refused up front if the estimate exceeds it,
    /// no new operation once it is spent.
    pub budget: Duration,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChaosReport {
    pub n: usize,
    pub r: usize,
    pub w: usize,
    pub durable: bool,
    pub ops: usize,
    pub acknowledged_writes: usize,
    /// Acknowledged writes whose key reads back an older version after the
    /// heal.
    pub lost_writes: usize,
    /// Regular-register violations during the workload.
    pub stale_reads: usize,
    /// Operations that did not reach their quorum in time.
    pub failed_ops: usize,
    pub crashes: usize,
    pub restarts: usize,
    pub partitions: usize,
    /// Operations issued (fewer than `ops` when the budget ran out).
    pub issued_ops: usize,
    pub stopped_early: bool,
}

/// Runs the workload, the faults, the heal and the read-back.
pub fn chaos(cfg: &ChaosConfig) -> Result<ChaosReport, String> {
    let Config { n, r, w } = cfg.config;
    check_legs(&cfg.legs)?;
    let round = |a: &quorum_model::dist::Dist, b: &quorum_model::dist::Dist| a.mean() + b.mean();
    let mean_op_ms =
        0.5 * (round(&cfg.legs.w, &cfg.legs.a) + round(&cfg.legs.r, &cfg.legs.s)) + 0.1;
    let time_budget = Budget::new(cfg.budget);
    time_budget.admit(
        Duration::from_secs_f64(cfg.ops as f64 * mean_op_ms / cfg.clients.max(1) as f64 / 1000.0),
        &format!("{} operations, {} clients", cfg.ops, cfg.clients.max(1)),
    )?;
    // An operation gives up after five times the slowest round trip's
    // 1 - 1e-6 quantile, at least a second.
    let slowest = [&cfg.legs.w, &cfg.legs.a, &cfg.legs.r, &cfg.legs.s]
        .iter()
        .map(|d| d.isf(1e-6))
        .fold(0.0, f64::max);
    let deadline = Duration::from_secs_f64((10.0 * slowest / 1000.0).max(1.0));
    let dir = std::env::temp_dir().join(format!(
        "quorum-bench-chaos-{}-{}",
        std::process::id(),
        cfg.seed
    ));
    if cfg.durable {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("log directory: {e}"))?;
    }
    let sched = Arc::new(Scheduler::new());
    let replicas: Vec<Replica> = (0..n)
        .map(|i| {
            Replica::spawn(
                ReplicaConfig {
                    legs: cfg.legs.clone(),
                    seed: cfg.seed.wrapping_add(31 * i as u64),
                    durable: cfg.durable.then(|| dir.join(format!("replica-{i}.log"))),
                },
                sched.clone(),
            )
        })
        .collect::<Result<_, _>>()
        .map_err(|e| format!("starting replicas: {e}"))?;
    let addrs: Vec<_> = replicas.iter().map(|x| x.addr()).collect();
    let coord = Coordinator::connect(&addrs, deadline).map_err(|e| format!("connecting: {e}"))?;
    let history = History::new();
    let failed = AtomicUsize::new(0);
    let next = AtomicUsize::new(0);
    let issued = AtomicUsize::new(0);
    let stopped = AtomicBool::new(false);
    let done = AtomicBool::new(false);
    let down: Mutex<Vec<bool>> = Mutex::new(vec![false; n]);
    // A partitioned replica is faulty until its partition lapses.
    let cut_until: Mutex<Vec<Option<std::time::Instant>>> = Mutex::new(vec![None; n]);
    let counts = Mutex::new((0usize, 0usize, 0usize));
    let budget = n - r.max(w);
    std::thread::scope(|s| {
        // Faults, while the workload runs.
        s.spawn(|| {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(cfg.seed ^ 0xC4A05);
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(rng.random_range(5..20)));
                let i = rng.random_range(0..n);
                let mut d = down.lock().expect("down");
                let mut cut = cut_until.lock().expect("cuts");
                let now = std::time::Instant::now();
                let is_cut = |j: usize| cut[j].is_some_and(|u| now < u);
                let faulty = (0..n).filter(|&j| d[j] || is_cut(j)).count();
                if is_cut(i) {
                    continue;
                }
                let mut c = counts.lock().expect("counts");
                if d[i] {
                    if cfg.crash_restart && replicas[i].restart().is_ok() {
                        d[i] = false;
                        c.1 += 1;
                    }
                } else if faulty < budget {
                    if cfg.crash_restart && (!cfg.partitions || rng.random_bool(0.5)) {
                        replicas[i].crash();
                        d[i] = true;
                        c.0 += 1;
                    } else if cfg.partitions {
                        // A partition counts as a fault until it lapses;
                        // model it as down for its duration.
                        let len = Duration::from_millis(15);
                        replicas[i].partition(len);
                        // Margin for requests already on their way.
                        cut[i] = Some(now + len + Duration::from_millis(5));
                        c.2 += 1;
                    }
                }
            }
        });
        let workers: Vec<_> = (0..cfg.clients.max(1))
            .map(|c| {
                let (coord, history, failed, next) = (&coord, &history, &failed, &next);
                let (issued, stopped, time_budget) = (&issued, &stopped, &time_budget);
                s.spawn(move || {
                    let mut rng =
                        Xoshiro256PlusPlus::seed_from_u64(cfg.seed.wrapping_add(1000 + c as u64));
                    while next.fetch_add(1, Ordering::Relaxed) < cfg.ops {
                        if time_budget.spent() {
                            stopped.store(true, Ordering::Relaxed);
                            break;
                        }
                        issued.fetch_add(1, Ordering::Relaxed);
                        let key = rng.random_range(0..cfg.keys);
                        if rng.random_bool(0.5) {
                            match coord.write(key, &[c as u8], w) {
                                Ok(res) => history.write(key, &res),
                                Err(e) => {
                                    history.failed_write(key, &e);
                                    failed.fetch_add(1, Ordering::Relaxed);
                                }
                            }
                        } else {
                            match coord.read(key, r) {
                                Ok(res) => history.read(key, &res),
                                Err(_) => {
                                    failed.fetch_add(1, Ordering::Relaxed);
                                }
                            }
                        }
                    }
                })
            })
            .collect();
        for h in workers {
            let _ = h.join();
        }
        done.store(true, Ordering::Relaxed);
    });
    // Heal: everyone back, partitions lapsed.
    for (i, rep) in replicas.iter().enumerate() {
        if down.lock().expect("down")[i] {
            rep.restart().map_err(|e| format!("restart: {e}"))?;
        }
    }
    std::thread::sleep(Duration::from_millis(30));
    let ops = history.ops();
    let mut newest: HashMap<u64, Vec<u64>> = HashMap::new();
    for op in ops.iter().filter(|o| o.is_write) {
        newest.entry(op.key).or_default().push(op.version);
    }
    let read_back = n - w + 1;
    let mut lost = 0;
    for (key, versions) in &newest {
        let got = coord
            .read(*key, read_back)
            .map_err(|e| format!("read-back of key {key}: {e}"))?;
        lost += versions.iter().filter(|v| **v > got.version).count();
    }
    let (crashes, restarts, partitions) = *counts.lock().expect("counts");
    drop(replicas);
    if cfg.durable {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(ChaosReport {
        n,
        r,
        w,
        durable: cfg.durable,
        ops: cfg.ops,
        acknowledged_writes: newest.values().map(Vec::len).sum(),
        lost_writes: lost,
        stale_reads: check_regular(&ops).len(),
        failed_ops: failed.load(Ordering::Relaxed),
        crashes,
        restarts,
        partitions,
        issued_ops: issued.load(Ordering::Relaxed),
        stopped_early: stopped.load(Ordering::Relaxed),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(durable: bool) -> ChaosConfig {
        let d: quorum_model::dist::Dist = "exp(mean=0.2)".parse().unwrap();
        ChaosConfig {
            config: Config::new(5, 3, 3).unwrap(),
            legs: Legs {
                w: d.clone(),
                a: d.clone(),
                r: d.clone(),
                s: d,
            },
            durable,
            ops: 3_000,
            crash_restart: true,
            partitions: true,
            seed: 11,
            clients: 6,
            keys: 20,
            budget: Duration::from_secs(600),
        }
    }

    #[test]
    fn durable_strict_quorums_lose_nothing_and_stay_fresh() {
        let rep = chaos(&cfg(true)).unwrap();
        assert!(rep.crashes > 0 && rep.acknowledged_writes > 1000, "{rep:?}");
        assert_eq!(rep.lost_writes, 0, "{rep:?}");
        assert_eq!(rep.stale_reads, 0, "{rep:?}");
    }
}
