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
use crate::store::{Coordinator, Drawn, Legs, Need, Placement, Replica, ReplicaConfig};
use quorum_model::dist::presets::{Topology, Wars};
use quorum_model::dist::{Delay, Dist, Empirical, Sum};
use quorum_model::eval::{
    evaluate, evaluate_levels, simulation, Config, EvalOptions, Exact, Levels,
};
use quorum_model::fit::hdr::Recorder;
use quorum_model::heal::ReadRepair;
use quorum_model::mc::cluster::{simulate_cluster, ClusterResult, ClusterSetup};
use quorum_model::mc::timeline::Timeline;
use quorum_model::mc::{self, McResult};
use quorum_model::named::Named;
use quorum_model::retry::SpeculativeRetry;
use quorum_model::scenario::Scenario;
use quorum_model::topology::{Cluster, Coordinator as Place, Level};
use quorum_model::Fanout;
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
    /// Datacenters and consistency levels instead of `config`'s `r`, `w`
    /// (whose `n` must then be the datacenters' total).
    pub topology: Option<(Cluster, Levels)>,
    /// Reads ask every replica, or only `r` drawn at random (quorum).
    pub read_fanout: Fanout,
    /// With quorum reads: when a read also asks one more replica.
    pub retry: SpeculativeRetry,
    /// Read repair (the store implements blocking repair). With it each
    /// write is read back once, at one point of the grid in turn, so that
    /// one read's repair cannot change what another read of the same key
    /// finds.
    pub read_repair: ReadRepair,
    /// Failures in time during the measurement: each replica up for
    /// `Exp(mttf)` ms, then crashed for `Exp(mttr)` ms and restarted with
    /// its data (the model's durable replicas); the curve is then the
    /// model's timeline ([`quorum_model::mc::timeline`]).
    pub failures: Option<(f64, f64)>,
    /// Hints on the write coordinator: kept this long, resent this often.
    pub hints: Option<(Duration, Duration)>,
    /// Anti-entropy on the write coordinator, this often.
    pub anti_entropy: Option<Duration>,
    /// Where to write the measurement's HdrHistogram interval logs (see
    /// [`write_hdr_logs`]); none: not written.
    pub hdr_dir: Option<std::path::PathBuf>,
}

/// The HdrHistogram interval logs of a measurement, values in whole µs:
/// `injected-{w,a,r,s}.hlog`, the delays the replicas drew for each leg
/// (pooled over the replicas; datacenter hops not included), and
/// `measured-{write,read}.hlog`, the operations' latencies as the
/// coordinators timed them. `quorum-model fit` reads them.
pub const HDR_LOGS: [&str; 6] = [
    "injected-w.hlog",
    "injected-a.hlog",
    "injected-r.hlog",
    "injected-s.hlog",
    "measured-write.hlog",
    "measured-read.hlog",
];

fn write_hdr_logs(
    dir: &std::path::Path,
    drawn: &Drawn,
    m: &Measurement,
    seconds: f64,
) -> Result<(), String> {
    let bad = |e: String| format!("--hdr-dir: {e}");
    std::fs::create_dir_all(dir).map_err(|e| bad(format!("{}: {e}", dir.display())))?;
    let timed = |xs: &[f64]| {
        let mut rec = Recorder::new();
        for &x in xs {
            rec.record_ms(x);
        }
        rec
    };
    let lock = |r: &Mutex<Recorder>| r.lock().expect("recorder").clone();
    let logs: [(Recorder, &str, &str); 6] = [
        (lock(&drawn.w), "w", "write delivery delays injected (W)"),
        (lock(&drawn.a), "a", "write ack delays injected (A)"),
        (lock(&drawn.r), "r", "read request delays injected (R)"),
        (lock(&drawn.s), "s", "read response delays injected (S)"),
        (timed(&m.write_ms), "write", "write latencies measured"),
        (timed(&m.read_ms), "read", "read latencies measured"),
    ];
    for ((rec, tag, what), name) in logs.iter().zip(HDR_LOGS) {
        let text = rec
            .to_log(tag, &format!("quorum-bench validate: {what}"), seconds)
            .map_err(|e| bad(e.to_string()))?;
        quorum_model::output::write_atomic(&dir.join(name), text.as_bytes())
            .map_err(|e| bad(format!("{name}: {e}")))?;
    }
    Ok(())
}

/// One operation's side of a [`Layout`]: what its coordinator waits for,
/// and (with datacenters) the places it runs in and `extra[c][i]`, the
/// extra one-way delay between place `c` and replica `i`.
type OpSide = (Need, Option<(Vec<usize>, Vec<Vec<Option<Dist>>>)>);

/// What a run injects and waits for: each replica's legs, and for writes
/// and for reads what the coordinator waits for and where it runs.
#[derive(Clone)]
struct Layout {
    legs: Vec<Legs>,
    write: OpSide,
    read: OpSide,
}

impl Layout {
    /// `n` replicas with the same legs, quorums `r` and `w`.
    fn plain(n: usize, legs: &Legs, r: usize, w: usize) -> Self {
        Layout {
            legs: vec![legs.clone(); n],
            write: (Need::Count(w), None),
            read: (Need::Count(r), None),
        }
    }

