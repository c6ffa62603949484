//! Subcommands of the `quorum-model` binary: each parses its options, calls
//! the library, and writes files or prints. Progress bars live in
//! [`progress`].

pub mod eval;
pub mod failure;
pub mod merge;
pub mod plan;
pub mod plot;
pub mod progress;
pub mod sweep;

/// A refusal: printed as one line, exit code 2.
pub struct Usage(pub String);

/// A whole number of at least `min`, for count options. Clap would take
/// `-1` for a flag and print nothing about the allowed range; parsed here
/// (the options also allow hyphen values) every wrong count gets one line
/// saying what is allowed: `invalid value '-1' for '--n <N>': must be a
/// whole number >= 1`.
pub fn whole<T>(min: u64) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static
where
    T: TryFrom<u64>,
{
    move |s: &str| {
        let t = s.trim();
        let err = || format!("must be a whole number >= {min}");
        let v: u64 = match t.parse::<u64>() {
            Ok(v) => v,
            Err(_) => {
                // "1e3" or "12.0" are whole numbers too; anything else is not.
                let f: f64 = t.parse().map_err(|_| err())?;
                if f.fract() != 0.0 || f < 0.0 || f > u64::MAX as f64 {
                    return Err(err());
                }
                f as u64
            }
        };
        if v < min {
            return Err(err());
        }
        T::try_from(v).map_err(|_| format!("{v} is too large"))
    }
}
