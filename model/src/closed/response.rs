//! A replica's response time (`W + A` or `R + S`) as the order-statistic
//! formulas consume it: `(cdf, sf)` at any `x`, possibly delayed by a
//! constant (a WAN hop reuses the local replica's law and its tables).
//!
//! A round trip of random legs is a [`Sum`](crate::dist::Sum): it tabulates
//! its convolution once, on first use (see [`crate::dist`]'s `sum` and
//! `table` modules), and every clone shares the table, so a scenario's
//! round trips are computed once for every `n`, quorum size and failure
//! level.

use crate::dist::{Delay, Dist};

/// Response-time distribution, possibly shifted by a constant.
#[derive(Debug, Clone)]
pub struct ResponseTime {
    dist: Dist,
    offset: f64,
}

impl ResponseTime {
    /// A replica's response time with law `dist`.
    pub fn new(dist: Dist) -> Self {
        ResponseTime { dist, offset: 0.0 }
    }

    /// The same response delayed by `ms` more.
    pub fn shifted(&self, ms: f64) -> Self {
        ResponseTime {
            offset: self.offset + ms,
            ..self.clone()
        }
    }

    /// The median, ms: what a coordinator expects of the replica when it
    /// picks the closest ones.
    pub fn median(&self) -> f64 {
        use crate::dist::Delay;
        self.dist.quantile(0.5) + self.offset
    }

    /// The law (without the offset).
    pub fn dist(&self) -> &Dist {
        &self.dist
    }

    /// `(P(X <= x), P(X > x))`, each accurate in its own tail.
    pub fn cdf_sf(&self, x: f64) -> (f64, f64) {
        self.dist.cdf_sf(x - self.offset)
    }

    /// Where the response time lives, ms.
    pub fn support(&self) -> (f64, f64) {
        let (lo, hi) = self.dist.support();
        (lo + self.offset, hi + self.offset)
    }

    /// Power-law index of the tail (`f64::INFINITY`: light).
    pub fn tail_index(&self) -> f64 {
        self.dist.tail_index()
    }

    /// Where the density has kinks or atoms, ms.
    pub fn breakpoints(&self) -> Vec<f64> {
        self.dist
            .breakpoints()
            .into_iter()
            .map(|b| b + self.offset)
            .collect()
    }

    /// Quantiles from 1e-12 to 1 - 1e-12 and breakpoints, shifted.
    pub fn landmarks(&self) -> Vec<f64> {
        self.dist
            .landmarks()
            .into_iter()
            .map(|b| b + self.offset)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifting_reuses_the_law() {
        let d: Dist = "exp(mean=1) + lognormal(mu=0,sigma=0.5)".parse().unwrap();
        let t = ResponseTime::new(d.clone());
        let s = t.shifted(150.0);
        assert_eq!(s.cdf_sf(152.0), t.cdf_sf(2.0));
        assert_eq!(s.support().0, 150.0);
    }
}
