//! A continuous delay law whose CDF is expensive (a convolution integral),
//! stored as two piecewise Chebyshev tables so that every later evaluation
//! costs a binary search and a Clenshaw sum.
//!
//! With `lo` the lower end of the support and `u = ln(x - lo)`:
//!
//! - below the median, `ln F` as a function of `u`;
//! - above the median, `ln S` (`S = 1 - F`) as a function of `u`.
//!
//! Both tails keep their *relative* accuracy: a survival of 1e-15 is stored
//! to 1e-10 of itself, and so is a CDF of 1e-15 near the floor. In these
//! coordinates the shapes delays take are smooth and nearly straight: a
//! power law near the floor (`F ~ (x - lo)^k`, even for an infinite density
//! at `lo`), a power law (`ln S ~ -α u`) or an exponential in the tail, and
//! a narrow law (a large gamma shape) spans a short range of `u` over which
//! Chebyshev series converge as fast as anywhere. Past the tables (`F` or
//! `S` under the table's floor) each tail is extended analytically: by the power law of
//! the table's end slope below, by the tail index (power law) or the end
//! slope (exponential) above.
//!
//! A table the next convolution reads reaches 1e-26 rather than 1e-16:
//! that convolution's own tail can come from this one's far tail.

use crate::numeric::cheb::Piecewise;
use crate::numeric::root::invert_increasing_to;

/// Relative accuracy asked of each table (of `F` below the median, of `S`
/// above it).
pub const TABLE_TOL: f64 = 1e-10;
/// A table that figures are read from stops where the tail it holds falls
/// below this (no figure needs a tail probability under about 1e-13).
pub const FINAL_FLOOR: f64 = 1e-16;
/// A table that the next convolution is built on goes deeper: that
/// convolution's 1e-16 can come from this table's 1e-24 (two narrow laws
/// add their tails that way), and past a table the tail is only
/// extrapolated.
pub const INTERMEDIATE_FLOOR: f64 = 1e-26;
/// Segment budget of each table.
const MAX_SEGMENTS: usize = 128;
/// The landmark ladder, lower half: CDF levels whose quantiles locate the
/// floor and the bulk of a law (down to 1e-30, where a convolution stops
/// integrating: what lies below cannot matter at 1e-16).
pub const LOWER_LADDER: [f64; 10] = [1e-30, 1e-24, 1e-18, 1e-12, 1e-9, 1e-6, 1e-3, 0.02, 0.1, 0.5];
/// The landmark ladder, upper half: survival levels (inverted by
/// [`Delay::isf`](super::Delay::isf), since `1 - 1e-30` is not a double).
pub const UPPER_LADDER: [f64; 9] = [0.1, 0.02, 1e-3, 1e-6, 1e-9, 1e-12, 1e-18, 1e-24, 1e-30];

/// The ladder's points for any law: quantiles, then inverse survivals.
pub fn ladder<Q: Fn(f64) -> f64, I: Fn(f64) -> f64>(quantile: Q, isf: I) -> Vec<f64> {
    LOWER_LADDER
        .iter()
        .map(|p| quantile(*p))
        .chain(UPPER_LADDER.iter().map(|s| isf(*s)))
        .collect()
}

/// What a table is built from.
pub struct Source<'a> {
    /// `P(X <= x)`, accurate relative to itself when small.
    pub cdf: &'a dyn Fn(f64) -> f64,
    /// `P(X > x)`, accurate relative to itself when small.
    pub sf: &'a dyn Fn(f64) -> f64,
    /// Lower end of the support (`F(lo) = 0`).
    pub lo: f64,
    /// Points where the density has a jump or kink.
    pub kinks: Vec<f64>,
    /// A guess of the median (where the search for it starts).
    pub start: f64,
    /// Rough locations of the bulk and tails (split points to start from).
    pub hints: Vec<f64>,
    /// Power-law index of the upper tail (`f64::INFINITY`: light).
    pub tail_index: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Beyond {
    PowerLaw(f64),
    /// Decay rate of `ln S` per unit of `u` (the end slope), used as
    /// `ln S = ln S_max - rate * (x - x_max) / (x_max - lo)`, an exponential.
    Exponential(f64),
}

