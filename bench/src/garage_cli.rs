//! `quorum-bench garage`: the command line over [`quorum_bench::garage`].

use clap::Args;
use quorum_bench::garage::report::{markdown, Done, Run};
use quorum_bench::garage::{self, GarageConfig, GarageReport, Mode, ReturnWatch};
use quorum_model::dist::Dist;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct GarageArgs {
    /// Garage nodes on loopback, one zone each.
    #[arg(long, default_value_t = 3, value_parser = crate::whole(1))]
    nodes: usize,
    /// Garage's replication factor (at most --nodes).
    #[arg(long, default_value_t = 3, value_parser = crate::whole(1))]
    n: usize,
    /// Consistency mode: consistent (r = ceil(n/2), w = n + 1 - r),
    /// degraded (r = 1, same w) or dangerous (r = w = 1).
    #[arg(long, default_value = "degraded", value_parser = |s: &str| s.parse::<Mode>())]
    mode: Mode,
    /// Delay of every message between two nodes, each direction of each
    /// connection, a delay spec (ms).
    #[arg(long, default_value = "exp(mean=2)")]
    delay: String,
    /// Writes to measure (each read back at every point of the t grid).
    #[arg(long, default_value_t = 2000, value_parser = crate::whole(1))]
    writes: usize,
    /// Writers at once.
    #[arg(long, default_value_t = 4, value_parser = crate::whole(1))]
    concurrency: usize,
    /// Keys per writer, overwritten in turn (the register check's keys).
    #[arg(long, default_value_t = 4, value_parser = crate::whole(1))]
    keys: usize,
    /// Points of the t grid, from 0 to 1.2 times the model's 99.9%
    /// t-visibility (at least 4 mean delays).
    #[arg(long, default_value_t = 12, value_parser = crate::whole(2))]
    grid_points: usize,
    /// Writes of the same workload (each read back at every grid point)
    /// run first with the delays off, to measure Garage's own cost per
    /// operation.
    #[arg(long, default_value_t = 200, value_parser = crate::whole(1))]
    calibration: usize,
    /// Stop the last node (SIGKILL) once a third of the writes are done
    /// and restart it this many seconds later.
    #[arg(long, value_name = "SECONDS", value_parser = crate::seconds)]
    stop_node: Option<f64>,
    /// Seed of the workload's choices, the proxies' delays and the model.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Trials of the model's simulation.
    #[arg(long, default_value_t = 400_000, value_parser = |s: &str| crate::whole(1000)(s).map(|v| v as u64))]
    trials: u64,
    /// The whole run's time budget; the run stops when it is spent (and
    /// says so).
    #[arg(long, default_value_t = 900.0, value_parser = crate::seconds)]
    budget_s: f64,
    /// The Garage binary (default: $QUORUM_GARAGE, else the cache
    /// .ci/garage-build fills).
    #[arg(long, value_name = "PATH")]
    garage: Option<PathBuf>,
    /// Keep the nodes' directories and logs (printed at the end).
    #[arg(long)]
    keep: bool,
    /// Leave the kernel's delayed ACKs on the proxies' sockets. Garage sets
    /// no TCP_NODELAY, so the rest of a message written in several calls
    /// waits for the first part's ACK (Nagle): about one more round trip
    /// per RPC. By default the proxies acknowledge at once, so that each
    /// message costs one delay, as the model's links do.
    #[arg(long)]
    delayed_acks: bool,
    /// Read with X-Garage-Non-Monotonic-Read: true. K2V reads are
    /// monotonic by default: when the r answers differ, the coordinator
    /// writes the merged value back to every replica (all n must answer)
    /// before it answers.
    #[arg(long)]
    non_monotonic: bool,
    /// After the measurement, stop the last node, write --return-keys fresh
    /// keys through the others, restart it --return-down seconds later and
    /// read them through it once a second for up to this many seconds: how
    /// long a returning node serves stale reads (Garage repairs it at its
    /// peers' next anti-entropy sync, every 10 minutes).
    #[arg(long, value_name = "SECONDS", value_parser = crate::seconds)]
    watch_after_return: Option<f64>,
    /// Keys written while the node is down (with --watch-after-return).
    #[arg(long, default_value_t = 200, value_parser = crate::whole(1), requires = "watch_after_return")]
    return_keys: usize,
    /// How long the node stays down (with --watch-after-return).
    #[arg(long, value_name = "SECONDS", default_value_t = 20.0, value_parser = crate::seconds, requires = "watch_after_return")]
    return_down: f64,
    /// Draw the two curves into DIR/garage-MODE-Nnodes.{svg,png}.
    #[arg(long, value_name = "DIR")]
    charts_dir: Option<PathBuf>,
    /// Output: an aligned table, or one JSON object.
    #[arg(long, value_enum, default_value_t = crate::Format::Table)]
    format: crate::Format,
}

