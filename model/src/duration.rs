//! Durations as people write them, with a unit: `250ms`, `1.5s`, `10min`,
//! `3h` (also `us` and `d`). A bare number is refused: a hint window of
//! `3` could be hours or milliseconds, and the difference is a factor of
//! ten million.
//!
//! ```
//! use quorum_model::duration::parse_ms;
//! assert_eq!(parse_ms("250ms").unwrap(), 250.0);
//! assert_eq!(parse_ms("3h").unwrap(), 3.0 * 3_600_000.0);
//! assert!(parse_ms("3").is_err());
//! ```

use std::fmt;

/// The units, longest suffix first, with their length in ms.
const UNITS: [(&str, f64); 6] = [
    ("min", 60_000.0),
    ("ms", 1.0),
    ("us", 1e-3),
    ("s", 1_000.0),
    ("h", 3_600_000.0),
    ("d", 86_400_000.0),
];

/// The units, for messages.
pub const UNIT_NAMES: &str = "us, ms, s, min, h, d";

/// Why a duration is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError(pub String);

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "must be a finite number >= 0 with a unit ({UNIT_NAMES}), e.g. 250ms or 3h; got '{}'",
            self.0
        )
    }
}

impl std::error::Error for DurationError {}

/// A duration in milliseconds.
pub fn parse_ms(text: &str) -> Result<f64, DurationError> {
    let t = text.trim();
    let bad = || DurationError(text.to_string());
    let (number, scale) = UNITS
        .iter()
        .find_map(|(unit, scale)| t.strip_suffix(unit).map(|n| (n.trim(), *scale)))
        .ok_or_else(bad)?;
    let v: f64 = number.parse().map_err(|_| bad())?;
    let ms = v * scale;
    if !(v.is_finite() && v >= 0.0 && ms.is_finite()) {
        return Err(bad());
    }
    Ok(ms)
}

/// `ms` as the shortest exact text with a unit (`5ms`, `1.5s`, `3h`).
pub fn show_ms(ms: f64) -> String {
    for (unit, scale) in [("h", 3_600_000.0), ("min", 60_000.0), ("s", 1_000.0)] {
        let v = ms / scale;
        if ms >= scale && v == (v * 1000.0).round() / 1000.0 {
            return format!("{v}{unit}");
        }
    }
    format!("{ms}ms")
}

/// `ms` for people, three significant digits in the largest unit that
/// keeps it at least 1: `0.82 ms`, `41.3 s`, `2.5 h`.
pub fn human(ms: f64) -> String {
    if !ms.is_finite() {
        return "never".into();
    }
    let (v, unit) = [
        ("d", 86_400_000.0),
        ("h", 3_600_000.0),
        ("min", 60_000.0),
        ("s", 1_000.0),
    ]
    .iter()
    .find(|(_, scale)| ms >= *scale)
    .map_or((ms, "ms"), |(u, scale)| (ms / scale, *u));
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    format!("{v:.digits$} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_refusals() {
        assert_eq!(parse_ms("5ms").unwrap(), 5.0);
        assert_eq!(parse_ms(" 1.5s ").unwrap(), 1500.0);
        assert_eq!(parse_ms("10min").unwrap(), 600_000.0);
        assert_eq!(parse_ms("250us").unwrap(), 0.25);
        assert_eq!(parse_ms("0ms").unwrap(), 0.0);
        for bad in [
            "3", "-1ms", "ms", "1e400ms", "nanms", "3 hours", "1.5.2s", "",
        ] {
            let e = parse_ms(bad).unwrap_err().to_string();
            assert!(e.contains("with a unit"), "{bad}: {e}");
        }
        assert_eq!(human(0.8161), "0.82 ms");
        assert_eq!(human(41_300.0), "41.3 s");
        assert_eq!(human(9_000_000.0), "2.50 h");
        assert_eq!(human(f64::INFINITY), "never");
        for ms in [5.0, 1500.0, 600_000.0, 10_800_000.0, 0.25] {
            assert_eq!(parse_ms(&show_ms(ms)).unwrap(), ms);
        }
    }
}
