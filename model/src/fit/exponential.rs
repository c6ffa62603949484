//! The exponential's maximum-likelihood fit: `rate = 1 / mean`, with
//! standard error `rate / √n` (Fisher information `n / rate²`).

use super::{law_error, FitError, Fitted, Param, Samples};
use crate::dist::{Dist, Exponential};

/// Fits `exp(rate)` to `s`.
pub fn fit(s: &Samples) -> Result<Fitted, FitError> {
    let n = s.len() as f64;
    let rate = 1.0 / s.mean();
    let dist = Dist::Exp(Exponential::new(rate).map_err(|e| law_error("exp", e))?);
    Ok(Fitted {
        dist,
        params: vec![Param {
            name: "rate",
            value: rate,
            std_err: rate / n.sqrt(),
        }],
        // Σ (ln rate - rate x) = n (ln rate - 1) at rate = 1 / mean.
        log_likelihood: n * (rate.ln() - 1.0),
    })
}
