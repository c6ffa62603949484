//! The gamma's maximum-likelihood fit. The shape `k` solves
//! `ln k - ψ(k) = ln(mean) - mean(ln x)` (Newton's method from Minka's
//! closed-form start, "Estimating a Gamma distribution", 2002), the scale
//! is `mean / k`. Standard errors from the Fisher information
//! `n [[ψ'(k), 1/θ], [1/θ, k/θ²]]`.

use super::{law_error, trigamma, FitError, Fitted, Param, Samples};
use crate::dist::{Dist, Gamma};
use statrs::function::gamma::{digamma, ln_gamma};

/// Fits `gamma(shape, scale)` to `s`.
pub fn fit(s: &Samples) -> Result<Fitted, FitError> {
    let n = s.len() as f64;
    let target = s.mean().ln() - s.mean_ln();
    // target > 0 by Jensen's inequality unless every sample is equal
    // (refused by Samples::new); rounding can still leave it at 0.
    if target.is_nan() || target <= 0.0 {
        return Err(FitError::Law {
            family: "gamma",
            message: "the samples have no spread on the log scale".into(),
        });
    }
    let mut k = (3.0 - target + ((target - 3.0).powi(2) + 24.0 * target).sqrt()) / (12.0 * target);
    for _ in 0..100 {
        let f = k.ln() - digamma(k) - target;
        let slope = 1.0 / k - trigamma(k);
        // f is decreasing and convex in k: Newton from the left converges
        // monotonically; keep k positive.
        let next = (k - f / slope).max(k / 10.0);
        let done = (next - k).abs() <= 1e-13 * k;
        k = next;
        if done {
            break;
        }
    }
    let theta = s.mean() / k;
    let dist = Dist::Gamma(Gamma::new(k, theta).map_err(|e| law_error("gamma", e))?);
    let t = trigamma(k);
    let det = k * t - 1.0;
    Ok(Fitted {
        dist,
        params: vec![
            Param {
                name: "shape",
                value: k,
                std_err: (k / (det * n)).sqrt(),
            },
            Param {
                name: "scale",
                value: theta,
                std_err: (t * theta * theta / (det * n)).sqrt(),
            },
        ],
        // Σ [(k-1) ln x - x/θ - ln Γ(k) - k ln θ], with Σ x/θ = n k.
        log_likelihood: n * ((k - 1.0) * s.mean_ln() - k - ln_gamma(k) - k * theta.ln()),
    })
}
