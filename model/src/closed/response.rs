//! A replica's response time (`W + A` or `R + S`) as the order-statistic
//! formulas consume it: `(cdf, sf)` at any `x`.
//!
//! A sum of random legs has no closed form; each evaluation is a convolution
//! integral (~250 evaluations of the legs). The latency of one configuration
//! needs about a thousand of them, and a sweep needs them for every `n`,
//! quorum size and failure level. So a convolution is evaluated once on
//! Chebyshev points and replaced by a piecewise-Chebyshev table
//! ([`crate::numeric::cheb`]): the CDF itself on `[lo, median]` (absolute
//! accuracy 1e-12) and `ln P(X > x)` against `ln x` beyond the median
//! (relative accuracy 1e-9 of the survival, down to 1e-17). Past the table the
//! tail is extended analytically: a power law with the distribution's tail
//! index, or an exponential with the table's final log-slope. Closed-form
//! families and distributions with point masses are evaluated directly.

use crate::dist::{Delay, Dist};
use crate::numeric::cheb::Piecewise;
use crate::numeric::root::bracket_above;
use std::sync::Arc;

/// Absolute tolerance of the tabulated CDF on `[lo, median]`.
pub const BODY_TOL: f64 = 1e-11;
/// Absolute tolerance of the tabulated `ln sf` beyond the median.
pub const TAIL_TOL: f64 = 1e-8;
/// The table's tail ends where the survival falls below this.
const TAIL_END: f64 = 1e-15;

/// Response-time distribution, possibly tabulated, possibly shifted by a
/// constant (a WAN hop reuses the local replica's table).
#[derive(Debug, Clone)]
pub struct ResponseTime {
    dist: Dist,
    offset: f64,
    table: Option<Arc<Table>>,
}

#[derive(Debug)]
struct Table {
    lo: f64,
    median: f64,
    body: Piecewise,
    /// `ln sf` as a function of `ln x` on `[ln median, ln x_max]`.
    tail: Piecewise,
    x_max: f64,
    ln_sf_max: f64,
    /// Decay beyond `x_max`: power-law index, or exponential rate per ms.
    beyond: Beyond,
}

#[derive(Debug, Clone, Copy)]
enum Beyond {
    PowerLaw(f64),
    Exponential(f64),
}

impl ResponseTime {
    /// Tabulates `dist` when it needs numerical integration and has no
    /// point masses; otherwise evaluates it directly.
    pub fn new(dist: Dist) -> Self {
        let table = if dist.needs_integration() && dist.continuous_mass() == 1.0 {
            Table::build(&dist).map(Arc::new)
        } else {
            None
        };
        ResponseTime {
            dist,
            offset: 0.0,
            table,
        }
    }

    /// Always evaluates `dist` directly (the reference in tests).
    pub fn direct(dist: Dist) -> Self {
        ResponseTime {
            dist,
            offset: 0.0,
            table: None,
        }
    }

    /// The same response delayed by `ms` more.
    pub fn shifted(&self, ms: f64) -> Self {
        ResponseTime {
            offset: self.offset + ms,
            ..self.clone()
        }
    }

    /// Whether a table stands in for the convolution.
    pub fn is_tabulated(&self) -> bool {
        self.table.is_some()
    }

    /// `(P(X <= x), P(X > x))`, each accurate in its own tail.
    pub fn cdf_sf(&self, x: f64) -> (f64, f64) {
        let x = x - self.offset;
        match &self.table {
            Some(t) => t.cdf_sf(x),
            None => {
                let s = self.dist.sf(x);
                if s < 0.5 {
                    (1.0 - s, s)
                } else {
                    let c = self.dist.cdf(x);
                    (c, 1.0 - c)
                }
            }
        }
    }

    pub fn support(&self) -> (f64, f64) {
        let (lo, hi) = self.dist.support();
        (lo + self.offset, hi + self.offset)
    }

    pub fn tail_index(&self) -> f64 {
        self.dist.tail_index()
    }

    pub fn breakpoints(&self) -> Vec<f64> {
        self.dist
            .breakpoints()
            .into_iter()
            .map(|b| b + self.offset)
            .collect()
    }
}