    /// The replicas of `cluster`: each one's legs, the coordinators'
    /// places, the extra delays between datacenters, the levels' rules.
    fn cluster(cluster: &Cluster, base: &Wars, levels: Levels) -> Result<Self, String> {
        let dc_of = cluster.dc_of();
        let counts = cluster.counts();
        let dcs = cluster.dcs.len();
        // A coordinator that is a replica makes that replica's legs depend
        // on where the coordinator runs: one place only.
        let fixed = |c: Place| match c {
            Place::In(d) => Some(d),
            Place::Random => None,
        };
        let home = fixed(cluster.write_dc)
            .or(fixed(cluster.read_dc))
            .unwrap_or(0);
        if cluster.coordinator_replica && cluster.write_dc != cluster.read_dc {
            return Err("--coordinator-replica: the store runs it with reads and writes coordinated in one datacenter (the same --write-dc and --read-dc, not random)".into());
        }
        if cluster.coordinator_replica && fixed(cluster.write_dc).is_none() {
            return Err("--coordinator-replica: the store runs it with the coordinator in one datacenter, not random".into());
        }
        let legs = cluster
            .replicas()
            .into_iter()
            .map(|(dc, j)| {
                let [w, a, r, s] = cluster.legs(base, dc, j, home);
                Legs { w, a, r, s }
            })
            .collect();
        let side = |c: Place, level: Level, field: &str| -> Result<_, String> {
            let places: Vec<usize> = cluster.places(c).into_iter().map(|p| p.1).collect();
            let mut rules = vec![None; dcs];
            for &p in &places {
                rules[p] = Some(
                    level
                        .rule(&counts, Some(p))
                        .map_err(|e| format!("{field}: {e}"))?,
                );
            }
            let extra = (0..dcs)
                .map(|c| {
                    dc_of
                        .iter()
                        .map(|&d| cluster.extra(c, d).cloned())
                        .collect()
                })
                .collect();
            Ok((
                Need::Rules {
                    rules,
                    dc_of: dc_of.clone(),
                },
                Some((places, extra)),
            ))
        };
        Ok(Layout {
            legs,
            write: side(cluster.write_dc, levels.write, "--write-cl")?,
            read: side(cluster.read_dc, levels.read, "--read-cl")?,
        })
    }

    /// Reads to `r` random replicas (quorum fan-out), with the retry's
    /// threshold if one can fire.
    fn reads(mut self, fanout: Fanout, retry: Option<quorum_model::eval::RetryFacts>) -> Self {
        if fanout != Fanout::All {
            let k = match self.read.0 {
                Need::Count(k) => k,
                _ => unreachable!("plain reads wait for a count"),
            };
            self.read.0 = Need::Asked {
                k,
                retry_ms: retry.map(|r| r.threshold_ms),
            };
        }
        self
    }

    /// The same replicas and levels with nothing injected (calibration).
    fn without_delays(&self) -> Self {
        let none = |side: &OpSide| {
            (
                side.0.clone(),
                side.1.as_ref().map(|(places, extra)| {
                    (
                        places.clone(),
                        extra.iter().map(|row| vec![None; row.len()]).collect(),
                    )
                }),
            )
        };
        Layout {
            legs: vec![Legs::none(); self.legs.len()],
            write: none(&self.write),
            read: none(&self.read),
        }
    }
}

/// The model's simulation of the run.
enum Model {
    Plain(McResult, usize, usize),
    Cluster(ClusterResult),
    /// Failures in time, on a fine linear grid.
    Timeline(Timeline),
}

impl Model {
    fn p_consistent_at(&self, t: f64) -> f64 {
        match self {
            Model::Plain(m, r, w) => m.p_consistent_at(*r, *w, t).estimate,
            Model::Cluster(m) => m.p_consistent_at(t).estimate,
            Model::Timeline(m) => {
                // Linear between the grid's points.
                let g = m
                    .grid
                    .partition_point(|x| *x <= t)
                    .clamp(1, m.grid.len() - 1);
                let (t0, t1) = (m.grid[g - 1], m.grid[g]);
                let (p0, p1) = (m.p_consistent(g - 1).estimate, m.p_consistent(g).estimate);
                let f = ((t - t0) / (t1 - t0)).clamp(0.0, 1.0);
                p0 + f * (p1 - p0)
            }
        }
    }

    fn t_visibility(&self, p: f64) -> Option<f64> {
        match self {
            Model::Plain(m, r, w) => m.t_visibility(*r, *w, p).estimate(),
            Model::Cluster(m) => m.t_visibility(p).estimate(),
            Model::Timeline(m) => m.t_visibility(p).ms(),
        }
    }
}

/// Failures in time: the model's timeline of the run on a linear grid to
/// `1.5 t_max`, where `t_max` is 1.2 times its 99.9% visibility (10 MTTR
/// when never).
fn predict_in_time(cfg: &ValidateConfig, wars: &Wars, failures: (f64, f64)) -> Model {
    use quorum_model::mc::timeline::{simulate, TimelineSetup};
    let Config { n, r, w } = cfg.config;
    let healing = crate::chaos::healing_of(cfg.hints, cfg.anti_entropy, &wars.w);
    let mut setup = TimelineSetup::new(
        wars,
        crate::chaos::repair_of(failures),
        healing,
        (n, r, w),
        false,
    );
    let coarse = simulate(&setup, cfg.trials, cfg.seed, None);
    let t_max = 1.2 * coarse.t_visibility(0.999).ms().unwrap_or(10.0 * failures.1);
    setup.grid = (0..=300).map(|i| 1.5 * t_max * i as f64 / 300.0).collect();
    Model::Timeline(simulate(&setup, cfg.trials, cfg.seed, None))
}

