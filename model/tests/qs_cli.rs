//! `quorum-model qs`: Quoracle's tutorial through the command line,
//! thresholds agreeing with `eval` under every failure model, refusals.

mod common;
use common::{json, refused};

fn close(a: &serde_json::Value, b: f64) {
    let a = a.as_f64().unwrap_or_else(|| panic!("{a} is not a number"));
    assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{a} vs {b}");
}

/// Quoracle's README: the 2 x 3 grid at 25% reads has load 3/8, capacity
/// 8/3, and picks every row and column uniformly.
#[test]
fn the_grid_of_quoracles_readme() {
    let r = json(&[
        "qs",
        "--reads",
        "a*b*c + d*e*f",
        "--read-fraction",
        "0.25",
        "--format",
        "json",
    ]);
    close(&r["load"], 0.375);
    close(&r["capacity"], 8.0 / 3.0);
    assert_eq!(r["read_resilience"], 1);
    assert_eq!(r["write_resilience"], 2);
    assert_eq!(r["write_quorums"], 9);
    for q in r["strategy"]["reads"].as_array().unwrap() {
        close(&q["probability"], 0.5);
    }
    for q in r["strategy"]["writes"].as_array().unwrap() {
        close(&q["probability"], 1.0 / 3.0);
    }
    assert!(r["read_availability"].is_null());
    // Heterogeneous read and write capacities, and latencies: capacity
    // 3913.04 at half reads; latency-optimal 3.5 s (in ms here).
    let mut args: Vec<String> = [
        "qs",
        "--reads",
        "grid(a,b,c; d,e,f)",
        "--read-fraction",
        "0.5",
        "--format",
        "json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (i, name) in ["a", "b", "c", "d", "e", "f"].iter().enumerate() {
        let (w, r) = if i % 2 == 0 {
            (1000, 10000)
        } else {
            (500, 5000)
        };
        args.push("--capacity".into());
        args.push(format!("{name}={r}/{w}"));
        args.push("--latency".into());
        args.push(format!("{name}=const({})", i + 1));
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    close(&json(&argv)["capacity"], 3913.043450018904);
    let mut lat = argv.clone();
    lat.extend(["--optimize", "latency"]);
    close(&json(&lat)["latency_ms"], 3.5);
    lat.extend(["--load-limit", "0.000666666666666667"]);
    let s = json(&lat);
    close(&s["latency_ms"], 3.0 + 2.0 / 3.0);
}

/// `choose(2, a, b, c)` is n = 3, r = w = 2: the same availability as
/// eval's under every failure model.
#[test]
fn thresholds_agree_with_eval() {
    for failure in [
        vec!["--p-fail", "0.01"],
        vec!["--failure", "per_node(0.01,0.2,0.05)"],
        vec!["--mttf-hours", "1000", "--mttr-hours", "10"],
        vec![
            "--mttf-hours",
            "100",
            "--mttr-hours",
            "10",
            "--repair-crews",
            "1",
        ],
        vec!["--domains", "2", "--p-domain", "0.01", "--p-fail", "0.02"],
        vec![
            "--domains",
            "3",
            "--p-domain",
            "0.05",
            "--placement",
            "packed",
        ],
    ] {
        let mut q = vec!["qs", "--reads", "choose(2, a, b, c)", "--format", "json"];
        q.extend(&failure);
        let mut e = vec![
            "eval", "--n", "3", "--r", "2", "--w", "2", "--format", "json",
        ];
        e.extend(&failure);
        let (mine, eval) = (json(&q), json(&e));
        for key in ["read_availability", "write_availability"] {
            close(&mine[key], eval[key].as_f64().unwrap());
        }
        assert_eq!(
            mine["read_availability_detail"]["exact"], true,
            "{failure:?}"
        );
    }
}

/// A node whose delay has no mean (a Pareto tail of index 0.9) makes the
/// mean time to its quorum infinite: null and a note, never NaN; the p99
/// stays, `0.01^{-1/0.9}`.
#[test]
fn an_infinite_mean_latency_is_null_with_a_note() {
    let r = json(&[
        "qs",
        "--reads",
        "a + b",
        "--latency",
        "a=pareto(xm=1,alpha=0.9)",
        "--latency",
        "b=pareto(xm=1,alpha=0.9)",
        "--format",
        "json",
    ]);
    assert!(r["latency_ms"].is_null());
    close(&r["latency_p99_ms"], 0.01f64.powf(-1.0 / 0.9));
    assert!(r["notes"][0].as_str().unwrap().contains("infinite"));
}

/// Shares of weight 0, as Quoracle's distributions list them, are left
/// out: the same strategy as without them.
#[test]
fn zero_weights_are_left_out() {
    let q = |fr: &str| {
        json(&[
            "qs",
            "--reads",
            "a*b*c + d*e*f",
            "--read-fraction",
            fr,
            "--format",
            "json",
        ])
    };
    let with = q("1:0,0.25:3,0:0");
    close(&with["load"], q("0.25")["load"].as_f64().unwrap());
    close(&with["load"], 0.375);
    refused(
        &["qs", "--reads", "a", "--read-fraction", "0.5:0"],
        "--read-fraction: every weight is 0",
    );
}

#[test]
fn bad_input_is_refused_in_one_line() {
    refused(
        &["qs", "--reads", "a*(b"],
        "--reads: column 5: expected ')'",
    );
    refused(
        &["qs", "--reads", "a + ^"],
        "--reads: column 5: expected a node name",
    );
    refused(
        &["qs", "--reads", "a+b+c", "--writes", "d+e+f"],
        "--writes: the read quorum {a} and the write quorum {d} do not intersect",
    );
    refused(
        &["qs", "--reads", "a*b + c*d", "--capacity", "x=3"],
        "--capacity: unknown node 'x': the expressions' nodes are a, b, c, d",
    );
    refused(
        &["qs", "--reads", "a*b + c*d", "--latency", "e=const(1)"],
        "--latency: unknown node 'e'",
    );
    refused(
        &["qs", "--reads", "a*b + c*d", "--capacity", "a=0"],
        "a's capacity must be a number > 0",
    );
    refused(
        &["qs", "--reads", "a*b", "--read-fraction", "1.5"],
        "--read-fraction: 1.5 is not in [0, 1]",
    );
    refused(&["qs", "--reads", "a*b", "--p-fail", "2"], "--p-fail");
    refused(
        &[
            "qs",
            "--reads",
            "grid(a,b,c;d,e,f)",
            "--read-fraction",
            "0.5",
            "--latency-limit",
            "0.5",
        ],
        "no strategy meets the limits (latency <= 0.5 ms)",
    );
    refused(
        &[
            "qs",
            "--reads",
            "a",
            "--writes",
            "b",
            "--partial",
            "--trials",
            "0",
        ],
        "--trials",
    );
    refused(
        &[
            "qs",
            "--reads",
            "a",
            "--writes",
            "b",
            "--partial",
            "--preset",
            "x",
        ],
        "--preset: unknown preset 'x'",
    );
    refused(
        &["qs", "--reads", "choose(5, a, b)"],
        "choose: k must be between 1 and the 2",
    );
}

/// Systems with too many minimal quorums for a strategy (the linear
/// program has a variable for each) are judged from a bound, not after
/// listing them (C(49, 25) would take hours), and keep every figure but
/// the strategy's: resilience, exact availability (against the binomial
/// and product forms computed here) and t-visibility.
#[test]
fn huge_systems_report_all_but_the_strategy() {
    let nodes: Vec<String> = (0..49).map(|i| format!("n{i}")).collect();
    let majority = format!("majority({})", nodes.join(","));
    let r = json(&[
        "qs", "--reads", &majority, "--p-fail", "0.4", "--format", "json",
    ]);
    assert!(r["read_quorums"].is_null() && r["load"].is_null() && r["strategy"].is_null());
    assert_eq!(r["read_resilience"], 24);
    assert_eq!(r["intersecting"], true);
    assert!(r["notes"][0].as_str().unwrap().starts_with("no strategy"));
    // P(at least 25 of 49 up), each up with probability 0.6.
    let binomial: f64 = (25..=49)
        .map(|k| {
            let ln_choose: f64 = (1..=k).map(|i| ((49 - k + i) as f64 / i as f64).ln()).sum();
            (ln_choose + k as f64 * 0.6f64.ln() + (49 - k) as f64 * 0.4f64.ln()).exp()
        })
        .sum();
    close(&r["read_availability"], binomial);
    // A 7 x 7 grid: 7 read quorums, 7^7 write quorums (unlisted).
    let rows: Vec<String> = nodes.chunks(7).map(|r| r.join(",")).collect();
    let g = json(&[
        "qs",
        "--reads",
        &format!("grid({})", rows.join(";")),
        "--p-fail",
        "0.01",
        "--format",
        "json",
    ]);
    assert_eq!(g["read_quorums"], 7);
    assert!(g["write_quorums"].is_null() && g["capacity"].is_null());
    close(
        &g["read_availability"],
        1.0 - (1.0 - 0.99f64.powi(7)).powi(7),
    );
    close(&g["write_availability"], (1.0 - 0.01f64.powi(7)).powi(7));
    assert_eq!(
        (
            g["read_resilience"].as_u64(),
            g["write_resilience"].as_u64()
        ),
        (Some(6), Some(6))
    );
    // Both sides too large to check that given writes meet the reads.
    refused(
        &["qs", "--reads", &majority, "--writes", &majority],
        "--writes: more than 200000 minimal quorums on both sides",
    );
}

/// `--search`: Quoracle's paper search (minimise latency at capacity 150
/// and network load 2, reads only) finds a system of latency 1, network
/// load 1; requirements that nothing meets are refused in one line.
#[test]
fn search_finds_the_papers_system() {
    let r = json(&[
        "qs",
        "--search",
        "--nodes",
        "a,b,c,d",
        "--capacity",
        "a=200/100",
        "--capacity",
        "b=200/100",
        "--capacity",
        "c=100/50",
        "--capacity",
        "d=100/50",
        "--latency",
        "a=const(4)",
        "--latency",
        "b=const(4)",
        "--latency",
        "c=const(1)",
        "--latency",
        "d=const(1)",
        "--optimize",
        "latency",
        "--load-limit",
        "0.0066667",
        "--network-limit",
        "2",
        "--format",
        "json",
    ]);
    let best = &r["candidates"][0];
    close(&best["objective"], 1.0);
    close(&best["strategy"]["network_load"], 1.0);
    assert_eq!(best["reads"], "choose(1, a, b, c, d)");
    assert!(r["tried"].as_u64().unwrap() >= 6);
    refused(
        &[
            "qs",
            "--search",
            "thresholds",
            "--nodes",
            "a,b,c",
            "--p-fail",
            "0.5",
            "--min-availability",
            "0.999",
        ],
        "--search: none of the 3 systems of thresholds meets the limits",
    );
    refused(
        &["qs", "--search", "trees", "--nodes", "a,b"],
        "unknown family 'trees'",
    );
    refused(
        &["qs", "--search", "--nodes", "a,b", "--capacity", "c=2"],
        "unknown node 'c'",
    );
}

/// Quoracle's README search (six nodes, 1-resilient, 75% reads, latency
/// <= 4 and network load <= 4): `choose(3, a, c, e, b + d + f)` with
/// capacity 3500, found by the nested family.
#[test]
fn search_finds_quoracles_readme_system() {
    let mut args: Vec<String> = "qs --search --nodes a,b,c,d,e,f --resilience 1 --min-resilience 1 --read-fraction 0.75 --latency-limit 4 --network-limit 4 --format json"
        .split(' ')
        .map(String::from)
        .collect();
    for (i, name) in ["a", "b", "c", "d", "e", "f"].iter().enumerate() {
        let c = if i % 2 == 0 { "10000/1000" } else { "5000/500" };
        args.push("--capacity".into());
        args.push(format!("{name}={c}"));
        args.push("--latency".into());
        args.push(format!("{name}=const({})", i + 1));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = json(&args);
    let best = &r["candidates"][0];
    assert_eq!(best["family"], "nested");
    assert_eq!(best["reads"], "choose(3, a, (b + d + f), c, e)");
    close(&best["strategy"]["capacity"], 3500.0);
    close(&best["strategy"]["latency_ms"], 3.907143);
    close(&best["strategy"]["network_load"], 3.985714);
    assert_eq!(r["notes"].as_array().unwrap().len(), 0);
}

/// Partial quorums (`--partial`): a threshold's uniform strategy misses the
/// last k writes as eval's k-staleness says (n = 5, r = w = 2).
#[test]
fn partial_thresholds_are_evals_k_staleness() {
    let q = json(&[
        "qs",
        "--reads",
        "choose(2, a, b, c, d, e)",
        "--writes",
        "choose(2, a, b, c, d, e)",
        "--partial",
        "--uniform",
        "--read-fraction",
        "0.5",
        "--format",
        "json",
    ]);
    assert_eq!(q["intersecting"], false);
    let e = json(&[
        "eval", "--n", "5", "--r", "2", "--w", "2", "--k", "2", "--format", "json",
    ]);
    close(&q["p_stale_k"][0], e["p_stale_k1"].as_f64().unwrap());
    close(&q["p_stale_k"][1], e["p_stale_k"].as_f64().unwrap());
    // PBS's t-visibility: the WARS Monte Carlo over any quorums agrees
    // with eval's threshold engine on its own random stream (another
    // seed), under heavy-tailed legs and failures.
    let wars = [
        "--preset",
        "lnkd-disk",
        "--p-fail",
        "0.02",
        "--format",
        "json",
    ];
    let mut args = vec![
        "qs",
        "--reads",
        "choose(2, a, b, c, d, e)",
        "--writes",
        "choose(2, a, b, c, d, e)",
        "--partial",
        "--seed",
        "5",
    ];
    args.extend(wars);
    let q = json(&args);
    let mut args = vec!["eval", "--n", "5", "--r", "2", "--w", "2"];
    args.extend(wars);
    let e = json(&args);
    let overlap = |key: &str| {
        let (lo, hi) = (format!("{key}_ci_low"), format!("{key}_ci_high"));
        let f =
            |v: &serde_json::Value, k: &str| v[k].as_f64().unwrap_or_else(|| panic!("{k}: {v}"));
        assert!(
            f(&q, &lo) <= f(&e, &hi) && f(&e, &lo) <= f(&q, &hi),
            "{key}: qs {} vs eval {}",
            q[key],
            e[key]
        );
    };
    overlap("p_consistent_t0");
    overlap("t_visibility_p999_ms");
    assert_eq!(q["visibility_trials"], 250_000);
    // An intersecting system's reads always see the write: exact.
    let strict = json(&["qs", "--reads", "grid(a,b;c,d)", "--format", "json"]);
    assert_eq!(strict["p_consistent_t0"], 1.0);
    assert_eq!(strict["t_visibility_p999_ms"], 0.0);
    assert!(strict["visibility_trials"].is_null());
    // Without --partial the same pair is refused.
    refused(
        &[
            "qs",
            "--reads",
            "choose(2, a, b, c, d, e)",
            "--writes",
            "choose(2, a, b, c, d, e)",
        ],
        "do not intersect (--partial allows it",
    );
}
