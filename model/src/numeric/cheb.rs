//! Piecewise Chebyshev approximation with adaptive splitting (the idea of
//! Chebfun, Trefethen et al.): on each segment the function is sampled at
//! `DEGREE` Chebyshev points and expanded in Chebyshev polynomials; a segment
//! whose trailing coefficients exceed the tolerance, or whose interpolant
//! misses the function at the segment's two ends (points the Chebyshev roots
//! never sample, so a feature hiding between the last root and an end is
//! still caught), is halved. Smooth pieces converge geometrically, so a few
//! hundred samples stand in for a function that is expensive to evaluate (a
//! convolution integral) at the cost of a binary search and a Clenshaw
//! recurrence per evaluation.

/// Polynomial degree per segment.
const DEGREE: usize = 20;

/// A piecewise Chebyshev interpolant on `[edges[0], edges[last]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Piecewise {
    edges: Vec<f64>,
    coeffs: Vec<[f64; DEGREE]>,
    /// Whether every segment met the tolerance (false when the segment
    /// budget ran out first).
    converged: bool,
    /// The largest error estimate among the segments kept.
    worst: f64,
}

/// Chebyshev coefficients of `f` on `[a, b]` from samples at the roots of
/// `T_DEGREE` (a discrete cosine transform).
fn coefficients<F: FnMut(f64) -> f64>(f: &mut F, a: f64, b: f64) -> [f64; DEGREE] {
    let m = DEGREE;
    let mut values = [0.0; DEGREE];
    for (j, v) in values.iter_mut().enumerate() {
        let t = (std::f64::consts::PI * (j as f64 + 0.5) / m as f64).cos();
        *v = f(0.5 * (a + b) + 0.5 * (b - a) * t);
    }
    let mut c = [0.0; DEGREE];
    for (k, ck) in c.iter_mut().enumerate() {
        let mut s = 0.0;
        for (j, v) in values.iter().enumerate() {
            s += v * (std::f64::consts::PI * k as f64 * (j as f64 + 0.5) / m as f64).cos();
        }
        *ck = 2.0 * s / m as f64;
    }
    c[0] *= 0.5;
    c
}

fn clenshaw(c: &[f64; DEGREE], t: f64) -> f64 {
    let (mut b1, mut b2) = (0.0, 0.0);
    for &ck in c.iter().skip(1).rev() {
        let b0 = 2.0 * t * b1 - b2 + ck;
        b2 = b1;
        b1 = b0;
    }
    t * b1 - b2 + c[0]
}

/// Coefficients of the derivative (in `t`) of the series `c`:
/// `c'_{k-1} = c'_{k+1} + 2k c_k` (Mason & Handscomb, eq. 2.49).
fn derivative_coefficients(c: &[f64; DEGREE]) -> [f64; DEGREE] {
    let mut d = [0.0; DEGREE];
    for k in (1..DEGREE).rev() {
        let next = if k + 1 < DEGREE { d[k + 1] } else { 0.0 };
        d[k - 1] = next + 2.0 * k as f64 * c[k];
    }
    d[0] *= 0.5;
    d
}

impl Piecewise {
    /// Fits `f` on `[a, b]`, starting from segments split at `breaks` (where
    /// `f` has kinks), to absolute accuracy `tol` (estimated from the last
    /// three coefficients and checked at both ends of every segment), with
    /// at most `max_segments` segments. [`Piecewise::converged`] tells
    /// whether the budget sufficed.
    #[cfg(test)]
    pub fn fit<F: FnMut(f64) -> f64>(
        f: F,
        a: f64,
        b: f64,
        breaks: &[f64],
        tol: f64,
        max_segments: usize,
    ) -> Self {
        Self::fit_with_noise(f, a, b, breaks, tol, |_| 0.0, max_segments)
    }

    /// [`Piecewise::fit`] for a function known only up to the rounding of
    /// its argument: `noise(x)` is the uncertainty of `x` itself (for
    /// `u = ln(x - lo)` computed through `x`, about `ε x / (x - lo)`). Where
    /// the function is steep, that uncertainty times its slope is noise no
    /// fit can go below, so each segment's tolerance is at least 64 times
    /// it (the 64 covers the differences a convolution takes inside the
    /// function, each rounded in turn).
    pub fn fit_with_noise<F: FnMut(f64) -> f64, N: Fn(f64) -> f64>(
        mut f: F,
        a: f64,
        b: f64,
        breaks: &[f64],
        tol: f64,
        noise: N,
        max_segments: usize,
    ) -> Self {
        let mut points: Vec<f64> = vec![a];
        points.extend(breaks.iter().copied().filter(|x| *x > a && *x < b));
        points.push(b);
        points.sort_by(f64::total_cmp);
        points.dedup();
        // Work list of segments still to fit, in order.
        let mut todo: Vec<(f64, f64)> = points.windows(2).map(|w| (w[0], w[1])).rev().collect();
        let mut edges = vec![a];
        let mut coeffs = Vec::new();
        let mut converged = true;
        let mut worst: f64 = 0.0;
        while let Some((lo, hi)) = todo.pop() {
            let c = coefficients(&mut f, lo, hi);
            let tol = {
                let d = derivative_coefficients(&c);
                let slope = clenshaw(&d, -1.0).abs().max(clenshaw(&d, 1.0).abs()) * 2.0 / (hi - lo);
                let floor = 64.0 * slope * noise(0.5 * (lo + hi));
                if floor.is_finite() {
                    tol.max(floor)
                } else {
                    tol
                }
            };
            let mut err: f64 = c[DEGREE - 3..].iter().map(|x| x.abs()).sum();
            if err <= tol {
                // The roots never sample the ends: check them.
                for (end, t) in [(lo, -1.0), (hi, 1.0)] {
                    let v = f(end);
                    if v.is_finite() {
                        err = err.max((clenshaw(&c, t) - v).abs());
                    }
                }
            }
            if !err.is_finite() {
                err = f64::INFINITY;
            }
            let mid = 0.5 * (lo + hi);
            let can_split = coeffs.len() + todo.len() + 2 <= max_segments && mid > lo && mid < hi;
            if err > tol && can_split {
                todo.push((mid, hi));
                todo.push((lo, mid));
            } else {
                if err > tol {
                    converged = false;
                }
                worst = worst.max(err);
                edges.push(hi);
                coeffs.push(c);
            }
        }
        Piecewise {
            edges,
            coeffs,
            converged,
            worst,
        }
    }