fn delay_of(text: &str) -> Result<Dist, String> {
    let delay: Dist = text.parse().map_err(|e| format!("--delay: {e}"))?;
    quorum_bench::limits::check_leg("--delay", &delay)?;
    Ok(delay)
}

/// `Ok(false)`: finished, but the machine was too busy to believe it.
pub fn run(args: GarageArgs) -> Result<bool, String> {
    let delay = delay_of(&args.delay)?;
    if args.n > args.nodes {
        return Err(format!(
            "--n: the replication factor ({}) must be at most --nodes ({})",
            args.n, args.nodes
        ));
    }
    garage::cluster::catch_interrupts();
    let cfg = GarageConfig {
        binary: args.garage.unwrap_or_else(garage::default_binary),
        nodes: args.nodes,
        n: args.n,
        mode: args.mode,
        delay,
        writes: args.writes,
        concurrency: args.concurrency,
        keys_per_writer: args.keys,
        grid_points: args.grid_points,
        calibration: args.calibration,
        stop_node: args.stop_node.map(Duration::from_secs_f64),
        seed: args.seed,
        trials: args.trials,
        budget: Duration::from_secs_f64(args.budget_s),
        keep: args.keep,
        delayed_acks: args.delayed_acks,
        non_monotonic: args.non_monotonic,
        stale_after_return: args.watch_after_return.map(|w| ReturnWatch {
            keys: args.return_keys,
            down: Duration::from_secs_f64(args.return_down),
            watch: Duration::from_secs_f64(w),
        }),
    };
    let report = garage::run(&cfg)?;
    if let Some(dir) = &args.charts_dir {
        let name = format!("{}-{}nodes", report.mode.name(), report.nodes);
        quorum_model::output::charts::save(&garage::chart::GarageChart(&report, &name), dir)
            .map_err(|e| format!("--charts-dir: {e}"))?;
    }
    match args.format {
        crate::Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        ),
        crate::Format::Table => print!("{}", table(&report)),
    }
    for r in &report.trust_reasons {
        eprintln!("untrustworthy: {r}");
    }
    Ok(report.trustworthy)
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or("-".into(), |x| format!("{x:.digits$}"))
}

/// The report as aligned text.
pub fn table(r: &GarageReport) -> String {
    let mut s = format!(
        "Garage {} · {} nodes · n={} · {} (r={}, w={}) · delay {}{}\nmodel: {}\n{} writes, {} reads in {:.1} s\n\n",
        r.garage, r.nodes, r.n, r.mode.name(), r.r, r.w, r.delay, if r.delayed_acks { " (kernel's delayed ACKs)" } else { "" }, r.model, r.writes, r.reads, r.elapsed_s
    );
    s.push_str(
        "t after ack (ms)  issued  reads  measured  [95% interval]   predicted  (delivered)\n",
    );
    for c in &r.curve {
        s.push_str(&format!(
            "{:>16.2}  {:>6.2}  {:>5}  {:>8.4}  [{:.4}, {:.4}]  {:>9}  ({:>9})\n",
            c.t_ms,
            c.issued_ms,
            c.reads,
            c.measured,
            c.ci_low,
            c.ci_high,
            opt(c.predicted, 4),
            opt(c.predicted_delivered, 4)
        ));
    }
    s.push_str(&format!(
        "\nmax curve deviation {} (beyond the measured interval {}); with the delays as delivered {} ({})\n",
        opt(r.max_curve_deviation, 4),
        opt(r.max_deviation_beyond_interval, 4),
        opt(r.max_curve_deviation_delivered, 4),
        opt(r.max_deviation_beyond_interval_delivered, 4)
    ));
    s.push_str(
        "\np50 / p99 (ms)  measured           predicted          (delivered)        model alone\n",
    );
    let pair = |l: Option<quorum_bench::garage::workload::Latency>| {
        l.map_or("-".to_string(), |x| {
            format!("{:.3} / {:.3}", x.p50_ms, x.p99_ms)
        })
    };
    for (name, l) in [("write", &r.write), ("read", &r.read)] {
        s.push_str(&format!(
            "{name:<14}  {:<17}  {:<17}  {:<17}  {}\n",
            pair(Some(l.measured)),
            pair(l.predicted),
            pair(l.predicted_delivered),
            pair(l.model_only),
        ));
    }
    s.push_str(&format!(
        "delays delivered by the proxies: mean {:.3} ms (injected law {:.3}), p50 {:.3}, p99 {:.3}\n",
        r.delivered_mean_ms, r.injected_mean_ms, r.delivered_p50_ms, r.delivered_p99_ms
    ));
    s.push_str(&format!(
        "\nGarage's own cost (delays off): write {:.3} ms, read {:.3} ms (medians)\nproxy timer late {:.0} µs on average (p99 {} µs); {} messages, {:.2}% held back behind an earlier one (FIFO)\nregular-register check: {} operations, {} violations, {} conflicting reads\n",
        r.overhead_write_ms,
        r.overhead_read_ms,
        r.lateness_mean_us,
        r.lateness_p99_us,
        r.messages,
        100.0 * r.fifo_held_back_share,
        r.register.operations,
        r.register.violations,
        r.register.conflicts
    ));
    if r.keep_dir.is_some() {
        s.push_str(&format!(
            "nodes' directories and logs kept in {}\n",
            r.keep_dir.as_deref().unwrap_or("")
        ));
    }
    if let Some(a) = &r.stale_after_return {
        s.push_str(&format!(
            "node {} down {:.0} s while {} keys were written, back {:.0} s after the start: ",
            a.node, a.down_s, a.keys, a.returned_at_s
        ));
        match a.all_fresh_after_s {
            Some(t) => s.push_str(&format!("all visible through it {t:.0} s after its return")),
            None => s.push_str(&format!(
                "{:.0}% still missing when the watch ended {:.0} s after its return",
                100.0 * a.probes.last().map_or(1.0, |p| p.1),
                a.probes.last().map_or(0.0, |p| p.0)
            )),
        }
        s.push_str(&format!(
            "; Garage's next anti-entropy sync was due {:.0} s after the return (the model's 10-minute anti-entropy: {:.0} s on average)\n",
            a.next_sync_after_s, a.model_mean_wait_s
        ));
    }
    if let Some(f) = &r.fault {
        s.push_str(&format!(
            "node {} stopped for {:.1} s, answering again {:.1} s after its restart: {} writes and {} reads failed\n",
            f.node, f.down_s, f.rejoin_s, f.failed_writes, f.failed_reads
        ));
        for e in &f.errors {
            s.push_str(&format!("  error: {e}\n"));
        }
    }
    s
}

