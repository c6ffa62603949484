//! `quorum-model qs`'s text output.

use super::{Report, StrategyOut};
use crate::qs::avail::Estimate;
use crate::qs::strategy::Objective;

pub(super) fn print(r: &Report) {
    let count = |c: Option<usize>| {
        c.map_or(format!("more than {}", crate::qs::MAX_QUORUMS), |c| {
            c.to_string()
        })
    };
    println!(
        "reads   {}   ({} minimal quorums)",
        r.reads,
        count(r.read_quorums)
    );
    println!(
        "writes  {}   ({} minimal quorums)",
        r.writes,
        count(r.write_quorums)
    );
    let res = |r: Option<usize>| r.map_or("? (too large to search)".to_string(), |r| r.to_string());
    println!(
        "resilience: reads survive any {} failures, writes any {}",
        res(r.read_resilience),
        res(r.write_resilience)
    );
    let avail = |e: &Option<Estimate>| match e {
        Some(e) if e.exact => format!("{:.9} (exact)", e.p),
        Some(e) => {
            let (lo, hi) = e.interval.unwrap_or((e.p, e.p));
            format!("{:.6} (Monte Carlo, 95% in [{lo:.6}, {hi:.6}])", e.p)
        }
        None => "- (no failure model given)".to_string(),
    };
    match &r.failure {
        Some(f) => println!(
            "availability under {f}: reads {}, writes {}",
            avail(&r.read_availability_detail),
            avail(&r.write_availability_detail)
        ),
        None => println!("availability: - (give --p-fail, --failure, ... for it)"),
    }
    if let (Some(strategy), Some(node_loads)) = (&r.strategy, &r.node_loads) {
        print_strategy(r, strategy, node_loads);
    }
    if !r.intersecting {
        print_staleness(r);
    }
    for n in &r.notes {
        println!("note: {n}");
    }
}

fn print_strategy(r: &Report, strategy: &StrategyOut, node_loads: &[(String, f64)]) {
    let fr: Vec<String> = r
        .read_fraction
        .iter()
        .map(|(f, w)| format!("{f}:{w}"))
        .collect();
    println!(
        "{} strategy ({}, read fraction {}, {}-resilient quorums):",
        r.strategy_kind,
        match (r.strategy_kind, r.optimize) {
            ("uniform", _) => "every minimal quorum alike",
            (_, Objective::Load) => "load minimised",
            (_, Objective::Network) => "network load minimised",
            (_, Objective::Latency) => "latency minimised",
        },
        fr.join(","),
        r.resilience_f
    );
    let f = |x: Option<f64>, digits: usize| x.map_or("-".into(), |x| format!("{x:.digits$}"));
    println!(
        "  load {}   capacity {}   network load {}   latency {} ms (p99 {} ms)",
        f(r.load, 6),
        f(r.capacity, 4),
        f(r.network_load, 4),
        f(r.latency_ms, 4),
        f(r.latency_p99_ms, 4)
    );
    for (side, qs) in [("reads ", &strategy.reads), ("writes", &strategy.writes)] {
        let parts: Vec<String> = qs
            .iter()
            .map(|q| format!("{{{}}} {:.4}", q.quorum.join(","), q.probability))
            .collect();
        println!("  {side}  {}", parts.join("  "));
    }
    let loads: Vec<String> = node_loads
        .iter()
        .map(|(n, l)| format!("{n} {l:.4}"))
        .collect();
    println!("  node loads  {}", loads.join("  "));
}

fn print_staleness(r: &Report) {
    if let Some(p) = r.p_stale_k {
        println!(
            "  partial: P(a read misses the last 1, 2, 3 writes) {:.6}, {:.6}, {:.6}",
            p[0], p[1], p[2]
        );
    }
    let p0 = match (
        r.p_consistent_t0,
        r.p_consistent_t0_ci_low,
        r.p_consistent_t0_ci_high,
    ) {
        (Some(p), Some(lo), Some(hi)) => format!("{p:.6} (95% in [{lo:.6}, {hi:.6}])"),
        _ => "undefined".into(),
    };
    let t = match (r.t_visibility_p999_ms, r.t_visibility_p999_ms_ci_low) {
        (Some(t), Some(lo)) => format!(
            "{t:.4} ms (95% in [{lo:.4}, {}])",
            r.t_visibility_p999_ms_ci_high
                .map_or("inf".to_string(), |h| format!("{h:.4}"))
        ),
        _ => "- (see the note)".into(),
    };
    // A preset's legs are long: its name says them.
    let legs = match r.delays.split_once(": ") {
        Some((name, _)) if name != "custom" => name,
        _ => &r.delays,
    };
    println!(
        "  t-visibility (PBS's WARS, every node asked, {} trials; legs {legs}):",
        r.visibility_trials.unwrap_or(0),
    );
    println!("    P(a read right after commit sees the write) {p0}");
    println!("    99.9% of reads see it within {t}");
}
