//! The measurement: calibration with the delays off, then writes and timed
//! reads with them on, an optional node stop and restart, and the
//! comparison with [`super::predict`]; what it returns is in
//! [`super::outcome`].

use super::cluster::{interrupted, Cluster, Mode, BUCKET, REGION};
use super::k2v::{Client, Endpoint, Found};
pub use super::outcome::{
    CurvePoint, Fault, GarageReport, Latency, LatencyComparison, RegisterCheck, StaleAfterReturn,
};
use super::predict::{self, Prediction};
use super::proxy::Shaping;
use crate::check::{check_regular, History, Op};
use crate::limits::{judge, Trust};
use crate::validate::{ms, percentile};
use quorum_model::dist::{Delay, Dist};
use quorum_model::mc::wilson;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What to run.
#[derive(Debug, Clone)]
pub struct GarageConfig {
    pub binary: PathBuf,
    pub nodes: usize,
    /// Garage's replication factor.
    pub n: usize,
    pub mode: Mode,
    /// Every message between two nodes is delayed by a draw of this.
    pub delay: Dist,
    pub writes: usize,
    /// Writers at once (each with its own keys).
    pub concurrency: usize,
    /// Keys per writer; each is overwritten in turn.
    pub keys_per_writer: usize,
    pub grid_points: usize,
    /// Writes of the same workload run first with the delays off (Garage's
    /// own cost).
    pub calibration: usize,
    /// Stop the last node once a third of the writes are done, restart it
    /// this much later.
    pub stop_node: Option<Duration>,
    pub seed: u64,
    pub trials: u64,
    pub budget: Duration,
    /// Keep the nodes' directories and logs.
    pub keep: bool,
    /// Leave the kernel's delayed ACKs on the proxies' sockets (see
    /// [`Shaping::new`]).
    pub delayed_acks: bool,
    /// After the measurement: stop the last node, write `keys` fresh keys
    /// through the others, restart it after `down` and read them through
    /// it once a second until all are fresh or `watch` has passed.
    pub stale_after_return: Option<ReturnWatch>,
    /// Reads with `X-Garage-Non-Monotonic-Read` (no read repair).
    pub non_monotonic: bool,
}

/// A node's return after writes it missed (see
/// [`GarageConfig::stale_after_return`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReturnWatch {
    pub keys: usize,
    pub down: Duration,
    pub watch: Duration,
}

/// A read at `t_ms` after its write's acknowledgment, and whether it saw
/// the write (or a newer one).
#[derive(Debug, Clone, Copy)]
struct Sample {
    slot: usize,
    t_ms: f64,
    fresh: bool,
    start: Instant,
}

#[derive(Default)]
struct Tally {
    samples: Vec<Sample>,
    writes: Vec<(Instant, f64)>,
    reads: Vec<(Instant, f64)>,
    failed_writes: usize,
    failed_reads: usize,
    conflicts: usize,
    /// The first few distinct errors.
    errors: Vec<String>,
}

impl Tally {
    fn error(&mut self, e: String) {
        let e: String = e.chars().take(240).collect();
        if self.errors.len() < 8 && !self.errors.contains(&e) {
            self.errors.push(e);
        }
    }
}

/// A client for every node.
struct Clients {
    clients: Vec<Client>,
    non_monotonic: bool,
}

impl Clients {
    fn new(cluster: &Cluster, timeout: Duration, non_monotonic: bool) -> Self {
        let clients = (0..cluster.len())
            .map(|i| {
                Client::new(
                    Endpoint::new(
                        cluster.k2v_port(i),
                        BUCKET,
                        REGION,
                        &cluster.key_id,
                        &cluster.secret,
                    ),
                    timeout,
                )
            })
            .collect();
        Clients {
            clients,
            non_monotonic,
        }
    }
}

/// Whether `e` says the node could not be reached at all (so the request
/// was never executed and another node may be asked).
fn unreachable(e: &str) -> bool {
    e.starts_with("connect ")
}

