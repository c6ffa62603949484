//! The log-normal's maximum-likelihood fit: `mu` and `sigma` are the mean
//! and the (biased, `1/n`) standard deviation of `ln x`; standard errors
//! `sigma / √n` and `sigma / √(2n)`.

use super::{law_error, FitError, Fitted, Param, Samples};
use crate::dist::{Dist, LogNormal};

/// Fits `lognormal(mu, sigma)` to `s`.
pub fn fit(s: &Samples) -> Result<Fitted, FitError> {
    let n = s.len() as f64;
    let mu = s.mean_ln();
    let var = s
        .sorted()
        .iter()
        .map(|x| (x.ln() - mu).powi(2))
        .sum::<f64>()
        / n;
    let sigma = var.sqrt();
    let dist = Dist::LogNormal(LogNormal::new(mu, sigma).map_err(|e| law_error("lognormal", e))?);
    Ok(Fitted {
        dist,
        params: vec![
            Param {
                name: "mu",
                value: mu,
                std_err: sigma / n.sqrt(),
            },
            Param {
                name: "sigma",
                value: sigma,
                std_err: sigma / (2.0 * n).sqrt(),
            },
        ],
        // Σ [-ln x - ln σ - ln(2π)/2 - (ln x - μ)²/(2σ²)], the last term
        // summing to n/2 at the estimate.
        log_likelihood: -n * (mu + sigma.ln() + 0.5 * (2.0 * std::f64::consts::PI).ln() + 0.5),
    })
}
