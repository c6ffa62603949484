//! `reports/garage.md`: runs side by side, what Garage does as read in its
//! source, and every deviation explained. Everything numeric is taken from
//! the runs.

use super::workload::{GarageConfig, GarageReport, Latency};
use std::fmt::Write as _;

/// One run of the report.
pub struct Run {
    /// Short name (its JSON and chart files).
    pub name: String,
    /// The command that repeats it.
    pub command: String,
    pub config: GarageConfig,
}

/// A run and what it measured.
pub struct Done {
    pub run: Run,
    pub report: GarageReport,
}

fn lat(l: Option<Latency>) -> String {
    l.map_or("-".into(), |l| format!("{:.2} / {:.2}", l.p50_ms, l.p99_ms))
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or("-".into(), |x| format!("{x:.digits$}"))
}

/// Relative gap of `predicted` to `measured`, in percent (p50, p99).
fn gap(measured: Latency, predicted: Option<Latency>) -> Option<(f64, f64)> {
    let p = predicted?;
    Some((
        100.0 * (p.p50_ms - measured.p50_ms) / measured.p50_ms,
        100.0 * (p.p99_ms - measured.p99_ms) / measured.p99_ms,
    ))
}

fn gap_text(g: Option<(f64, f64)>) -> String {
    g.map_or("-".into(), |(a, b)| format!("{a:+.0}% / {b:+.0}%"))
}

/// The report's markdown; `charts` is the charts' directory relative to
/// the report.
pub fn markdown(done: &[Done], charts: &str, regenerate: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Garage measured against the model\n");
    let _ = writeln!(
        s,
        "Garage {} (crates.io, unmodified, built with `.ci/garage-build`) on loopback, every RPC between two nodes crossing a userspace proxy that delays each direction of each connection by a draw of the delay law; small values written and read through the K2V API from a node drawn at random for each operation, each write read back at every point of a t grid after its acknowledgment. Regenerate with `{regenerate}` (about 15 minutes, most of it waiting for Garage's anti-entropy in the last run). All figures below come from the JSON files next to this report (`reports/garage/`).\n",
        super::VERSION
    );
    let _ = writeln!(s, "## What Garage does, read in its source\n");
    s.push_str(SOURCE_NOTES);
    let _ = writeln!(s, "\n## Measured against predicted\n");
    let _ = writeln!(
        s,
        "*predicted*: the model with every message delayed by the injected law plus the proxy timer's measured lateness, plus Garage's own cost per operation (the same workload with the delays off). *delivered*: the same model fed the one-way delays the proxies really delivered (each message's wait behind earlier ones on its TCP connection included). Latencies are p50 / p99 in ms; gaps are predicted against measured.\n"
    );
    let _ = writeln!(
        s,
        "| run | nodes | mode (r, w) | writes | P(fresh at t=0) measured / predicted / delivered | curve gap (beyond 95% CI) | delivered | write measured | write predicted (gap) | write delivered (gap) | read measured | read predicted (gap) | read delivered (gap) | trusted |"
    );
    let _ = writeln!(
        s,
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    );
    for d in done {
        let r = &d.report;
        let _ = writeln!(
            s,
            "| [{}](#{}) | {} | {} ({}, {}) | {} | {:.3} / {} / {} | {} ({}) | {} ({}) | {} | {} ({}) | {} ({}) | {} | {} ({}) | {} ({}) | {} |",
            d.run.name,
            d.run.name,
            r.nodes,
            r.mode.name(),
            r.r,
            r.w,
            r.writes,
            r.p_consistent_t0_measured,
            opt(r.p_consistent_t0_predicted, 3),
            opt(r.p_consistent_t0_predicted_delivered, 3),
            opt(r.max_curve_deviation, 3),
            opt(r.max_deviation_beyond_interval, 3),
            opt(r.max_curve_deviation_delivered, 3),
            opt(r.max_deviation_beyond_interval_delivered, 3),
            lat(Some(r.write.measured)),
            lat(r.write.predicted),
            gap_text(gap(r.write.measured, r.write.predicted)),
            lat(r.write.predicted_delivered),
            gap_text(gap(r.write.measured, r.write.predicted_delivered)),
            lat(Some(r.read.measured)),
            lat(r.read.predicted),
            gap_text(gap(r.read.measured, r.read.predicted)),
            lat(r.read.predicted_delivered),
            gap_text(gap(r.read.measured, r.read.predicted_delivered)),
            if r.trustworthy { "yes" } else { "no" }
        );
    }
    deviations(&mut s, done);
    for d in done {
        run_section(&mut s, d, charts);
    }
    s
}

