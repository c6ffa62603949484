//! `quorum-model sweep` and `merge` as a user runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quorum-model"))
        .args(args)
        .output()
        .expect("runs")
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("qm-sweep-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn small(out: &Path, extra: &[&str]) -> Output {
    let reports = out.with_extension("reports");
    let mut args = vec![
        "sweep",
        "--presets",
        "lnkd-disk,wan",
        "--n-max",
        "5",
        "--p-fail",
        "0,0.01",
        "--trials",
        "4000",
        "--quiet",
        "--out-dir",
        out.to_str().unwrap(),
        "--reports-dir",
        reports.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn files(dir: &Path) -> Vec<Vec<u8>> {
    [
        "summary.csv",
        "tvisibility.csv",
        "rules_of_thumb.csv",
        "sweep.json",
    ]
    .iter()
    .map(|f| std::fs::read(dir.join(f)).unwrap())
    .collect()
}

#[test]
fn threads_and_shards_give_the_same_bytes() {
    let base = temp("same");
    let whole = base.join("whole");
    assert!(small(&whole, &["--threads", "1"]).status.success());
    let two = base.join("two");
    assert!(small(&two, &["--threads", "2"]).status.success());
    assert_eq!(files(&whole), files(&two));
    let (a, b) = (base.join("a"), base.join("b"));
    assert!(small(&a, &["--shard", "1/2"]).status.success());
    assert!(small(&b, &["--shard", "2/2"]).status.success());
    let merged = base.join("merged");
    let out = run(&[
        "merge",
        "--out-dir",
        merged.to_str().unwrap(),
        b.to_str().unwrap(),
        a.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(files(&whole), files(&merged));
    // A shard alone is not the whole.
    assert_ne!(files(&whole)[0], files(&a)[0]);
}

#[test]
fn summary_has_the_contract_columns_and_every_configuration() {
    let dir = temp("columns");
    assert!(small(&dir, &[]).status.success());
    let text = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let header = text.lines().next().unwrap();
    for col in [
        "scenario",
        "n",
        "r",
        "w",
        "strict",
        "p_fail",
        "read_availability",
        "write_availability",
        "read_unavailability",
        "write_unavailability",
        "p_stale_k1",
        "p_consistent_t0",
        "p_consistent_t0_ci_low",
        "p_consistent_t0_ci_high",
        "t_visibility_p999_ms",
        "read_latency_mean_ms",
        "read_latency_p50_ms",
        "read_latency_p99_ms",
        "read_latency_p999_ms",
        "write_latency_mean_ms",
        "write_latency_p50_ms",
        "write_latency_p99_ms",
        "write_latency_p999_ms",
        "trials",
        "seed",
    ] {
        assert!(header.split(',').any(|h| h == col), "missing {col}");
    }
    // 2 presets x 2 levels x (1 + 4 + 9 + 16 + 25) configurations.
    assert_eq!(text.lines().count() - 1, 2 * 2 * 55);
    assert!(!text.contains("NaN") && !text.contains("inf"));
    let curves = std::fs::read_to_string(dir.join("tvisibility.csv")).unwrap();
    assert!(curves.starts_with("scenario,n,r,w,t_ms,p_consistent,ci_low,ci_high"));
}

#[test]
fn the_report_embeds_its_charts_and_plot_redraws_them() {
    let dir = temp("report");
    let out = dir.join("data");
    assert!(small(&out, &[]).status.success());
    let reports = out.with_extension("reports");
    let report = std::fs::read_to_string(reports.join("REPORT.md")).unwrap();
    for stem in [
        "tvisibility-n3",
        "tradeoff",
        "availability-nines",
        "heatmap-consistency-n5",
    ] {
        assert!(
            report.contains(&format!("(charts/{stem}.png)")),
            "{stem} not embedded"
        );
        assert!(reports.join("charts").join(format!("{stem}.png")).exists());
        assert!(reports.join("charts").join(format!("{stem}.svg")).exists());
    }
    assert!(report.contains("Rules of thumb") && report.contains("Recommended configurations"));
    // plot rebuilds the same report from the CSVs alone.
    let again = dir.join("again");
    let res = run(&[
        "plot",
        "--data",
        out.to_str().unwrap(),
        "--reports-dir",
        again.to_str().unwrap(),
    ]);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(again.join("REPORT.md")).unwrap(),
        report
    );
    assert_eq!(
        std::fs::read(again.join("charts/tradeoff.svg")).unwrap(),
        std::fs::read(reports.join("charts/tradeoff.svg")).unwrap()
    );
}

#[test]
fn bad_input_is_refused_before_any_work() {
    for args in [
        &["--n-max", "0"][..],
        &["--shard", "3/2"],
        &["--shard", "0/2"],
        &["--p-fail", "2"],
        &["--presets", "nope"],
        &["--trials", "0"],
        &["--threads", "0"],
    ] {
        let base = temp("bad");
        let out_dir = base.join("out");
        let reports = base.join("reports");
        let mut all = vec![
            "sweep",
            "--out-dir",
            out_dir.to_str().unwrap(),
            "--reports-dir",
            reports.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        let out = run(&all);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(
            !out_dir.exists() && !reports.exists(),
            "{args:?} created an output directory"
        );
    }
}

#[test]
fn merge_refuses_incomplete_or_foreign_shards() {
    let base = temp("merge");
    let (a, b, c) = (base.join("a"), base.join("b"), base.join("c"));
    assert!(small(&a, &["--shard", "1/2"]).status.success());
    assert!(small(&b, &["--shard", "2/2", "--seed", "7"])
        .status
        .success());
    let out = run(&[
        "merge",
        "--out-dir",
        c.to_str().unwrap(),
        a.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&[
        "merge",
        "--out-dir",
        c.to_str().unwrap(),
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("different sweep"));
    assert!(!c.exists());
}

#[test]
fn a_sweep_file_says_the_same_as_options() {
    let base = temp("config");
    let file = base.join("sweep.toml");
    std::fs::write(
        &file,
        "presets = [\"lnkd-disk\", \"wan\"]\nn_max = 5\np_fail = [0.0, 0.01]\ntrials = 4000\nout_dir = \"from-file\"\nreports_dir = \"from-file-reports\"\n",
    )
    .unwrap();
    let out = run(&["sweep", "--config", file.to_str().unwrap(), "--quiet"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let by_options = base.join("by-options");
    assert!(small(&by_options, &[]).status.success());
    // Paths in the file are relative to the file; the data are the same.
    assert_eq!(files(&base.join("from-file")), files(&by_options));
    assert!(base.join("from-file-reports/REPORT.md").exists());
    // Unknown keys are refused in one line.
    std::fs::write(&file, "nmax = 3\n").unwrap();
    let out = run(&["sweep", "--config", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("nmax") && err.trim_end().lines().count() == 1,
        "{err}"
    );
}
