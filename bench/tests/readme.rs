//! Every `quorum-bench` example of the README runs as written, in a scratch
//! directory, and leaves the repository unchanged (see
//! `model/tests/common/readme.rs`). Exit status 3 is a run that finished
//! but judged itself untrustworthy (a busy machine delivers injected delays
//! late): it still ran as written, so it passes, and says so.

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
    let garage = garage_binary();
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

fn garage_binary() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("QUORUM_GARAGE")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(std::path::PathBuf::from)
                .or_else(|| {
                    std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache"))
                })?;
            Some(cache.join("quorum-model/garage-2.5.0/bin/garage"))
        })?;
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var_os("QUORUM_GARAGE_REQUIRED").is_none(),
        "QUORUM_GARAGE_REQUIRED is set but there is no Garage at {}",
        path.display()
    );
    eprintln!(
        "note: the README's garage examples skipped: no Garage at {}",
        path.display()
    );
    None
}
