//! The command line as a user meets it: anchors, formats, and refusals.

mod common;
use common::run;

fn json(args: &[&str]) -> (serde_json::Value, String) {
    let mut all = vec!["eval"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let out = run(&all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = serde_json::from_slice(&out.stdout).expect("valid JSON");
    (v, String::from_utf8(out.stderr).unwrap())
}

#[test]
fn availability_anchor() {
    let (v, _) = json(&["--n", "3", "--r", "2", "--w", "2", "--p-fail", "0.01"]);
    let a = v["read_availability"].as_f64().unwrap();
    assert!((a - 0.999702).abs() < 1e-6, "{a}");
    // Unavailability is reported directly, not as 1 - A.
    let u = v["read_unavailability"].as_f64().unwrap();
    assert!((u - 2.98e-4).abs() < 1e-12, "{u}");
}

#[test]
fn staleness_anchor() {
    let (v, _) = json(&["--n", "100", "--r", "30", "--w", "30"]);
    let p = v["p_stale_k1"].as_f64().unwrap();
    assert!((p / 1.884e-6 - 1.0).abs() < 2e-4, "{p}");
}

#[test]
fn unwritable_curve_leaves_nothing_behind() {
    let dir = std::env::temp_dir().join(format!("qm-cli-ro-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = run(&[
        "eval",
        "--n",
        "3",
        "--r",
        "1",
        "--w",
        "1",
        "--curve",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    assert!(out.stdout.is_empty());
}

#[test]
fn erlang_write_mean() {
    // Second of three Erlang-2 round trips: 15/4 - 52/27 (see closed::latency tests).
    let (v, _) = json(&["--n", "3", "--r", "1", "--w", "2", "--delay", "exp(mean=1)"]);
    let m = v["write_latency_mean_ms"].as_f64().unwrap();
    assert!((m - (15.0 / 4.0 - 52.0 / 27.0)).abs() < 1e-7, "{m}");
}

#[test]
fn heavy_tail_mean_is_null_with_a_reason() {
    let (v, err) = json(&[
        "--n",
        "3",
        "--r",
        "1",
        "--w",
        "3",
        "--w-delay",
        "pareto(xm=1,alpha=0.9)",
    ]);
    assert!(v["write_latency_mean_ms"].is_null());
    assert!(
        v["write_latency_p99_ms"].as_f64().unwrap() > v["write_latency_p50_ms"].as_f64().unwrap()
    );
    assert!(
        err.contains("write_latency_mean_ms") && err.contains("infinite"),
        "{err}"
    );
    // The read legs are untouched and keep a mean.
    assert!(v["read_latency_mean_ms"].as_f64().is_some());
}

#[test]
fn csv_has_no_nan_or_inf() {
    let out = run(&[
        "eval", "--n", "3", "--r", "1", "--w", "1", "--format", "csv", "--trials", "20000",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.to_lowercase().contains("nan") && !text.contains("inf"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 2);
}

#[test]
fn pbs_lnkd_disk_anchor() {
    // PBS (VLDB 2012) reports 43.9% consistent at t = 0 for lnkd-disk,
    // n = 3, r = w = 1.
    let (v, _) = json(&[
        "--preset",
        "lnkd-disk",
        "--n",
        "3",
        "--r",
        "1",
        "--w",
        "1",
        "--trials",
        "200000",
    ]);
    let p = v["p_consistent_t0"].as_f64().unwrap();
    assert!((p - 0.439).abs() < 0.01, "{p}");
    let (lo, hi) = (
        v["p_consistent_t0_ci_low"].as_f64().unwrap(),
        v["p_consistent_t0_ci_high"].as_f64().unwrap(),
    );
    assert!(lo < p && p < hi && hi - lo < 0.005);
    assert_eq!(v["trials"], 200000);
    assert!(v["t_visibility_p999_ms"].as_f64().unwrap() > 10.0);
}

#[test]
fn same_seed_same_bytes_whatever_the_threads() {
    let dir = std::env::temp_dir().join(format!("qm-cli-threads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2", "4"] {
        let curve = dir.join(format!("curve-{threads}.csv"));
        let out = run(&[
            "eval",
            "--preset",
            "wan",
            "--n",
            "5",
            "--r",
            "2",
            "--w",
            "2",
            "--p-fail",
            "0.05",
            "--trials",
            "60000",
            "--seed",
            "9",
            "--threads",
            threads,
            "--format",
            "json",
            "--curve",
            curve.to_str().unwrap(),
        ]);
        assert!(out.status.success());
        outputs.push((out.stdout, std::fs::read(&curve).unwrap()));
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn curve_is_long_monotone_and_passes_the_999_point() {
    let dir = std::env::temp_dir().join(format!("qm-cli-curve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let curve = dir.join("tvis.csv");
    let (v, _) = json(&[
        "--preset",
        "ymmr",
        "--n",
        "3",
        "--r",
        "1",
        "--w",
        "2",
        "--trials",
        "50000",
        "--curve",
        curve.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&curve).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("scenario,n,r,w,t_ms,p_consistent,ci_low,ci_high,p_fail,failure")
    );
    let points: Vec<(f64, f64)> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[4].parse().unwrap(), f[5].parse().unwrap())
        })
        .collect();
    assert!(points.len() >= 50);
    assert_eq!(points[0].0, 0.0);
    assert!(points
        .windows(2)
        .all(|w| w[1].0 > w[0].0 && w[1].1 >= w[0].1));
    let t999 = v["t_visibility_p999_ms"].as_f64().unwrap();
    assert!(points.last().unwrap().0 > t999);
    assert!((points[0].1 - v["p_consistent_t0"].as_f64().unwrap()).abs() < 1e-12);
}

#[test]
fn per_leg_flags_override_the_preset() {
    let (base, _) = json(&["--preset", "lnkd-disk", "--n", "3", "--r", "1", "--w", "1"]);
    let (fast, _) = json(&[
        "--preset",
        "lnkd-disk",
        "--n",
        "3",
        "--r",
        "1",
        "--w",
        "1",
        "--w-delay",
        "const(0.1)",
    ]);
    assert!(
        fast["write_latency_p99_ms"].as_f64().unwrap()
            < base["write_latency_p99_ms"].as_f64().unwrap()
    );
    assert_eq!(fast["read_latency_p99_ms"], base["read_latency_p99_ms"]);
    assert_eq!(fast["scenario"], "lnkd-disk+overrides");
}

#[test]
fn table_names_units_and_exactness() {
    let out = run(&[
        "eval", "--preset", "ymmr", "--n", "3", "--r", "1", "--w", "1",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(" ms") && text.contains("exact"), "{text}");
}

#[test]
fn presets_are_listed_with_sources() {
    let out = run(&["presets"]);
    let text = String::from_utf8(out.stdout).unwrap();
    for name in ["lnkd-ssd", "lnkd-disk", "ymmr", "wan"] {
        assert!(text.contains(name), "{name}");
    }
    assert!(text.contains("VLDB 2012"));
}

#[test]
fn scenario_files_evaluate() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/");
    let (v, _) = json(&[
        "--scenario",
        &format!("{dir}cloud-zones.toml"),
        "--n",
        "3",
        "--r",
        "2",
        "--w",
        "2",
    ]);
    assert_eq!(v["scenario"], "cloud-zones");
    assert_eq!(v["p_fail"], 0.001);
    let (v, _) = json(&[
        "--scenario",
        &format!("{dir}dashboard.toml"),
        "--n",
        "5",
        "--r",
        "2",
        "--w",
        "2",
    ]);
    assert!(v["p_fail"].is_null());
    assert!(v["read_latency_p50_ms"].as_f64().unwrap() > 0.0);
}

#[test]
fn bad_input_is_refused_in_one_line_with_exit_code_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["--n", "3", "--r", "4", "--w", "1"], "--r"),
        (&["--n", "3", "--r", "1", "--w", "0"], "--w"),
        (&["--n", "0", "--r", "1", "--w", "1"], "--n"),
        (
            &["--n", "3", "--r", "1", "--w", "1", "--p-fail", "1.5"],
            "--p-fail",
        ),
        (
            &["--n", "3", "--r", "1", "--w", "1", "--p-fail", "-0.1"],
            "--p-fail",
        ),
        (
            &["--n", "3", "--r", "1", "--w", "1", "--p-fail", "NaN"],
            "--p-fail",
        ),
        (
            &["--n", "3", "--r", "1", "--w", "1", "--preset", "nope"],
            "--preset",
        ),
        (
            &[
                "--n",
                "3",
                "--r",
                "1",
                "--w",
                "1",
                "--delay",
                "pareto(xm=1,alpha=0)",
            ],
            "alpha",
        ),
        (
            &[
                "--n",
                "3",
                "--r",
                "1",
                "--w",
                "1",
                "--delay",
                "exp(mean=-2)",
            ],
            "mean",
        ),
        (
            &["--n", "3", "--r", "1", "--w", "1", "--delay", "exp(mean=2"],
            "')'",
        ),
        (
            &[
                "--n",
                "3",
                "--r",
                "1",
                "--w",
                "1",
                "--a-delay",
                "empirical(file=/no/such/file.txt)",
            ],
            "--a-delay",
        ),
        (
            &["--n", "3", "--r", "1", "--w", "1", "--timeout-ms", "0"],
            "--timeout-ms",
        ),
        (&["--n", "3", "--r", "1", "--w", "1", "--k", "0"], "--k"),
        (
            &[
                "--n",
                "3",
                "--r",
                "1",
                "--w",
                "1",
                "--p-fail-per-node",
                "0.1,0.2",
            ],
            "--p-fail-per-node",
        ),
        (&["--n", "3", "--r", "1"], "--w"),
        (
            &["--n", "3", "--r", "1", "--w", "1", "--trials", "0"],
            "--trials",
        ),
        (
            &["--n", "3", "--r", "1", "--w", "1", "--threads", "0"],
            "--threads",
        ),
        (
            &[
                "--n",
                "3",
                "--r",
                "1",
                "--w",
                "1",
                "--curve",
                "/nonexistent-dir/tvis.csv",
            ],
            "--curve",
        ),
    ];
    for (args, field) in cases {
        let mut all = vec!["eval"];
        all.extend_from_slice(args);
        let out = run(&all);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(field), "{args:?} should name {field}: {err}");
        assert!(out.stdout.is_empty(), "{args:?} printed output");
    }
}

#[test]
fn repair_models_give_the_markov_answers() {
    let base = [
        "--n",
        "3",
        "--r",
        "2",
        "--w",
        "2",
        "--mttf-hours",
        "1000",
        "--mttr-hours",
        "10",
    ];
    let (v, err) = json(&base);
    assert!((v["read_availability"].as_f64().unwrap() - 0.99970785).abs() < 1e-8);
    assert!((v["read_mttql_hours"].as_f64().unwrap() - 17_500.0).abs() < 1e-6);
    assert!(v["p_fail"].is_null() && err.contains("repaired"));
    let mut crew: Vec<&str> = base.to_vec();
    crew.extend_from_slice(&["--repair-crews", "1", "--at-hours", "2000"]);
    let (v, _) = json(&crew);
    let a = v["read_availability"].as_f64().unwrap();
    assert!((a - 0.99941200).abs() < 1e-8);
    // Transient availability long after the start is the steady state.
    assert!((v["read_availability_at"].as_f64().unwrap() - a).abs() < 1e-9);
    for bad in [
        &["--mttr-hours", "0"][..],
        &["--repair-crews", "0"],
        &["--repair-crews", "4"],
        &["--at-hours", "-1"],
    ] {
        let mut args = vec![
            "eval",
            "--n",
            "3",
            "--r",
            "2",
            "--w",
            "2",
            "--mttf-hours",
            "1000",
        ];
        if bad[0] != "--mttr-hours" {
            args.extend_from_slice(&["--mttr-hours", "10"]);
        }
        args.extend_from_slice(bad);
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim_end().lines().count(), 1);
        // The option at fault, and the real n (not a placeholder).
        assert!(
            err.contains(bad[0]) && !err.contains("18446744073709551615"),
            "{err}"
        );
        if bad == ["--repair-crews", "4"] {
            assert!(err.contains("n = 3"), "{err}");
        }
    }
}

#[test]
fn spreading_over_zones_beats_packing() {
    let run_placement = |placement: &str| {
        let (v, _) = json(&[
            "--n",
            "3",
            "--r",
            "2",
            "--w",
            "2",
            "--p-fail",
            "0.01",
            "--domains",
            "3",
            "--p-domain",
            "0.001",
            "--placement",
            placement,
            "--trials",
            "1000",
        ]);
        v["read_unavailability"].as_f64().unwrap()
    };
    let (spread, packed) = (run_placement("spread"), run_placement("packed"));
    // Packed: any zone outage (0.001) or two node failures; spread survives
    // one zone outage.
    assert!(
        (packed - (0.001 + 0.999 * (3.0 * 1e-4 * 0.99 + 1e-6))).abs() < 1e-12,
        "{packed}"
    );
    assert!(spread < packed / 3.0, "{spread} vs {packed}");
    for bad in [
        &["--domains", "0", "--p-domain", "0.1"][..],
        &["--domains", "3", "--p-domain", "1.5"],
    ] {
        let mut args = vec!["eval", "--n", "3", "--r", "2", "--w", "2"];
        args.extend_from_slice(bad);
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(
            String::from_utf8(out.stderr)
                .unwrap()
                .trim_end()
                .lines()
                .count(),
            1
        );
    }
}

/// A failure model reads the same as flags and as a spec (the form
/// `sweep --failure` takes), and a spec's refusal names its key.
#[test]
fn failure_flags_and_specs_agree() {
    let cfg = ["--n", "3", "--r", "2", "--w", "2", "--trials", "2000"];
    for (flags, spec) in [
        (
            &[
                "--mttf-hours",
                "1000",
                "--mttr-hours",
                "10",
                "--repair-crews",
                "1",
            ][..],
            "repair(mttf=1000,mttr=10,crews=1)",
        ),
        (
            &[
                "--domains",
                "3",
                "--p-domain",
                "0.001",
                "--p-fail",
                "0.01",
                "--placement",
                "packed",
            ][..],
            "domains(d=3,p_domain=0.001,p_fail=0.01,placement=packed)",
        ),
        (&["--p-fail", "0.05"][..], "iid(p_fail=0.05)"),
    ] {
        let mut a = cfg.to_vec();
        a.extend_from_slice(flags);
        let mut b = cfg.to_vec();
        b.extend_from_slice(&["--failure", spec]);
        let (va, _) = json(&a);
        let (vb, _) = json(&b);
        assert_eq!(va, vb, "{spec}");
        assert_eq!(va["failure"], spec);
    }
    let out = run(&[
        "eval",
        "--n",
        "3",
        "--r",
        "2",
        "--w",
        "2",
        "--failure",
        "repair(mttf=1000,mttr=10,crews=4)",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--failure") && err.contains("crews: must be between 1 and n = 3"),
        "{err}"
    );
    let out = run(&[
        "eval",
        "--n",
        "3",
        "--r",
        "2",
        "--w",
        "2",
        "--failure",
        "iid(p_fail=0.1)",
        "--p-fail",
        "0.1",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// With no subcommand the binary prints its help and succeeds.
#[test]
fn no_subcommand_prints_help() {
    let out = run(&[]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("Usage: quorum-model <COMMAND>") && help.contains("sweep"),
        "{help}"
    );
}

/// Issue 14's speculative-retry anchor through the command line, and its
/// refusals.
#[test]
fn speculative_retry() {
    let base = [
        "--n",
        "2",
        "--r",
        "1",
        "--w",
        "1",
        "--read-fanout",
        "quorum",
        "--delay",
        "const(0)",
        "--r-delay",
        "exp(mean=1)",
    ];
    let mut args = base.to_vec();
    args.extend_from_slice(&["--speculative-retry", "1ms"]);
    let (v, _) = json(&args);
    let mean = v["read_latency_mean_ms"].as_f64().unwrap();
    let p99 = v["read_latency_p99_ms"].as_f64().unwrap();
    assert!((mean - 0.8160603).abs() < 1e-7, "{mean}");
    assert!((p99 - 2.8025851).abs() < 1e-7, "{p99}");
    assert_eq!(v["speculative_retry"], "1ms");
    let (v, _) = json(&base);
    assert!((v["read_latency_p99_ms"].as_f64().unwrap() - 4.6051702).abs() < 1e-7);
    for (bad, want) in [
        ("120p", "--speculative-retry: must be none"),
        ("5", "--speculative-retry: must be none"),
        ("-1ms", "--speculative-retry: must be none"),
    ] {
        let mut args = vec!["eval"];
        args.extend_from_slice(&base);
        args.extend_from_slice(&["--speculative-retry", bad]);
        common::refused(&args, want);
    }
    let out = run(&[
        "eval",
        "--n",
        "3",
        "--r",
        "1",
        "--w",
        "1",
        "--speculative-retry",
        "99p",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--read-fanout quorum"));
}