/// `op` through a node drawn at random, or the next one while a node
/// cannot be reached at all (a client's retry elsewhere: the request was
/// never executed); its start, end and result.
fn via_random_node<T>(
    c: &mut Clients,
    rng: &mut Xoshiro256PlusPlus,
    mut op: impl FnMut(&mut Client) -> Result<T, String>,
) -> (Instant, Instant, Result<T, String>) {
    let nodes = c.clients.len();
    let first = rng.random_range(0..nodes);
    let mut last = Err(String::new());
    for k in 0..nodes {
        let start = Instant::now();
        let res = op(&mut c.clients[(first + k) % nodes]);
        let end = Instant::now();
        match res {
            Err(e) if unreachable(&e) => last = Err(e),
            other => return (start, end, other),
        }
    }
    let now = Instant::now();
    (now, now, last)
}

fn write(
    c: &mut Clients,
    rng: &mut Xoshiro256PlusPlus,
    key: &str,
    value: &[u8],
    token: Option<&str>,
) -> (Instant, Instant, Result<(), String>) {
    via_random_node(c, rng, |client| client.insert("p", key, value, token))
}

fn read(
    c: &mut Clients,
    rng: &mut Xoshiro256PlusPlus,
    key: &str,
) -> (Instant, Instant, Result<Found, String>) {
    let non_monotonic = c.non_monotonic;
    via_random_node(c, rng, |client| client.read("p", key, non_monotonic))
}

fn parse_version(v: &[u8]) -> Option<u64> {
    std::str::from_utf8(v).ok()?.parse().ok()
}

/// The version a read returned: siblings resolved to the newest (what a
/// client that keeps the largest version sees); `None` for a value that
/// is not one of ours.
fn version_of(found: &Found) -> Option<u64> {
    match found {
        Found::Value(v, _) => parse_version(v),
        Found::Missing => Some(0),
        Found::Conflict(values, _) => values.iter().map(|v| parse_version(v)).max().flatten(),
    }
}

/// Waits until a write and a read succeed through every node.
fn wait_ready(cluster: &Cluster, seed: u64) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut c = Clients::new(cluster, Duration::from_secs(5), false);
    for i in 0..cluster.len() {
        wait_node(&mut c, i, &format!("ready-{seed}-{i}"), deadline).map_err(|last| {
            format!(
                "Garage did not answer through node {} within 90 s: {last}; logs in {}",
                i + 1,
                cluster.root().display()
            )
        })?;
    }
    Ok(())
}