/// A tabulated continuous law.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    lo: f64,
    median: f64,
    u_med: f64,
    lower: Piecewise,
    u_min: f64,
    ln_f_min: f64,
    slope_min: f64,
    upper: Piecewise,
    u_max: f64,
    ln_s_max: f64,
    beyond: Beyond,
    landmarks: Vec<f64>,
    converged: bool,
    /// The largest error estimate of `ln F` or `ln S` in either table: the
    /// relative error of the tail probabilities, where it did not converge.
    worst: f64,
}

/// `ln` that maps 0 to a large negative number instead of `-inf`.
fn safe_ln(v: f64) -> f64 {
    v.max(1e-300).ln()
}

impl Table {
    /// Tabulates the law described by `src` down to tail probabilities of
    /// `floor` ([`FINAL_FLOOR`] or [`INTERMEDIATE_FLOOR`]). `None` if it has
    /// no median (the CDF never reaches 1/2 in range).
    pub fn build(src: &Source, floor: f64) -> Option<Table> {
        let lo = src.lo;
        let x_of = |u: f64| lo + u.exp();
        let ln_f = |u: f64| safe_ln((src.cdf)(x_of(u)));
        let ln_s = |u: f64| safe_ln((src.sf)(x_of(u)));
        // Above a floor lo > 0, x = lo + z carries z only to 2e-16 lo: the
        // tables start where that is 2e-11 of z and extrapolate below.
        let u_floor = if lo > 0.0 { (lo * 1e-5).ln() } else { -690.0 };
        let u_ceiling = 690.0;
        // Median, bracketed in u from the guess.
        let start = if src.start > lo && src.start.is_finite() {
            (src.start - lo).ln()
        } else {
            0.0
        };
        let half = 0.5f64.ln();
        let (a, b) = bracket_u(ln_f, half, start, u_floor, u_ceiling)?;
        let u_med = invert_increasing_to(ln_f, half, a, b, 1e-13);
        let median = x_of(u_med);
        // Where each tail falls below the floor (coarsely: the table only
        // has to reach past it).
        let ln_floor = floor.ln();
        // A narrow law spans a tiny range of u: the steps start at a
        // thousandth of the distance to the quartiles.
        let spread = {
            let tol = 1e-7 * (1.0 + u_med.abs());
            let q1 = bisect_to(ln_f, 0.25f64.ln(), u_floor, u_med, tol);
            let q3 = bisect_to(|u| -ln_s(u), -0.25f64.ln(), u_med, u_ceiling, tol);
            (q3.1 - q1.0).max(1e-12)
        };
        let u_min = match bracket_u(ln_f, ln_floor, u_med - spread, u_floor, u_med) {
            Some((a, b)) => bisect_u(ln_f, ln_floor, a, b).0,
            None => u_floor,
        };
        let u_max = match bracket_u(|u| -ln_s(u), -ln_floor, u_med + spread, u_med, u_ceiling) {
            Some((a, b)) => bisect_u(|u| -ln_s(u), -ln_floor, a, b).1,
            None => u_ceiling,
        };
        let mut breaks: Vec<f64> = src
            .kinks
            .iter()
            .chain(src.hints.iter())
            .copied()
            .filter(|x| *x > lo && x.is_finite())
            .map(|x| (x - lo).ln())
            .collect();
        breaks.sort_by(f64::total_cmp);
        // Breaks closer than 1e-9 make slivers that cost 22 evaluations
        // each and resolve nothing.
        breaks.dedup_by(|b, a| *b - *a <= 1e-9 * (1.0 + a.abs()));
        // x = lo + e^u is known to ε x, so u only to ε x / (x - lo).
        let noise = |u: f64| f64::EPSILON * (lo + u.exp()) / u.exp();
        let lower =
            Piecewise::fit_with_noise(ln_f, u_min, u_med, &breaks, TABLE_TOL, noise, MAX_SEGMENTS);
        let upper =
            Piecewise::fit_with_noise(ln_s, u_med, u_max, &breaks, TABLE_TOL, noise, MAX_SEGMENTS);
        if std::env::var("QM_DEBUG").is_ok() {
            eprintln!(
                "table lo {lo} u [{u_min}, {u_med}, {u_max}] seg {} {} conv {} {} breaks {}",
                lower.segments(),
                upper.segments(),
                lower.converged(),
                upper.converged(),
                breaks.len()
            );
        }
        let ln_f_min = lower.eval(u_min);
        let slope_min = lower.derivative(u_min);
        let slope_min = if slope_min.is_finite() && slope_min > 0.0 {
            slope_min
        } else {
            1.0
        };
        let ln_s_max = upper.eval(u_max);
        // Past the table the tail continues with the table's own end slope,
        // so that S stays smooth there (a kink would reappear, blurred, in
        // every convolution built on this table): a power law of that
        // exponent for a power-law tail, an exponential otherwise. Either
        // way it lies below the floor.
        let end_slope = -upper.derivative(u_max);
        let end_slope = if end_slope.is_finite() && end_slope > 0.0 {
            end_slope
        } else if src.tail_index.is_finite() {
            src.tail_index
        } else {
            1.0
        };
        let beyond = if src.tail_index.is_finite() {
            Beyond::PowerLaw(end_slope)
        } else {
            Beyond::Exponential(end_slope)
        };
        let mut t = Table {
            lo,
            median,
            u_med,
            converged: lower.converged() && upper.converged(),
            worst: lower.worst_error().max(upper.worst_error()),
            lower,
            u_min,
            ln_f_min,
            slope_min,
            upper,
            u_max,
            ln_s_max,
            beyond,
            landmarks: Vec::new(),
        };
        t.landmarks = ladder(|p| t.quantile(p), |q| t.isf(q));
        Some(t)
    }