/// The exact figures and the simulation of `scenario` (and `topology`).
fn predict(
    scenario: &Scenario,
    config: Config,
    topology: &Option<(Cluster, Levels)>,
    options: EvalOptions,
    trials: u64,
    seed: u64,
) -> Result<(Exact, Model), String> {
    let Config { n, r, w } = config;
    match topology {
        None => {
            let exact = evaluate(scenario, config, options)
                .map_err(|e| e.named(&quorum_model::cli::flag))?;
            let setup = simulation(scenario, n, vec![(r, w)], options);
            Ok((
                exact,
                Model::Plain(mc::run(&setup, trials, seed, None), r, w),
            ))
        }
        Some((cluster, levels)) => {
            let exact = evaluate_levels(scenario, cluster, *levels, EvalOptions::default())
                .map_err(|e| e.named(&quorum_model::cli::flag))?;
            let setup = ClusterSetup::new(
                cluster,
                &scenario.wars,
                &scenario.failure,
                levels.write,
                levels.read,
            )
            .map_err(|e| e.to_string())?;
            Ok((
                exact,
                Model::Cluster(simulate_cluster(&setup, trials, seed, None)),
            ))
        }
    }
}

/// `cluster` with `extra` added to every leg override and every delay
/// between datacenters, and to the coordinator replica's own legs: what a
/// run whose timer adds `extra` to each delayed message delivers.
fn cluster_plus(cluster: &Cluster, extra: &Dist) -> Cluster {
    let add = |d: &Dist| Sum::of(vec![d.clone(), extra.clone()]);
    let mut c = cluster.clone();
    for d in &mut c.delays {
        d.delay = add(&d.delay);
    }
    for (_, legs) in &mut c.dc_legs {
        for slot in [&mut legs.w, &mut legs.a, &mut legs.r, &mut legs.s] {
            *slot = slot.as_ref().map(add);
        }
    }
    for (_, _, legs) in &mut c.replica_legs {
        for slot in [&mut legs.w, &mut legs.a, &mut legs.r, &mut legs.s] {
            *slot = slot.as_ref().map(add);
        }
    }
    if c.coordinator_replica {
        if let Place::In(home) = c.write_dc {
            // Its const(0) legs (unless overridden) are delivered late too.
            let name = c.dcs[home].name.clone();
            let text = |leg: &str| format!("{name}[1].{leg}={extra}");
            let own = c
                .replica_legs
                .iter()
                .find(|(d, i, _)| (*d, *i) == (home, 0))
                .map(|l| l.2.clone())
                .unwrap_or_default();
            for (leg, set) in [
                ("w", own.w.is_some()),
                ("a", own.a.is_some()),
                ("r", own.r.is_some()),
                ("s", own.s.is_some()),
            ] {
                if !set {
                    let _ = c.add_legs(&text(leg));
                }
            }
        }
    }
    c
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
    /// `uniform`, or the cluster's one-line form (the `topology` column of
    /// `quorum-model eval`).
    pub topology: String,
    /// The levels (numbers for plain quorums).
    pub write_cl: String,
    pub read_cl: String,
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
    /// The reads' speculative retry (`none` without).
    pub speculative_retry: String,
    /// Extra requests per read: measured (retries sent / reads) and the
    /// model's exact rate.
    pub retries_per_read_measured: Option<f64>,
    pub retries_per_read_predicted: Option<f64>,
    /// Read repair (`none` without).
    pub read_repair: String,
    /// Share of reads that repaired a replica: measured, and the model's
    /// (from the delays delivered), over the same grid.
    pub read_repair_rate_measured: Option<f64>,
    pub read_repair_rate_predicted: Option<f64>,
    /// Read latency p99 with the repairs: measured, and the model's from
    /// the delays delivered plus the calibrated overhead.
    pub read_repair_read_p99_measured: Option<f64>,
    pub read_repair_read_p99_predicted: Option<f64>,
    /// Failures in time injected (`none`, or `mttf=..ms,mttr=..ms`) and
    /// the mechanisms on (`none`, `hints 1s`, `anti-entropy 50ms`, ...).
    pub failures: String,
    pub mechanisms: String,
    /// Replicas crashed during the measurement.
    pub crashes: usize,
    pub curve: Vec<CurvePoint>,
}

/// The order statistic at `ceil(p n)` of `sorted` (NaN when empty).
pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let k = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[k - 1]
}