/// Every gap beyond the bar (curve 0.05, latency 15%), with its cause.
fn deviations(s: &mut String, done: &[Done]) {
    let _ = writeln!(s, "\n## Deviations, explained\n");
    let mut any = false;
    for d in done {
        let r = &d.report;
        let mut items = Vec::new();
        if r.max_curve_deviation.is_some_and(|g| g > 0.05) {
            items.push(format!(
                "curve gap {:.3} (with the delivered delays {}, beyond the measured interval {})",
                r.max_curve_deviation.unwrap_or(f64::NAN),
                opt(r.max_curve_deviation_delivered, 3),
                opt(r.max_deviation_beyond_interval_delivered, 3)
            ));
        }
        for (op, l) in [("write", &r.write), ("read", &r.read)] {
            if let Some((a, b)) = gap(l.measured, l.predicted) {
                for (q, g) in [("p50", a), ("p99", b)] {
                    if g.abs() > 15.0 {
                        let delivered = gap(l.measured, l.predicted_delivered).map(|(x, y)| {
                            if q == "p50" {
                                x
                            } else {
                                y
                            }
                        });
                        items.push(format!(
                            "{op} {q} predicted {g:+.0}% (with the delivered delays {})",
                            delivered.map_or("-".into(), |x| format!("{x:+.0}%"))
                        ));
                    }
                }
            }
        }
        if items.is_empty() {
            continue;
        }
        any = true;
        let _ = writeln!(
            s,
            "- **{}**: {}. {}",
            d.run.name,
            items.join("; "),
            cause(d, done)
        );
    }
    if !any {
        let _ = writeln!(
            s,
            "None: every curve within 0.05 and every latency percentile within 15%."
        );
    }
    let _ = writeln!(s);
}

/// Why a run deviates, from what it measured (and the other runs).
fn cause(d: &Done, done: &[Done]) -> String {
    let r = &d.report;
    let mut why = Vec::new();
    if r.delayed_acks {
        let twin = done.iter().find(|o| {
            !o.report.delayed_acks
                && o.report.fault.is_none()
                && o.report.stale_after_return.is_none()
                && (o.report.nodes, o.report.mode) == (r.nodes, r.mode)
        });
        why.push(format!(
            "The proxies left the kernel's delayed ACKs on: Garage sets no TCP_NODELAY, so the rest of a message written in several calls waits under Nagle's algorithm for the first part's ACK, about one more round trip per RPC, which the model's one-delay messages leave out. {}",
            match twin {
                Some(o) => format!(
                    "The same run with quick ACKs ({}) measured write p50 {:.2} ms against {:.2} here, and a curve gap of {}.",
                    o.run.name,
                    o.report.write.measured.p50_ms,
                    r.write.measured.p50_ms,
                    opt(o.report.max_curve_deviation, 3)
                ),
                None => String::new(),
            }
        ));
    }
    if r.nodes > r.n && r.max_curve_deviation.is_some_and(|g| g > 0.05) {
        why.push(format!(
            "Reads are fresher than the model's mixture predicts. A node that holds no replica sends its writes and its reads to the replica with the lowest measured ping (`request_order`), so reads through it of writes forwarded through it find them at once; the model draws the replica for each operation. Were every such node to use one replica, the model gives P(fresh at t=0) = {} and a curve gap of {} (measured {:.3}): the choice of replica accounts for {} of the gap at t = 0. The rest is not quantified here; a candidate is the order of events inside Garage: the write's updates leave before the client has its acknowledgment, and a read looks at a replica only after its own request is handled, so reads look later than their t by part of Garage's own cost, which the model's clock leaves out.",
            opt(r.p_consistent_t0_predicted_sticky, 3),
            opt(r.max_curve_deviation_sticky, 3),
            r.p_consistent_t0_measured,
            match (r.p_consistent_t0_predicted, r.p_consistent_t0_predicted_sticky) {
                (Some(p), Some(q)) if r.p_consistent_t0_measured > p => format!(
                    "{:.0}%",
                    (100.0 * (q - p) / (r.p_consistent_t0_measured - p)).min(100.0)
                ),
                _ => "none".into(),
            }
        ));
    }
    // Deviating percentiles where the model alone gives no time at all:
    // operations that never leave the node asked.
    let own_only: Vec<String> = [("write", &r.write), ("read", &r.read)]
        .into_iter()
        .flat_map(|(op, l)| {
            let g = gap(l.measured, l.predicted);
            let m = l.model_only;
            [
                ("p50", g.map(|g| g.0), m.map(|m| m.p50_ms)),
                ("p99", g.map(|g| g.1), m.map(|m| m.p99_ms)),
            ]
            .into_iter()
            .filter(|(_, g, m)| g.is_some_and(|g| g.abs() > 15.0) && m.is_some_and(|m| m < 1e-9))
            .map(move |(q, _, _)| format!("{op} {q}"))
        })
        .collect();
    if !own_only.is_empty() {
        why.push(format!(
            "At {} the model alone gives 0 ms: those operations never leave the node asked (a replica coordinating with r = 1 or w = 1), so their latency is Garage's own cost alone ({:.3} ms per write, {:.3} per read, medians with the delays off), and that depends on how busy the node is: the calibration runs the same workload with no delays, hence at another pace{}.",
            own_only.join(", "),
            r.overhead_write_ms,
            r.overhead_read_ms,
            if r.nodes > r.n {
                ", and its law is split between operations a replica coordinates and the others by rank (an assumption)"
            } else {
                ""
            }
        ));
    }
    if r.fifo_held_back_share > 0.05 {
        why.push(format!(
            "{:.0}% of the messages waited behind an earlier one on their TCP connection (a TCP connection is FIFO, WARS's messages are independent), raising the mean one-way delay from {:.3} to {:.3} ms; fed the delays the proxies delivered, the model's curve gap is {} instead of {}.",
            100.0 * r.fifo_held_back_share,
            r.injected_mean_ms,
            r.delivered_mean_ms,
            opt(r.max_curve_deviation_delivered, 3),
            opt(r.max_curve_deviation, 3)
        ));
    }
    if let Some(f) = &r.fault {
        why.push(format!(
            "Operations during the stop and the {:.0} s until the restarted node reconnected are left out of the curve and the latencies.",
            f.rejoin_s
        ));
    }
    if !r.trustworthy {
        why.push(format!(
            "The run judged itself untrustworthy: {}",
            r.trust_reasons.join("; ")
        ));
    }
    why.join(" ")
}