    /// `(ln F, ln S)` is not needed; `(F, S)`, each accurate in its tail.
    pub fn cdf_sf(&self, x: f64) -> (f64, f64) {
        if x <= self.lo || x.is_nan() {
            return (0.0, 1.0);
        }
        if x == f64::INFINITY {
            return (1.0, 0.0);
        }
        let u = (x - self.lo).ln();
        if u <= self.u_med {
            let lf = if u < self.u_min {
                self.ln_f_min + self.slope_min * (u - self.u_min)
            } else {
                self.lower.eval(u)
            };
            let f = lf.exp().min(1.0);
            (f, 1.0 - f)
        } else {
            let ls = if u <= self.u_max {
                self.upper.eval(u)
            } else {
                match self.beyond {
                    Beyond::PowerLaw(alpha) => self.ln_s_max - alpha * (u - self.u_max),
                    Beyond::Exponential(rate) => {
                        let x_max = self.u_max.exp();
                        self.ln_s_max - rate * ((x - self.lo) - x_max) / x_max
                    }
                }
            };
            let s = ls.exp().min(1.0);
            (1.0 - s, s)
        }
    }

    /// The density, from the tables' derivatives (about two digits less
    /// accurate than the CDF).
    pub fn pdf(&self, x: f64) -> f64 {
        if x <= self.lo || !x.is_finite() {
            return 0.0;
        }
        let z = x - self.lo;
        let u = z.ln();
        let (f, s) = self.cdf_sf(x);
        let d = if u < self.u_min {
            f * self.slope_min
        } else if u <= self.u_med {
            f * self.lower.derivative(u)
        } else if u <= self.u_max {
            -s * self.upper.derivative(u)
        } else {
            match self.beyond {
                Beyond::PowerLaw(alpha) => s * alpha,
                Beyond::Exponential(rate) => s * rate * z / self.u_max.exp(),
            }
        };
        (d / z).max(0.0)
    }