/// A duration in milliseconds.
pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The replicas of `layout`, and a coordinator for writes and one for
/// reads (each with its own place and delays).
fn cluster(
    layout: &Layout,
    seed: u64,
    sched: &Arc<Scheduler>,
    deadline: Duration,
    read_repair: ReadRepair,
    keeps_data: bool,
    drawn: Option<Arc<Drawn>>,
) -> Result<(Vec<Replica>, Coordinator, Coordinator), String> {
    let replicas: Vec<Replica> = layout
        .legs
        .iter()
        .enumerate()
        .map(|(i, legs)| {
            Replica::spawn(
                ReplicaConfig {
                    legs: legs.clone(),
                    drawn: drawn.clone(),
                    seed: seed.wrapping_add(i as u64 * 7919),
                    durable: None,
                    keeps_data,
                },
                sched.clone(),
            )
        })
        .collect::<Result<_, _>>()
        .map_err(|e| format!("starting replicas: {e}"))?;
    let addrs: Vec<_> = replicas.iter().map(|r| r.addr()).collect();
    let connect = |side: &OpSide, salt: u64| {
        let placement = side.1.as_ref().map(|(places, extra)| Placement {
            places: places.clone(),
            extra: extra.clone(),
            sched: sched.clone(),
            seed: seed ^ salt,
        });
        Coordinator::connect_placed(&addrs, deadline, placement)
            .map_err(|e| format!("connecting: {e}"))
    };
    let writer = connect(&layout.write, 0x5752_4954)?;
    let mut reader = connect(&layout.read, 0x5245_4144)?;
    reader.set_read_repair(read_repair == ReadRepair::Blocking);
    Ok((replicas, writer, reader))
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
    /// Speculative retries the reads sent.
    retries: u64,
    /// Reads that repaired.
    repairs: u64,
    /// Replicas crashed (failures in time).
    crashes: usize,
    /// Writes done when the budget ran out, if it did.
    stopped_early: Option<usize>,
}

/// Writes `writes` fresh keys, `concurrency` at a time, and reads each back
/// at every delay of `grid` after its commit.
/// What a run of the workload is for.
enum Run {
    /// The real path's own cost: no delays, no faults, nothing recorded.
    Calibration,
    /// The measurement, with the faults asked for, recording the delays
    /// drawn when given a place to.
    Measurement(Option<Arc<Drawn>>),
}

