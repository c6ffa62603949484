//! The Weibull's maximum-likelihood fit. The shape `k` solves
//! `1/k + mean(ln x) - Σ xᵏ ln x / Σ xᵏ = 0` (Newton's method, on the
//! logarithms centred at their mean so that `xᵏ` cannot overflow), the
//! scale is `(mean xᵏ)^{1/k}`. Asymptotic variances (Cohen, Technometrics
//! 1965): `6k²/(π² n)` for the shape and `λ²(1 + 6(1-γ)²/π²)/(k² n)` for
//! the scale, `γ` Euler's constant.

use super::{law_error, FitError, Fitted, Param, Samples};
use crate::dist::{Dist, Weibull};

/// Euler–Mascheroni constant.
const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

/// `E_w[u]` and `Var_w[u]` under weights `w ∝ e^{k u}`.
fn moments(u: &[f64], k: f64) -> (f64, f64) {
    let top = u.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(k * x));
    let (mut z, mut m1, mut m2) = (0.0, 0.0, 0.0);
    for &x in u {
        let w = (k * x - top).exp();
        z += w;
        m1 += w * x;
        m2 += w * x * x;
    }
    let mean = m1 / z;
    (mean, (m2 / z - mean * mean).max(0.0))
}

/// Fits `weibull(shape, scale)` to `s`.
pub fn fit(s: &Samples) -> Result<Fitted, FitError> {
    let n = s.len() as f64;
    let u: Vec<f64> = s.sorted().iter().map(|x| x.ln() - s.mean_ln()).collect();
    let sd = (u.iter().map(|x| x * x).sum::<f64>() / n).sqrt();
    // The moment estimate: the log of a Weibull has sd π / (k √6).
    let mut k = std::f64::consts::PI / (6f64.sqrt() * sd);
    // g(k) = 1/k - E_w[u] falls from +∞ to -∞ as k grows: bracket the
    // root and take Newton's steps inside the bracket.
    let (mut lo, mut hi) = (0.0f64, f64::INFINITY);
    for _ in 0..200 {
        let (m, v) = moments(&u, k);
        let g = 1.0 / k - m;
        if g > 0.0 {
            lo = k;
        } else {
            hi = k;
        }
        let mut next = k + g / (1.0 / (k * k) + v);
        if !(next > lo && next < hi) {
            next = if hi.is_finite() {
                0.5 * (lo + hi)
            } else {
                2.0 * k
            };
        }
        let done = (next - k).abs() <= 1e-13 * k;
        k = next;
        if done {
            break;
        }
    }
    let top = u.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(k * x));
    let mean_pow = u.iter().map(|&x| (k * x - top).exp()).sum::<f64>() / n;
    let ln_scale = s.mean_ln() + (mean_pow.ln() + top) / k;
    let scale = ln_scale.exp();
    let dist = Dist::Weibull(Weibull::new(k, scale).map_err(|e| law_error("weibull", e))?);
    let pi2 = std::f64::consts::PI.powi(2);
    Ok(Fitted {
        dist,
        params: vec![
            Param {
                name: "shape",
                value: k,
                std_err: (6.0 * k * k / (pi2 * n)).sqrt(),
            },
            Param {
                name: "scale",
                value: scale,
                std_err: (scale * scale * (1.0 + 6.0 * (1.0 - EULER_GAMMA).powi(2) / pi2)
                    / (k * k * n))
                    .sqrt(),
            },
        ],
        // Σ [ln k - k ln λ + (k-1) ln x - (x/λ)ᵏ], the last summing to n.
        log_likelihood: n * (k.ln() - k * ln_scale + (k - 1.0) * s.mean_ln() - 1.0),
    })
}
