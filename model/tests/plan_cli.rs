//! `quorum-model plan` as a user runs it, checked against a brute-force
//! search over `quorum-model eval` with the same inputs and seed.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Output;

mod common;
use common::run;

fn temp(name: &str) -> PathBuf {
    common::temp("plan", name)
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

const MAX_N: usize = 4;
const SLO_P: f64 = 0.99;

/// One configuration through `eval`, as the brute force sees it.
struct Evaluated {
    n: usize,
    r: usize,
    w: usize,
    row: Value,
}

fn eval_all() -> Vec<Evaluated> {
    let configs: Vec<(usize, usize, usize)> = (1..=MAX_N)
        .flat_map(|n| (1..=n).flat_map(move |r| (1..=n).map(move |w| (n, r, w))))
        .collect();
    let results: Vec<Evaluated> = std::thread::scope(|s| {
        let handles: Vec<_> = configs
            .chunks(configs.len().div_ceil(4))
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|&(n, r, w)| {
                            let (ns, rs, ws) = (n.to_string(), r.to_string(), w.to_string());
                            let out = run(&[
                                "eval",
                                "--preset",
                                "lnkd-disk",
                                "--p-fail",
                                "0.01",
                                "--n",
                                &ns,
                                "--r",
                                &rs,
                                "--w",
                                &ws,
                                "--trials",
                                "20000",
                                "--seed",
                                "3",
                                "--consistency-at-ms",
                                "5",
                                "--threads",
                                "1",
                                "--format",
                                "json",
                            ]);
                            assert!(
                                out.status.success(),
                                "{}",
                                String::from_utf8_lossy(&out.stderr)
                            );
                            Evaluated {
                                n,
                                r,
                                w,
                                row: serde_json::from_slice(&out.stdout).unwrap(),
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    results
}

/// (status: 0 meets, 1 uncertain; cost; n; p99 read + write; (n, r, w); row)
type Expected<'a> = (u8, f64, usize, f64, (usize, usize, usize), &'a Evaluated);

#[test]
fn the_plan_is_a_brute_force_search_over_eval() {
    let out = run(&[
        "plan",
        "--preset",
        "lnkd-disk",
        "--p-fail",
        "0.01",
        "--slo-read-availability",
        "0.999",
        "--slo-write-p99-ms",
        "30",
        "--slo-consistency",
        "0.99@5ms",
        "--max-n",
        "4",
        "--trials",
        "20000",
        "--seed",
        "3",
        "--reads-per-s",
        "1000",
        "--writes-per-s",
        "500",
        "--node-ops-per-s",
        "2000",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan = json(&out);
    let plan = plan.as_array().unwrap();

    // The brute force: every configuration through eval, each SLO checked
    // here, the cluster sized here (util 0.6), then ranked.
    let mut expected: Vec<Expected> = Vec::new();
    let all = eval_all();
    for e in &all {
        let f = |k: &str| e.row[k].as_f64();
        let mut status = 0u8; // 0 meets, 1 uncertain, 2 fails
        if f("read_availability").unwrap() < 0.999 {
            status = 2;
        }
        match f("write_latency_p99_ms") {
            Some(v) if v <= 30.0 => {}
            _ => status = 2,
        }
        let (lo, hi) = (
            f("p_consistent_t_ci_low").unwrap(),
            f("p_consistent_t_ci_high").unwrap(),
        );
        if hi < SLO_P {
            status = 2;
        } else if lo < SLO_P {
            status = status.max(1);
        }
        if status == 2 {
            continue;
        }
        let ops = 500.0 * e.n as f64 + 1000.0 * e.n as f64;
        let nodes = e.n.max((ops / (2000.0 * 0.6) - 1e-9).ceil() as usize);
        let latency = f("read_latency_p99_ms").unwrap() + f("write_latency_p99_ms").unwrap();
        expected.push((status, nodes as f64, e.n, latency, (e.n, e.r, e.w), e));
    }
    expected.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(a.1.total_cmp(&b.1))
            .then(a.2.cmp(&b.2))
            .then(a.3.total_cmp(&b.3))
            .then(a.4.cmp(&b.4))
    });
    assert!(!expected.is_empty());
    assert_eq!(plan.len(), expected.len(), "qualifying configurations");
    for (rank, (got, want)) in plan.iter().zip(&expected).enumerate() {
        let cfg = (
            got["n"].as_u64().unwrap() as usize,
            got["r"].as_u64().unwrap() as usize,
            got["w"].as_u64().unwrap() as usize,
        );
        assert_eq!(cfg, want.4, "rank {}", rank + 1);
        assert_eq!(got["cost"].as_f64().unwrap(), want.1, "{cfg:?} cost");
        assert_eq!(
            got["status"].as_str().unwrap(),
            if want.0 == 0 { "meets" } else { "uncertain" },
            "{cfg:?}"
        );
        // The same figures, to the bit, Monte Carlo included.
        for key in [
            "read_availability",
            "write_availability",
            "read_latency_p99_ms",
            "write_latency_p99_ms",
            "p_consistent_t",
            "p_consistent_t_ci_low",
            "p_consistent_t_ci_high",
        ] {
            assert_eq!(got[key], want.5.row[key], "{cfg:?} {key}");
        }
        let margin = got["margin_consistency"].as_f64().unwrap();
        let p = want.5.row["p_consistent_t"].as_f64().unwrap();
        // Parsed with correct rounding (float_roundtrip): bit for bit.
        assert_eq!(margin, p - SLO_P, "{cfg:?}");
        assert!(got["margin_read_p999_ms"].is_null());
    }
}

/// Issue 7's acceptance command (fewer trials), with `extra` options.
fn acceptance(extra: &[&str]) -> Output {
    let mut args = vec![
        "plan",
        "--preset",
        "lnkd-disk",
        "--p-fail",
        "0.01",
        "--slo-read-availability",
        "0.9999",
        "--slo-write-availability",
        "0.999",
        "--slo-consistency",
        "0.999@10ms",
        "--slo-write-p99-ms",
        "30",
        "--max-n",
        "7",
        "--trials",
        "50000",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn the_acceptance_run_answers_and_writes_a_worksheet() {
    let dir = temp("accept");
    let sheet = dir.join("plan.md");
    let out = acceptance(&["--worksheet", sheet.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("choice: n = "), "{text}");
    let md = std::fs::read_to_string(&sheet).unwrap();
    for section in [
        "## 1. The question",
        "## 2. Inputs",
        "## 3. Assumptions",
        "## 4. How each figure is computed",
        "## 5. The answer",
        "## 6. Runner-up",
        "## 7. What binds",
        "## 8. If failures or load double",
        "## 9. Ranked list and Pareto front",
        "Naor and Wool",
        "VLDB 2012",
        "failures doubled (`iid(p_fail=0.02)`)",
    ] {
        assert!(md.contains(section), "missing {section}");
    }
    // Same seed, other thread count: the same worksheet, byte for byte
    // (but for the command line it quotes).
    let again = dir.join("again.md");
    let out = acceptance(&["--threads", "1", "--worksheet", again.to_str().unwrap()]);
    assert!(out.status.success());
    let strip = |s: String| {
        s.lines()
            .filter(|l| !l.starts_with("quorum-model plan"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(md), strip(std::fs::read_to_string(&again).unwrap()));
}

#[test]
fn infeasible_plans_exit_1_and_explain() {
    let dir = temp("infeasible");
    let sheet = dir.join("plan.md");
    let out = run(&[
        "plan",
        "--preset",
        "lnkd-disk",
        "--p-fail",
        "0.01",
        "--slo-read-availability",
        "0.9999",
        "--slo-write-p99-ms",
        "1",
        "--max-n",
        "5",
        "--worksheet",
        sheet.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("binding") && err.contains("write latency p99 <= 1 ms"),
        "{err}"
    );
    assert!(
        err.contains("relax write latency p99 <= 1 ms (--slo-write-p99-ms)")
            && err.contains("closest n="),
        "{err}"
    );
    let md = std::fs::read_to_string(&sheet).unwrap();
    assert!(md.contains("## 5. No configuration meets the objectives"));
}

#[test]
fn quorum_fanout_reads_wait_for_all_r() {
    let out = run(&[
        "plan",
        "--preset",
        "lnkd-ssd",
        "--p-fail",
        "0.01",
        "--max-n",
        "3",
        "--read-fanout",
        "quorum",
        "--reads-per-s",
        "1000",
        "--node-ops-per-s",
        "500",
        "--format",
        "json",
    ]);
    let plan = json(&out);
    let row = plan
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["n"] == 3 && r["r"] == 2 && r["w"] == 2)
        .unwrap()
        .clone();
    // Two replies, both needed: eval of n = r = 2 with no one down.
    let e = run(&[
        "eval", "--preset", "lnkd-ssd", "--n", "2", "--r", "2", "--w", "2", "--format", "json",
    ]);
    let e: Value = serde_json::from_slice(&e.stdout).unwrap();
    assert_eq!(row["read_latency_p99_ms"], e["read_latency_p99_ms"]);
    // Staleness too: the plan's simulation is eval's with the same fan-out.
    let out = run(&[
        "plan",
        "--preset",
        "lnkd-ssd",
        "--p-fail",
        "0.01",
        "--max-n",
        "3",
        "--read-fanout",
        "quorum",
        "--slo-consistency",
        "0.5@0.2ms",
        "--trials",
        "20000",
        "--seed",
        "9",
        "--format",
        "json",
    ]);
    let with_slo = json(&out);
    let row11 = with_slo
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["n"] == 3 && r["r"] == 1 && r["w"] == 1)
        .unwrap()
        .clone();
    let e = run(&[
        "eval",
        "--preset",
        "lnkd-ssd",
        "--p-fail",
        "0.01",
        "--n",
        "3",
        "--r",
        "1",
        "--w",
        "1",
        "--read-fanout",
        "quorum",
        "--consistency-at-ms",
        "0.2",
        "--trials",
        "20000",
        "--seed",
        "9",
        "--format",
        "json",
    ]);
    let e: Value = serde_json::from_slice(&e.stdout).unwrap();
    assert_eq!(e["read_fanout"], "quorum");
    for key in [
        "p_consistent_t",
        "p_consistent_t_ci_low",
        "read_latency_p99_ms",
    ] {
        assert_eq!(row11[key], e[key], "{key}");
    }
    // A WAN coordinator's choice of r replicas is not modelled: refused.
    let out = run(&[
        "plan",
        "--preset",
        "wan",
        "--read-fanout",
        "quorum",
        "--max-n",
        "3",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--read-fanout quorum"));
    // Load: 1000 reads x r = 2 replica reads over 300 per node: 7 nodes.
    assert_eq!(row["replica_ops_per_s"].as_f64().unwrap(), 2000.0);
    assert_eq!(row["nodes"].as_u64().unwrap(), 7);
    assert_eq!(row["bound_by"], "throughput");
}

#[test]
fn bad_input_exits_2_in_one_line_and_writes_nothing() {
    let dir = temp("bad");
    let sheet = dir.join("plan.md");
    for (args, needle) in [
        (
            vec!["--slo-read-availability", "1.5"],
            "--slo-read-availability",
        ),
        (
            vec!["--slo-write-availability", "0"],
            "--slo-write-availability",
        ),
        (vec!["--slo-read-p99-ms", "-1"], "--slo-read-p99-ms"),
        (vec!["--max-n", "0"], "--max-n"),
        (vec!["--slo-consistency", "0.999"], "P@T"),
        (vec!["--slo-consistency", "2@10ms"], "P@T"),
        (vec!["--slo-consistency", "0.9@ten"], "P@T"),
        (vec!["--reads-per-s", "100"], "--node-ops-per-s"),
        (vec!["--target-utilization", "0"], "--target-utilization"),
        (
            vec!["--mttf-hours", "100", "--mttr-hours", "0"],
            "--mttr-hours",
        ),
        (vec!["--p-fail", "1.2"], "--p-fail"),
    ] {
        let mut full = vec!["plan", "--worksheet", sheet.to_str().unwrap()];
        full.extend(&args);
        let out = run(&full);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains(needle) && err.trim_end().lines().count() == 1,
            "{args:?}: {err}"
        );
        assert!(!sheet.exists(), "{args:?} wrote the worksheet");
    }
}
