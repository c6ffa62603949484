//! Inverting monotone functions: the quantile of a CDF, the time at which an
//! order statistic reaches a probability. Safeguarded regula falsi (Illinois
//! variant, Dowell & Jarratt 1971) that falls back to bisection, geometric when
//! the bracket spans orders of magnitude. It brackets the answer at every step,
//! so it also finds the jump point of a step CDF.

/// Relative width at which [`invert_increasing`] stops.
pub const X_REL_TOL: f64 = 1e-12;

/// The smallest `x` in `[lo, hi]` with `h(x) >= target`, for a non-decreasing
/// `h` with `h(lo) < target <= h(hi)` (the generalized inverse). Returns the
/// upper end of the final bracket, whose width is at most
/// `1e-300 + X_REL_TOL * |x|`.
pub fn invert_increasing<H: FnMut(f64) -> f64>(h: H, target: f64, lo: f64, hi: f64) -> f64 {
    invert_increasing_to(h, target, lo, hi, X_REL_TOL)
}

/// [`invert_increasing`] with a chosen relative width: a coarse answer
/// (e.g. an integration split point) costs far fewer evaluations.
pub fn invert_increasing_to<H: FnMut(f64) -> f64>(
    mut h: H,
    target: f64,
    lo: f64,
    hi: f64,
    rel_tol: f64,
) -> f64 {
    let (mut a, mut b) = (lo, hi);
    let (mut fa, mut fb) = (h(a) - target, h(b) - target);
    if fa >= 0.0 {
        return a;
    }
    if fb < 0.0 {
        return b;
    }
    let mut width_before = b - a;
    let mut stalls = 0;
    for _ in 0..400 {
        if b - a <= 1e-300 + rel_tol * b.abs().max(a.abs()) {
            break;
        }
        let geometric = a > 0.0 && b / a > 4.0;
        let x = if stalls >= 1 || geometric || fb == fa {
            if geometric {
                (a * b).sqrt()
            } else {
                0.5 * (a + b)
            }
        } else {
            let secant = b - fb * (b - a) / (fb - fa);
            if secant > a && secant < b {
                secant
            } else {
                0.5 * (a + b)
            }
        };
        let fx = h(x) - target;
        if fx >= 0.0 {
            b = x;
            fb = fx;
            fa *= 0.5; // Illinois: keep the stale end from pinning the secant.
        } else {
            a = x;
            fa = fx;
            fb *= 0.5;
        }
        let width = b - a;
        stalls = if width > 0.5 * width_before {
            stalls + 1
        } else {
            0
        };
        if stalls > 1 {
            stalls = 1;
        }
        width_before = width;
    }
    b
}

/// Finds an `x >= start` (start > 0) with `h(x) >= target` by doubling, for
/// a non-decreasing `h`. `None` if `h` stays below `target` up to `f64::MAX`.
pub fn bracket_above<H: FnMut(f64) -> f64>(mut h: H, target: f64, start: f64) -> Option<f64> {
    let mut x = start.max(f64::MIN_POSITIVE);
    while x.is_finite() {
        if h(x) >= target {
            return Some(x);
        }
        x *= 2.0;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the doc example of `invert_increasing` showed.
    #[test]
    fn example_invert_increasing() {
        let x = invert_increasing(|x| x * x, 2.0, 0.0, 2.0);
        assert!((x - 2f64.sqrt()).abs() < 1e-11);
    }

    #[test]
    fn finds_a_smooth_root() {
        let x = invert_increasing(|x: f64| 1.0 - (-x).exp(), 0.999, 0.0, 100.0);
        assert!((x - 1000f64.ln()).abs() < 1e-10, "{x}");
    }

    #[test]
    fn finds_the_jump_of_a_step() {
        let step = |x: f64| if x < 3.0 { 0.2 } else { 0.9 };
        let x = invert_increasing(step, 0.5, 0.0, 10.0);
        assert!((x - 3.0).abs() < 1e-10, "{x}");
    }

    #[test]
    fn spans_many_orders_of_magnitude() {
        let x = invert_increasing(|x: f64| x.ln(), 300.0, 1.0, 1e300);
        assert!((x.ln() - 300.0).abs() < 1e-9, "{x}");
    }

    #[test]
    fn bracket_doubles_until_reached() {
        let b = bracket_above(|x| x, 1000.0, 1.0).unwrap();
        assert!((1000.0..2000.0).contains(&b));
        assert!(bracket_above(|_| 0.0, 1.0, 1.0).is_none());
    }
}
