//! The Garage binary for the tests that need one: where quorum-bench looks
//! (`quorum_bench::garage::default_binary`), or `None` (the test is skipped,
//! and says so) unless `QUORUM_GARAGE_REQUIRED` is set, as CI sets it after
//! `.ci/garage-build`: then a missing Garage fails the test.

pub fn binary() -> Option<std::path::PathBuf> {
    let path = quorum_bench::garage::default_binary();
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var_os("QUORUM_GARAGE_REQUIRED").is_none(),
        "QUORUM_GARAGE_REQUIRED is set but there is no Garage at {}",
        path.display()
    );
    eprintln!(
        "skipped: no Garage at {} (build it with .ci/garage-build)",
        path.display()
    );
    None
}
