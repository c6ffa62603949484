//! Sum of independent delays, `X₁ + X₂ + …`: the distribution of a message
//! that crosses several legs (a write's `W + A`, a WAN hop `const(75) + X`).
//!
//! Constants fold into a shift. Two random terms are convolved numerically:
//! with `B` split into point masses `mⱼ` at `bⱼ` and a density `f_B`,
//!
//! `P(A + B <= x) = Σⱼ mⱼ F_A(x − bⱼ) + ∫ F_A(x − y) f_B(y) dy`
//! `P(A + B >  x) = Σⱼ mⱼ S_A(x − bⱼ) + ∫ S_A(x − y) f_B(y) dy + P_c(B > x − a₀)`
//!
//! where `a₀` is the lower end of A's support. Each tail is integrated
//! directly (no `1 − cdf`), so far-tail probabilities keep their relative
//! accuracy. The integral is split at B's landmarks and at `x` minus A's
//! landmarks (see [`Dist::landmarks`]) and each piece is integrated by
//! adaptive Gauss–Kronrod to [`crate::numeric::quad::EXACT`]. Three or more
//! random terms nest: `(X₁ + X₂) + X₃`.

use super::{num, quantile_by_search, Delay, Dist};
use crate::numeric::quad::{integrate_pieces, Tolerance, EXACT};
use rand::Rng;
use std::fmt;

/// A sum of independent delays.
///
/// ```
/// use quorum_model::dist::{Delay, Dist};
/// // Exp(1) + Exp(1) is Erlang-2: P(X <= 1) = 1 - 2/e.
/// let s: Dist = "exp(rate=1) + exp(rate=1)".parse().unwrap();
/// assert!((s.cdf(1.0) - (1.0 - 2.0 / 1f64.exp())).abs() < 1e-9);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Sum {
    /// Terms as given (after flattening nested sums).
    terms: Vec<Dist>,
    /// Sum of the constant terms.
    shift: f64,
    body: Body,
}

#[derive(Debug, Clone, PartialEq)]
enum Body {
    /// Only constants.
    Nothing,
    One(Box<Dist>),
    Two(Box<Convolution>),
}

/// `A + B`, with what the integrals need about each side precomputed.
#[derive(Debug, Clone, PartialEq)]
struct Convolution {
    a: Dist,
    b: Dist,
    a_lo: f64,
    b_lo: f64,
    b_atoms: Vec<(f64, f64)>,
    b_continuous: f64,
    a_marks: Vec<f64>,
    b_marks: Vec<f64>,
}

impl Sum {
    /// The distribution of the sum of `terms` (independent). Nested sums are
    /// flattened.
    pub fn of(terms: Vec<Dist>) -> Dist {
        let mut flat = Vec::with_capacity(terms.len());
        for t in terms {
            match t {
                Dist::Sum(s) => flat.extend(s.terms),
                other => flat.push(other),
            }
        }
        let shift: f64 = flat
            .iter()
            .filter_map(|t| match t {
                Dist::Const(c) => Some(c.value()),
                _ => None,
            })
            .sum();
        let mut random: Vec<Dist> = flat
            .iter()
            .filter(|t| !matches!(t, Dist::Const(_)))
            .cloned()
            .collect();
        let body = match random.len() {
            0 => Body::Nothing,
            1 => Body::One(Box::new(random.remove(0))),
            _ => {
                // Integrate against a purely discrete term if there is one
                // (a finite sum, exact); otherwise against the last term.
                let bi = random
                    .iter()
                    .position(Dist::is_discrete)
                    .unwrap_or(random.len() - 1);
                let b = random.remove(bi);
                let a = if random.len() == 1 {
                    random.remove(0)
                } else {
                    Sum::of(random)
                };
                Body::Two(Box::new(Convolution::new(a, b)))
            }
        };
        Dist::Sum(Sum {
            terms: flat,
            shift,
            body,
        })
    }

    /// Whether two or more terms are random (so the CDF is an integral).
    pub fn is_convolution(&self) -> bool {
        matches!(self.body, Body::Two(_))
    }

    /// Samples every term and adds them.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let mut total = self.shift;
        for t in &self.terms {
            if !matches!(t, Dist::Const(_)) {
                total += t.sample(rng);
            }
        }
        total
    }
}

impl Convolution {
    fn new(a: Dist, b: Dist) -> Self {
        let mut b_atoms = b.atoms();
        b_atoms.sort_by(|x, y| x.0.total_cmp(&y.0));
        Convolution {
            a_lo: a.support().0,
            b_lo: b.support().0,
            b_continuous: b.continuous_mass(),
            a_marks: a.landmarks(),
            b_marks: b.landmarks(),
            b_atoms,
            a,
            b,
        }
    }

    /// Split points for `∫_{b_lo}^{x − a_lo} g(x − y) f_B(y) dy`.
    fn breaks(&self, x: f64) -> Vec<f64> {
        let mut out = self.b_marks.clone();
        out.extend(self.a_marks.iter().map(|m| x - m));
        out
    }

