//! Measured against predicted: run the real store under injected delays
//! drawn from a scenario, and compare with what `quorum-model` predicts for
//! the same scenario.
//!
//! Each of K writes goes to a fresh key; once it commits, reads of that key
//! are issued at a grid of delays t after the commit. The fraction of reads
//! at t that return the write is the measured P(consistent at t); the
//! model's Monte Carlo curve is the prediction. Latencies are compared with
//! the model's exact percentiles plus the overhead of the real path
//! (loopback, thread wake-ups), measured by running the same workload with
//! no injected delay first (calibration) and reported on its own; the
//! uncalibrated numbers are kept as `model_only`.
//!
//! A busy machine delivers the injected delays late. The run judges itself
//! ([`crate::limits::judge`]: the timer's lateness against the injected
//! round trips, the real path's own cost, the budget) and says so in
//! `trustworthy` and `trust_reasons`; and it predicts once more from the
//! delays actually delivered, each leg plus the timer's measured lateness
//! (`compensated`, `max_curve_deviation_compensated`), so a user sees how
//! much of a disagreement the machine explains.

use crate::check::{check_regular, History};
use crate::inject::Scheduler;
use crate::limits::{check_legs, judge, Budget};
use crate::store::{Coordinator, Legs, Replica, ReplicaConfig};
use quorum_model::dist::presets::{Topology, Wars};
use quorum_model::dist::{Delay, Dist, Empirical, Sum};
use quorum_model::eval::{evaluate, Config, EvalOptions};
use quorum_model::mc::{self, Setup};
use quorum_model::scenario::Scenario;
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What to validate.
#[derive(Debug, Clone)]
pub struct ValidateConfig {
    pub scenario: Scenario,
    pub config: Config,
    pub writes: usize,
    pub seed: u64,
    /// Writes in flight at once.
    pub concurrency: usize,
    /// Points of the t grid (at least 2).
    pub grid_points: usize,
    /// Trials of the model's prediction.
    pub trials: u64,
    /// The whole run's time budget: refused up front if the estimate
    /// exceeds it, stopped when it is spent.
    pub budget: Duration,
}

/// One side of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Side {
    pub p_consistent_t0: f64,
    pub write_latency_p50_ms: f64,
    pub write_latency_p99_ms: f64,
    pub read_latency_p50_ms: f64,
    pub read_latency_p99_ms: f64,
}

/// One point of both curves.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CurvePoint {
    /// Nominal delay after commit.
    pub t_ms: f64,
    /// Mean delay after commit at which the reads were really issued; the
    /// prediction is the model averaged over the reads' real delays.
    pub issued_ms: f64,
    pub measured: f64,
    pub predicted: f64,
    pub reads: usize,
}

/// How late the injection timer ran, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LatenessSummary {
    pub actions: usize,
    pub mean_us: f64,
    pub p99_us: u32,
    pub max_us: u32,
}

