//! Constant delay `c >= 0` ms: a point mass, used for fixed network hops
//! (`const(75)` is the WAN preset's inter-datacenter leg).

use super::{check_range, num, Delay, DistError, MAX_SCALE_MS};
use rand::Rng;
use std::fmt;

/// A fixed delay.
///
/// ```
/// use quorum_model::dist::{Constant, Delay};
/// let c = Constant::new(75.0).unwrap();
/// assert_eq!(c.cdf(74.9), 0.0);
/// assert_eq!(c.cdf(75.0), 1.0);
/// assert_eq!(c.quantile(0.99), 75.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Constant {
    value: f64,
}

impl Constant {
    /// `value` between 0 and 1e9 ms.
    pub fn new(value: f64) -> Result<Self, DistError> {
        check_range(
            "const",
            "value",
            value,
            0.0,
            MAX_SCALE_MS,
            "between 0 and 1e9 (ms)",
        )?;
        Ok(Constant { value })
    }

    /// The constant, ms.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// A draw: the constant.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, _rng: &mut R) -> f64 {
        self.value
    }
}

impl Delay for Constant {
    fn cdf(&self, x: f64) -> f64 {
        if x >= self.value {
            1.0
        } else {
            0.0
        }
    }
    fn sf(&self, x: f64) -> f64 {
        if x >= self.value {
            0.0
        } else {
            1.0
        }
    }
    fn pdf(&self, _x: f64) -> f64 {
        0.0
    }
    fn quantile(&self, _p: f64) -> f64 {
        self.value
    }
    fn isf(&self, _s: f64) -> f64 {
        self.value
    }
    fn mean(&self) -> f64 {
        self.value
    }
    fn support(&self) -> (f64, f64) {
        (self.value, self.value)
    }
    fn atoms(&self) -> Vec<(f64, f64)> {
        vec![(self.value, 1.0)]
    }
    fn continuous_mass(&self) -> f64 {
        0.0
    }
}

impl fmt::Display for Constant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "const({})", num(self.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{testing, Dist};

    #[test]
    fn family_checks() {
        testing::check_family(&Dist::Const(Constant::new(3.5).unwrap()));
        testing::check_roundtrip(&Dist::Const(Constant::new(3.5).unwrap()));
    }

    #[test]
    fn rejects_negative_and_nan() {
        assert!(Constant::new(-1.0).is_err());
        assert!(Constant::new(f64::NAN).is_err());
        assert!(Constant::new(0.0).is_ok());
    }
}
