//! Finite mixture `Σ wᵢ Fᵢ`: with probability `wᵢ` the delay is drawn from
//! component `i`. The PBS delay fits (Bailis et al., VLDB 2012, Table 3) are
//! Pareto/exponential mixtures. The tail index is the smallest among the
//! components; the mean is infinite if any component's is.

use super::{num, quantile_by_search, Delay, Dist, DistError};
use rand::Rng;
use std::fmt;

/// A mixture of delay distributions.
///
/// ```
/// use quorum_model::dist::{Delay, Dist, Exponential, Mixture};
/// let m = Mixture::new(vec![
///     (0.5, Dist::Exp(Exponential::with_mean(1.0).unwrap())),
///     (0.5, Dist::Exp(Exponential::with_mean(3.0).unwrap())),
/// ]).unwrap();
/// assert!((m.mean() - 2.0).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Mixture {
    /// Weights as given (they sum to 1 within 1e-6) and components.
    parts: Vec<(f64, Dist)>,
    /// Weights normalised to sum exactly to 1, for the arithmetic.
    weights: Vec<f64>,
}

impl Mixture {
    /// Weights in `(0, 1]` that sum to 1 (within 1e-6); at least one part.
    pub fn new(parts: Vec<(f64, Dist)>) -> Result<Self, DistError> {
        if parts.is_empty() {
            return Err(DistError::invalid(
                "mix",
                "needs at least one weighted component",
            ));
        }
        for (w, _) in &parts {
            if !(w.is_finite() && *w > 0.0 && *w <= 1.0) {
                return Err(DistError::Parameter {
                    family: "mix",
                    param: "weight",
                    allowed: "a number in (0, 1]",
                    value: *w,
                });
            }
        }
        let total: f64 = parts.iter().map(|p| p.0).sum();
        if (total - 1.0).abs() > 1e-6 {
            return Err(DistError::Parameter {
                family: "mix",
                param: "sum of weights",
                allowed: "1 (within 1e-6)",
                value: total,
            });
        }
        let weights = parts.iter().map(|p| p.0 / total).collect();
        Ok(Mixture { parts, weights })
    }

    /// A mixture of weights already known to sum to 1 (an expansion the
    /// crate builds itself).
    pub(crate) fn normalized(parts: Vec<(f64, Dist)>) -> Self {
        let weights = parts.iter().map(|p| p.0).collect();
        Mixture { parts, weights }
    }

    /// The components and their (normalised) weights.
    pub fn components(&self) -> impl Iterator<Item = (f64, &Dist)> {
        self.weights
            .iter()
            .copied()
            .zip(self.parts.iter().map(|p| &p.1))
    }

    /// Picks a component by weight, then samples it.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let mut u: f64 = rng.random();
        for (w, d) in self.components() {
            if u < w {
                return d.sample(rng);
            }
            u -= w;
        }
        self.parts[self.parts.len() - 1].1.sample(rng)
    }

    fn weighted<F: Fn(&Dist) -> f64>(&self, f: F) -> f64 {
        self.components().map(|(w, d)| w * f(d)).sum()
    }
}

impl Delay for Mixture {
    fn cdf(&self, x: f64) -> f64 {
        self.weighted(|d| d.cdf(x)).min(1.0)
    }
    fn sf(&self, x: f64) -> f64 {
        self.weighted(|d| d.sf(x)).min(1.0)
    }
    fn cdf_sf(&self, x: f64) -> (f64, f64) {
        let (mut c, mut s) = (0.0, 0.0);
        for (w, d) in self.components() {
            let (a, b) = d.cdf_sf(x);
            c += w * a;
            s += w * b;
        }
        (c.min(1.0), s.min(1.0))
    }
    fn pdf(&self, x: f64) -> f64 {
        self.weighted(|d| d.pdf(x))
    }
    fn lower_power(&self) -> f64 {
        // Near the floor the component reaching lowest dominates; take the
        // smallest power among the components that start there.
        let lo = self.support().0;
        self.components()
            .filter(|(_, d)| d.support().0 <= lo && d.continuous_mass() > 0.0)
            .map(|(_, d)| d.lower_power())
            .fold(f64::INFINITY, f64::min)
    }
    fn quantile(&self, p: f64) -> f64 {
        if self.parts.len() == 1 {
            return self.parts[0].1.quantile(p);
        }
        quantile_by_search(self, p)
    }
    fn mean(&self) -> f64 {
        self.weighted(|d| d.mean())
    }
    fn support(&self) -> (f64, f64) {
        let lo = self
            .parts
            .iter()
            .map(|p| p.1.support().0)
            .fold(f64::INFINITY, f64::min);
        let hi = self
            .parts
            .iter()
            .map(|p| p.1.support().1)
            .fold(0.0, f64::max);
        (lo, hi)
    }
    fn tail_index(&self) -> f64 {
        self.parts
            .iter()
            .map(|p| p.1.tail_index())
            .fold(f64::INFINITY, f64::min)
    }
    fn atoms(&self) -> Vec<(f64, f64)> {
        let mut out: Vec<(f64, f64)> = self
            .components()
            .flat_map(|(w, d)| d.atoms().into_iter().map(move |(x, m)| (x, w * m)))
            .collect();
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
        out
    }
    fn continuous_mass(&self) -> f64 {
        self.weighted(|d| d.continuous_mass())
    }
    fn breakpoints(&self) -> Vec<f64> {
        let mut out: Vec<f64> = self.parts.iter().flat_map(|p| p.1.breakpoints()).collect();
        out.sort_by(f64::total_cmp);
        out.dedup();
        out
    }
}

impl fmt::Display for Mixture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "mix(")?;
        for (i, (w, d)) in self.parts.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{}: {}", num(*w), d)?;
        }
        write!(f, ")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{testing, Constant, Exponential, Pareto};

    fn lnkd_disk_w() -> Dist {
        Dist::Mixture(
            Mixture::new(vec![
                (0.38, Dist::Pareto(Pareto::new(1.05, 1.51).unwrap())),
                (0.62, Dist::Exp(Exponential::new(0.183).unwrap())),
            ])
            .unwrap(),
        )
    }

    #[test]
    fn family_checks() {
        testing::check_family(&lnkd_disk_w());
        testing::check_roundtrip(&lnkd_disk_w());
        testing::check_mean_by_integration(&lnkd_disk_w());
    }

    #[test]
    fn mean_is_the_weighted_mean() {
        let want = 0.38 * (1.51 * 1.05 / 0.51) + 0.62 / 0.183;
        assert!((lnkd_disk_w().mean() - want).abs() < 1e-12);
        assert_eq!(lnkd_disk_w().tail_index(), 1.51);
    }

    #[test]
    fn atoms_are_weighted() {
        let m = Mixture::new(vec![
            (0.25, Dist::Const(Constant::new(2.0).unwrap())),
            (0.75, Dist::Exp(Exponential::new(1.0).unwrap())),
        ])
        .unwrap();
        assert_eq!(m.atoms(), vec![(2.0, 0.25)]);
        assert_eq!(m.continuous_mass(), 0.75);
        // The generalized inverse lands on the atom.
        let at = m.cdf(2.0 - 1e-12);
        assert_eq!(m.quantile(at + 0.1), 2.0);
    }

    #[test]
    fn rejects_weights_that_do_not_sum_to_one() {
        let e = Dist::Exp(Exponential::new(1.0).unwrap());
        let err = Mixture::new(vec![(0.5, e.clone()), (0.6, e)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("sum of weights"), "{err}");
    }
}
