//! Every `quorum-bench` example of the README runs as written, in a scratch
//! directory, and leaves the repository unchanged (see
//! `model/tests/common/readme.rs`). Exit status 3 is a run that finished
//! but judged itself untrustworthy (a busy machine delivers injected delays
//! late): it still ran as written, so it passes, and says so.

#[path = "common/garage.rs"]
mod garage;
#[path = "../../model/tests/common/readme.rs"]
mod readme;

#[test]
fn every_readme_example_runs_and_leaves_the_repository_unchanged() {
    let examples = readme::examples("quorum-bench");
    for command in ["validate", "chaos", "garage"] {
        assert!(
            examples.iter().any(|a| a[0] == command),
            "no README example of {command}"
        );
    }
    // The garage examples need Garage built (.ci/garage-build); CI has it
    // and says so with QUORUM_GARAGE_REQUIRED.
    let garage = garage::binary();
    let examples: Vec<Vec<String>> = examples
        .into_iter()
        .filter(|a| a[0] != "garage" || garage.is_some())
        .collect();
    let before = readme::snapshot();
    let dir = readme::scratch("bench");
    let results = readme::run_all(
        std::path::Path::new(env!("CARGO_BIN_EXE_quorum-bench")),
        &dir,
        &examples,
    );
    let mut failed = Vec::new();
    for (args, code, err) in &results {
        match code {
            Some(0) => {}
            Some(3) => eprintln!(
                "note: quorum-bench {} ran but judged itself untrustworthy (a busy machine): {err}",
                args.join(" ")
            ),
            _ => failed.push(format!(
                "quorum-bench {} -> {code:?}: {err}",
                args.join(" ")
            )),
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
    // validate's curve went to its default place, inside the scratch
    // directory.
    assert!(dir.join("validate-report/validate-curve.csv").exists());
    assert_eq!(
        readme::snapshot(),
        before,
        "an example changed the repository"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
