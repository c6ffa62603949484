//! What every CLI test needs: run the binary, and a fresh temporary folder.

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs `quorum-model ARGS` to completion.
#[allow(dead_code)] // not every test binary needs it
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quorum-model"))
        .args(args)
        .output()
        .expect("runs")
}

/// An empty folder of its own under the system's temporary folder, named
/// after the test binary's `kind` and the test's `name`.
#[allow(dead_code)] // not every test binary needs one
pub fn temp(kind: &str, name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("qm-{kind}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `quorum-model ARGS`, which must succeed, and parses its JSON.
#[allow(dead_code)] // not every test binary needs it
pub fn json(args: &[&str]) -> serde_json::Value {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs `quorum-model ARGS`, which must be refused: exit 2, nothing on
/// stdout, one line on stderr that contains `want`. Returns that line.
#[allow(dead_code)] // not every test binary needs it
pub fn refused(args: &[&str], want: &str) -> String {
    let out = run(args);
    let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(out.stdout.is_empty(), "{args:?}: something on stdout");
    assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    assert!(err.contains(want), "{args:?}: {err}");
    err
}