    fn locate(&self, x: f64) -> (usize, f64) {
        let n = self.coeffs.len();
        let i = self.edges[1..n].partition_point(|e| *e <= x);
        let (a, b) = (self.edges[i], self.edges[i + 1]);
        (i, ((2.0 * x - a - b) / (b - a)).clamp(-1.0, 1.0))
    }

    /// The interpolant at `x`, clamped to the fitted interval.
    pub fn eval(&self, x: f64) -> f64 {
        let (i, t) = self.locate(x);
        clenshaw(&self.coeffs[i], t)
    }

    /// The interpolant's derivative at `x` (inside the fitted interval).
    /// Differentiating loses about two digits against [`Piecewise::eval`].
    pub fn derivative(&self, x: f64) -> f64 {
        let (i, t) = self.locate(x);
        let (a, b) = (self.edges[i], self.edges[i + 1]);
        clenshaw(&derivative_coefficients(&self.coeffs[i]), t) * 2.0 / (b - a)
    }

    /// Number of segments.
    pub fn segments(&self) -> usize {
        self.coeffs.len()
    }

    /// Whether every segment met the requested tolerance.
    pub fn converged(&self) -> bool {
        self.converged
    }

    /// The largest error estimate among the segments (what a fit that did
    /// not converge reached).
    pub fn worst_error(&self) -> f64 {
        self.worst
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smooth_functions_fit_to_tolerance() {
        let p = Piecewise::fit(
            |x: f64| x.sin() * (-0.1 * x).exp(),
            0.0,
            30.0,
            &[],
            1e-12,
            200,
        );
        assert!(p.converged());
        for i in 0..1000 {
            let x = i as f64 * 0.03;
            assert!(
                (p.eval(x) - x.sin() * (-0.1 * x).exp()).abs() < 1e-11,
                "{x}"
            );
            let d = x.cos() * (-0.1 * x).exp() - 0.1 * x.sin() * (-0.1 * x).exp();
            assert!((p.derivative(x) - d).abs() < 1e-9, "derivative at {x}");
        }
        assert!(p.segments() < 40, "{}", p.segments());
    }

    #[test]
    fn kinks_are_resolved_by_splitting() {
        let f = |x: f64| (x - 1.0).abs();
        let with_break = Piecewise::fit(f, 0.0, 3.0, &[1.0], 1e-12, 200);
        assert_eq!(with_break.segments(), 2);
        let without = Piecewise::fit(f, 0.0, 3.0, &[], 1e-8, 200);
        for x in [0.0, 0.5, 0.999, 1.0, 1.001, 2.5] {
            assert!((without.eval(x) - f(x)).abs() < 1e-6, "{x}");
            assert!((with_break.eval(x) - f(x)).abs() < 1e-13, "{x}");
        }
    }

    #[test]
    fn a_step_between_the_last_root_and_the_end_is_caught() {
        // The 20 roots on [0, 1] end at cos(π/40) mapped: 0.99846; a step at
        // 0.9995 is invisible to them but not to the end check.
        let f = |x: f64| if x < 0.9995 { 0.0 } else { 1.0 };
        let p = Piecewise::fit(f, 0.0, 1.0, &[], 1e-9, 400);
        assert!(p.segments() > 1);
        assert!((p.eval(0.9999) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn a_steep_function_of_a_rounded_argument_is_fitted_to_its_noise() {
        // ln S of a Weibull of shape 5000 in u = ln x: slope up to 1e5, so
        // the rounding of x alone makes noise of 1e-11 and more.
        let f = |u: f64| -(5000.0 * u).exp();
        let noise = |u: f64| f64::EPSILON * u.exp() / u.exp();
        let p = Piecewise::fit_with_noise(f, -0.001, 0.0008, &[], 1e-12, noise, 64);
        assert!(p.converged());
        for i in 0..100 {
            let u = -0.001 + 0.0018 * i as f64 / 100.0;
            let slope = 5000.0 * (5000.0 * u).exp();
            assert!(
                (p.eval(u) - f(u)).abs() < 1e-12f64.max(64.0 * slope * f64::EPSILON),
                "{u}"
            );
        }
    }

    #[test]
    fn an_exhausted_budget_is_reported() {
        let p = Piecewise::fit(|x: f64| x.abs().sqrt(), -1.0, 1.0, &[], 1e-14, 4);
        assert!(!p.converged());
    }
}