/// Until a write and a read of `key` succeed through node `i`; the last
/// error if `deadline` passes first.
fn wait_node(c: &mut Clients, i: usize, key: &str, deadline: Instant) -> Result<(), String> {
    loop {
        let last = match c.clients[i]
            .insert("p", key, b"1", None)
            .and_then(|_| c.clients[i].read("p", key, false))
        {
            Ok(Found::Value(..)) => return Ok(()),
            Ok(other) => format!("{other:?}"),
            Err(e) => e,
        };
        if Instant::now() > deadline || interrupted() {
            return Err(last);
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// One phase of writes and timed reads.
struct Phase<'a> {
    cfg: &'a GarageConfig,
    grid: &'a [f64],
    writes: usize,
    /// Key names start with this (calibration and measurement apart).
    prefix: &'a str,
    history: Option<&'a History>,
    deadline: Instant,
    /// Stop the last node a third of the way through, for this long.
    stop_node: Option<Duration>,
}

struct Measured {
    tally: Tally,
    /// From the stop until the node answered again (and 2 s more).
    window: Option<(Instant, Instant)>,
    /// From the restart until it answered.
    rejoin: Option<Duration>,
    stopped_early: Option<usize>,
}

fn measure(cluster: &mut Cluster, ph: &Phase) -> Result<Measured, String> {
    let cfg = ph.cfg;
    let counter = AtomicUsize::new(0);
    let tally = Mutex::new(Tally::default());
    let fault_window: Mutex<Option<(Instant, Instant)>> = Mutex::new(None);
    let rejoin: Mutex<Option<Duration>> = Mutex::new(None);
    let stopped_early = Mutex::new(None);
    let fault_err: Mutex<Option<String>> = Mutex::new(None);
    let clients: Vec<Clients> = (0..cfg.concurrency)
        .map(|_| Clients::new(cluster, Duration::from_secs(10), cfg.non_monotonic))
        .collect();
    let cluster_ref = Mutex::new(cluster);
    std::thread::scope(|scope| {
        if let Some(down) = ph.stop_node {
            let (counter, fault_window, cluster_ref, fault_err, rejoin) =
                (&counter, &fault_window, &cluster_ref, &fault_err, &rejoin);
            scope.spawn(move || {
                while counter.load(Ordering::SeqCst) < ph.writes / 3 {
                    if interrupted() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
                let node = cfg.nodes - 1;
                let start = Instant::now();
                cluster_ref.lock().expect("cluster").stop(node);
                let until = start + down;
                while Instant::now() < until && !interrupted() {
                    std::thread::sleep(Duration::from_millis(20));
                }
                let restarted = cluster_ref.lock().expect("cluster").restart(node);
                if let Err(e) = restarted {
                    *fault_err.lock().expect("fault") = Some(e);
                    return;
                }
                // Until it answers again, and a little longer for its
                // peers to reconnect.
                let mut c = Clients::new(
                    *cluster_ref.lock().expect("cluster"),
                    Duration::from_secs(5),
                    false,
                );
                let restarted = Instant::now();
                let _ = wait_node(
                    &mut c,
                    node,
                    "restarted",
                    restarted + Duration::from_secs(120),
                );
                *rejoin.lock().expect("rejoin") = Some(restarted.elapsed());
                std::thread::sleep(Duration::from_secs(2));
                *fault_window.lock().expect("fault") = Some((start, Instant::now()));
            });
        }
        for (worker, mut c) in clients.into_iter().enumerate() {
            let (counter, tally, stopped_early) = (&counter, &tally, &stopped_early);
            scope.spawn(move || {
                let mut rng = Xoshiro256PlusPlus::seed_from_u64(
                    cfg.seed.wrapping_add(1 + worker as u64) ^ ph.prefix.len() as u64,
                );
                let mut tokens: Vec<Option<String>> = vec![None; cfg.keys_per_writer];
                let mut local = Tally::default();
                let mut round = 0usize;
                loop {
                    if interrupted() {
                        break;
                    }
                    if Instant::now() > ph.deadline {
                        *stopped_early.lock().expect("stopped") =
                            Some(counter.load(Ordering::SeqCst));
                        break;
                    }
                    let i = counter.fetch_add(1, Ordering::SeqCst);
                    if i >= ph.writes {
                        break;
                    }
                    let slot = round % cfg.keys_per_writer;
                    round += 1;
                    let key_id = (worker * cfg.keys_per_writer + slot) as u64;
                    let key = format!("{}{key_id}", ph.prefix);
                    let version = i as u64 + 1;
                    let (start, end, res) = write(
                        &mut c,
                        &mut rng,
                        &key,
                        version.to_string().as_bytes(),
                        tokens[slot].as_deref(),
                    );
                    let acked = res.is_ok();
                    if let Some(h) = ph.history {
                        h.push(Op {
                            is_write: true,
                            acked,
                            key: key_id,
                            version,
                            start,
                            end: if acked { end } else { start },
                        });
                    }
                    if let Err(e) = res {
                        local.failed_writes += 1;
                        local.error(e);
                        continue;
                    }
                    local.writes.push((start, ms(end - start)));
                    let mut newest_token: Option<String> = None;
                    for (g, &t) in ph.grid.iter().enumerate() {
                        let at = end + Duration::from_secs_f64(t / 1000.0);
                        let now = Instant::now();
                        if at > now {
                            std::thread::sleep(at - now);
                        }
                        let (rs, re, res) = read(&mut c, &mut rng, &key);
                        let found = match res {
                            Ok(found) => found,
                            Err(e) => {
                                local.failed_reads += 1;
                                local.error(e);
                                continue;
                            }
                        };
                        if let Found::Conflict(..) = found {
                            local.conflicts += 1;
                        }
                        let Some(v) = version_of(&found) else {
                            local.error(format!("a value that is not a version: {found:?}"));
                            continue;
                        };
                        if let Some(h) = ph.history {
                            h.push(Op {
                                is_write: false,
                                acked: true,
                                key: key_id,
                                version: v,
                                start: rs,
                                end: re,
                            });
                        }
                        if let (true, Found::Value(_, tok) | Found::Conflict(_, tok)) =
                            (v >= version, &found)
                        {
                            newest_token = Some(tok.clone());
                        }
                        local.samples.push(Sample {
                            slot: g,
                            t_ms: ms(rs - end),
                            fresh: v >= version,
                            start: rs,
                        });
                        local.reads.push((rs, ms(re - rs)));
                    }
                    // The next write of this key supersedes what the
                    // freshest read saw (without a token it would be a
                    // sibling).
                    if newest_token.is_some() {
                        tokens[slot] = newest_token;
                    }
                }
                let mut t = tally.lock().expect("tally");
                t.samples.extend(local.samples);
                t.writes.extend(local.writes);
                t.reads.extend(local.reads);
                t.failed_writes += local.failed_writes;
                t.failed_reads += local.failed_reads;
                t.conflicts += local.conflicts;
                for e in local.errors {
                    t.error(e);
                }
            });
        }
    });
    if let Some(e) = fault_err.into_inner().expect("fault") {
        return Err(format!("restarting the stopped node: {e}"));
    }
    if interrupted() {
        return Err("interrupted: the cluster was stopped and removed".into());
    }
    Ok(Measured {
        tally: tally.into_inner().expect("tally"),
        window: fault_window.into_inner().expect("fault"),
        rejoin: rejoin.into_inner().expect("rejoin"),
        stopped_early: stopped_early.into_inner().expect("stopped"),
    })
}

/// Garage's anti-entropy (garage_table/sync.rs, replication/sharded.rs):
/// each node runs a full sync 20 s after it starts, at once whenever the
/// layout changes, and 10 minutes after its last one. In these runs the
/// layout is applied just after the start, so the syncs fall at the
/// layout's application plus multiples of 10 minutes.
pub const SYNC_INTERVAL_S: f64 = 600.0;

/// Stops the last node, writes `keys` fresh keys through the others,
/// restarts it after `down` and reads them through it once a second until
/// all are fresh or `watch` has passed.
fn stale_after_return(
    cluster: &mut Cluster,
    cfg: &GarageConfig,
    ReturnWatch { keys, down, watch }: ReturnWatch,
) -> Result<StaleAfterReturn, String> {
    let node = cfg.nodes - 1;
    cluster.stop(node);
    let stopped = Instant::now();
    let mut c = Clients::new(cluster, Duration::from_secs(10), cfg.non_monotonic);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(cfg.seed ^ 0xFA17);
    for k in 0..keys {
        // Through a live node (the stopped one refuses connections).
        let (_, _, res) = write(&mut c, &mut rng, &format!("down{k}"), b"1", None);
        res.map_err(|e| format!("writing with node {} down: {e}", node + 1))?;
        if interrupted() {
            return Err("interrupted: the cluster was stopped and removed".into());
        }
    }
    while stopped.elapsed() < down {
        if interrupted() {
            return Err("interrupted: the cluster was stopped and removed".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    cluster.restart(node)?;
    let returned = Instant::now();
    let mut probe = Client::new(
        Endpoint::new(
            cluster.k2v_port(node),
            BUCKET,
            REGION,
            &cluster.key_id,
            &cluster.secret,
        ),
        Duration::from_secs(10),
    );
    let mut probes = Vec::new();
    let mut all_fresh = None;
    let mut next = returned;
    while returned.elapsed() < watch {
        if interrupted() {
            return Err("interrupted: the cluster was stopped and removed".into());
        }
        let now = Instant::now();
        if now < next {
            std::thread::sleep((next - now).min(Duration::from_millis(100)));
            continue;
        }
        next += Duration::from_secs(1);
        let mut stale = 0;
        let mut answered = true;
        for k in 0..keys {
            match probe.read("p", &format!("down{k}"), cfg.non_monotonic) {
                Ok(Found::Value(..)) => {}
                Ok(_) => stale += 1,
                Err(_) => {
                    answered = false;
                    break;
                }
            }
        }
        if !answered {
            continue;
        }
        let since = returned.elapsed().as_secs_f64();
        probes.push((since, stale as f64 / keys as f64));
        if stale == 0 {
            all_fresh = Some(since);
            break;
        }
    }
    let returned_at = (returned - cluster.layout_applied).as_secs_f64();
    let k = (returned_at / SYNC_INTERVAL_S).ceil().max(1.0);
    Ok(StaleAfterReturn {
        node: node + 1,
        keys,
        down_s: down.as_secs_f64(),
        returned_at_s: returned_at,
        probes,
        all_fresh_after_s: all_fresh,
        next_sync_after_s: k * SYNC_INTERVAL_S - returned_at,
        model_mean_wait_s: SYNC_INTERVAL_S / 2.0,
    })
}

fn sorted_outside(v: &[(Instant, f64)], outside: &dyn Fn(Instant) -> bool) -> Vec<f64> {
    let mut s: Vec<f64> = v.iter().filter(|x| outside(x.0)).map(|x| x.1).collect();
    s.sort_by(f64::total_cmp);
    s
}

fn latency(sorted: &[f64]) -> Option<Latency> {
    (!sorted.is_empty()).then(|| Latency {
        p50_ms: percentile(sorted, 0.5),
        p99_ms: percentile(sorted, 0.99),
    })
}

/// Largest |measured - predicted| and largest distance of the prediction
/// beyond the measured point's interval, over points with reads.
fn deviations(
    curve: &[CurvePoint],
    predicted: impl Fn(&CurvePoint) -> Option<f64>,
) -> (Option<f64>, Option<f64>) {
    let mut dev: Option<f64> = None;
    let mut beyond: Option<f64> = None;
    for c in curve.iter().filter(|c| c.reads > 0) {
        if let Some(p) = predicted(c) {
            dev = Some(dev.unwrap_or(0.0).max((c.measured - p).abs()));
            beyond = Some(
                beyond
                    .unwrap_or(0.0)
                    .max((c.ci_low - p).max(p - c.ci_high).max(0.0)),
            );
        }
    }
    (dev, beyond)
}

/// Runs the whole comparison.
pub fn run(cfg: &GarageConfig) -> Result<GarageReport, String> {
    let began = Instant::now();
    if !cfg.binary.is_file() {
        return Err(format!(
            "--garage: no Garage binary at {}; build it once with .ci/garage-build (cargo install garage --version {} --locked, 15 to 30 minutes on 2 cores) or point QUORUM_GARAGE at one",
            cfg.binary.display(),
            super::VERSION
        ));
    }
    let (r, w) = cfg.mode.quorums(cfg.n);
    // The t grid from the model of the injected law alone.
    let rough = predict::predict(
        cfg.nodes,
        cfg.n,
        (r, w),
        &cfg.delay,
        cfg.trials.min(100_000),
        cfg.seed,
    )?;
    let t_max = rough
        .t_visibility(0.999)
        .unwrap_or(0.0)
        .max(4.0 * cfg.delay.mean())
        * 1.2;
    let steps = cfg.grid_points.max(2) - 1;
    let grid: Vec<f64> = (0..=steps)
        .map(|i| t_max * i as f64 / steps as f64)
        .collect();

    let shaping = Shaping::new(cfg.delay.clone(), cfg.seed, !cfg.delayed_acks);
    let mut cluster = Cluster::start(
        &cfg.binary,
        cfg.nodes,
        cfg.n,
        cfg.mode,
        shaping.clone(),
        cfg.keep,
    )?;
    wait_ready(&cluster, cfg.seed)?;
    let deadline = began + cfg.budget;
    // Garage's own cost: the same workload with the delays off.
    let calibration = measure(
        &mut cluster,
        &Phase {
            cfg,
            grid: &grid,
            writes: cfg.calibration,
            prefix: "c",
            history: None,
            deadline,
            stop_node: None,
        },
    )?;
    let mut own_write: Vec<f64> = calibration.tally.writes.iter().map(|x| x.1).collect();
    let mut own_read: Vec<f64> = calibration.tally.reads.iter().map(|x| x.1).collect();
    own_write.sort_by(f64::total_cmp);
    own_read.sort_by(f64::total_cmp);
    shaping.set_enabled(true);
    // Let the nodes' ping estimates see the delays.
    std::thread::sleep(Duration::from_millis(500));
    let history = History::new();
    let m = measure(
        &mut cluster,
        &Phase {
            cfg,
            grid: &grid,
            writes: cfg.writes,
            prefix: "k",
            history: Some(&history),
            deadline,
            stop_node: cfg.stop_node,
        },
    )?;
    let lateness = shaping.lateness();
    let delivered = shaping.delivered_ms();
    let stale = match cfg.stale_after_return {
        Some(w) => Some(stale_after_return(&mut cluster, cfg, w)?),
        None => None,
    };
    shaping.set_enabled(false);
    let (messages, held) = shaping.counts();
    let keep_dir = cfg.keep.then(|| cluster.root().display().to_string());
    drop(cluster);

    let window = m.window;
    let outside = |at: Instant| window.is_none_or(|(a, b)| at < a || at > b);
    let (_, late_mean_us, late_p99_us, _) = lateness.summary();
    let nominal_leg = predict::plus_samples(&cfg.delay, &lateness.samples_ms())?;
    let model = predict::predict(cfg.nodes, cfg.n, (r, w), &nominal_leg, cfg.trials, cfg.seed)?;
    let mut delivered_sorted = delivered.clone();
    delivered_sorted.sort_by(f64::total_cmp);
    let model_delivered = if delivered.is_empty() {
        None
    } else {
        Some(predict::predict(
            cfg.nodes,
            cfg.n,
            (r, w),
            &predict::measured_law(&delivered)?,
            cfg.trials,
            cfg.seed,
        )?)
    };

    let own_write_median = percentile(&own_write, 0.5);
    let own_read_median = percentile(&own_read, 0.5);
    let samples: Vec<&Sample> = m
        .tally
        .samples
        .iter()
        .filter(|s| outside(s.start))
        .collect();
    let curve: Vec<CurvePoint> = grid
        .iter()
        .enumerate()
        .map(|(g, &t)| {
            let at: Vec<&&Sample> = samples.iter().filter(|s| s.slot == g).collect();
            let k = at.len();
            let fresh = at.iter().filter(|s| s.fresh).count();
            let p = wilson(fresh as u64, k as u64);
            let mean_over = |m: &Prediction| {
                at.iter()
                    .map(|s| m.p_consistent_at(s.t_ms.max(0.0)))
                    .sum::<f64>()
                    / k as f64
            };
            CurvePoint {
                t_ms: t,
                issued_ms: if k == 0 {
                    t
                } else {
                    at.iter().map(|s| s.t_ms).sum::<f64>() / k as f64
                },
                reads: k,
                measured: if k == 0 { f64::NAN } else { p.estimate },
                ci_low: if k == 0 { 0.0 } else { p.ci_low },
                ci_high: if k == 0 { 1.0 } else { p.ci_high },
                predicted: (k > 0).then(|| mean_over(&model)),
                predicted_delivered: model_delivered.as_ref().filter(|_| k > 0).map(mean_over),
                predicted_sticky: (k > 0 && cfg.nodes > cfg.n).then(|| {
                    at.iter()
                        .map(|s| {
                            model
                                .p_consistent_at_sticky(s.t_ms.max(0.0))
                                .unwrap_or(f64::NAN)
                        })
                        .sum::<f64>()
                        / k as f64
                }),
            }
        })
        .collect();
    let (dev, beyond) = deviations(&curve, |c| c.predicted);
    let (dev_d, beyond_d) = deviations(&curve, |c| c.predicted_delivered);
    let (dev_sticky, _) = deviations(&curve, |c| c.predicted_sticky);

    let ws = sorted_outside(&m.tally.writes, &outside);
    let rs = sorted_outside(&m.tally.reads, &outside);
    let (Some(measured_write), Some(measured_read)) = (latency(&ws), latency(&rs)) else {
        return Err("no write and read were both acknowledged outside the node's stop".into());
    };
    const DRAWS: usize = 200_000;
    let seed = cfg.seed ^ 0x1A7E;
    let comparison = |write: bool, measured: Latency, own: &[f64]| LatencyComparison {
        measured,
        predicted: latency(&model.latency_draws(write, own, DRAWS, seed)),
        predicted_delivered: model_delivered
            .as_ref()
            .and_then(|m| latency(&m.latency_draws(write, own, DRAWS, seed))),
        model_only: latency(&model.latency_draws(write, &[], DRAWS, seed)),
    };
    let ops = history.ops();
    let violations = check_regular(&ops).len();
    // The shortest injected round trip's median: two one-way draws.
    let round_trip = 2.0 * cfg.delay.quantile(0.5);
    let Trust {
        trustworthy,
        reasons,
    } = judge(
        round_trip,
        late_mean_us,
        late_p99_us as f64,
        own_write_median.min(own_read_median),
        m.stopped_early,
    );
    let first = curve.first().copied();
    Ok(GarageReport {
        garage: super::VERSION.into(),
        mode: cfg.mode,
        nodes: cfg.nodes,
        n: cfg.n,
        r,
        w,
        delay: cfg.delay.to_string(),
        delayed_acks: cfg.delayed_acks,
        non_monotonic: cfg.non_monotonic,
        model: if cfg.nodes > cfg.n {
            format!(
                "{} (a replica coordinates with probability {}/{}; see predict.rs for the mixture)",
                model.topology, cfg.n, cfg.nodes
            )
        } else {
            model.topology.clone()
        },
        writes: ws.len(),
        reads: rs.len(),
        p_consistent_t0_measured: first.map_or(f64::NAN, |c| c.measured),
        p_consistent_t0_predicted: first.and_then(|c| c.predicted),
        p_consistent_t0_predicted_delivered: first.and_then(|c| c.predicted_delivered),
        max_curve_deviation: dev,
        max_deviation_beyond_interval: beyond,
        max_curve_deviation_delivered: dev_d,
        max_deviation_beyond_interval_delivered: beyond_d,
        p_consistent_t0_predicted_sticky: first.and_then(|c| c.predicted_sticky),
        max_curve_deviation_sticky: dev_sticky,
        write: comparison(true, measured_write, &own_write),
        read: comparison(false, measured_read, &own_read),
        overhead_write_ms: own_write_median,
        overhead_read_ms: own_read_median,
        delivered_mean_ms: if delivered.is_empty() {
            f64::NAN
        } else {
            delivered.iter().sum::<f64>() / delivered.len() as f64
        },
        delivered_p50_ms: percentile(&delivered_sorted, 0.5),
        delivered_p99_ms: percentile(&delivered_sorted, 0.99),
        injected_mean_ms: cfg.delay.mean(),
        lateness_mean_us: late_mean_us,
        lateness_p99_us: late_p99_us,
        messages,
        fifo_held_back_share: if messages == 0 {
            0.0
        } else {
            held as f64 / messages as f64
        },
        register: RegisterCheck {
            operations: ops.len(),
            violations,
            conflicts: m.tally.conflicts,
        },
        fault: cfg.stop_node.filter(|_| window.is_some()).map(|d| Fault {
            node: cfg.nodes,
            down_s: d.as_secs_f64(),
            failed_writes: m.tally.failed_writes,
            failed_reads: m.tally.failed_reads,
            rejoin_s: m.rejoin.map_or(f64::NAN, |d| d.as_secs_f64()),
            errors: m.tally.errors.clone(),
        }),
        stale_after_return: stale,
        trustworthy,
        trust_reasons: reasons,
        elapsed_s: began.elapsed().as_secs_f64(),
        keep_dir,
        curve,
    })
}
