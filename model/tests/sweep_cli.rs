//! `quorum-model sweep` and `merge` as a user runs them.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::run;

fn temp(name: &str) -> PathBuf {
    common::temp("sweep", name)
}

fn small(out: &Path, extra: &[&str]) -> Output {
    let reports = out.with_extension("reports");
    let mut args = vec![
        "sweep",
        "--presets",
        "lnkd-disk,wan",
        "--max-n",
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
        "levels.csv",
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
        &["--max-n", "0"][..],
        // The older name of --max-n still works, and is refused the same way.
        &["--n-max", "65"],
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
        if args[0].ends_with("-n") || args[0] == "--n-max" {
            assert!(err.contains("--max-n"), "{args:?}: {err}");
        }
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
        "presets = [\"lnkd-disk\", \"wan\"]\nmax_n = 5\np_fail = [0.0, 0.01]\nfailures = [\"repair(mttf=1000,mttr=10,crews=1)\"]\ntrials = 4000\nout_dir = \"from-file\"\nreports_dir = \"from-file-reports\"\n",
    )
    .unwrap();
    let out = run(&["sweep", "--config", file.to_str().unwrap(), "--quiet"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let by_options = base.join("by-options");
    assert!(small(
        &by_options,
        &["--failure", "repair(mttf=1000,mttr=10,crews=1)"]
    )
    .status
    .success());
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

#[test]
fn repair_and_domain_levels_run_merge_and_reach_the_report() {
    let base = temp("levels");
    let levels = [
        "--failure",
        "repair(mttf=1000,mttr=10,crews=1)",
        "--failure",
        "domains(d=3,p_domain=0.001,p_fail=0.01,placement=packed)",
    ];
    let whole = base.join("whole");
    let out = small(&whole, &levels);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Shards merge to the same bytes with correlated levels too.
    let mut parts = Vec::new();
    for i in 1..=2 {
        let part = base.join(format!("part{i}"));
        let shard = format!("{i}/2");
        let mut extra = levels.to_vec();
        extra.extend(["--shard", shard.as_str()]);
        assert!(small(&part, &extra).status.success());
        parts.push(part.to_str().unwrap().to_string());
    }
    let merged = base.join("merged");
    let mut args = vec!["merge", "--out-dir", merged.to_str().unwrap()];
    args.extend(parts.iter().map(String::as_str));
    let m = run(&args);
    assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
    assert_eq!(files(&merged), files(&whole));

    let mut reader = csv::Reader::from_path(whole.join("summary.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let find = |failure: &str, n: &str, r: &str, w: &str| {
        rows.iter()
            .find(|row| {
                &row[col("scenario")] == "lnkd-disk"
                    && &row[col("failure")] == failure
                    && &row[col("n")] == n
                    && &row[col("r")] == r
                    && &row[col("w")] == w
            })
            .unwrap_or_else(|| panic!("no row for {failure} {n} {r} {w}"))
            .clone()
    };
    // Issue 6's anchor, through the sweep: one repair crew, n = 3, r = w = 2.
    let row = find("repair(mttf=1000,mttr=10,crews=1)", "3", "2", "2");
    let a: f64 = row[col("read_availability")].parse().unwrap();
    assert!((a - 0.99941200).abs() < 5e-9, "{a}");
    assert!(!row[col("read_mttql_hours")].is_empty());
    // Packed: the zone outage caps availability at 1 - p_domain.
    let row = find(
        "domains(d=3,p_domain=0.001,p_fail=0.01,placement=packed)",
        "3",
        "2",
        "2",
    );
    let u: f64 = row[col("read_unavailability")].parse().unwrap();
    assert!(u > 0.001, "{u}");
    // Every n of a level, independent ones included.
    for level in ["iid(p_fail=0)", "iid(p_fail=0.01)"] {
        assert_eq!(
            rows.iter().filter(|r| &r[col("failure")] == level).count() * 4,
            2 * 4 * 55
        );
    }

    let reports = whole.with_extension("reports");
    let report = std::fs::read_to_string(reports.join("REPORT.md")).unwrap();
    assert!(report.contains("## Failure models compared"), "{report}");
    assert!(
        report.contains("`repair(mttf=1000,mttr=10,crews=1)` | 0.99941200"),
        "{report}"
    );
    for chart in ["availability-repair", "availability-placement"] {
        assert!(reports.join("charts").join(format!("{chart}.png")).exists());
        assert!(report.contains(&format!("charts/{chart}.png")));
    }
}

#[test]
fn bad_failure_levels_exit_2_with_one_line() {
    let base = temp("badlevels");
    for (spec, needle) in [
        ("repair(mttf=1000,mttr=0)", "mttr"),
        ("domains(d=0,p_domain=0.1)", "d: must be"),
        ("per_node(0.1,0.2)", "n_max"),
        ("zones(3)", "unknown model"),
    ] {
        let out_dir = base.join("out");
        let out = small(&out_dir, &["--failure", spec]);
        assert_eq!(out.status.code(), Some(2), "{spec}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(needle) && err.trim_end().lines().count() == 1,
            "{spec}: {err}"
        );
        assert!(!out_dir.exists(), "{spec}: wrote output");
    }
}

/// Replaces one cell (by column name, data row `row`) or drops a column.
fn edit_csv(path: &Path, edit: impl Fn(&mut Vec<Vec<String>>)) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut rows: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    edit(&mut rows);
    let body: String = rows.iter().map(|r| r.join(",") + "\n").collect();
    std::fs::write(path, body).unwrap();
}

#[test]
fn merge_and_plot_refuse_malformed_csvs_naming_file_line_and_column() {
    let dir = temp("malformed");
    let shard = |i: usize| dir.join(format!("s{i}"));
    for i in 1..=2 {
        let out = small(&shard(i), &["--shard", &format!("{i}/2")]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let set = |file: &str, column: &str, value: &'static str| {
        let p = shard(1).join(file);
        let column = column.to_string();
        edit_csv(&p, move |rows| {
            let i = rows[0].iter().position(|h| *h == column).unwrap();
            rows[2][i] = value.to_string();
        });
    };
    let backup: Vec<(PathBuf, Vec<u8>)> = ["summary.csv", "tvisibility.csv"]
        .iter()
        .map(|f| (shard(1).join(f), std::fs::read(shard(1).join(f)).unwrap()))
        .collect();
    let restore = || {
        for (p, bytes) in &backup {
            std::fs::write(p, bytes).unwrap();
        }
    };
    let refused = |args: &[&str], wants: &[&str], absent: &Path| {
        let out = run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        for w in wants {
            assert!(err.contains(w), "{args:?}: '{w}' not in {err}");
        }
        assert!(!absent.exists(), "{} was written", absent.display());
    };
    let merged = dir.join("merged");
    let (s1, s2) = (shard(1), shard(2));
    let merge_args = [
        "merge",
        "--out-dir",
        merged.to_str().unwrap(),
        s1.to_str().unwrap(),
        s2.to_str().unwrap(),
    ];
    set("summary.csv", "read_latency_p99_ms", "NaN");
    refused(
        &merge_args,
        &["summary.csv", "line 3", "read_latency_p99_ms", "NaN"],
        &merged,
    );
    restore();
    set("tvisibility.csv", "t_ms", "inf");
    refused(
        &merge_args,
        &["tvisibility.csv", "line 3", "t_ms", "inf"],
        &merged,
    );
    restore();
    // A shard whose curve file lacks a column.
    edit_csv(&shard(1).join("tvisibility.csv"), |rows| {
        let i = rows[0].iter().position(|h| h == "ci_high").unwrap();
        for r in rows.iter_mut() {
            r.remove(i);
        }
    });
    refused(
        &merge_args,
        &["tvisibility.csv", "ci_high", "missing"],
        &merged,
    );
    restore();
    // The good shards merge; then plot refuses what merge would have.
    let out = run(&merge_args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports = dir.join("reports");
    let p = merged.join("tvisibility.csv");
    edit_csv(&p, |rows| {
        let i = rows[0].iter().position(|h| h == "t_ms").unwrap();
        rows[4][i] = "inf".into();
    });
    refused(
        &[
            "plot",
            "--data",
            merged.to_str().unwrap(),
            "--reports-dir",
            reports.to_str().unwrap(),
        ],
        &["tvisibility.csv", "line 5", "t_ms", "inf"],
        &reports,
    );
}
