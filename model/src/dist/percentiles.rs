//! A delay given by a percentile table, as monitoring dashboards publish it
//! (`p50=3.75, p99=6.59, p99.9=32.89`).
//!
//! Interpolation: the survival function `S = 1 - p` is interpolated
//! log-linearly between consecutive points, so on each segment the delay is an
//! exponential piece and the CDF passes exactly through every given point.
//! Below the first point the segment starts at `min` (default 0 ms) with
//! `S = 1`. Beyond the last point the last segment's decay rate continues: the
//! tail is exponential with rate `ln(S_{L-1}/S_L) / (x_L - x_{L-1})`. A tail
//! heavier than that must be described by more points or by another family.

use super::{check_range, check_spread, num, Delay, DistError, MAX_SCALE_MS};
use rand::Rng;
use std::fmt;

/// A piecewise-exponential distribution through given percentiles.
///
/// ```
/// use quorum_model::dist::{Delay, Percentiles};
/// let d = Percentiles::new(0.0, vec![(50.0, 3.75), (99.0, 6.59), (99.9, 32.89)]).unwrap();
/// assert!((d.cdf(6.59) - 0.99).abs() < 1e-12);
/// assert!((d.quantile(0.999) - 32.89).abs() < 1e-9);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Percentiles {
    min: f64,
    /// `(percent, value_ms)` as given, increasing in both.
    points: Vec<(f64, f64)>,
    /// Knots `(x, ln S(x))`, starting at `(min, 0)`.
    knots: Vec<(f64, f64)>,
    /// Decay rate beyond the last knot.
    tail_rate: f64,
}

impl Percentiles {
    /// `min` in [0, 1e9) ms; points `(percent in (0, 100), value <= 1e9
    /// ms)`, each percent given once, values strictly increasing with the
    /// percent and above `min`, consecutive values at least 1e-6 apart
    /// relative to the larger (a table narrower than that is a constant);
    /// and the far quantiles inside the domain (see
    /// [`super::MAX_QUANTILE_MS`]).
    pub fn new(min: f64, mut points: Vec<(f64, f64)>) -> Result<Self, DistError> {
        check_range(
            "percentiles",
            "min",
            min,
            0.0,
            MAX_SCALE_MS,
            "between 0 and 1e9 (ms)",
        )?;
        if points.is_empty() {
            return Err(DistError::invalid(
                "percentiles",
                "needs at least one point such as p50=3.75",
            ));
        }
        for &(pct, x) in &points {
            if !(pct.is_finite() && pct > 0.0 && pct < 100.0) {
                return Err(DistError::Parameter {
                    family: "percentiles",
                    param: "percentile",
                    allowed: "a percent in (0, 100), e.g. p99.9",
                    value: pct,
                });
            }
            check_range(
                "percentiles",
                "value",
                x,
                0.0,
                MAX_SCALE_MS,
                "between 0 and 1e9 (ms)",
            )?;
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        if let Some(w) = points.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(DistError::invalid(
                "percentiles",
                format!("p{} is given twice; each percentile once", num(w[0].0)),
            ));
        }
        let mut knots = vec![(min, 0.0)];
        for &(pct, x) in &points {
            let (last_x, _) = knots[knots.len() - 1];
            if x <= last_x || x.is_nan() {
                return Err(DistError::invalid(
                    "percentiles",
                    format!("p{pct}={x}: values must strictly increase with the percentile (and exceed min={min})"),
                ));
            }
            if x - last_x < 1e-6 * x {
                return Err(DistError::invalid(
                    "percentiles",
                    format!("p{pct}={x} is within 1e-6 (relative) of the value before it ({last_x}); consecutive values must differ by at least that (use const(...) for a fixed delay)"),
                ));
            }
            knots.push((x, (-pct / 100.0).ln_1p()));
        }
        let n = knots.len();
        let (x0, l0) = knots[n - 2];
        let (x1, l1) = knots[n - 1];
        let tail_rate = (l0 - l1) / (x1 - x0);
        let d = Percentiles {
            min,
            points,
            knots,
            tail_rate,
        };
        check_spread("percentiles", &d)?;
        Ok(d)
    }

    /// Inverse transform sampling (the quantile is closed form).
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let u: f64 = rng.random();
        self.quantile(u)
    }

    /// The `x` where `ln S(x) = target` (closed form on each segment).
    fn at_log_sf(&self, target: f64) -> f64 {
        let i = self.knots.partition_point(|k| k.1 > target);
        if i >= self.knots.len() {
            let (xl, ll) = self.knots[self.knots.len() - 1];
            return xl + (ll - target) / self.tail_rate;
        }
        let i = i.max(1);
        let (xa, la) = self.knots[i - 1];
        let (xb, lb) = self.knots[i];
        xa + (xb - xa) * (la - target) / (la - lb)
    }

    /// `ln S(x)` and the local decay rate at `x`.
    fn log_sf(&self, x: f64) -> (f64, f64) {
        if x <= self.min {
            return (0.0, 0.0);
        }
        let i = self.knots.partition_point(|k| k.0 <= x);
        if i >= self.knots.len() {
            let (xl, ll) = self.knots[self.knots.len() - 1];
            return (ll - self.tail_rate * (x - xl), self.tail_rate);
        }
        let i = i.max(1);
        let (xa, la) = self.knots[i - 1];
        let (xb, lb) = self.knots[i];
        let rate = (la - lb) / (xb - xa);
        (la - rate * (x - xa), rate)
    }
}