/// `quorum-bench garage-report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Delay of every message between two nodes (as for garage).
    #[arg(long, default_value = "exp(mean=2)")]
    delay: String,
    /// Writes per run (the return run writes 300).
    #[arg(long, default_value_t = 2000, value_parser = crate::whole(1))]
    writes: usize,
    /// How long the last run watches a returning node (Garage's anti-entropy
    /// runs every 10 minutes, so at least 640 s to see it).
    #[arg(long, value_name = "SECONDS", default_value_t = 700.0, value_parser = crate::seconds)]
    watch_after_return: f64,
    /// Seed of every run.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The Garage binary (as for garage).
    #[arg(long, value_name = "PATH")]
    garage: Option<PathBuf>,
    /// Where garage.md, garage/RUN.json and charts/garage-RUN.{svg,png} go.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    reports_dir: PathBuf,
    /// Run nothing: rewrite garage.md and the charts from the JSON an
    /// earlier run left in --reports-dir (no Garage needed).
    #[arg(long)]
    render_only: bool,
}

/// The report's runs, each with the command that repeats it: three nodes
/// and five in each mode; consistent across a node's stop, with monotonic
/// and non-monotonic reads; dangerous with one writer; the kernel's delayed
/// ACKs; a node's return after writes it missed.
fn report_runs(base: &GarageConfig, watch: Duration) -> Vec<Run> {
    let command = |c: &GarageConfig| {
        let mut s = format!(
            "quorum-bench garage --nodes {} --mode {} --delay '{}' --writes {} --seed {}",
            c.nodes,
            c.mode.name(),
            c.delay,
            c.writes,
            c.seed
        );
        if c.concurrency != 4 {
            s.push_str(&format!(" --concurrency {}", c.concurrency));
        }
        if let Some(d) = c.stop_node {
            s.push_str(&format!(" --stop-node {}", d.as_secs_f64()));
        }
        if c.non_monotonic {
            s.push_str(" --non-monotonic");
        }
        if c.delayed_acks {
            s.push_str(" --delayed-acks");
        }
        if let Some(w) = c.stale_after_return {
            s.push_str(&format!(
                " --watch-after-return {} --return-keys {} --return-down {}",
                w.watch.as_secs_f64(),
                w.keys,
                w.down.as_secs_f64()
            ));
        }
        s
    };
    let mut runs = Vec::new();
    let mut add = |name: String, f: &dyn Fn(&mut GarageConfig)| {
        let mut c = base.clone();
        f(&mut c);
        runs.push(Run {
            name,
            command: command(&c),
            config: c,
        });
    };
    for nodes in [3, 5] {
        for mode in [Mode::Degraded, Mode::Consistent, Mode::Dangerous] {
            add(format!("{}-{nodes}nodes", mode.name()), &|c| {
                c.nodes = nodes;
                c.mode = mode;
            });
        }
    }
    add("consistent-3nodes-stop".into(), &|c| {
        c.mode = Mode::Consistent;
        c.stop_node = Some(Duration::from_secs(5));
    });
    add("consistent-3nodes-stop-nonmonotonic".into(), &|c| {
        c.mode = Mode::Consistent;
        c.stop_node = Some(Duration::from_secs(5));
        c.non_monotonic = true;
    });
    // One writer at a time: fewer messages share a connection, so fewer
    // wait behind another (the FIFO effect, measured).
    add("dangerous-3nodes-one-writer".into(), &|c| {
        c.mode = Mode::Dangerous;
        c.concurrency = 1;
    });
    add("degraded-3nodes-delayed-acks".into(), &|c| {
        c.delayed_acks = true
    });
    add("degraded-3nodes-return".into(), &|c| {
        c.writes = c.writes.min(300);
        c.stale_after_return = Some(ReturnWatch {
            keys: 200,
            down: Duration::from_secs(20),
            watch,
        });
    });
    runs
}

