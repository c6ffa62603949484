//! How numbers read in messages: the shortest form that parses back to the
//! same double, in scientific notation when plain digits would run long
//! (`1e-320`, not three hundred zeros).

use std::fmt;

/// A number as messages show it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shown(pub f64);

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        let a = x.abs();
        if x == 0.0 || !x.is_finite() || (1e-4..1e9).contains(&a) {
            write!(f, "{x}")
        } else {
            write!(f, "{x:e}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the doc example of `Shown` showed.
    #[test]
    fn example_shown() {
        assert_eq!(Shown(0.25).to_string(), "0.25");
        assert_eq!(Shown(-1e-320).to_string(), "-1e-320");
        assert_eq!(
            Shown(1.7976931348623157e308).to_string(),
            "1.7976931348623157e308"
        );
        assert_eq!(Shown(f64::NAN).to_string(), "NaN");
    }
}
