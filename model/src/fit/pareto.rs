//! The Pareto's maximum-likelihood fit: `xm` is the smallest sample (the
//! likelihood grows with `xm` up to it) and `alpha = n / Σ ln(x / xm)`.
//! Standard errors: `alpha / √n` for the shape; `xm`'s estimate is not
//! asymptotically normal (it sits on the support's edge): it exceeds the
//! truth by an exponential of mean `xm / (n alpha)` (the smallest of `n`
//! samples of density `alpha / xm` at the edge), whose root mean square,
//! `√2 xm / (n alpha)`, is given.

use super::{law_error, FitError, Fitted, Param, Samples};
use crate::dist::{Dist, Pareto};

/// Fits `pareto(xm, alpha)` to `s`.
pub fn fit(s: &Samples) -> Result<Fitted, FitError> {
    let n = s.len() as f64;
    let xm = s.sorted()[0];
    // Σ ln(x / xm) = n (mean ln x - ln xm) > 0: the samples are not all
    // equal.
    let spread = s.mean_ln() - xm.ln();
    let alpha = 1.0 / spread;
    let dist = Dist::Pareto(Pareto::new(xm, alpha).map_err(|e| law_error("pareto", e))?);
    Ok(Fitted {
        dist,
        params: vec![
            Param {
                name: "xm",
                value: xm,
                std_err: 2f64.sqrt() * xm / (n * alpha),
            },
            Param {
                name: "alpha",
                value: alpha,
                std_err: alpha / n.sqrt(),
            },
        ],
        // Σ [ln alpha + alpha ln xm - (alpha + 1) ln x].
        log_likelihood: n * (alpha.ln() + alpha * xm.ln() - (alpha + 1.0) * s.mean_ln()),
    })
}
