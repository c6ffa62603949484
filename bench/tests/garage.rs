//! `quorum-bench garage`: its refusals (no Garage needed) and, where a
//! Garage 2.5.0 binary is available, a short real run. CI builds Garage
//! (`.ci/garage-build`) and sets `QUORUM_GARAGE_REQUIRED=1`, so that a
//! missing or broken Garage fails there instead of being skipped.

use std::process::{Command, Output};

#[path = "common/garage.rs"]
mod garage;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quorum-bench"))
        .arg("garage")
        .args(args)
        .output()
        .expect("run quorum-bench")
}

/// Exit 2, nothing on stdout, one line naming `want`.
fn refused(args: &[&str], want: &str) {
    let out = run(args);
    let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(out.stdout.is_empty(), "{args:?}: something on stdout");
    assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    assert!(err.contains(want), "{args:?}: {err}");
}

#[test]
fn bad_input_is_refused_with_the_flag_named() {
    refused(&["--mode", "eventual"], "--mode");
    refused(&["--mode", "eventual"], "consistent, degraded, dangerous");
    refused(&["--n", "5", "--nodes", "3"], "--n");
    refused(&["--delay", "exp(mean=-1)"], "--delay");
    refused(&["--writes", "0"], "--writes");
    refused(&["--garage", "/nonexistent/garage"], "--garage");
    refused(&["--return-keys", "5"], "--watch-after-return");
}

/// Garage starts, answers, and in `consistent` mode never returns a stale
/// value, also across a node's stop and restart; the model's prediction is
/// there and in the measurement's neighbourhood.
#[test]
fn a_short_consistent_run_on_real_garage() {
    let Some(binary) = garage::binary() else {
        return;
    };
    let binary = binary.display().to_string();
    let out = run(&[
        "--garage",
        &binary,
        "--nodes",
        "3",
        "--mode",
        "consistent",
        "--writes",
        "300",
        "--calibration",
        "60",
        "--grid-points",
        "4",
        "--stop-node",
        "2",
        "--format",
        "json",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    // 3: finished, but the machine was too busy to trust the timings.
    assert!(matches!(out.status.code(), Some(0 | 3)), "{err}");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!((r["r"].as_u64(), r["w"].as_u64()), (Some(2), Some(2)));
    assert!(r["writes"].as_u64().unwrap() >= 50, "{r}");
    assert!(r["reads"].as_u64().unwrap() >= 100, "{r}");
    assert!(r["register"]["operations"].as_u64().unwrap() >= 300);
    assert_eq!(r["register"]["violations"].as_u64(), Some(0), "{r}");
    assert!(r["fault"]["rejoin_s"].as_f64().unwrap() > 0.0, "{r}");
    for c in r["curve"].as_array().unwrap() {
        if c["reads"].as_u64().unwrap() > 0 {
            assert_eq!(c["measured"].as_f64(), Some(1.0), "{c}");
            assert!(c["predicted"].as_f64().unwrap() > 0.999, "{c}");
        }
    }
    let measured = r["write"]["measured"]["p50_ms"].as_f64().unwrap();
    let predicted = r["write"]["predicted"]["p50_ms"].as_f64().unwrap();
    assert!(predicted > 0.0 && measured > 0.0);
    // A loose bound: a busy CI machine stretches the measurement.
    assert!(
        measured < 5.0 * predicted && predicted < 5.0 * measured,
        "{measured} {predicted}"
    );
}

/// The committed report is what the code makes of the committed runs:
/// `garage-report --render-only` on a copy of reports/garage/*.json
/// rewrites reports/garage.md byte for byte.
#[test]
fn the_committed_report_is_rendered_from_the_committed_runs() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = std::env::temp_dir().join(format!("qb-garage-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("garage")).unwrap();
    for entry in std::fs::read_dir(repo.join("reports/garage")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join("garage").join(path.file_name().unwrap())).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_quorum-bench"))
        .args(["garage-report", "--render-only", "--reports-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let made = std::fs::read_to_string(dir.join("garage.md")).unwrap();
    let committed = std::fs::read_to_string(repo.join("reports/garage.md")).unwrap();
    assert!(made == committed, "reports/garage.md differs from what garage-report --render-only makes of reports/garage/*.json");
    assert!(dir.join("charts/garage-degraded-3nodes.svg").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
