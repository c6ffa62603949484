//! Datacenters and consistency levels on the command line: the issue's
//! anchors, strictness of the named pairs, availability with datacenter
//! outages against an independent computation, and refusals.

mod common;
use common::run;

fn json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["eval"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json", "--trials", "20000"]);
    let out = run(&all);
    assert!(
        out.status.success(),
        "{:?}: {}",
        args,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

const TWO: [&str; 6] = [
    "--dc",
    "east:3",
    "--dc",
    "west:3",
    "--dc-delay",
    "east-west=const(40)",
];

fn two(extra: &[&str]) -> serde_json::Value {
    let mut a = TWO.to_vec();
    a.extend_from_slice(extra);
    json(&a)
}

#[test]
fn local_and_each_quorum_write_means() {
    let v = two(&[
        "--write-dc",
        "east",
        "--write-cl",
        "LOCAL_QUORUM",
        "--read-cl",
        "LOCAL_QUORUM",
    ]);
    let m = v["write_latency_mean_ms"].as_f64().unwrap();
    assert!((m - 1.8240741).abs() < 1e-6, "{m}");
    assert_eq!(v["write_cl"], "LOCAL_QUORUM");
    assert_eq!(v["write_dc"], "east");
    assert_eq!(
        v["topology"],
        "east:3,west:3;east-west=const(40);write_dc=east;read_dc=east"
    );
    let v = two(&[
        "--write-dc",
        "east",
        "--write-cl",
        "EACH_QUORUM",
        "--read-cl",
        "LOCAL_QUORUM",
    ]);
    let m = v["write_latency_mean_ms"].as_f64().unwrap();
    assert!((m - 81.8240741).abs() < 1e-6, "{m}");
}

/// Uneven replicas: LOCAL_QUORUM of the two in west is the later of two
/// Erlang-2 round trips, `2·2 − ∫(1 + x)² e^(−2x) dx = 4 − 1.25`.
#[test]
fn uneven_datacenters() {
    let v = json(&[
        "--dc",
        "east:3",
        "--dc",
        "west:2",
        "--write-dc",
        "west",
        "--write-cl",
        "LOCAL_QUORUM",
        "--r",
        "1",
    ]);
    let m = v["write_latency_mean_ms"].as_f64().unwrap();
    assert!((m - 2.75).abs() < 1e-6, "{m}");
    assert_eq!(v["w"], 2);
    assert_eq!(v["n"], 5);
}

#[test]
fn strictness_by_intersection() {
    let cases: [(&str, &str, &str, bool); 6] = [
        ("EACH_QUORUM", "LOCAL_QUORUM", "west", true),
        ("LOCAL_QUORUM", "LOCAL_QUORUM", "west", false),
        ("LOCAL_QUORUM", "LOCAL_QUORUM", "east", true),
        ("QUORUM", "QUORUM", "east", true),
        ("ALL", "ONE", "west", true),
        ("ONE", "ONE", "east", false),
    ];
    for (w, r, read_dc, strict) in cases {
        let v = two(&[
            "--write-dc",
            "east",
            "--read-dc",
            read_dc,
            "--write-cl",
            w,
            "--read-cl",
            r,
        ]);
        assert_eq!(v["strict"], strict, "{w} {r} {read_dc}");
        if strict {
            assert_eq!(v["p_stale_k1"], 0.0);
            assert_eq!(v["p_consistent_t0"], 1.0);
        }
    }
    // Written in east, read in west: the read set never meets the write
    // set, and right after the commit no read sees it.
    let v = two(&[
        "--write-dc",
        "east",
        "--read-dc",
        "west",
        "--write-cl",
        "LOCAL_QUORUM",
        "--read-cl",
        "LOCAL_QUORUM",
    ]);
    assert_eq!(v["p_stale_k1"], 1.0);
    assert_eq!(v["p_consistent_t0"], 0.0);
    // The write reaches west 40 ms (plus a leg) after it left east.
    let t = v["t_visibility_p999_ms"].as_f64().unwrap();
    assert!(t > 35.0 && t < 50.0, "{t}");
}

/// Three zones of three, each down with `P`, nodes in up zones with `p`:
/// QUORUM (5 of 9) and EACH_QUORUM (2 of 3 in every zone) against sums
/// over which zones are up and binomial up counts in each.
#[test]
fn availability_with_datacenter_outages() {
    let (pz, pf) = (0.01, 0.02);
    let binom = |k: usize, n: usize, p: f64| {
        let c = (0..k).fold(1.0, |c, i| c * (n - i) as f64 / (i + 1) as f64);
        c * p.powi(k as i32) * (1.0 - p).powi((n - k) as i32)
    };
    // Up-count law of one zone of 3.
    let zone: Vec<f64> = (0..=3)
        .map(|u| (1.0 - pz) * binom(u, 3, 1.0 - pf) + if u == 0 { pz } else { 0.0 })
        .collect();
    let mut quorum = 0.0;
    for a in 0..=3 {
        for b in 0..=3 {
            for c in 0..=3 {
                if a + b + c >= 5 {
                    quorum += zone[a] * zone[b] * zone[c];
                }
            }
        }
    }
    let each = (zone[2] + zone[3]).powi(3);
    let base = [
        "--dc",
        "a:3",
        "--dc",
        "b:3",
        "--dc",
        "c:3",
        "--p-domain",
        "0.01",
        "--p-fail",
        "0.02",
    ];
    for (cl, want) in [("QUORUM", quorum), ("EACH_QUORUM", each)] {
        let mut args = base.to_vec();
        args.extend_from_slice(&["--write-cl", cl, "--read-cl", cl]);
        let v = json(&args);
        let got = v["write_availability"].as_f64().unwrap();
        assert!((got / want - 1.0).abs() < 1e-9, "{cl}: {got} vs {want}");
        let u = v["write_unavailability"].as_f64().unwrap();
        assert!((u / (1.0 - want) - 1.0).abs() < 1e-6, "{cl}: {u}");
    }
}

#[test]
fn refusals_are_one_line_and_exit_2() {
    let cases: [(&[&str], &str); 10] = [
        (
            &[
                "--dc",
                "a:2",
                "--dc",
                "b:2",
                "--domains",
                "2",
                "--p-domain",
                "0.01",
                "--placement",
                "packed",
                "--r",
                "1",
                "--w",
                "1",
            ],
            "--placement: with datacenters",
        ),
        (
            &[
                "--dc",
                "a:2",
                "--dc",
                "b:2",
                "--domains",
                "3",
                "--p-domain",
                "0.01",
                "--r",
                "1",
                "--w",
                "1",
            ],
            "--domains: with datacenters, the datacenters are the failure domains",
        ),
        (
            &[
                "--dc",
                "east:3",
                "--read-dc",
                "west",
                "--r",
                "1",
                "--w",
                "1",
            ],
            "--read-dc: unknown datacenter 'west'",
        ),
        (
            &["--n", "3", "--write-cl", "LOCAL_QUORUM", "--r", "1"],
            "--write-cl: LOCAL_QUORUM",
        ),
        (
            &["--dc", "east:3", "--r", "1", "--read-cl", "ONE", "--w", "1"],
            "--read-cl",
        ),
        (
            &[
                "--dc",
                "east:3",
                "--dc",
                "west:1",
                "--write-cl",
                "ALL",
                "--read-cl",
                "5",
            ],
            "--read-cl: 5 needs 5",
        ),
        (
            &["--dc", "east", "--r", "1", "--w", "1"],
            "--dc: must be NAME:COUNT",
        ),
        (
            &["--dc", "east:x", "--r", "1", "--w", "1"],
            "--dc: must be NAME:COUNT",
        ),
        (
            &[
                "--dc",
                "east:2",
                "--dc",
                "west:2",
                "--dc-delay",
                "east-west",
                "--r",
                "1",
                "--w",
                "1",
            ],
            "--dc-delay: must be A-B=SPEC",
        ),
        (
            &[
                "--dc",
                "east:2",
                "--dc-delay",
                "east-west=const(1)",
                "--r",
                "1",
                "--w",
                "1",
            ],
            "--dc-delay: unknown datacenter 'west'",
        ),
    ];
    for (args, want) in cases {
        let mut all = vec!["eval"];
        all.extend_from_slice(args);
        let out = run(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(out.stdout.is_empty());
    }
}

/// plan searches per-datacenter counts and levels: with strictness
/// required and nothing else, the cheapest is one replica per datacenter.
#[test]
fn plan_searches_counts_and_levels() {
    let out = run(&[
        "plan",
        "--dc",
        "a:3",
        "--dc",
        "b:3",
        "--dc-delay",
        "a-b=const(5)",
        "--require-strict",
        "--max-n",
        "4",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let best = &v[0];
    assert_eq!(best["n"], 2);
    assert_eq!(best["strict"], true);
    assert!(best["topology"].as_str().unwrap().starts_with("a:1,b:1;"));
    // Every ranked candidate is strict and the counts vary.
    let all = v.as_array().unwrap();
    assert!(all.iter().all(|r| r["strict"] == true));
    assert!(all
        .iter()
        .any(|r| r["topology"].as_str().unwrap().starts_with("a:2,b:2;")));
}