impl Delay for Percentiles {
    fn cdf(&self, x: f64) -> f64 {
        -self.log_sf(x).0.exp_m1()
    }
    fn sf(&self, x: f64) -> f64 {
        self.log_sf(x).0.exp()
    }
    fn pdf(&self, x: f64) -> f64 {
        if x < self.min {
            return 0.0;
        }
        let (l, rate) = self.log_sf(x.max(self.min + f64::EPSILON * self.min.max(1.0)));
        rate * l.exp()
    }
    fn quantile(&self, p: f64) -> f64 {
        if p <= 0.0 {
            return self.min;
        }
        if p >= 1.0 {
            return f64::INFINITY;
        }
        self.at_log_sf((-p).ln_1p())
    }
    fn isf(&self, s: f64) -> f64 {
        if s >= 1.0 {
            return self.min;
        }
        if s <= 0.0 {
            return f64::INFINITY;
        }
        self.at_log_sf(s.ln())
    }
    fn mean(&self) -> f64 {
        // ∫ S over each exponential segment: (S_a - S_b) Δx / ln(S_a/S_b).
        let mut total = self.min;
        for w in self.knots.windows(2) {
            let ((xa, la), (xb, lb)) = (w[0], w[1]);
            total += (la.exp() - lb.exp()) * (xb - xa) / (la - lb);
        }
        total + self.knots[self.knots.len() - 1].1.exp() / self.tail_rate
    }
    fn support(&self) -> (f64, f64) {
        (self.min, f64::INFINITY)
    }
    fn breakpoints(&self) -> Vec<f64> {
        self.knots.iter().map(|k| k.0).collect()
    }
}

impl fmt::Display for Percentiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "percentiles(")?;
        if self.min != 0.0 {
            write!(f, "min={},", num(self.min))?;
        }
        for (i, (pct, x)) in self.points.iter().enumerate() {
            if i > 0 {
                write!(f, ",")?;
            }
            write!(f, "p{}={}", num(*pct), num(*x))?;
        }
        write!(f, ")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{testing, Dist};

    fn example() -> Percentiles {
        Percentiles::new(0.0, vec![(50.0, 3.75), (99.0, 6.59), (99.9, 32.89)]).unwrap()
    }

    #[test]
    fn family_checks() {
        let d = Dist::Percentiles(example());
        testing::check_family(&d);
        testing::check_roundtrip(&d);
        testing::check_mean_by_integration(&d);
        let shifted = Dist::Percentiles(Percentiles::new(1.0, vec![(90.0, 2.0)]).unwrap());
        testing::check_family(&shifted);
        testing::check_roundtrip(&shifted);
    }

    #[test]
    fn passes_through_every_point() {
        let d = example();
        for (pct, x) in [(50.0, 3.75), (99.0, 6.59), (99.9, 32.89)] {
            assert!((d.cdf(x) - pct / 100.0).abs() < 1e-12);
        }
    }

    #[test]
    fn tail_continues_the_last_segment() {
        let d = example();
        // One more segment's length past p99.9 multiplies S by the same ratio.
        let ratio = 0.001 / 0.01;
        let x = 32.89 + (32.89 - 6.59);
        assert!((d.sf(x) - 0.001 * ratio).abs() < 1e-15);
    }

    #[test]
    fn one_point_is_an_exponential() {
        let d = Percentiles::new(0.0, vec![(50.0, 2.0)]).unwrap();
        let e = crate::dist::Exponential::new(2f64.ln() / 2.0).unwrap();
        for x in [0.5, 2.0, 9.0] {
            assert!((d.sf(x) - e.sf(x)).abs() < 1e-14);
        }
        assert!((d.mean() - e.mean()).abs() < 1e-12);
    }

    #[test]
    fn refuses_bad_tables() {
        assert!(Percentiles::new(0.0, vec![]).is_err());
        assert!(Percentiles::new(0.0, vec![(50.0, 3.0), (99.0, 2.0)]).is_err());
        assert!(Percentiles::new(0.0, vec![(100.0, 3.0)]).is_err());
        assert!(Percentiles::new(5.0, vec![(50.0, 3.0)]).is_err());
        let twice = Percentiles::new(0.0, vec![(50.0, 1.0), (50.0, 2.0)]).unwrap_err();
        assert!(twice.to_string().contains("p50 is given twice"), "{twice}");
        let narrow = Percentiles::new(0.0, vec![(50.0, 1.0), (99.0, 1.0000000001)]).unwrap_err();
        assert!(narrow.to_string().contains("within 1e-6"), "{narrow}");
        assert!(Percentiles::new(1e308, vec![(50.0, 1.7976931348623157e308)]).is_err());
        // A last segment so slow that the tail runs past the domain.
        assert!(Percentiles::new(0.0, vec![(50.0, 1.0), (50.0001, 1e8)]).is_err());
    }
}