fn measure(
    cfg: &ValidateConfig,
    layout: &Layout,
    writes: usize,
    grid: &[f64],
    deadline: Duration,
    budget: &Budget,
    run: Run,
) -> Result<Measurement, String> {
    let (faults, drawn) = match run {
        Run::Calibration => (false, None),
        Run::Measurement(drawn) => (true, drawn),
    };
    let sched = Arc::new(Scheduler::new());
    let (replicas, mut coord, reader) = cluster(
        layout,
        cfg.seed,
        &sched,
        deadline,
        cfg.read_repair,
        cfg.failures.is_some(),
        drawn,
    )?;
    // The mechanisms heal what the writes missed.
    if let Some((window, every)) = cfg.hints {
        coord.enable_hints(window, every);
    }
    if let Some(interval) = cfg.anti_entropy {
        coord.enable_anti_entropy(interval, cfg.seed ^ 0x00AE);
    }
    let done = std::sync::atomic::AtomicBool::new(false);
    let down = Mutex::new(vec![false; replicas.len()]);
    let crashes = Mutex::new((0usize, 0usize, 0usize));
    let fault_budget = cfg.config.n - cfg.config.r.max(cfg.config.w);
    let (write_need, read_need) = (&layout.write.0, &layout.read.0);
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
        if let (true, Some(f)) = (faults, cfg.failures) {
            let (done, down, crashes, replicas) = (&done, &down, &crashes, &replicas);
            scope.spawn(move || {
                let seed = cfg.seed ^ 0x0071_49E5;
                crate::chaos::crash_in_time(replicas, f, fault_budget, seed, done, down, crashes);
            });
        }
        let mut workers = Vec::new();
        for _ in 0..cfg.concurrency.max(1) {
            workers.push(scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= writes {
                    return;
                }
                if budget.spent() {
                    stopped.lock().expect("stopped").get_or_insert(i);
                    return;
                }
                let key = i as u64 + 1;
                let Ok(wr) = coord.write_until(key, b"v", write_need) else {
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
                        if cfg.read_repair != ReadRepair::None && g != i % grid.len() {
                            continue;
                        }
                        let (reader, history, hits, read_ms, offsets, timed_out) =
                            (&reader, &history, &hits, &read_ms, &offsets, &timed_out);
                        reads.spawn(move || {
                            let at = wr.end + Duration::from_secs_f64(t / 1000.0);
                            if let Some(wait) = at.checked_duration_since(Instant::now()) {
                                std::thread::sleep(wait);
                            }
                            let Ok(rd) = reader.read_until(key, read_need) else {
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
            }));
        }
        for h in workers {
            let _ = h.join();
        }
        done.store(true, Ordering::Relaxed);
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
        retries: reader.retries(),
        repairs: reader.repairs(),
        crashes: crashes.into_inner().expect("crashes").0,
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
    let mut s = cfg.scenario.clone();
    let Config { n, r, w } = cfg.config;
    // The wan preset is a cluster: one replica per datacenter, the
    // coordinator in a random one for every operation.
    let topology = match (&cfg.topology, s.wars.topology) {
        (Some(_), Topology::Wan { .. }) => {
            return Err("--preset/--scenario: the wan topology and datacenters cannot be combined (wan is itself a topology)".into())
        }
        (None, Topology::Wan { remote_one_way_ms }) => {
            s.wars.topology = Topology::Uniform;
            let c = Cluster::wan(n, remote_one_way_ms).map_err(|e| e.to_string())?;
            Some((
                c,
                Levels {
                    write: Level::Count(w),
                    read: Level::Count(r),
                },
            ))
        }
        (t, _) => t.clone(),
    };
    let s = &s;
    // The prediction.
    let options = EvalOptions {
        read_fanout: cfg.read_fanout,
        speculative_retry: cfg.retry,
        ..EvalOptions::default()
    };
    if let ReadRepair::Async(_) = cfg.read_repair {
        return Err("--read-repair: the store implements none and blocking".into());
    }
    if topology.is_some() && cfg.read_repair != ReadRepair::None {
        return Err("--read-repair: the store repairs without datacenters only".into());
    }
    if topology.is_some() && cfg.read_fanout != Fanout::All {
        return Err(
            "--read-fanout: the store runs datacenters with reads to every replica only".into(),
        );
    }
    if cfg.failures.is_some()
        && (topology.is_some()
            || cfg.read_fanout != Fanout::All
            || cfg.read_repair != ReadRepair::None)
    {
        return Err("--mttf/--mttr: failures in time are validated for replicas in one place, reads to every replica, without read repair".into());
    }
    let (exact, model) = predict(s, cfg.config, &topology, options, cfg.trials, cfg.seed)?;
    let model = match cfg.failures {
        Some(f) => predict_in_time(cfg, &s.wars, f),
        None => model,
    };
    let get = |v: &Result<f64, _>| v.clone().unwrap_or(f64::NAN);
    let t999 = model.t_visibility(0.999).unwrap_or(0.0);
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
    let layout = match &topology {
        None => Layout::plain(n, &legs, r, w).reads(cfg.read_fanout, exact.read_retry),
        Some((c, levels)) => Layout::cluster(c, &s.wars, *levels)?,
    };
    for l in &layout.legs {
        check_legs(l)?;
    }
    // An operation gives up after five times its slowest round trip's
    // 1 - 1e-6 quantile (at least a second), the slowest datacenter hop
    // both ways included.
    let hop = topology.as_ref().map_or(0.0, |(c, _)| {
        c.delays
            .iter()
            .map(|d| d.delay.isf(1e-6))
            .fold(0.0, f64::max)
    });
    let slowest = layout
        .legs
        .iter()
        .map(|l| l.w.plus(&l.a).isf(1e-6).max(l.r.plus(&l.s).isf(1e-6)))
        .fold(0.0, f64::max)
        + 2.0 * hop;
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
        &layout.without_delays(),
        cfg.writes.min(500),
        &grid,
        deadline,
        &budget,
        Run::Calibration,
    )?;
    let overhead_write_ms = percentile(&calib.write_ms, 0.5);
    let overhead_read_ms = percentile(&calib.read_ms, 0.5);

    // The measurement, recording the delays drawn when asked to.
    let drawn = cfg.hdr_dir.as_ref().map(|_| Arc::new(Drawn::default()));
    let began = Instant::now();
    let m = measure(
        cfg,
        &layout,
        cfg.writes,
        &grid,
        deadline,
        &budget,
        Run::Measurement(drawn.clone()),
    )?;
    if let (Some(dir), Some(drawn)) = (&cfg.hdr_dir, &drawn) {
        write_hdr_logs(dir, drawn, &m, began.elapsed().as_secs_f64())?;
    }
    if m.write_ms.is_empty() {
        return Err(format!(
            "no write reached its quorum within its {:.1} s deadline",
            deadline.as_secs_f64()
        ));
    }
    // The prediction from the delays delivered: each leg (and each hop
    // between datacenters) plus the timer's own lateness, as an empirical
    // law.
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
    let delivered_topology = topology
        .as_ref()
        .map(|(c, levels)| (cluster_plus(c, &late), *levels));
    let (exact_delivered, model_delivered) = predict(
        &delivered,
        cfg.config,
        &delivered_topology,
        options,
        cfg.trials,
        cfg.seed,
    )?;
    let model_delivered = match cfg.failures {
        Some(f) => predict_in_time(cfg, &delivered.wars, f),
        None => model_delivered,
    };
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
                predicted: mean_over(&|o| model.p_consistent_at(o)),
                reads: all,
            }
        })
        .collect();
    let compensated_curve: Vec<f64> = grid
        .iter()
        .zip(&m.offsets)
        .map(|(&t, offs)| {
            if offs.is_empty() {
                model_delivered.p_consistent_at(t)
            } else {
                offs.iter()
                    .map(|&o| model_delivered.p_consistent_at(o))
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
    let scale_ms = layout
        .legs
        .iter()
        .map(|l| {
            l.w.plus(&l.a)
                .quantile(0.5)
                .min(l.r.plus(&l.s).quantile(0.5))
        })
        .filter(|x| *x > 0.0)
        .fold(f64::INFINITY, f64::min);
    let trust = judge(
        scale_ms,
        mean_us,
        p99_us as f64,
        overhead_write_ms.max(overhead_read_ms),
        m.stopped_early.or(calib.stopped_early),
    );
    let (n, r, w) = (exact.config.n, exact.config.r, exact.config.w);
    let model_t0 = model.p_consistent_at(0.0);
    // Read repair's prediction, from the delays delivered, at the delays
    // after commit the reads really had (one read per write, each grid
    // point in turn; the real path issues them a little late, and right
    // after the commit a tenth of a millisecond changes what disagrees).
    let repairing = cfg.read_repair != ReadRepair::None;
    let repair_model = repairing.then(|| {
        let setup = simulation(&delivered, n, vec![(r, w)], options);
        let issued: Vec<f64> = curve.iter().map(|p| p.issued_ms).collect();
        quorum_model::mc::read_repair::simulate(
            &setup,
            (r, w),
            cfg.read_repair,
            &issued,
            cfg.trials,
            cfg.seed,
        )
    });
    Ok(ValidateReport {
        scenario: s.name.clone(),
        n,
        r,
        w,
        topology: topology
            .as_ref()
            .map_or("uniform".into(), |(c, _)| c.spec()),
        write_cl: topology
            .as_ref()
            .map_or(w.to_string(), |(_, l)| l.write.to_string()),
        read_cl: topology
            .as_ref()
            .map_or(r.to_string(), |(_, l)| l.read.to_string()),
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
            p_consistent_t0: model_t0,
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
        speculative_retry: cfg.retry.to_string(),
        retries_per_read_measured: exact
            .read_retry
            .map(|_| m.retries as f64 / read_ms.len().max(1) as f64),
        retries_per_read_predicted: exact.read_retry.map(|r| r.rate),
        read_repair: cfg.read_repair.to_string(),
        failures: cfg
            .failures
            .map_or("none".into(), |(f, r)| format!("mttf={f}ms,mttr={r}ms")),
        mechanisms: crate::chaos::healing_of(cfg.hints, cfg.anti_entropy, &s.wars.w).label(),
        crashes: m.crashes,
        read_repair_rate_measured: repairing
            .then(|| m.repairs as f64 / read_ms.len().max(1) as f64),
        read_repair_rate_predicted: repair_model.as_ref().map(|o| o.pooled_rate()),
        read_repair_read_p99_measured: repairing.then(|| percentile(read_ms, 0.99)),
        read_repair_read_p99_predicted: repair_model
            .as_ref()
            .and_then(|o| o.latency_quantile(0.99))
            .map(|p| p + overhead_read_ms),
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
            topology: None,
            read_fanout: Fanout::All,
            retry: SpeculativeRetry::None,
            read_repair: ReadRepair::None,
            failures: None,
            hints: None,
            anti_entropy: None,
            hdr_dir: None,
        }
    }

    /// Blocking read repair on the real store: reads of all three replicas
    /// right after a one-replica write disagree about 40% of the time;
    /// the store's repair rate and read p99 (which pays the repairs' round
    /// trips) sit near the model's, or the run says the machine could not
    /// deliver the delays.
    #[test]
    fn blocking_read_repair_on_the_store() {
        let mut c = cfg("exp(mean=5)", 3, 3, 1, 1500);
        c.concurrency = 16;
        c.read_repair = ReadRepair::Blocking;
        let rep = validate(&c).unwrap();
        let (rate_m, rate_p) = (
            rep.read_repair_rate_measured.unwrap(),
            rep.read_repair_rate_predicted.unwrap(),
        );
        let (p99_m, p99_p) = (
            rep.read_repair_read_p99_measured.unwrap(),
            rep.read_repair_read_p99_predicted.unwrap(),
        );
        println!(
            "read repair: trustworthy {}, rate {rate_m:.4} vs {rate_p:.4}, read p99 {p99_m:.3} vs {p99_p:.3} ms",
            rep.trustworthy
        );
        // One read per write, each grid point in turn.
        assert_eq!(rep.reads, rep.writes);
        assert!((0.2..0.45).contains(&rate_p), "{rate_p}");
        if rep.trustworthy {
            // 1500 reads: the rate's own sampling error is ~4%.
            assert!((rate_m / rate_p - 1.0).abs() < 0.15, "{rate_m} vs {rate_p}");
            assert!((p99_m / p99_p - 1.0).abs() < 0.15, "{p99_m} vs {p99_p}");
        } else {
            assert!(!rep.trust_reasons.is_empty());
        }
    }

    /// Speculative retry on the real store: reads to one random replica of
    /// three, a second one asked after the read latency's 90th percentile.
    /// The measured read p99 and retry rate sit near the model's, or the
    /// run says the machine could not deliver the delays.
    #[test]
    fn speculative_retry_on_the_store() {
        let mut c = cfg("exp(mean=1)", 3, 1, 3, 400);
        c.read_fanout = Fanout::Quorum;
        c.retry = "90p".parse().unwrap();
        let rep = validate(&c).unwrap();
        println!(
            "retry: trustworthy {}, read p99 measured {:.3} predicted {:.3}, retries per read {:?} vs {:?}",
            rep.trustworthy,
            rep.measured.read_latency_p99_ms,
            rep.predicted.read_latency_p99_ms,
            rep.retries_per_read_measured,
            rep.retries_per_read_predicted
        );
        let predicted = rep.retries_per_read_predicted.unwrap();
        assert!((predicted - 0.1).abs() < 1e-9, "{predicted}");
        if rep.trustworthy {
            let measured = rep.retries_per_read_measured.unwrap();
            assert!(
                (measured - predicted).abs() < 0.05,
                "{measured} vs {predicted}"
            );
            let (m, p) = (
                rep.measured.read_latency_p99_ms,
                rep.predicted.read_latency_p99_ms,
            );
            assert!((m / p - 1.0).abs() < 0.25, "{m} vs {p}");
        } else {
            assert!(!rep.trust_reasons.is_empty());
        }
    }

    /// Failures in time on the real store: replicas crash for Exp(30 ms)
    /// every Exp(300 ms) and come back with their data, hints replayed
    /// every 10 ms. The measured curve follows the model's timeline, or
    /// the run says the machine could not deliver the delays.
    #[test]
    fn failures_in_time_with_hints_on_the_store() {
        let mut c = cfg("exp(mean=1)", 3, 1, 1, 600);
        c.grid_points = 8;
        c.failures = Some((300.0, 30.0));
        c.hints = Some((Duration::from_secs(1), Duration::from_millis(10)));
        let rep = validate(&c).unwrap();
        println!(
            "failures in time: trustworthy {}, {} crashes, deviation {:.4} (compensated {:.4}), {:?}",
            rep.trustworthy,
            rep.crashes,
            rep.max_curve_deviation,
            rep.max_curve_deviation_compensated,
            rep.curve
        );
        assert_eq!(rep.mechanisms, "hints 1s");
        assert!(rep.crashes > 0);
        if rep.trustworthy {
            // Past t = 0 the staleness is the failures' (a replica that
            // missed the write, back before its hint): there the curves
            // meet within sampling error. At t = 0 the real path's
            // overhead makes reads fresher, as without failures.
            let later = rep
                .curve
                .iter()
                .skip(1)
                .map(|p| (p.measured - p.predicted).abs())
                .fold(0.0, f64::max);
            assert!(later < 0.04, "{:?}", rep.curve);
            assert!(rep.max_curve_deviation < 0.1, "{rep:?}");
        } else {
            assert!(!rep.trust_reasons.is_empty());
        }
    }

    /// Issue 16's loop, closed: the store's injected delays and measured
    /// latencies written as HdrHistogram logs; each leg's law fitted back
    /// from its log alone (every family, the best by BIC); the model run
    /// on the fitted legs predicts the store as validate's own prediction
    /// from the true legs does: its curve and latencies within 0.03 and 5%
    /// of that prediction, and, when the machine delivered the delays, as
    /// close to the measurement as validate's prediction is (within 0.03
    /// of its curve's gap, 5 points of its latencies' relative error) and
    /// the curve within 0.1. The measured latencies' logs fit back to
    /// their own p50 and p99.
    #[test]
    fn fitted_hdr_logs_predict_the_store() {
        use quorum_model::fit::{censored::fit_buckets, hdr, input::Unit, Family, Fit};
        let dir = std::env::temp_dir().join(format!("qm-hdr-roundtrip-{}", std::process::id()));
        let mut c = cfg("exp(mean=1)", 3, 1, 1, 1500);
        c.scenario.wars = Wars {
            w: "lognormal(mu=0,sigma=0.5)".parse().unwrap(),
            a: "exp(mean=0.5)".parse().unwrap(),
            r: "gamma(shape=2,scale=0.3)".parse().unwrap(),
            s: "weibull(shape=1.5,scale=0.6)".parse().unwrap(),
            topology: Topology::Uniform,
        };
        c.grid_points = 6;
        c.hdr_dir = Some(dir.clone());
        let rep = validate(&c).unwrap();
        let fit = |name: &str| -> Fit {
            let text = std::fs::read_to_string(dir.join(name)).unwrap();
            let b = hdr::read(&text, Unit::Us, None).unwrap();
            fit_buckets(&b, &Family::ALL).unwrap().remove(0)
        };
        let legs: Vec<Fit> = HDR_LOGS[..4].iter().map(|n| fit(n)).collect();
        let mut fitted = c.scenario.clone();
        fitted.wars.w = legs[0].dist.clone();
        fitted.wars.a = legs[1].dist.clone();
        fitted.wars.r = legs[2].dist.clone();
        fitted.wars.s = legs[3].dist.clone();
        let model_of = |s: &Scenario| {
            predict(s, c.config, &None, EvalOptions::default(), c.trials, c.seed).unwrap()
        };
        let (exact, model) = model_of(&fitted);
        // The true legs' model, evaluated the same way (at each point's
        // mean issue delay), so that fitted and true compare like with like.
        let (_, true_model) = model_of(&c.scenario);
        let get = |v: &Result<f64, _>| v.clone().unwrap();
        let from_fits = [
            get(&exact.write.p50_ms),
            get(&exact.write.p99_ms),
            get(&exact.read.p50_ms),
            get(&exact.read.p99_ms),
        ];
        let truth = &rep.model_only;
        let from_truth = [
            truth.write_latency_p50_ms,
            truth.write_latency_p99_ms,
            truth.read_latency_p50_ms,
            truth.read_latency_p99_ms,
        ];
        let m = &rep.measured;
        let measured = [
            m.write_latency_p50_ms,
            m.write_latency_p99_ms,
            m.read_latency_p50_ms,
            m.read_latency_p99_ms,
        ];
        let overhead = [
            rep.overhead_write_ms,
            rep.overhead_write_ms,
            rep.overhead_read_ms,
            rep.overhead_read_ms,
        ];
        let curve: Vec<(f64, f64, f64)> = rep
            .curve
            .iter()
            .map(|p| {
                (
                    p.measured,
                    true_model.p_consistent_at(p.issued_ms),
                    model.p_consistent_at(p.issued_ms),
                )
            })
            .collect();
        println!(
            "round trip: trustworthy {}; fitted legs {:?}; latencies (p50 p99 write, p50 p99 read) fitted {from_fits:?}, true {from_truth:?}, measured {measured:?} less overhead {overhead:?}; curve (measured, true, fitted) {curve:?}",
            rep.trustworthy,
            legs.iter().map(|f| f.spec.as_str()).collect::<Vec<_>>()
        );
        for f in &legs {
            assert!(
                f.family != Family::Pareto && f.family != Family::ParetoExp,
                "{}",
                f.spec
            );
        }
        for i in 0..4 {
            assert!(
                (from_fits[i] / from_truth[i] - 1.0).abs() < 0.05,
                "latency {i}: fitted {} true {}",
                from_fits[i],
                from_truth[i]
            );
        }
        for &(_, t, f) in &curve {
            assert!((f - t).abs() < 0.03, "{curve:?}");
        }
        if rep.trustworthy {
            for i in 0..4 {
                let err = |p: f64| ((p + overhead[i]) / measured[i] - 1.0).abs();
                assert!(
                    err(from_fits[i]) <= err(from_truth[i]) + 0.05,
                    "latency {i}: fitted {} true {} measured {}",
                    from_fits[i],
                    from_truth[i],
                    measured[i]
                );
            }
            for &(m, t, f) in &curve {
                assert!((f - m).abs() <= (t - m).abs() + 0.03, "{curve:?}");
                assert!((f - m).abs() < 0.1, "{curve:?}");
            }
        } else {
            assert!(!rep.trust_reasons.is_empty());
        }
        // The measured latencies' own logs give their quantiles back.
        for (name, p50, p99) in [
            (HDR_LOGS[4], m.write_latency_p50_ms, m.write_latency_p99_ms),
            (HDR_LOGS[5], m.read_latency_p50_ms, m.read_latency_p99_ms),
        ] {
            let f = fit(name);
            let (q50, q99) = (f.dist.quantile(0.5), f.dist.quantile(0.99));
            assert!((q50 / p50 - 1.0).abs() < 0.05, "{name}: p50 {q50} vs {p50}");
            assert!((q99 / p99 - 1.0).abs() < 0.15, "{name}: p99 {q99} vs {p99}");
        }
        let _ = std::fs::remove_dir_all(&dir);
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

    /// Two datacenters 20 ms apart, LOCAL_QUORUM written in one and read
    /// in the other: the curve rises once the write has crossed, and the
    /// measured latencies sit near the prediction. Judged as the other
    /// runs are: either trustworthy and in agreement, or flagged.
    #[test]
    fn two_datacenters_local_quorum() {
        let mut c = cfg("exp(mean=1)", 6, 1, 1, 400);
        let cluster: Cluster = "east:3,west:3;east-west=const(20);write_dc=east;read_dc=west"
            .parse()
            .unwrap();
        c.topology = Some((
            cluster,
            Levels {
                write: Level::LocalQuorum,
                read: Level::LocalQuorum,
            },
        ));
        c.grid_points = 8;
        let rep = validate(&c).unwrap();
        println!(
            "two datacenters: trustworthy {}, deviation {:.4} (compensated {:.4}), measured {:?}, predicted {:?}",
            rep.trustworthy,
            rep.max_curve_deviation,
            rep.max_curve_deviation_compensated,
            rep.measured,
            rep.predicted
        );
        assert_eq!(rep.write_cl, "LOCAL_QUORUM");
        // Nothing written in east can be read in west before it crossed
        // (the model at t = 0 exactly; `predicted` averages the model over
        // the reads' real delays, which a busy machine makes later).
        assert_eq!(rep.model_only.p_consistent_t0, 0.0);
        if rep.trustworthy {
            assert_eq!(rep.measured.p_consistent_t0, 0.0);
            assert!(rep.curve.last().unwrap().measured > 0.95, "{:?}", rep.curve);
            assert!(rep.max_curve_deviation < 0.1, "{rep:?}");
            let near = |a: f64, b: f64| (a / b - 1.0).abs() < 0.25;
            assert!(
                near(
                    rep.measured.write_latency_p50_ms,
                    rep.predicted.write_latency_p50_ms
                ),
                "{rep:?}"
            );
            assert!(
                near(
                    rep.measured.read_latency_p50_ms,
                    rep.predicted.read_latency_p50_ms
                ),
                "{rep:?}"
            );
        } else {
            assert!(!rep.trust_reasons.is_empty());
        }
    }

    #[test]
    fn the_wan_preset_runs_as_a_cluster() {
        let mut c = cfg("exp(mean=1)", 3, 1, 1, 100);
        c.scenario = Scenario::from_preset("wan").unwrap();
        c.scenario.wars = Wars {
            topology: c.scenario.wars.topology,
            ..Wars::uniform("exp(mean=0.5)".parse().unwrap())
        };
        c.grid_points = 4;
        let rep = validate(&c).unwrap();
        assert!(
            rep.topology.starts_with("dc1:1,dc2:1,dc3:1"),
            "{}",
            rep.topology
        );
        assert_eq!(rep.writes, 100);
    }
}