    /// `∫ g(x − y) f_B(y) dy` over `y` in `[b_lo, x − a_lo]`, to 1e-10
    /// relative or `1e-14 · scale` absolute: `scale` is the size of the answer
    /// (an estimate), so that far-tail probabilities keep relative accuracy.
    fn against_density<G: Fn(f64) -> f64>(&self, x: f64, scale: f64, g: G) -> f64 {
        if self.b_continuous == 0.0 {
            return 0.0;
        }
        let hi = x - self.a_lo;
        if hi <= self.b_lo {
            return 0.0;
        }
        let breaks = self.breaks(x);
        let tol = Tolerance {
            abs: 1e-14 * scale.clamp(1e-280, 1.0),
            ..EXACT
        };
        integrate_pieces(|y| g(x - y) * self.b.pdf(y), self.b_lo, hi, &breaks, tol).value
    }

    fn cdf(&self, x: f64) -> f64 {
        let mut total = 0.0;
        for &(bj, m) in &self.b_atoms {
            if bj + self.a_lo > x {
                break;
            }
            total += m * self.a.cdf(x - bj);
        }
        // P(A + B <= x) <= P(A <= x - b_lo) P(B <= x - a_lo).
        let scale = self.a.cdf(x - self.b_lo) * self.b.cdf(x - self.a_lo);
        total += self.against_density(x, scale, |z| self.a.cdf(z));
        total.clamp(0.0, 1.0)
    }

    fn sf(&self, x: f64) -> f64 {
        let t = x - self.a_lo;
        let mut total = 0.0;
        let mut atoms_above = 0.0;
        for &(bj, m) in &self.b_atoms {
            if bj > t {
                atoms_above += m;
                total += m;
            } else {
                total += m * self.a.sf(x - bj);
            }
        }
        if self.b_continuous > 0.0 {
            // P(A + B > x) >= max(P(A > x - b_lo), P(B > x - a_lo)).
            let scale = self.a.sf(x - self.b_lo).max(self.b.sf(t));
            total += self.against_density(x, scale, |z| self.a.sf(z));
            // Continuous mass of B above t: there, A + B > x for sure.
            total += (self.b.sf(t) - atoms_above).max(0.0);
        }
        total.clamp(0.0, 1.0)
    }

    /// Density of the continuous part of `A + B`.
    fn pdf(&self, x: f64) -> f64 {
        let mut total = 0.0;
        for &(bj, m) in &self.b_atoms {
            total += m * self.a.pdf(x - bj);
        }
        total += self.against_density(x, 1.0, |z| self.a.pdf(z));
        for (ai, m) in self.a.atoms() {
            total += m * self.b.pdf(x - ai);
        }
        total
    }
}

impl Delay for Sum {
    fn cdf(&self, x: f64) -> f64 {
        let x = x - self.shift;
        match &self.body {
            Body::Nothing => f64::from(x >= 0.0),
            Body::One(d) => d.cdf(x),
            Body::Two(c) => c.cdf(x),
        }
    }
    fn sf(&self, x: f64) -> f64 {
        let x = x - self.shift;
        match &self.body {
            Body::Nothing => f64::from(x < 0.0),
            Body::One(d) => d.sf(x),
            Body::Two(c) => c.sf(x),
        }
    }
    fn pdf(&self, x: f64) -> f64 {
        let x = x - self.shift;
        match &self.body {
            Body::Nothing => 0.0,
            Body::One(d) => d.pdf(x),
            Body::Two(c) => c.pdf(x),
        }
    }
    fn quantile(&self, p: f64) -> f64 {
        match &self.body {
            Body::Nothing => self.shift,
            Body::One(d) => self.shift + d.quantile(p),
            Body::Two(_) => quantile_by_search(self, p),
        }
    }
    fn mean(&self) -> f64 {
        self.terms.iter().map(Delay::mean).sum()
    }
    fn support(&self) -> (f64, f64) {
        self.terms.iter().fold((0.0, 0.0), |(lo, hi), t| {
            let (a, b) = t.support();
            (lo + a, hi + b)
        })
    }
    fn tail_index(&self) -> f64 {
        self.terms
            .iter()
            .map(Delay::tail_index)
            .fold(f64::INFINITY, f64::min)
    }
    fn atoms(&self) -> Vec<(f64, f64)> {
        // A sum has a point mass only where every term has one.
        let mut acc = vec![(self.shift, 1.0)];
        for t in self.terms.iter().filter(|t| !matches!(t, Dist::Const(_))) {
            let atoms = t.atoms();
            if atoms.is_empty() {
                return Vec::new();
            }
            let mut next: Vec<(f64, f64)> = acc
                .iter()
                .flat_map(|&(x, p)| atoms.iter().map(move |&(y, q)| (x + y, p * q)))
                .collect();
            next.sort_by(|a, b| a.0.total_cmp(&b.0));
            next.dedup_by(|later, kept| {
                if later.0 == kept.0 {
                    kept.1 += later.1;
                    true
                } else {
                    false
                }
            });
            acc = next;
        }
        acc
    }
    fn continuous_mass(&self) -> f64 {
        let atom_mass: f64 = self
            .terms
            .iter()
            .map(|t| 1.0 - t.continuous_mass())
            .product();
        1.0 - atom_mass
    }
    fn breakpoints(&self) -> Vec<f64> {
        let lo = self.support().0;
        match &self.body {
            Body::One(d) => d
                .breakpoints()
                .into_iter()
                .map(|b| b + self.shift)
                .collect(),
            _ => vec![lo],
        }
    }
}