/// The outcome, as `validate --format json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidateReport {
    pub scenario: String,
    pub n: usize,
    pub r: usize,
    pub w: usize,
    pub writes: usize,
    pub reads: usize,
    pub measured: Side,
    /// The model calibrated to the real path: eval's latency percentiles
    /// plus the median overhead measured on the same workload with no
    /// injected delay; P(consistent) averaged over the reads' real delays.
    pub predicted: Side,
    /// eval's own numbers for the scenario, uncalibrated.
    pub model_only: Side,
    pub max_curve_deviation: f64,
    /// Regular-register violations in the whole history (for strict quorums,
    /// any is a bug).
    pub stale_reads_strict: usize,
    pub scheduler_lateness: LatenessSummary,
    /// Median quorum-write and quorum-read time of the same workload with no
    /// injected delay: the overhead the real path adds to every operation.
    pub overhead_write_ms: f64,
    pub overhead_read_ms: f64,
    /// Whether the machine delivered the delays (see [`crate::limits`]).
    pub trustworthy: bool,
    pub trust_reasons: Vec<String>,
    /// The prediction from the delays actually delivered: every leg plus
    /// the timer's measured lateness.
    pub compensated: Side,
    pub max_curve_deviation_compensated: f64,
    /// Operations that missed their deadline (no quorum in time).
    pub timed_out: usize,
    pub curve: Vec<CurvePoint>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let k = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[k - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn cluster(
    n: usize,
    legs: &Legs,
    seed: u64,
    sched: &Arc<Scheduler>,
    deadline: Duration,
) -> Result<(Vec<Replica>, Coordinator), String> {
    let replicas: Vec<Replica> = (0..n)
        .map(|i| {
            Replica::spawn(
                ReplicaConfig {
                    legs: legs.clone(),
                    seed: seed.wrapping_add(i as u64 * 7919),
                    durable: None,
                },
                sched.clone(),
            )
        })
        .collect::<Result<_, _>>()
        .map_err(|e| format!("starting replicas: {e}"))?;
    let addrs: Vec<_> = replicas.iter().map(|r| r.addr()).collect();
    let coord = Coordinator::connect(&addrs, deadline).map_err(|e| format!("connecting: {e}"))?;
    Ok((replicas, coord))
}

/// What one run of the workload recorded.
struct Measurement {
    /// Sorted write and read durations, ms.
    write_ms: Vec<f64>,
    read_ms: Vec<f64>,
    /// Per grid point: reads that saw the write, and all reads.
    hits: Vec<(usize, usize)>,
    /// Per grid point: each read's real delay after commit, ms.
    offsets: Vec<Vec<f64>>,
    history: History,
    lateness: (usize, f64, u32, u32),
    lateness_ms: Vec<f64>,
    timed_out: usize,
    /// Writes done when the budget ran out, if it did.
    stopped_early: Option<usize>,
}

/// Writes `writes` fresh keys, `concurrency` at a time, and reads each back
/// at every delay of `grid` after its commit.
fn measure(
    cfg: &ValidateConfig,
    legs: &Legs,
    writes: usize,
    grid: &[f64],
    deadline: Duration,
    budget: &Budget,
) -> Result<Measurement, String> {
    let Config { n, r, w } = cfg.config;
    let sched = Arc::new(Scheduler::new());
    let (_replicas, coord) = cluster(n, legs, cfg.seed, &sched, deadline)?;
    let history = History::new();
    let hits: Vec<(AtomicUsize, AtomicUsize)> = grid
        .iter()
        .map(|_| (AtomicUsize::new(0), AtomicUsize::new(0)))
        .collect();
    let offsets: Vec<Mutex<Vec<f64>>> = grid.iter().map(|_| Mutex::new(Vec::new())).collect();
    let write_ms = Mutex::new(Vec::with_capacity(writes));
    let read_ms = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    let timed_out = AtomicUsize::new(0);
    let stopped = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..cfg.concurrency.max(1) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= writes {
                    return;
                }
                if budget.spent() {
                    stopped.lock().expect("stopped").get_or_insert(i);
                    return;
                }
                let key = i as u64 + 1;
                let Ok(wr) = coord.write(key, b"v", w) else {
                    timed_out.fetch_add(1, Ordering::Relaxed);
                    continue;
                };
                history.write(key, &wr);
                write_ms
                    .lock()
                    .expect("write times")
                    .push(ms(wr.end - wr.start));
                std::thread::scope(|reads| {
                    for (g, &t) in grid.iter().enumerate() {
                        let (coord, history, hits, read_ms, offsets, timed_out) =
                            (&coord, &history, &hits, &read_ms, &offsets, &timed_out);
                        reads.spawn(move || {
                            let at = wr.end + Duration::from_secs_f64(t / 1000.0);
                            if let Some(wait) = at.checked_duration_since(Instant::now()) {
                                std::thread::sleep(wait);
                            }
                            let Ok(rd) = coord.read(key, r) else {
                                timed_out.fetch_add(1, Ordering::Relaxed);
                                return;
                            };
                            {
                                history.read(key, &rd);
                                offsets[g]
                                    .lock()
                                    .expect("offsets")
                                    .push(ms(rd.start.saturating_duration_since(wr.end)));
                                read_ms
                                    .lock()
                                    .expect("read times")
                                    .push(ms(rd.end - rd.start));
                                hits[g].1.fetch_add(1, Ordering::Relaxed);
                                if rd.version >= wr.version {
                                    hits[g].0.fetch_add(1, Ordering::Relaxed);
                                }
                            }
                        });
                    }
                });
            });
        }
    });
    let mut write_ms = write_ms.into_inner().expect("write times");
    let mut read_ms = read_ms.into_inner().expect("read times");
    write_ms.sort_by(f64::total_cmp);
    read_ms.sort_by(f64::total_cmp);
    Ok(Measurement {
        write_ms,
        read_ms,
        hits: hits
            .iter()
            .map(|(a, b)| (a.load(Ordering::Relaxed), b.load(Ordering::Relaxed)))
            .collect(),
        offsets: offsets
            .into_iter()
            .map(|o| o.into_inner().expect("offsets"))
            .collect(),
        history,
        lateness: sched.lateness().summary(),
        lateness_ms: sched.lateness().samples_ms(),
        timed_out: timed_out.load(Ordering::Relaxed),
        stopped_early: stopped.into_inner().expect("stopped"),
    })
}

