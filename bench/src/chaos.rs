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
//!
//! Failures in time ([`ChaosConfig::failures`]): instead of the random
//! ticks, each replica alternates `Exp(MTTF)` up and `Exp(MTTR)` down
//! (crash, then restart), the process the model's repair chain describes
//! (a crash that would break the fault budget waits for another up time).
//! With hints ([`ChaosConfig::hints`]) the coordinator replays what a
//! replica missed once it is back, and every stale read's age (the time
//! since the commit of the newest write it missed) is reported, to be
//! held against the model's t-visibility under failures. With
//! [`ChaosConfig::fresh_keys`] writes never rewrite a key (reads pick an
//! earlier one), so what a non-durable replica forgets on restart stays
//! forgotten: hints replay only what it missed while down.

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
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
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
    /// Failures in time: each replica up for `Exp(mttf_ms)`, down (crashed)
    /// for `Exp(mttr_ms)`; replaces the random ticks of `crash_restart`.
    pub failures: Option<(f64, f64)>,
    /// Hinted handoff: hints kept this long, replayed this often.
    pub hints: Option<(Duration, Duration)>,
    /// Anti-entropy: every replica brought up to date this often.
    pub anti_entropy: Option<Duration>,
    /// Every write to a new key; reads of a key written before.
    pub fresh_keys: bool,
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
    /// Each stale read's age: ms from the commit of the newest write it
    /// missed to the read's start, increasing.
    pub stale_read_ages_ms: Vec<f64>,
    /// Hints delivered and dropped (window passed).
    pub hints_delivered: u64,
    pub hints_dropped: u64,
    /// Anti-entropy rounds completed, and the versions they pushed.
    pub anti_entropy_rounds: u64,
    pub anti_entropy_pushes: u64,
    /// With failures in time: the model's time after commit by which
    /// 99.99% of reads see a write (durable replicas, the run's MTTF, MTTR,
    /// hints and delays; a hint replayed a uniform part of the replay
    /// period and one write leg after the return), ms; `None` when the
    /// model says never.
    pub model_t_visibility_p9999_ms: Option<f64>,
    /// Stale reads older than that bound widened by the injection timer's
    /// largest lateness (`None` without failures in time, or when the
    /// model says never: nothing bounds them).
    pub stale_reads_beyond_model: Option<usize>,
    /// How late the machine delivered a delay, ms: the injection timer's
    /// largest lateness plus the slowest fsync of a durable write.
    pub timer_lateness_max_ms: f64,
}

impl ChaosReport {
    /// Stale reads older than `bound_ms`.
    pub fn stale_reads_later_than(&self, bound_ms: f64) -> usize {
        self.stale_read_ages_ms
            .iter()
            .filter(|a| **a > bound_ms)
            .count()
    }
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
    // One directory per run: two runs in one process (tests) with the same
    // seed must not share, or delete, each other's logs.
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "quorum-bench-chaos-{}-{}-{}",
        std::process::id(),
        cfg.seed,
        RUNS.fetch_add(1, Ordering::Relaxed)
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
                    drawn: None,
                    seed: cfg.seed.wrapping_add(31 * i as u64),
                    durable: cfg.durable.then(|| dir.join(format!("replica-{i}.log"))),
                    keeps_data: false,
                },
                sched.clone(),
            )
        })
        .collect::<Result<_, _>>()
        .map_err(|e| format!("starting replicas: {e}"))?;
    let addrs: Vec<_> = replicas.iter().map(|x| x.addr()).collect();
    let mut coord =
        Coordinator::connect(&addrs, deadline).map_err(|e| format!("connecting: {e}"))?;
    if let Some((window, every)) = cfg.hints {
        coord.enable_hints(window, every);
    }
    if let Some(interval) = cfg.anti_entropy {
        coord.enable_anti_entropy(interval, cfg.seed ^ 0x00AE);
    }
    let written = AtomicU64::new(0);
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
        // Faults in time, while the workload runs.
        if let Some(f) = cfg.failures {
            let (done, down, counts, replicas) = (&done, &down, &counts, &replicas);
            s.spawn(move || {
                let seed = cfg.seed ^ 0x0071_49E5;
                crash_in_time(replicas, f, budget, seed, done, down, counts);
            });
        }
        // Faults, while the workload runs.
        s.spawn(|| {
            if cfg.failures.is_some() {
                return;
            }
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
                let written = &written;
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
                        // The key first, then the kind (the order the
                        // seeds were chosen with).
                        let any_key = rng.random_range(0..cfg.keys);
                        let write = rng.random_bool(0.5);
                        let key = if !cfg.fresh_keys {
                            any_key
                        } else if write {
                            written.fetch_add(1, Ordering::Relaxed)
                        } else {
                            let k = written.load(Ordering::Relaxed);
                            if k == 0 {
                                continue;
                            }
                            rng.random_range(0..k)
                        };
                        if write {
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
    let bound = cfg.failures.map(|f| model_bound(cfg, f));
    // How late the machine delivered: the timer's largest lateness plus
    // the slowest fsync (a durable write lands that much after its leg).
    let disk_ms = replicas
        .iter()
        .map(Replica::slowest_log_ms)
        .fold(0.0, f64::max);
    let lateness_ms = f64::from(sched.lateness().summary().3) / 1000.0 + disk_ms;
    let (crashes, restarts, partitions) = *counts.lock().expect("counts");
    let (hints_delivered, hints_dropped) = coord.hint_counts();
    let (anti_entropy_rounds, anti_entropy_pushes) = coord.anti_entropy_counts();
    // Each stale read's age: since the commit of the newest write it missed.
    let ends: HashMap<(u64, u64), std::time::Instant> = ops
        .iter()
        .filter(|o| o.is_write && o.acked)
        .map(|o| ((o.key, o.version), o.end))
        .collect();
    let violations = check_regular(&ops);
    let mut stale_read_ages_ms: Vec<f64> = violations
        .iter()
        .filter(|v| !v.from_the_future)
        .filter_map(|v| {
            ends.get(&(v.read.key, v.expected_at_least))
                .map(|end| v.read.start.saturating_duration_since(*end).as_secs_f64() * 1000.0)
        })
        .collect();
    stale_read_ages_ms.sort_by(f64::total_cmp);
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
        stale_reads: violations.len(),
        failed_ops: failed.load(Ordering::Relaxed),
        crashes,
        restarts,
        partitions,
        issued_ops: issued.load(Ordering::Relaxed),
        stopped_early: stopped.load(Ordering::Relaxed),
        stale_reads_beyond_model: bound.flatten().map(|b| {
            stale_read_ages_ms
                .iter()
                .filter(|a| **a > b + lateness_ms)
                .count()
        }),
        timer_lateness_max_ms: lateness_ms,
        model_t_visibility_p9999_ms: bound.flatten(),
        stale_read_ages_ms,
        hints_delivered,
        hints_dropped,
        anti_entropy_rounds,
        anti_entropy_pushes,
    })
}