impl fmt::Display for Sum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, t) in self.terms.iter().enumerate() {
            if i > 0 {
                write!(f, " + ")?;
            }
            write!(f, "{t}")?;
        }
        if self.terms.is_empty() {
            write!(f, "const({})", num(self.shift))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{testing, Constant, Empirical, Exponential, Gamma, LogNormal};

    fn exp(rate: f64) -> Dist {
        Dist::Exp(Exponential::new(rate).unwrap())
    }

    #[test]
    fn two_exponentials_are_erlang() {
        let s = Sum::of(vec![exp(1.0), exp(1.0)]);
        let g = Gamma::new(2.0, 1.0).unwrap();
        for x in [0.01, 0.5, 1.0, 3.0, 10.0, 30.0] {
            assert!((s.cdf(x) - g.cdf(x)).abs() < 1e-11, "cdf at {x}");
            let rel = (s.sf(x) - g.sf(x)).abs() / g.sf(x);
            assert!(rel < 1e-8, "sf at {x}: rel err {rel}");
            assert!(
                (s.pdf(x)
                    - statrs::distribution::Continuous::pdf(
                        &statrs::distribution::Gamma::new(2.0, 1.0).unwrap(),
                        x
                    ))
                .abs()
                    < 1e-10
            );
        }
        assert!((s.mean() - 2.0).abs() < 1e-15);
    }

    #[test]
    fn hypoexponential_matches_closed_form() {
        // Exp(a) + Exp(b), a != b: S(x) = (b e^{-ax} - a e^{-bx}) / (b - a).
        let (a, b) = (0.5, 3.0);
        let s = Sum::of(vec![exp(a), exp(b)]);
        for x in [0.1, 1.0, 5.0, 40.0] {
            let want = (b * (-a * x).exp() - a * (-b * x).exp()) / (b - a);
            assert!((s.sf(x) - want).abs() < 1e-9 * want, "{x}");
        }
    }

    #[test]
    fn constants_shift() {
        let s = Sum::of(vec![exp(2.0), Dist::Const(Constant::new(75.0).unwrap())]);
        assert_eq!(s.support().0, 75.0);
        assert!((s.cdf(76.0) - exp(2.0).cdf(1.0)).abs() < 1e-15);
        assert_eq!(s.quantile(0.5), 75.0 + exp(2.0).quantile(0.5));
    }

    #[test]
    fn discrete_plus_continuous_is_a_finite_sum() {
        let e = Dist::Empirical(Empirical::from_samples(vec![1.0, 2.0, 4.0]).unwrap());
        let s = Sum::of(vec![exp(1.0), e]);
        let x = 3.0;
        let want = (exp(1.0).cdf(2.0) + exp(1.0).cdf(1.0) + 0.0) / 3.0;
        assert!((s.cdf(x) - want).abs() < 1e-15);
    }

    #[test]
    fn lognormal_sum_matches_simulation_free_check() {
        // Sum of two lognormals: check the mean by integrating the survival.
        let l = Dist::LogNormal(LogNormal::new(0.0, 0.5).unwrap());
        let s = Sum::of(vec![l.clone(), l.clone()]);
        testing::check_mean_by_integration(&s);
        testing::check_family(&s);
        testing::check_roundtrip(&s);
    }

    #[test]
    fn three_terms_nest() {
        let s = Sum::of(vec![exp(1.0), exp(1.0), exp(1.0)]);
        let g = Gamma::new(3.0, 1.0).unwrap();
        for x in [0.5, 2.0, 6.0] {
            assert!((s.cdf(x) - g.cdf(x)).abs() < 1e-9, "{x}");
        }
    }

    #[test]
    fn heavy_tail_is_kept() {
        let p: Dist = "pareto(xm=1.05,alpha=1.51)".parse().unwrap();
        let s = Sum::of(vec![p.clone(), exp(1.66)]);
        assert_eq!(s.tail_index(), 1.51);
        // Far out, P(A + B > x) ~ P(A > x) (subexponential tails).
        let x = 1e5;
        let ratio = s.sf(x) / p.sf(x);
        assert!((ratio - 1.0).abs() < 1e-3, "{ratio}");
    }
}