    /// The generalized inverse of the CDF.
    pub fn quantile(&self, p: f64) -> f64 {
        if p.is_nan() || p <= 0.0 {
            return self.lo;
        }
        if p >= 1.0 {
            return f64::INFINITY;
        }
        if p > 0.5 {
            return self.isf(1.0 - p);
        }
        let target = p.ln();
        let u = if target < self.ln_f_min {
            self.u_min + (target - self.ln_f_min) / self.slope_min
        } else {
            invert_increasing_to(
                |u| self.lower.eval(u),
                target,
                self.u_min,
                self.u_med,
                1e-14,
            )
        };
        self.lo + u.exp()
    }

    /// The inverse survival function: the smallest `x` with `S(x) <= s`.
    pub fn isf(&self, s: f64) -> f64 {
        if s.is_nan() || s >= 1.0 {
            return self.lo;
        }
        if s <= 0.0 {
            return f64::INFINITY;
        }
        if s > 0.5 {
            return self.quantile(1.0 - s);
        }
        let target = s.ln();
        let u = if target < self.ln_s_max {
            match self.beyond {
                Beyond::PowerLaw(alpha) => self.u_max + (self.ln_s_max - target) / alpha,
                Beyond::Exponential(rate) => {
                    let x_max = self.u_max.exp();
                    (x_max + (self.ln_s_max - target) / rate * x_max).ln()
                }
            }
        } else {
            invert_increasing_to(
                |u| -self.upper.eval(u),
                -target,
                self.u_med,
                self.u_max,
                1e-14,
            )
        };
        self.lo + u.exp()
    }

    /// Where the tables end and meet (the tail is smooth but not analytic
    /// there): integrals over this law split at these points.
    pub fn seams(&self) -> [f64; 3] {
        [
            self.lo + self.u_min.exp(),
            self.median,
            self.lo + self.u_max.exp(),
        ]
    }

    /// Quantiles at [`LOWER_LADDER`] and inverse survivals at
    /// [`UPPER_LADDER`].
    pub fn landmarks(&self) -> &[f64] {
        &self.landmarks
    }

    /// Records that a table this one was built from missed its tolerance,
    /// reaching `worst`.
    pub(crate) fn mark_unconverged(&mut self, worst: f64) {
        self.converged = false;
        self.worst = self.worst.max(worst);
    }

    /// The largest relative error of a tail probability the tables hold
    /// (their error estimate; within [`TABLE_TOL`] or the argument's own
    /// rounding where they converged).
    pub fn worst_error(&self) -> f64 {
        self.worst
    }

    /// Whether both tables met [`TABLE_TOL`] within their segment budget.
    pub fn converged(&self) -> bool {
        self.converged
    }

    #[cfg(test)]
    pub(crate) fn u_med(&self) -> f64 {
        self.u_med
    }
}

/// Shrinks a bracket `[a, b]` of an increasing `h` around `target` by
/// bisection until it is 1e-4 of its first width: `h(a) < target <= h(b)`
/// still holds, so `a` is safely below the target and `b` above.
fn bisect_u<H: Fn(f64) -> f64>(h: H, target: f64, a: f64, b: f64) -> (f64, f64) {
    bisect_to(h, target, a, b, 1e-4 * (b - a))
}

/// [`bisect_u`] down to an absolute width `tol`.
fn bisect_to<H: Fn(f64) -> f64>(h: H, target: f64, mut a: f64, mut b: f64, tol: f64) -> (f64, f64) {
    while b - a > tol {
        let m = 0.5 * (a + b);
        if m <= a || m >= b {
            break;
        }
        if h(m) < target {
            a = m;
        } else {
            b = m;
        }
    }
    (a, b)
}