fn run_section(s: &mut String, d: &Done, charts: &str) {
    let r = &d.report;
    let _ = writeln!(s, "\n### {}\n", d.run.name);
    let _ = writeln!(s, "```sh\n{}\n```\n", d.run.command);
    let _ = writeln!(
        s,
        "Model: `{}`. {} writes, {} reads; Garage's own cost {:.3} ms per write, {:.3} ms per read (medians, delays off); proxy timer {:.0} µs late on average (p99 {} µs); delivered one-way delay mean {:.3} ms against the law's {:.3} ({:.1}% of {} messages held back behind an earlier one); regular-register check: {} operations, {} violations, {} reads of concurrent values.\n",
        r.model,
        r.writes,
        r.reads,
        r.overhead_write_ms,
        r.overhead_read_ms,
        r.lateness_mean_us,
        r.lateness_p99_us,
        r.delivered_mean_ms,
        r.injected_mean_ms,
        100.0 * r.fifo_held_back_share,
        r.messages,
        r.register.operations,
        r.register.violations,
        r.register.conflicts
    );
    if r.curve.iter().any(|c| c.reads > 0) && r.stale_after_return.is_none() {
        let _ = writeln!(s, "![{}]({charts}/garage-{}.svg)\n", d.run.name, d.run.name);
        let _ = writeln!(s, "| t after ack (ms) | issued at (ms) | reads | measured [95% CI] | predicted | delivered |");
        let _ = writeln!(s, "|---|---|---|---|---|---|");
        for c in r.curve.iter().filter(|c| c.reads > 0) {
            let _ = writeln!(
                s,
                "| {:.2} | {:.2} | {} | {:.4} [{:.4}, {:.4}] | {} | {} |",
                c.t_ms,
                c.issued_ms,
                c.reads,
                c.measured,
                c.ci_low,
                c.ci_high,
                opt(c.predicted, 4),
                opt(c.predicted_delivered, 4)
            );
        }
    }
    if let Some(f) = &r.fault {
        let _ = writeln!(
            s,
            "\nNode {} was killed a third of the way through and restarted {:.0} s later; it answered again {:.1} s after its restart. {} writes and {} reads failed in all. The first errors Garage answered:\n",
            f.node, f.down_s, f.rejoin_s, f.failed_writes, f.failed_reads
        );
        for e in &f.errors {
            let _ = writeln!(s, "- `{}`", e.replace(['\n', '`'], " "));
        }
    }
    if let Some(a) = &r.stale_after_return {
        let _ = writeln!(
            s,
            "\nNode {} was killed, {} fresh keys were written through the others, and it came back {:.0} s later, {:.0} s after the layout was applied. Read through it once a second:\n",
            a.node, a.keys, a.down_s, a.returned_at_s
        );
        let _ = writeln!(
            s,
            "| seconds after the return | share of the keys it did not return |"
        );
        let _ = writeln!(s, "|---|---|");
        let n = a.probes.len();
        for (i, (t, p)) in a.probes.iter().enumerate() {
            // The first probes, every 30th, and the last ones.
            if i < 3 || i % 30 == 0 || i + 3 >= n {
                let _ = writeln!(s, "| {t:.0} | {p:.3} |");
            }
        }
        let _ = writeln!(
            s,
            "\n{} Garage's schedule predicts the repair at the other nodes' next full anti-entropy sync, {:.0} s after the return (a layout change triggers a full sync and restarts the 10-minute timer, so the syncs fall 10, 20, ... minutes after the layout was applied; the sync pushes what a node holds and never pulls, so the returning node's own sync 20 s after its restart does not repair it). The model's anti-entropy at a 10-minute interval with a random phase waits {:.0} s on average; its read repair does not apply (K2V repairs only when a read asks more than one replica, and r = 1).",
            match a.all_fresh_after_s {
                Some(t) => format!("Every key was visible through it {t:.0} s after its return."),
                None => format!(
                    "{:.0}% of the keys were still missing when the watch ended.",
                    100.0 * a.probes.last().map_or(1.0, |p| p.1)
                ),
            },
            a.next_sync_after_s,
            a.model_mean_wait_s
        );
    }
}

