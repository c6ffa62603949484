//! Issue 14 from the command line: the mechanisms' flags answer or are
//! refused in one line with exit 2, and the figures a user reads move the
//! way the mechanisms imply.

mod common;

use common::{json, refused};

#[test]
fn bad_mechanisms_are_refused_in_one_line() {
    let repair = ["--mttf-hours", "99", "--mttr-hours", "1"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--hint-window", "3"], "--hint-window"),
        (vec!["--hint-window", "-1h"], "--hint-window"),
        (
            vec!["--anti-entropy-interval", "10"],
            "--anti-entropy-interval",
        ),
        (
            vec!["--anti-entropy-interval", "0s"],
            "--anti-entropy-interval",
        ),
        (vec!["--read-repair", "async:1.5"], "--read-repair"),
        (vec!["--read-repair", "sometimes"], "--read-repair"),
        (
            vec!["--hint-window", "3h", "--hint-replay-delay", "exp(mean=-1)"],
            "--hint-replay-delay",
        ),
        (vec!["--sloppy-quorum"], "--sloppy-quorum"),
        (
            vec!["--speculative-retry", "120p", "--read-fanout", "quorum"],
            "--speculative-retry",
        ),
    ];
    for (extra, flag) in cases {
        let mut args = vec!["eval", "--n", "3", "--r", "1", "--w", "1"];
        args.extend(repair);
        args.extend(&extra);
        refused(&args, flag);
    }
    // Mechanisms that need durations, with only a probability of failure.
    for flag in ["--hint-window", "--anti-entropy-interval"] {
        let err = refused(
            &[
                "eval", "--n", "3", "--r", "1", "--w", "1", "--p-fail", "0.01", flag, "10min",
            ],
            flag,
        );
        assert!(err.contains("durations"), "{err}");
    }
    // The same refusals from a scenario file and from plan and sweep.
    let dir = common::temp("healing", "refusals");
    let file = dir.join("s.toml");
    std::fs::write(
        &file,
        "[healing]\nhint_window = \"3h\"\n[failure]\np_fail = 0.01\n",
    )
    .unwrap();
    let scenario = file.to_str().unwrap();
    let args = [
        "eval",
        "--n",
        "3",
        "--r",
        "1",
        "--w",
        "1",
        "--scenario",
        scenario,
    ];
    refused(&args, "healing.hint_window");
    let plan = [
        "plan",
        "--reads-per-s",
        "100",
        "--writes-per-s",
        "10",
        "--p-fail",
        "0.01",
        "--hint-window",
        "3h",
    ];
    refused(&plan, "--hint-window");
    let out_dir = dir.join("d");
    let sweep = [
        "sweep",
        "--hint-window",
        "3",
        "--out-dir",
        out_dir.to_str().unwrap(),
    ];
    refused(&sweep, "--hint-window");
    assert!(!dir.join("d").exists(), "nothing half-written");
}

#[test]
fn mechanisms_bound_staleness_under_failures_in_time() {
    let base = [
        "eval",
        "--n",
        "3",
        "--r",
        "1",
        "--w",
        "1",
        "--mttf-hours",
        "99",
        "--mttr-hours",
        "1",
        "--trials",
        "200000",
        "--format",
        "json",
    ];
    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend(extra);
        json(&a)
    };
    let none = with(&[]);
    let hints = with(&["--hint-window", "3h"]);
    let ae = with(&["--anti-entropy-interval", "10min"]);
    let both = with(&["--hint-window", "3h", "--anti-entropy-interval", "10min"]);
    assert!(none["t_visibility_failures_p999_ms"].is_null());
    assert!(hints["t_visibility_failures_p999_ms"].as_f64().is_some());
    assert!(hints["t_visibility_failures_p9999_ms"].is_null());
    let ae4 = ae["t_visibility_failures_p9999_ms"].as_f64().unwrap();
    let both4 = both["t_visibility_failures_p9999_ms"].as_f64().unwrap();
    assert!(both4 < ae4 && ae4 > 3_600_000.0, "{both4} {ae4}");
    assert_eq!(hints["hint_window"], "3h");
    assert_eq!(ae["anti_entropy_interval"], "10min");
    // The ms-scale figure is finite under a repair model: a read right
    // after the write finds the write's down set.
    assert!(none["t_visibility_p999_ms"].as_f64().is_some());
    // Read repair's rate: one reply never disagrees; three often do.
    let one = with(&["--read-repair", "blocking"]);
    assert_eq!(one["read_repair_rate"].as_f64(), Some(0.0));
    let three = json(&[
        "eval",
        "--n",
        "3",
        "--r",
        "3",
        "--w",
        "1",
        "--read-repair",
        "blocking",
        "--format",
        "json",
    ]);
    let rate = three["read_repair_rate"].as_f64().unwrap();
    assert!(rate > 0.2, "{rate}");
}