/// Crashes and restarts `replicas` until `done`: each up for `Exp(mttf)`
/// ms, then down for `Exp(mttr)` ms (a crash that would leave more than
/// `budget` down waits for another up time). `down` and `counts`
/// (crashes, restarts, ·) are kept up to date.
pub(crate) fn crash_in_time(
    replicas: &[Replica],
    (mttf, mttr): (f64, f64),
    budget: usize,
    seed: u64,
    done: &AtomicBool,
    down: &Mutex<Vec<bool>>,
    counts: &Mutex<(usize, usize, usize)>,
) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut exp =
        |mean: f64| Duration::from_secs_f64(-mean * (1.0 - rng.random::<f64>()).ln() / 1000.0);
    let start = std::time::Instant::now();
    let mut next: Vec<std::time::Instant> = replicas.iter().map(|_| start + exp(mttf)).collect();
    while !done.load(Ordering::Relaxed) {
        let Some((i, at)) = crate::inject::earliest_due(&next) else {
            continue;
        };
        let mut d = down.lock().expect("down");
        let mut c = counts.lock().expect("counts");
        if d[i] {
            if replicas[i].restart().is_ok() {
                d[i] = false;
                c.1 += 1;
            }
            next[i] = at + exp(mttf);
        } else if d.iter().filter(|x| **x).count() < budget {
            replicas[i].crash();
            d[i] = true;
            c.0 += 1;
            next[i] = at + exp(mttr);
        } else {
            next[i] = at + exp(mttf);
        }
    }
}

/// The legs as the model's WARS.
pub(crate) fn wars_of(legs: &Legs) -> quorum_model::dist::presets::Wars {
    quorum_model::dist::presets::Wars {
        w: legs.w.clone(),
        a: legs.a.clone(),
        r: legs.r.clone(),
        s: legs.s.clone(),
        ..quorum_model::dist::presets::Wars::uniform(legs.w.clone())
    }
}

/// The model's mechanisms for the store's. The replayer resends every
/// period from its own start, so a returning replica waits a uniform part
/// of a period for the next resend (ten equal steps here), then one write
/// leg.
pub(crate) fn healing_of(
    hints: Option<(Duration, Duration)>,
    anti_entropy: Option<Duration>,
    write_leg: &quorum_model::dist::Dist,
) -> quorum_model::heal::Healing {
    use quorum_model::dist::{Dist, Sum};
    use quorum_model::heal::Healing;
    let mut healing = match hints {
        Some((window, every)) => Healing {
            hint_window_ms: Some(window.as_secs_f64() * 1000.0),
            hint_replay: Sum::of(vec![
                {
                    let p = every.as_secs_f64() * 1000.0;
                    let steps: Vec<String> = (0..10)
                        .map(|k| format!("0.1: const({})", p * (k as f64 + 0.5) / 10.0))
                        .collect();
                    format!("mix({})", steps.join(", "))
                        .parse::<Dist>()
                        .expect("a mixture spec")
                },
                write_leg.clone(),
            ]),
            ..Healing::default()
        },
        None => Healing::default(),
    };
    healing.anti_entropy_interval_ms = anti_entropy.map(|i| i.as_secs_f64() * 1000.0);
    healing
}

