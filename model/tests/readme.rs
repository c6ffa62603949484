//! Every `quorum-model` example of the README runs as written, in a scratch
//! directory, and leaves the repository unchanged (see `common/readme.rs`).

#[allow(dead_code)]
mod common;
#[path = "common/readme.rs"]
mod readme;

#[test]
fn every_readme_example_runs_and_leaves_the_repository_unchanged() {
    let examples = readme::examples("quorum-model");
    // The examples cover the commands: a README that lost them would pass
    // vacuously.
    for command in [
        "sweep", "eval", "plan", "merge", "plot", "presets", "fit", "qs",
    ] {
        assert!(
            examples.iter().any(|a| a[0] == command),
            "no README example of {command}"
        );
    }
    let before = readme::snapshot();
    let dir = readme::scratch("model");
    let results = readme::run_all(
        std::path::Path::new(env!("CARGO_BIN_EXE_quorum-model")),
        &dir,
        &examples,
    );
    let failed: Vec<String> = results
        .iter()
        .filter(|(_, code, _)| *code != Some(0))
        .map(|(args, code, err)| format!("quorum-model {} -> {code:?}: {err}", args.join(" ")))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    // The main job wrote into the scratch directory, as it would into the
    // repository.
    assert!(dir.join("notebooks-data/summary.csv").exists());
    assert!(dir.join("reports/REPORT.md").exists());
    assert_eq!(
        readme::snapshot(),
        before,
        "an example changed the repository"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
