//! libFuzzer target for the delay spec parser: any text either parses into
//! a law that answers sanely, or is refused with an error. Never a panic,
//! never an abort. It builds on stable Rust without a sanitizer (`-s
//! none`); from the repository root (see the README):
//!
//! ```sh
//! cargo install cargo-fuzz
//! mkdir -p fuzz/corpus/spec
//! cargo fuzz run -s none spec fuzz/corpus/spec fuzz/seeds/spec -- -max_total_time=3600
//! ```
#![no_main]

use libfuzzer_sys::fuzz_target;
use quorum_model::dist::{spec, Delay};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(d) = spec::parse(text, None) else {
        return;
    };
    let (lo, _) = d.support();
    assert!(lo.is_finite() && lo >= 0.0, "{text}: support starts at {lo}");
    for p in [1e-9, 0.5, 1.0 - 1e-9] {
        let q = d.quantile(p);
        assert!(q.is_finite(), "{text}: quantile({p}) = {q}");
        let (c, s) = d.cdf_sf(q);
        assert!((c + s - 1.0).abs() < 1e-9, "{text}: cdf + sf = {}", c + s);
    }
    assert!(!d.mean().is_nan(), "{text}: mean is NaN");
});