/// `wars` with every leg delayed further by `extra` (independently).
fn plus_each_leg(wars: &Wars, extra: &Dist) -> Wars {
    let add = |d: &Dist| Sum::of(vec![d.clone(), extra.clone()]);
    Wars {
        w: add(&wars.w),
        a: add(&wars.a),
        r: add(&wars.r),
        s: add(&wars.s),
        ..wars.clone()
    }
}

/// Runs the comparison.
pub fn validate(cfg: &ValidateConfig) -> Result<ValidateReport, String> {
    let s = &cfg.scenario;
    if let Topology::Wan { .. } = s.wars.topology {
        return Err("--preset/--scenario: the WAN topology (a random local replica per operation) is not supported by validate".into());
    }
    let Config { n, r, w } = cfg.config;
    // The prediction.
    let exact = evaluate(s, cfg.config, EvalOptions::default()).map_err(|e| e.to_string())?;
    let get = |v: &Result<f64, _>| v.clone().unwrap_or(f64::NAN);
    let setup = Setup::new(&s.wars, &s.failure, n).with_pairs(vec![(r, w)]);
    let model = mc::run(&setup, cfg.trials, cfg.seed, None);
    let t999 = model.t_visibility(r, w, 0.999).estimate().unwrap_or(0.0);
    let t_max = if t999 > 0.0 { 1.2 * t999 } else { 1.0 };
    let grid: Vec<f64> = (0..cfg.grid_points)
        .map(|i| t_max * i as f64 / (cfg.grid_points - 1) as f64)
        .collect();
    let legs = Legs {
        w: s.wars.w.clone(),
        a: s.wars.a.clone(),
        r: s.wars.r.clone(),
        s: s.wars.s.clone(),
    };
    check_legs(&legs)?;
    // An operation gives up after five times its slowest round trip's
    // 1 - 1e-6 quantile (at least a second).
    let slowest = s
        .wars
        .write_round_trip()
        .isf(1e-6)
        .max(s.wars.read_round_trip().isf(1e-6));
    let deadline = Duration::from_secs_f64((5.0 * slowest / 1000.0).max(1.0));
    // Each write's cycle: the write, then reads spread over the grid, the
    // last t_max later; `concurrency` cycles run at once. The calibration
    // repeats up to 500 cycles with no injected delay.
    let mean = |v: &Result<f64, _>| v.clone().unwrap_or(0.0);
    let cycle_ms = mean(&exact.write.mean_ms) + t_max + mean(&exact.read.mean_ms) + 0.2;
    let conc = cfg.concurrency.max(1) as f64;
    let estimate = Duration::from_secs_f64(
        (cfg.writes as f64 * cycle_ms + cfg.writes.min(500) as f64 * (t_max + 0.2)) / conc / 1000.0,
    );
    let budget = Budget::new(cfg.budget);
    budget.admit(
        estimate,
        &format!(
            "{} writes, each read back over {t_max:.1} ms, {} at once",
            cfg.writes, cfg.concurrency
        ),
    )?;

    // Calibration: the same workload with no injected delay measures what
    // the real path itself adds to an operation under this load.
    let calib = measure(
        cfg,
        &Legs::none(),
        cfg.writes.min(500),
        &grid,
        deadline,
        &budget,
    )?;
    let overhead_write_ms = percentile(&calib.write_ms, 0.5);
    let overhead_read_ms = percentile(&calib.read_ms, 0.5);

    // The measurement.
    let m = measure(cfg, &legs, cfg.writes, &grid, deadline, &budget)?;
    if m.write_ms.is_empty() {
        return Err(format!(
            "no write reached its quorum within its {:.1} s deadline",
            deadline.as_secs_f64()
        ));
    }
    // The prediction from the delays delivered: each leg plus the timer's
    // own lateness, as an empirical law.
    let late = Dist::Empirical(
        Empirical::from_samples(if m.lateness_ms.is_empty() {
            vec![0.0]
        } else {
            m.lateness_ms.clone()
        })
        .map_err(|e| e.to_string())?,
    );
    let mut delivered = s.clone();
    delivered.wars = plus_each_leg(&s.wars, &late);
    let exact_delivered =
        evaluate(&delivered, cfg.config, EvalOptions::default()).map_err(|e| e.to_string())?;
    let model_delivered = mc::run(
        &Setup::new(&delivered.wars, &delivered.failure, n).with_pairs(vec![(r, w)]),
        cfg.trials,
        cfg.seed,
        None,
    );
    let curve: Vec<CurvePoint> = grid
        .iter()
        .zip(&m.hits)
        .zip(&m.offsets)
        .map(|((&t, &(ok, all)), offs)| {
            let mean_over = |f: &dyn Fn(f64) -> f64| {
                if offs.is_empty() {
                    f(t)
                } else {
                    offs.iter().map(|&o| f(o)).sum::<f64>() / offs.len() as f64
                }
            };
            CurvePoint {
                t_ms: t,
                issued_ms: mean_over(&|o| o),
                measured: if all > 0 {
                    ok as f64 / all as f64
                } else {
                    f64::NAN
                },
                // The model averaged over the delays the reads really had.
                predicted: mean_over(&|o| model.p_consistent_at(r, w, o).estimate),
                reads: all,
            }
        })
        .collect();
    let compensated_curve: Vec<f64> = grid
        .iter()
        .zip(&m.offsets)
        .map(|(&t, offs)| {
            if offs.is_empty() {
                model_delivered.p_consistent_at(r, w, t).estimate
            } else {
                offs.iter()
                    .map(|&o| model_delivered.p_consistent_at(r, w, o).estimate)
                    .sum::<f64>()
                    / offs.len() as f64
            }
        })
        .collect();
    let max_curve_deviation_compensated = curve
        .iter()
        .zip(&compensated_curve)
        .map(|(p, c)| (p.measured - c).abs())
        .fold(0.0, f64::max);
    let (write_ms, read_ms) = (&m.write_ms, &m.read_ms);
    let max_curve_deviation = curve
        .iter()
        .map(|p| (p.measured - p.predicted).abs())
        .fold(0.0, f64::max);
    let (actions, mean_us, p99_us, max_us) = m.lateness;
    let scale_ms = s
        .wars
        .write_round_trip()
        .quantile(0.5)
        .min(s.wars.read_round_trip().quantile(0.5));
    let trust = judge(
        scale_ms,
        mean_us,
        p99_us as f64,
        overhead_write_ms.max(overhead_read_ms),
        m.stopped_early.or(calib.stopped_early),
    );
    Ok(ValidateReport {
        scenario: s.name.clone(),
        n,
        r,
        w,
        writes: write_ms.len(),
        reads: read_ms.len(),
        measured: Side {
            p_consistent_t0: curve[0].measured,
            write_latency_p50_ms: percentile(write_ms, 0.5),
            write_latency_p99_ms: percentile(write_ms, 0.99),
            read_latency_p50_ms: percentile(read_ms, 0.5),
            read_latency_p99_ms: percentile(read_ms, 0.99),
        },
        // eval's exact percentiles plus the calibrated overhead.
        predicted: Side {
            p_consistent_t0: curve[0].predicted,
            write_latency_p50_ms: get(&exact.write.p50_ms) + overhead_write_ms,
            write_latency_p99_ms: get(&exact.write.p99_ms) + overhead_write_ms,
            read_latency_p50_ms: get(&exact.read.p50_ms) + overhead_read_ms,
            read_latency_p99_ms: get(&exact.read.p99_ms) + overhead_read_ms,
        },
        model_only: Side {
            p_consistent_t0: model.p_consistent_at(r, w, 0.0).estimate,
            write_latency_p50_ms: get(&exact.write.p50_ms),
            write_latency_p99_ms: get(&exact.write.p99_ms),
            read_latency_p50_ms: get(&exact.read.p50_ms),
            read_latency_p99_ms: get(&exact.read.p99_ms),
        },
        max_curve_deviation,
        stale_reads_strict: check_regular(&m.history.ops()).len(),
        scheduler_lateness: LatenessSummary {
            actions,
            mean_us,
            p99_us,
            max_us,
        },
        overhead_write_ms,
        overhead_read_ms,
        trustworthy: trust.trustworthy,
        trust_reasons: trust.reasons,
        compensated: Side {
            p_consistent_t0: compensated_curve[0],
            write_latency_p50_ms: get(&exact_delivered.write.p50_ms) + overhead_write_ms,
            write_latency_p99_ms: get(&exact_delivered.write.p99_ms) + overhead_write_ms,
            read_latency_p50_ms: get(&exact_delivered.read.p50_ms) + overhead_read_ms,
            read_latency_p99_ms: get(&exact_delivered.read.p99_ms) + overhead_read_ms,
        },
        max_curve_deviation_compensated,
        timed_out: m.timed_out,
        curve,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(delay: &str, n: usize, r: usize, w: usize, writes: usize) -> ValidateConfig {
        let mut scenario = Scenario::default_exponential();
        scenario.wars = quorum_model::dist::presets::Wars::uniform(delay.parse().unwrap());
        ValidateConfig {
            scenario,
            config: Config::new(n, r, w).unwrap(),
            writes,
            seed: 3,
            concurrency: 8,
            grid_points: 5,
            trials: 20_000,
            budget: Duration::from_secs(600),
        }
    }

    #[test]
    fn strict_quorums_measure_no_violation_and_full_consistency() {
        let rep = validate(&cfg("exp(mean=0.3)", 3, 2, 2, 200)).unwrap();
        assert_eq!(rep.stale_reads_strict, 0);
        assert_eq!(rep.writes, 200);
        assert_eq!(rep.reads, 200 * 5);
        assert!(rep
            .curve
            .iter()
            .all(|p| p.measured == 1.0 && p.predicted == 1.0));
        assert!(rep.overhead_write_ms > 0.0 && rep.scheduler_lateness.actions > 0);
    }

    #[test]
    fn partial_quorums_are_measured_and_predicted_on_one_grid() {
        let rep = validate(&cfg("exp(mean=0.5)", 3, 1, 1, 300)).unwrap();
        assert_eq!(rep.curve.len(), 5);
        assert_eq!(rep.curve[0].t_ms, 0.0);
        // Both curves rise with t; the model's is monotone by construction.
        assert!(rep
            .curve
            .windows(2)
            .all(|p| p[1].predicted >= p[0].predicted));
        assert!(rep.measured.p_consistent_t0 < 1.0);
        assert!(rep.max_curve_deviation.is_finite());
    }

    #[test]
    fn a_busy_machine_is_either_delivered_or_flagged() {
        // Spinning threads beside the run, two per core: the timer may
        // cope, or run late. Either the run agrees with the model, or it
        // says it cannot be believed; it never claims to be trustworthy
        // while disagreeing.
        let stop = std::sync::atomic::AtomicBool::new(false);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let rep = std::thread::scope(|s| {
            for _ in 0..2 * cores {
                s.spawn(|| {
                    while !stop.load(Ordering::Relaxed) {
                        std::hint::spin_loop();
                    }
                });
            }
            let rep = validate(&cfg("exp(mean=0.5)", 3, 1, 1, 300));
            stop.store(true, Ordering::Relaxed);
            rep
        })
        .unwrap();
        println!(
            "busy run: trustworthy {}, deviation {:.4} (compensated {:.4}), reasons {:?}",
            rep.trustworthy,
            rep.max_curve_deviation,
            rep.max_curve_deviation_compensated,
            rep.trust_reasons
        );
        if rep.trustworthy {
            assert!(rep.max_curve_deviation < 0.15, "{rep:?}");
        } else {
            assert!(!rep.trust_reasons.is_empty());
        }
    }

    #[test]
    fn wan_is_refused() {
        let mut c = cfg("exp(mean=1)", 3, 1, 1, 10);
        c.scenario = Scenario::from_preset("wan").unwrap();
        assert!(validate(&c).unwrap_err().contains("WAN"));
    }
}