/// Runs every report run and writes the report.
pub fn report(args: ReportArgs) -> Result<bool, String> {
    let delay = delay_of(&args.delay)?;
    garage::cluster::catch_interrupts();
    let base = GarageConfig {
        binary: args.garage.unwrap_or_else(garage::default_binary),
        nodes: 3,
        n: 3,
        mode: Mode::Degraded,
        delay,
        writes: args.writes,
        concurrency: 4,
        keys_per_writer: 4,
        grid_points: 12,
        calibration: 200,
        stop_node: None,
        seed: args.seed,
        trials: 400_000,
        budget: Duration::from_secs(1800),
        keep: false,
        delayed_acks: false,
        stale_after_return: None,
        non_monotonic: false,
    };
    let runs = report_runs(&base, Duration::from_secs_f64(args.watch_after_return));
    let json_dir = args.reports_dir.join("garage");
    let mut done = Vec::new();
    if args.render_only {
        for run in runs {
            let path = json_dir.join(format!("{}.json", run.name));
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("--render-only: {}: {e}", path.display()))?;
            let report = serde_json::from_str(&text)
                .map_err(|e| format!("--render-only: {}: {e}", path.display()))?;
            done.push(Done { run, report });
        }
        write_report(&done, &args.reports_dir, false)?;
        return Ok(true);
    }
    let total = runs.len();
    for (i, run) in runs.into_iter().enumerate() {
        eprintln!("[{}/{total}] {}", i + 1, run.command);
        let report = garage::run(&run.config).map_err(|e| format!("{}: {e}", run.name))?;
        eprintln!(
            "    curve gap {}, write p50 {:.3} ms measured",
            report
                .max_curve_deviation
                .map_or("-".into(), |d| format!("{d:.4}")),
            report.write.measured.p50_ms
        );
        done.push(Done { run, report });
    }
    write_report(&done, &args.reports_dir, true)?;
    Ok(done.iter().all(|d| d.report.trustworthy))
}

/// garage.md and the charts (and, with `json`, each run's JSON) under
/// `dir`.
fn write_report(done: &[Done], dir: &std::path::Path, json: bool) -> Result<(), String> {
    let fail = |e: String| format!("--reports-dir: {e}");
    let json_dir = dir.join("garage");
    if json {
        std::fs::create_dir_all(&json_dir)
            .map_err(|e| fail(format!("{}: {e}", json_dir.display())))?;
        for d in done {
            let text = serde_json::to_string_pretty(&d.report).map_err(|e| e.to_string())?;
            quorum_model::output::write_atomic(
                &json_dir.join(format!("{}.json", d.run.name)),
                text.as_bytes(),
            )
            .map_err(|e| fail(e.to_string()))?;
        }
    }
    for d in done
        .iter()
        .filter(|d| d.report.stale_after_return.is_none())
    {
        quorum_model::output::charts::save(
            &garage::chart::GarageChart(&d.report, &d.run.name),
            &dir.join("charts"),
        )
        .map_err(fail)?;
    }
    let text = markdown(done, "charts", "quorum-bench garage-report");
    quorum_model::output::write_atomic(&dir.join("garage.md"), text.as_bytes())
        .map_err(|e| fail(e.to_string()))?;
    println!("wrote {}", dir.join("garage.md").display());
    Ok(())
}