/// The model's failures in time for the store's, in ms.
pub(crate) fn repair_of((mttf_ms, mttr_ms): (f64, f64)) -> quorum_model::failure::Repair {
    const HOUR_MS: f64 = 3_600_000.0;
    quorum_model::failure::Repair {
        mttf_hours: mttf_ms / HOUR_MS,
        mttr_hours: mttr_ms / HOUR_MS,
        crews: None,
    }
}

/// The model's 99.99% t-visibility under the run's failures in time.
fn model_bound(cfg: &ChaosConfig, failures: (f64, f64)) -> Option<f64> {
    use quorum_model::mc::timeline::{simulate, TimelineSetup};
    let Config { n, r, w } = cfg.config;
    let healing = healing_of(cfg.hints, cfg.anti_entropy, &cfg.legs.w);
    let setup = TimelineSetup::new(
        &wars_of(&cfg.legs),
        repair_of(failures),
        healing,
        (n, r, w),
        false,
    );
    simulate(&setup, 400_000, cfg.seed, None)
        .t_visibility(0.9999)
        .ms()
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
            failures: None,
            hints: None,
            anti_entropy: None,
            fresh_keys: false,
        }
    }

    /// The chaos runs take turns: each measures real time, and two at once
    /// on two cores would only measure each other.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn hints_bound_stale_reads_and_cannot_undo_amnesia() {
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let d: quorum_model::dist::Dist = "exp(mean=0.5)".parse().unwrap();
        let mut c = cfg(true);
        c.config = Config::new(3, 1, 1).unwrap();
        c.legs = Legs {
            w: d.clone(),
            a: d.clone(),
            r: d.clone(),
            s: d,
        };
        c.crash_restart = false;
        c.partitions = false;
        c.ops = 5000;
        c.clients = 4;
        c.failures = Some((300.0, 30.0));
        c.hints = Some((Duration::from_secs(1), Duration::from_millis(10)));
        // Durable replicas with hints: every stale read is younger than the
        // model's 99.99% bound (a replica that missed a write is back and
        // replayed within it).
        let rep = chaos(&c).unwrap();
        println!(
            "durable, hints: {} crashes, {} stale reads, oldest {:?} ms, bound {:?} ms, lateness {} ms",
            rep.crashes,
            rep.stale_reads,
            rep.stale_read_ages_ms.last(),
            rep.model_t_visibility_p9999_ms,
            rep.timer_lateness_max_ms
        );
        assert!(rep.crashes > 0 && rep.hints_delivered > 0, "{rep:?}");
        let bound = rep.model_t_visibility_p9999_ms.expect("finite with hints");
        assert!(bound > 30.0, "{bound}");
        assert_eq!(
            rep.stale_reads_beyond_model,
            Some(0),
            "{:?}",
            rep.stale_read_ages_ms
        );
        assert_eq!(rep.lost_writes, 0);
        // Without hints the model says never: nothing bounds them.
        c.hints = None;
        let rep = chaos(&c).unwrap();
        assert_eq!(rep.model_t_visibility_p9999_ms, None);
        assert_eq!(rep.stale_reads_beyond_model, None);
        // Replicas that forget on restart, keys never rewritten: hints
        // replay only what a replica missed while down, so what it forgot
        // stays stale far beyond the bound (amnesia).
        // Anti-entropy instead: every stale read younger than its bound too.
        c.anti_entropy = Some(Duration::from_millis(50));
        let rep = chaos(&c).unwrap();
        println!(
            "durable, anti-entropy: {} rounds, {} pushes, {} stale reads, oldest {:?} ms, bound {:?} ms",
            rep.anti_entropy_rounds,
            rep.anti_entropy_pushes,
            rep.stale_reads,
            rep.stale_read_ages_ms.last(),
            rep.model_t_visibility_p9999_ms
        );
        assert!(rep.anti_entropy_rounds > 0, "{rep:?}");
        assert_eq!(
            rep.stale_reads_beyond_model,
            Some(0),
            "{:?}",
            rep.stale_read_ages_ms
        );
        c.anti_entropy = None;
        c.hints = Some((Duration::from_secs(1), Duration::from_millis(10)));
        c.durable = false;
        c.fresh_keys = true;
        let rep = chaos(&c).unwrap();
        println!(
            "not durable, fresh keys: {} stale reads, {:?} beyond the bound",
            rep.stale_reads, rep.stale_reads_beyond_model
        );
        assert!(rep.stale_reads_beyond_model.unwrap() > 0, "{rep:?}");
    }

    #[test]
    fn durable_strict_quorums_lose_nothing_and_stay_fresh() {
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let rep = chaos(&cfg(true)).unwrap();
        assert!(rep.crashes > 0 && rep.acknowledged_writes > 1000, "{rep:?}");
        assert_eq!(rep.lost_writes, 0, "{rep:?}");
        assert_eq!(rep.stale_reads, 0, "{rep:?}");
    }
}