/// A bracket `[a, b]` in `u` with `h(a) < target <= h(b)` for an increasing
/// `h`, found by stepping from `start` in doubling steps within
/// `[floor, ceiling]`.
fn bracket_u<H: Fn(f64) -> f64>(
    h: H,
    target: f64,
    start: f64,
    floor: f64,
    ceiling: f64,
) -> Option<(f64, f64)> {
    let start = start.clamp(floor, ceiling);
    let mut step = (start - floor).min(ceiling - start).clamp(1e-12, 1.0);
    if h(start) >= target {
        let mut b = start;
        loop {
            let a = (b - step).max(floor);
            if h(a) < target {
                return Some((a, b));
            }
            if a <= floor {
                return None;
            }
            b = a;
            step *= 2.0;
        }
    } else {
        let mut a = start;
        loop {
            let b = (a + step).min(ceiling);
            if h(b) >= target {
                return Some((a, b));
            }
            if b >= ceiling {
                return None;
            }
            a = b;
            step *= 2.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{Delay, Dist};

    fn table_of(d: &Dist) -> Table {
        let cdf = |x: f64| d.cdf(x);
        let sf = |x: f64| d.sf(x);
        Table::build(
            &Source {
                cdf: &cdf,
                sf: &sf,
                lo: d.support().0,
                kinks: d.breakpoints(),
                start: d.quantile(0.5),
                hints: d.landmarks(),
                tail_index: d.tail_index(),
            },
            INTERMEDIATE_FLOOR,
        )
        .unwrap()
    }

    /// Tabulating a closed-form law reproduces it: the CDF relative to
    /// itself below the median, the survival relative to itself above,
    /// from 1e-15 to 1 - 1e-15.
    #[test]
    fn closed_forms_survive_tabulation() {
        for spec in [
            "exp(mean=2)",
            "gamma(shape=0.3,scale=2)",
            "gamma(shape=400,scale=0.5)",
            "weibull(shape=0.5,scale=3)",
            "weibull(shape=2000,scale=1)",
            "lognormal(mu=1,sigma=0.0002)",
            "lognormal(mu=0,sigma=2)",
            "pareto(xm=1.05,alpha=1.51)",
            "percentiles(p50=1,p99=1.001,p99.9=1.002)",
        ] {
            let d: Dist = spec.parse().unwrap();
            let t = table_of(&d);
            assert!(t.converged(), "{spec}");
            for k in 1..300 {
                let p = k as f64 / 300.0;
                for q in [
                    p * 1e-15f64.powf(p),
                    0.5 * p,
                    1.0 - 0.5 * p,
                    1.0 - p * 1e-15f64.powf(p),
                ] {
                    let x = d.quantile(q);
                    let lo = d.support().0;
                    // Above a floor lo > 0 the table starts 1e-5 lo up.
                    if x.is_nan() || x <= lo * (1.0 + 1.01e-5) {
                        continue;
                    }
                    let (f, s) = t.cdf_sf(x);
                    let (f0, s0) = (d.cdf(x), d.sf(x));
                    if f0 < 0.5 && f0 > 1e-15 {
                        assert!((f / f0 - 1.0).abs() < 1e-8, "{spec} F({x}) {f} vs {f0}");
                    }
                    if s0 < 0.5 && s0 > 1e-15 {
                        assert!((s / s0 - 1.0).abs() < 1e-8, "{spec} S({x}) {s} vs {s0}");
                    }
                }
            }
            for p in [1e-9, 0.01, 0.5, 0.99, 1.0 - 1e-9] {
                let (x, want) = (t.quantile(p), d.quantile(p));
                assert!(
                    (x - want).abs() <= 1e-9 * want.abs().max(1e-300),
                    "{spec} q({p}) {x} vs {want}"
                );
            }
            for q in [1e-3, 1e-12] {
                let (x, want) = (t.isf(q), d.isf(q));
                assert!(
                    (x - want).abs() <= 1e-9 * want.abs().max(1e-300),
                    "{spec} isf({q}) {x} vs {want}"
                );
            }
            let x = d.quantile(0.7);
            let (pdf, want) = (t.pdf(x), d.pdf(x));
            assert!(
                (pdf / want - 1.0).abs() < 1e-6,
                "{spec} pdf {pdf} vs {want}"
            );
            assert!(t.u_med().is_finite());
        }
    }
}