impl Table {
    fn build(d: &Dist) -> Option<Table> {
        let lo = d.support().0;
        let median = d.quantile(0.5);
        if !median.is_finite() || median <= lo || median <= 0.0 {
            return None;
        }
        let kinks = d.breakpoints();
        let body = Piecewise::fit(|x| d.cdf(x), lo, median, &kinks, BODY_TOL, 400);
        let x_max = bracket_above(|x| -d.sf(x), -TAIL_END, median * 2.0)?;
        let ln_kinks: Vec<f64> = kinks
            .iter()
            .filter(|k| **k > median)
            .map(|k| k.ln())
            .collect();
        let ln_sf = |u: f64| d.sf(u.exp()).max(f64::MIN_POSITIVE).ln();
        let tail = Piecewise::fit(ln_sf, median.ln(), x_max.ln(), &ln_kinks, TAIL_TOL, 400);
        let ln_sf_max = tail.eval(x_max.ln());
        let alpha = d.tail_index();
        let beyond = if alpha.is_finite() {
            Beyond::PowerLaw(alpha)
        } else {
            // Final log-slope of the table, per ms.
            let x_prev = x_max / 1.01;
            let rate = (tail.eval(x_prev.ln()) - ln_sf_max) / (x_max - x_prev);
            Beyond::Exponential(rate.max(0.0))
        };
        Some(Table {
            lo,
            median,
            body,
            tail,
            x_max,
            ln_sf_max,
            beyond,
        })
    }

    fn cdf_sf(&self, x: f64) -> (f64, f64) {
        if x <= self.lo {
            return (0.0, 1.0);
        }
        if x <= self.median {
            let c = self.body.eval(x).clamp(0.0, 1.0);
            return (c, 1.0 - c);
        }
        let ln_s = if x <= self.x_max {
            self.tail.eval(x.ln())
        } else {
            match self.beyond {
                Beyond::PowerLaw(alpha) => self.ln_sf_max - alpha * (x / self.x_max).ln(),
                Beyond::Exponential(rate) => self.ln_sf_max - rate * (x - self.x_max),
            }
        };
        let s = ln_s.exp().clamp(0.0, 1.0);
        (1.0 - s, s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::presets::all;

    /// The table agrees with direct convolution for every preset's round
    /// trips, on a grid from the floor far into the tail.
    #[test]
    fn tables_match_direct_convolution() {
        for p in all() {
            for d in [p.wars.write_round_trip(), p.wars.read_round_trip()] {
                let t = ResponseTime::new(d.clone());
                assert!(t.is_tabulated(), "{}", p.name);
                let direct = ResponseTime::direct(d.clone());
                let med = d.quantile(0.5);
                for i in 0..400 {
                    let x = d.support().0 + med * 1.03f64.powi(i) * 0.01;
                    let (c1, s1) = t.cdf_sf(x);
                    let (c0, s0) = direct.cdf_sf(x);
                    assert!(
                        (c1 - c0).abs() < 1e-10,
                        "{} cdf at {x}: {c1} vs {c0}",
                        p.name
                    );
                    if s0 > 1e-16 {
                        assert!(
                            (s1 / s0 - 1.0).abs() < 2.0 * TAIL_TOL,
                            "{} sf at {x}: {s1} vs {s0}",
                            p.name
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn closed_forms_and_atoms_are_not_tabulated() {
        let e: Dist = "exp(mean=1)".parse().unwrap();
        assert!(!ResponseTime::new(e).is_tabulated());
        let c: Dist = "exp(mean=1) + const(3)".parse().unwrap();
        assert!(!ResponseTime::new(c).is_tabulated());
    }

    #[test]
    fn shifting_reuses_the_table() {
        let d: Dist = "exp(mean=1) + exp(mean=2)".parse().unwrap();
        let t = ResponseTime::new(d.clone());
        let s = t.shifted(150.0);
        assert_eq!(s.cdf_sf(152.0), t.cdf_sf(2.0));
        assert_eq!(s.support().0, 150.0);
    }
}