/// What Garage 2.5.0 does, from its source (paths under
/// `~/.cargo/registry/src/*/`).
const SOURCE_NOTES: &str = "\
- **Quorums** (`garage_rpc-2.5.0/replication_mode.rs`): `consistent` reads `ceil(n/2)` and writes `n + 1 - ceil(n/2)` replicas; `degraded` reads 1 with the same writes; `dangerous` reads and writes 1. For n = 3: (2, 2), (1, 2), (1, 1).
- **Writes** (`garage_rpc-2.5.0/rpc_helper.rs`, `try_write_many_sets`; called from `garage_table-2.5.0/table.rs`, `insert`): sent to all n replicas at once, acknowledged at the w-th answer, the rest left to complete in the background. This is WARS's write.
- **K2V inserts** (`garage_model-2.5.0/k2v/rpc.rs`, `insert` and `handle_insert`): the node asked sends the item to one replica (`try_call_many` with quorum 1, itself first when it is a replica, else the lowest measured ping), which applies it locally and then writes it to all n as above. Through a node that holds no replica a write therefore costs one more delay each way; the model of five nodes mixes the two paths (`bench/src/garage/predict.rs`).
- **Reads** (`garage_table-2.5.0/table.rs`, `get_internal`; `rpc_helper.rs`, `try_call_many` and `request_order`): sent to **r replicas only**, the node itself first, then its zone, then the lowest measured ping; a failed request is replaced by one to the next node. The read waits for all r. In the model: coordinator a replica with free legs, `Fanout::Closest`.
- **Read repair** (`table.rs`, `get_monotonic` and `repair_on_read`; `garage_api_k2v-2.5.0/item.rs`): K2V reads are *monotonic by default*; when the r answers differ, the coordinator writes the merged value to every replica of the key and waits for **all n** before answering. With r = 1 nothing ever differs, so `degraded` and `dangerous` reads never repair. With a replica down, a `consistent` read whose two answers differ fails (its repair cannot reach n). `X-Garage-Non-Monotonic-Read: true` turns it off (`--non-monotonic`).
- **Anti-entropy** (`garage_table-2.5.0/sync.rs`; `replication/sharded.rs`, `ANTI_ENTROPY_INTERVAL`): each node runs a full Merkle-tree sync of its partitions 20 s after it starts, at once when the layout changes (which restarts the timer), and 10 minutes after its last one. The sync only **pushes**: a node sends the items the other lacks and never asks for what it lacks itself (\"they will send them\"). There is no hinted handoff.
- **Transport** (`garage_net-2.5.0`): one TCP connection per pair of nodes, multiplexed and encrypted; no `TCP_NODELAY` is set anywhere, so Nagle's algorithm applies to every RPC.
";
