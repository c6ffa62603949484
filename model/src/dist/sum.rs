//! Sum of independent delays, `X₁ + X₂ + …`: the distribution of a message
//! that crosses several legs (a write's `W + A`, a WAN hop `const(75) + X`).
//!
//! Before any integral is taken the terms are simplified, exactly:
//!
//! - constants fold into a shift;
//! - exponentials and gammas with the same scale merge into one gamma
//!   (`Gamma(k₁, θ) + Gamma(k₂, θ) = Gamma(k₁ + k₂, θ)`), so
//!   `exp(mean=1) + exp(mean=1) + exp(mean=1)` is `gamma(shape=3,scale=1)`;
//! - purely discrete terms (`empirical`, mixtures of constants) merge into
//!   one set of point masses, the product of their atoms (re-binned to at
//!   most [`MAX_ATOMS`] atoms of relative width [`ATOM_BIN`] when the
//!   product is larger, and said so by [`Dist::notes`]);
//! - a mixture that has both point masses and a density is expanded,
//!   `(Σ wᵢ Cᵢ) + R = Σ wᵢ (Cᵢ + R)`.
//!
//! What remains are continuous parts `P₁ … Pₘ` and at most one discrete
//! term `D`. The parts are added one at a time, each partial sum tabulated
//! ([`super::table`]) before the next is added:
//!
//! `T₁ = P₁`, `Tⱼ = Tⱼ₋₁ + Pⱼ`,
//! `P(Tⱼ <= x) = ∫ F_{Tⱼ₋₁}(x − y) f_{Pⱼ}(y) dy`,
//! `P(Tⱼ >  x) = ∫ S_{Tⱼ₋₁}(x − y) f_{Pⱼ}(y) dy + S_{Pⱼ}(x − lo(Tⱼ₋₁))`,
//!
//! each tail integrated directly (no `1 − cdf`), split at both sides'
//! quantile ladders (1e-12 … 1 − 1e-12) so that no narrow feature is missed,
//! in `ln` coordinates where a side has an infinite density at its floor
//! (a gamma or Weibull shape below 1) or a piece spans decades, and
//! globally adaptive Gauss–Kronrod to 1e-12 relative. So `m` parts cost
//! `m` tables, not an `m`-fold nested integral. The point masses are added
//! last as a finite sum, `P(T + D <= x) = Σ mⱼ F_T(x − dⱼ)`.

use super::table::{Source, Table, FINAL_FLOOR, INTERMEDIATE_FLOOR};
use super::{num, quantile_by_search, Delay, Dist, Gamma, Mixture};
use crate::numeric::quad::{integrate_mapped, Map, Piece, Tolerance};
use rand::Rng;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// Largest number of point masses a merged discrete term keeps exactly.
pub const MAX_ATOMS: usize = 4096;
/// Relative width of the bins larger discrete products are merged into.
pub const ATOM_BIN: f64 = 0.002;

/// A sum of independent delays.
///
/// ```
/// use quorum_model::dist::{Delay, Dist};
/// // Exp(1) + Exp(1) is Erlang-2: P(X <= 1) = 1 - 2/e.
/// let s: Dist = "exp(rate=1) + exp(rate=1)".parse().unwrap();
/// assert!((s.cdf(1.0) - (1.0 - 2.0 / 1f64.exp())).abs() < 1e-12);
/// ```
#[derive(Debug, Clone)]
pub struct Sum {
    /// Terms as given (after flattening nested sums): printed and sampled.
    terms: Vec<Dist>,
    /// Sum of the constant terms.
    shift: f64,
    body: Arc<Body>,
}

impl PartialEq for Sum {
    fn eq(&self, other: &Self) -> bool {
        self.terms == other.terms
    }
}

#[derive(Debug)]
enum Body {
    /// Only constants.
    Constant,
    /// One random term (after merging).
    Single(Dist),
    Chain(Box<Chain>),
    /// A mixed (atoms and density) mixture expanded over its components;
    /// each component is a sum without the shift.
    Expanded(Mixture),
    /// More than [`MAX_BRANCHES`] alternatives: refused by the parser's
    /// limits before anyone evaluates it.
    TooManyBranches(usize),
}

/// Continuous parts added through tabulated partial sums, then point masses.
#[derive(Debug)]
struct Chain {
    parts: Vec<Dist>,
    discrete: Option<Discrete>,
    /// Lower end of the continuous parts' sum.
    lo: f64,
    /// The tabulated sum of `parts` (built on first use).
    table: OnceLock<Option<Table>>,
}

/// Point masses: values increasing, masses, and the mass at or below /
/// strictly above each value (summed from its own side).
#[derive(Debug, Clone, PartialEq)]
struct Discrete {
    x: Vec<f64>,
    m: Vec<f64>,
    below: Vec<f64>,
    above: Vec<f64>,
    /// Relative bin width if atoms were merged.
    binned: Option<f64>,
}

impl Discrete {
    fn new(mut atoms: Vec<(f64, f64)>, binned: Option<f64>) -> Self {
        atoms.sort_by(|a, b| a.0.total_cmp(&b.0));
        atoms.dedup_by(|later, kept| {
            if later.0 == kept.0 {
                kept.1 += later.1;
                true
            } else {
                false
            }
        });
        let x: Vec<f64> = atoms.iter().map(|a| a.0).collect();
        let m: Vec<f64> = atoms.iter().map(|a| a.1).collect();
        let mut below = Vec::with_capacity(m.len());
        let mut acc = 0.0;
        for v in &m {
            acc += v;
            below.push(acc);
        }
        let mut above = vec![0.0; m.len()];
        let mut acc = 0.0;
        for i in (0..m.len()).rev() {
            above[i] = acc;
            acc += m[i];
        }
        Discrete {
            x,
            m,
            below,
            above,
            binned,
        }
    }

    /// The law of the sum of two independent discrete terms, re-binned
    /// when it has more than [`MAX_ATOMS`] atoms (the pairs go straight
    /// into the bins: a million-sample law has thousands of atoms, and
    /// their product millions of pairs).
    fn plus(&self, other: &Discrete) -> Discrete {
        let pairs = self.x.len() * other.x.len();
        let product = || {
            self.x.iter().zip(&self.m).flat_map(move |(a, ma)| {
                other
                    .x
                    .iter()
                    .zip(&other.m)
                    .map(move |(b, mb)| (a + b, ma * mb))
            })
        };
        if pairs <= MAX_ATOMS {
            return Discrete::new(product().collect(), self.binned.or(other.binned));
        }
        Discrete::new(bin_atoms(product()), Some(ATOM_BIN))
    }

    /// `Σ mⱼ g(x − xⱼ)` over atoms with `x − xⱼ > lo`, plus `beyond` for
    /// each atom's mass when `x − xⱼ <= lo`.
    fn fold<G: Fn(f64) -> f64>(&self, x: f64, lo: f64, g: G, beyond: f64) -> f64 {
        // Atoms with x - xⱼ > lo are those with xⱼ < x - lo.
        let k = self.x.partition_point(|v| *v < x - lo);
        let mut total = 0.0;
        for j in 0..k {
            total += self.m[j] * g(x - self.x[j]);
        }
        if beyond != 0.0 && k < self.x.len() {
            total += beyond * (self.above[k] + self.m[k]);
        }
        total
    }
}

/// Groups `(value, mass)` pairs into bins of relative width [`ATOM_BIN`]
/// (value 0 on its own), each replaced by one atom at the bin's mean value.
pub(crate) fn bin_atoms(atoms: impl Iterator<Item = (f64, f64)> + Clone) -> Vec<(f64, f64)> {
    let step = ATOM_BIN.ln_1p();
    let key = |x: f64| (x.ln() / step).floor() as i64;
    // One pass for the range of keys, one to fill a dense array of bins.
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for (x, _) in atoms.clone() {
        if x > 0.0 {
            let k = key(x);
            lo = lo.min(k);
            hi = hi.max(k);
        }
    }
    let mut zero = (0.0, 0.0);
    let len = if hi >= lo { (hi - lo + 1) as usize } else { 0 };
    let mut bins = vec![(0.0f64, 0.0f64); len];
    for (x, m) in atoms {
        let b = if x > 0.0 {
            &mut bins[(key(x) - lo) as usize]
        } else {
            &mut zero
        };
        b.0 += m;
        b.1 += m * x;
    }
    std::iter::once(zero)
        .chain(bins)
        .filter(|(m, _)| *m > 0.0)
        .map(|(m, mx)| (mx / m, m))
        .collect()
}

impl Sum {
    /// The distribution of the sum of `terms` (independent). Nested sums are
    /// flattened; see the module docs for the simplifications.
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
        let random: Vec<Dist> = flat
            .iter()
            .filter(|t| !matches!(t, Dist::Const(_)))
            .cloned()
            .collect();
        let body = Arc::new(Body::of(random));
        Dist::Sum(Sum {
            terms: flat,
            shift,
            body,
        })
    }

    /// The terms as given (flattened).
    pub fn terms(&self) -> &[Dist] {
        &self.terms
    }

    /// Whether evaluating the CDF takes tabulated convolutions.
    pub fn is_convolution(&self) -> bool {
        match &*self.body {
            Body::Chain(c) => c.parts.len() > 1,
            Body::Expanded(m) => m.components().any(|(_, d)| d.needs_integration()),
            _ => false,
        }
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

    /// Quantiles at the table ladder, when the sum is tabulated.
    pub(crate) fn table_landmarks(&self) -> Option<Vec<f64>> {
        match &*self.body {
            Body::Chain(c) if c.discrete.is_none() => c
                .table()
                .map(|t| t.landmarks().iter().map(|x| x + self.shift).collect()),
            _ => None,
        }
    }

    /// Why a figure computed from this sum may miss its tolerance, or how
    /// point masses were merged.
    pub(crate) fn notes(&self) -> Vec<String> {
        let mut out: Vec<String> = self.terms.iter().flat_map(Dist::notes).collect();
        match &*self.body {
            Body::Chain(c) => {
                if let Some(d) = &c.discrete {
                    if let Some(w) = d.binned {
                        out.push(format!(
                            "the point masses of '{self}' were merged into {} bins of relative width {:.1}% (each value moves by less than that)",
                            d.x.len(),
                            100.0 * w
                        ));
                    }
                }
                if let Some(t) = c.table().filter(|t| c.parts.len() > 1 && !t.converged()) {
                    out.push(format!(
                        "approximate: the convolution of '{self}' reached a relative accuracy of {:.1e} in its tail probabilities, not its {:e} (a very narrow law beside a wide one); latency figures from it carry that relative error",
                        t.worst_error(),
                        super::table::TABLE_TOL
                    ));
                }
                if c.parts.len() > 1 && c.table().is_none() {
                    out.push(format!(
                        "'{self}' could not be tabulated (no median in range)"
                    ));
                }
            }
            Body::Single(d) => {
                for n in d.notes() {
                    if !out.contains(&n) {
                        out.push(n);
                    }
                }
            }
            Body::Expanded(m) => {
                for (_, d) in m.components() {
                    out.extend(d.notes());
                }
            }
            Body::Constant | Body::TooManyBranches(_) => {}
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|n| seen.insert(n.clone()));
        out
    }

    /// See [`Dist::tail_floor`].
    pub(crate) fn tail_floor(&self) -> f64 {
        match &*self.body {
            Body::Chain(c) if c.parts.len() > 1 => FINAL_FLOOR,
            Body::Single(d) => d.tail_floor(),
            Body::Expanded(m) => m
                .components()
                .map(|(_, d)| d.tail_floor())
                .fold(0.0, f64::max),
            _ => 0.0,
        }
    }

    /// Number of tables and point masses evaluating this sum needs (a
    /// measure of the work, checked against the domain's limits).
    pub(crate) fn work(&self) -> Work {
        self.body.work()
    }
}

/// What evaluating a law costs: convolution tables to build, point masses
/// every evaluation sums over, and the alternatives a sum holding mixtures
/// with point masses expands into.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    /// Convolution tables to build.
    pub tables: usize,
    /// Point masses each evaluation sums over.
    pub atoms: usize,
    /// Alternatives a sum of mixtures with point masses expands into.
    pub branches: usize,
}

impl Work {
    pub(crate) fn plus(self, other: Work) -> Work {
        Work {
            tables: self.tables + other.tables,
            atoms: self.atoms.max(other.atoms),
            branches: self.branches.max(other.branches),
        }
    }
}

/// A sum expands at most this many alternatives (mixtures with point masses
/// distributed over the other terms); beyond, it is not evaluated and
/// [`Work::branches`] says why.
pub const MAX_BRANCHES: usize = 64;

impl Body {
    fn of(random: Vec<Dist>) -> Body {
        let random = merge_gammas(random);
        // A mixture added to other random terms is distributed over them,
        // (Σ wᵢ Cᵢ) + R = Σ wᵢ (Cᵢ + R), when it has point masses (a table
        // needs a density) or holds a sum (its density would come from a
        // table's derivative, two digits short): each branch is then a sum
        // of closed forms.
        let expand = |t: &Dist| {
            let c = t.continuous_mass();
            matches!(t, Dist::Mixture(_))
                && random.len() > 1
                && ((c > 0.0 && c < 1.0) || pdf_cost(t) >= 2)
        };
        let branches: usize = random
            .iter()
            .filter(|t| expand(t))
            .map(|t| match t {
                Dist::Mixture(m) => m.components().count(),
                _ => 1,
            })
            .fold(1usize, |a, b| a.saturating_mul(b));
        if branches > MAX_BRANCHES {
            return Body::TooManyBranches(branches);
        }
        if let Some(i) = random.iter().position(expand) {
            let Dist::Mixture(mix) = &random[i] else {
                unreachable!("position matched a mixture")
            };
            let rest: Vec<Dist> = random
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, t)| t.clone())
                .collect();
            // Branches that are the same sum (the terms in another order)
            // are one branch: `P + X` and `X + P` share a table.
            let mut parts: Vec<(f64, Dist, String)> = Vec::new();
            for (w, c) in mix.components() {
                let mut terms = vec![c.clone()];
                terms.extend(rest.iter().cloned());
                let branch = Sum::of(terms);
                let key = canonical(&branch);
                match parts.iter_mut().find(|p| p.2 == key) {
                    Some(p) => p.0 += w,
                    None => parts.push((w, branch, key)),
                }
            }
            return Body::Expanded(Mixture::normalized(
                parts.into_iter().map(|(w, d, _)| (w, d)).collect(),
            ));
        }
        let (discrete, mut parts): (Vec<Dist>, Vec<Dist>) =
            random.into_iter().partition(|t| t.continuous_mass() == 0.0);
        let discrete = discrete
            .iter()
            .map(|d| Discrete::new(d.atoms(), d.binned_width()))
            .reduce(|a, b| a.plus(&b));
        match (parts.len(), discrete) {
            (0, None) => Body::Constant,
            (0, Some(d)) => Body::Single(Dist::Empirical(super::Empirical::from_discrete(
                d.x.iter().copied().zip(d.m.iter().copied()).collect(),
                d.binned,
            ))),
            (1, None) => Body::Single(parts.remove(0)),
            (_, discrete) => {
                // The part whose density is dearest goes first: it is only
                // ever tabulated, never integrated against.
                parts.sort_by_key(|p| std::cmp::Reverse(pdf_cost(p)));
                let lo = parts.iter().map(|p| p.support().0).sum();
                Body::Chain(Box::new(Chain {
                    parts,
                    discrete,
                    lo,
                    table: OnceLock::new(),
                }))
            }
        }
    }

    fn work(&self) -> Work {
        match self {
            Body::Constant => Work::default(),
            Body::Single(d) => d.work(),
            Body::Chain(c) => {
                let inner = c
                    .parts
                    .iter()
                    .map(Dist::work)
                    .fold(Work::default(), Work::plus);
                Work {
                    tables: inner.tables
                        + if c.parts.len() > 1 {
                            c.parts.len() - usize::from(cheap(&c.parts[0]))
                        } else {
                            0
                        },
                    atoms: inner
                        .atoms
                        .max(c.discrete.as_ref().map_or(0, |d| d.x.len())),
                    branches: inner.branches,
                }
            }
            Body::Expanded(m) => {
                let inner = m
                    .components()
                    .map(|(_, d)| d.work())
                    .fold(Work::default(), Work::plus);
                Work {
                    branches: inner.branches.max(1) * m.components().count(),
                    ..inner
                }
            }
            Body::TooManyBranches(b) => Work {
                branches: *b,
                ..Work::default()
            },
        }
    }
}

/// A sum's terms in a fixed order: two sums of the same terms are one law.
fn canonical(d: &Dist) -> String {
    match d {
        Dist::Sum(s) => {
            let mut terms: Vec<String> = s.terms.iter().map(Dist::to_string).collect();
            terms.sort();
            terms.join(" + ")
        }
        other => other.to_string(),
    }
}

/// Exponentials and gammas of equal scale merge: shapes add.
fn merge_gammas(random: Vec<Dist>) -> Vec<Dist> {
    let scale_of = |d: &Dist| match d {
        Dist::Exp(e) => Some((1.0, 1.0 / e.rate())),
        Dist::Gamma(g) => Some((g.shape(), g.scale())),
        _ => None,
    };
    let mut out: Vec<Dist> = Vec::with_capacity(random.len());
    let mut used = vec![false; random.len()];
    for i in 0..random.len() {
        if used[i] {
            continue;
        }
        let Some((shape, scale)) = scale_of(&random[i]) else {
            out.push(random[i].clone());
            continue;
        };
        let mut total = shape;
        let mut count = 1;
        for j in i + 1..random.len() {
            if let Some((k, s)) = scale_of(&random[j]) {
                if !used[j] && s.to_bits() == scale.to_bits() {
                    used[j] = true;
                    total += k;
                    count += 1;
                }
            }
        }
        out.push(if count == 1 {
            random[i].clone()
        } else {
            Dist::Gamma(Gamma::merged(total, scale))
        });
    }
    out
}

/// How dear a law's density is to evaluate: closed forms 0, mixtures 1,
/// anything holding a tabulated sum 2.
fn pdf_cost(d: &Dist) -> u8 {
    match d {
        Dist::Sum(_) => 2,
        Dist::Mixture(m) => m
            .components()
            .map(|(_, c)| pdf_cost(c))
            .max()
            .unwrap_or(0)
            .max(1),
        _ => 0,
    }
}

impl Chain {
    fn table(&self) -> Option<&Table> {
        self.table
            .get_or_init(|| {
                if self.parts.len() < 2 {
                    return None;
                }
                build_chain(&self.parts)
            })
            .as_ref()
    }

    /// `(F, S)` of the continuous parts' sum.
    fn continuous(&self, x: f64) -> (f64, f64) {
        if self.parts.len() == 1 {
            return self.parts[0].cdf_sf(x);
        }
        match self.table() {
            Some(t) => t.cdf_sf(x),
            None => (f64::NAN, f64::NAN),
        }
    }

    fn continuous_pdf(&self, x: f64) -> f64 {
        if self.parts.len() == 1 {
            return self.parts[0].pdf(x);
        }
        self.table().map_or(f64::NAN, |t| t.pdf(x))
    }

    fn cdf_sf(&self, x: f64) -> (f64, f64) {
        match &self.discrete {
            None => self.continuous(x),
            Some(d) => {
                let f = d.fold(x, self.lo, |z| self.continuous(z).0, 0.0);
                let s = d.fold(x, self.lo, |z| self.continuous(z).1, 1.0);
                (f.clamp(0.0, 1.0), s.clamp(0.0, 1.0))
            }
        }
    }

    fn pdf(&self, x: f64) -> f64 {
        match &self.discrete {
            None => self.continuous_pdf(x),
            Some(d) => d.fold(x, self.lo, |z| self.continuous_pdf(z), 0.0),
        }
    }

    fn kinks(&self) -> Vec<f64> {
        let mut k = vec![0.0];
        for p in &self.parts {
            k = combine(&k, &p.breakpoints());
        }
        if let Some(d) = &self.discrete {
            if d.x.len() <= 64 {
                k = combine(&k, &d.x);
            }
        }
        k
    }
}

/// `{a + b}` over both lists, at most 64 points (the smallest kept: kinks
/// matter most near the floor, where nothing has smoothed them yet).
fn combine(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out: Vec<f64> = a
        .iter()
        .flat_map(|x| b.iter().map(move |y| x + y))
        .filter(|v| v.is_finite())
        .collect();
    out.sort_by(f64::total_cmp);
    out.dedup();
    out.truncate(64);
    out
}

/// What the partial sum `Tⱼ₋₁` is when `Pⱼ` is added: the first part
/// itself while its CDF is a cheap closed form (exact, and no table to
/// extrapolate past), a table after that.
enum Partial<'a> {
    Law(&'a Dist),
    Table(Box<Table>),
}

impl Partial<'_> {
    fn cdf_sf(&self, x: f64) -> (f64, f64) {
        match self {
            Partial::Law(d) => d.cdf_sf(x),
            Partial::Table(t) => t.cdf_sf(x),
        }
    }
    fn quantile(&self, p: f64) -> f64 {
        match self {
            Partial::Law(d) => d.quantile(p),
            Partial::Table(t) => t.quantile(p),
        }
    }
    /// Ladder points, and for a table where its pieces meet.
    fn marks(&self) -> Vec<f64> {
        match self {
            Partial::Law(d) => super::table::ladder(|p| d.quantile(p), |s| d.isf(s)),
            Partial::Table(t) => {
                let mut m = t.landmarks().to_vec();
                m.extend(t.seams());
                m
            }
        }
    }
    fn ladder(&self) -> Vec<f64> {
        match self {
            Partial::Law(d) => super::table::ladder(|p| d.quantile(p), |s| d.isf(s)),
            Partial::Table(t) => t.landmarks().to_vec(),
        }
    }
}

/// Whether a law's CDF and survival are closed forms cheap enough to be
/// evaluated inside every point of a convolution table (a million times).
fn cheap(d: &Dist) -> bool {
    matches!(
        d,
        Dist::Exp(_)
            | Dist::Weibull(_)
            | Dist::Pareto(_)
            | Dist::LogNormal(_)
            | Dist::Percentiles(_)
    )
}

/// Tabulates `P₁ + P₂`, then `T₂ + P₃`, ... (see the module docs).
fn build_chain(parts: &[Dist]) -> Option<Table> {
    let first = &parts[0];
    let tabulate_first = || {
        let cdf = |x: f64| first.cdf(x);
        let sf = |x: f64| first.sf(x);
        Table::build(
            &Source {
                cdf: &cdf,
                sf: &sf,
                lo: first.support().0,
                kinks: first.breakpoints(),
                start: first.quantile(0.5),
                hints: first.landmarks(),
                tail_index: first.tail_index(),
            },
            INTERMEDIATE_FLOOR,
        )
    };
    let mut partial = if cheap(first) {
        Partial::Law(first)
    } else {
        Partial::Table(Box::new(tabulate_first()?))
    };
    let (mut converged, mut worst) = match &partial {
        Partial::Table(t) => (t.converged(), t.worst_error()),
        Partial::Law(_) => (true, 0.0),
    };
    let mut kinks = first.breakpoints();
    let mut power = first.lower_power();
    let mut lo = first.support().0;
    let mut tail = first.tail_index();
    let last = parts.len() - 1;
    for (j, b) in parts.iter().enumerate().skip(1) {
        let conv = Convolution::new(&partial, lo, power, &kinks, b);
        let cdf = |x: f64| conv.cdf(x);
        let sf = |x: f64| conv.sf(x);
        let a_ladder = partial.ladder();
        let a_median = partial.quantile(0.5);
        let b_ladder = super::table::ladder(|p| b.quantile(p), |s| b.isf(s));
        // Comonotone sums of the two ladders: rough positions of the
        // sum's own quantiles, where the tables start their segments; and
        // each side's features shifted by the other's median.
        let mut hints: Vec<f64> = a_ladder
            .iter()
            .zip(&b_ladder)
            .map(|(qa, qb)| qa + qb)
            .filter(|x| x.is_finite())
            .collect();
        let b_median = b.quantile(0.5);
        hints.extend(b.landmarks().iter().map(|q| q + a_median));
        hints.extend(a_ladder.iter().map(|q| q + b_median));
        kinks = combine(&kinks, &b.breakpoints());
        let floor = if j == last {
            FINAL_FLOOR
        } else {
            INTERMEDIATE_FLOOR
        };
        let next = Table::build(
            &Source {
                cdf: &cdf,
                sf: &sf,
                lo: lo + b.support().0,
                kinks: kinks.clone(),
                start: a_median + b_median,
                hints,
                tail_index: tail.min(b.tail_index()),
            },
            floor,
        )?;
        converged &= next.converged();
        worst = worst.max(next.worst_error());
        lo += b.support().0;
        power += b.lower_power();
        tail = tail.min(b.tail_index());
        partial = Partial::Table(Box::new(next));
    }
    match partial {
        Partial::Table(mut t) => {
            if !converged {
                t.mark_unconverged(worst);
            }
            Some(*t)
        }
        Partial::Law(_) => None,
    }
}

/// `A + B` with `A` the partial sum so far and `B` a law with a density.
struct Convolution<'a> {
    a: &'a Partial<'a>,
    a_lo: f64,
    a_power: f64,
    a_marks: Vec<f64>,
    b: &'a Dist,
    b_lo: f64,
    b_power: f64,
    b_marks: Vec<f64>,
    /// `B` below `b_from` or above `b_to` holds [`CUT`] each: left out.
    b_from: f64,
    b_to: f64,
}

/// Tolerance of each convolution integral: well inside the tables'.
const CONV_TOL: Tolerance = Tolerance {
    abs: 1e-300,
    rel: 1e-12,
    max_intervals: 300,
};

/// The mass of `B` left out at each end of a convolution integral: far
/// below the tables' floors, and it keeps the end pieces from spanning a
/// floor or tail where `B`'s density is a spike GK15 could miss (a Weibull
/// of shape 3000 has `y^2999` below its quantile 1e-12).
const CUT: f64 = 1e-40;

impl<'a> Convolution<'a> {
    /// `a_kinks`: where `A`'s density jumps or kinks (so does the
    /// integrand, at `y = x - kink`).
    fn new(a: &'a Partial<'a>, a_lo: f64, a_power: f64, a_kinks: &[f64], b: &'a Dist) -> Self {
        let mut a_marks = a.marks();
        a_marks.extend_from_slice(a_kinks);
        a_marks.retain(|x| x.is_finite());
        let mut b_marks = b.landmarks();
        b_marks.retain(|x| x.is_finite());
        let b_lo = b.support().0;
        let b_from = b.quantile(CUT).max(b_lo);
        let b_to = b.isf(CUT);
        Convolution {
            a,
            a_lo,
            a_power,
            a_marks,
            b,
            b_lo,
            b_power: b.lower_power(),
            b_marks,
            b_from: if b_from.is_finite() { b_from } else { b_lo },
            b_to: if b_to.is_finite() {
                b_to
            } else {
                f64::INFINITY
            },
        }
    }

    /// The pieces of `y` in `[b_lo, x − a_lo]` (less the 1e-30 of `B` at
    /// each end).
    fn pieces(&self, x: f64) -> Vec<Piece> {
        let hi = x - self.a_lo;
        let lo = self.b_lo;
        let (from, to) = (self.b_from.max(lo), self.b_to.min(hi));
        if to <= from || to.is_nan() || from.is_nan() {
            return Vec::new();
        }
        let mut pts: Vec<f64> = Vec::with_capacity(self.a_marks.len() + self.b_marks.len() + 2);
        pts.push(from);
        pts.extend(
            self.b_marks
                .iter()
                .copied()
                .filter(|y| *y > from && *y < to),
        );
        pts.extend(
            self.a_marks
                .iter()
                .map(|m| x - m)
                .filter(|y| *y > from && *y < to),
        );
        pts.push(to);
        pts.sort_by(f64::total_cmp);
        pts.dedup_by(|b, a| *b - *a <= 4.0 * f64::EPSILON * b.abs().max(a.abs()));
        if *pts.last().unwrap() < to {
            pts.push(to);
        }
        let n = pts.len() - 1;
        let mut out = Vec::with_capacity(n + 4);
        for i in 0..n {
            let (a, b) = (pts[i], pts[i + 1]);
            // A piece reaching down to B's floor where B's density is
            // infinite, or spanning decades above it, is smooth in
            // ln(y - lo); one reaching up to A's floor (y = hi) where A's
            // is, or spanning decades below it, in ln(hi - y). A piece
            // that is both is split: each half takes the map of its end.
            let left_floor = i == 0 && self.b_power < 1.0 && a <= lo;
            let right_floor = i == n - 1 && self.a_power < 1.0 && b >= hi;
            let left = left_floor || (a > lo && (b - lo) > 8.0 * (a - lo));
            let right = right_floor || (b < hi && (hi - a) > 8.0 * (hi - b));
            let above = |a: f64, b: f64| Piece {
                a,
                b,
                map: Map::LogAbove(lo),
                floor: if left_floor {
                    (b - lo) * 1e-30f64.powf(1.0 / self.b_power.max(0.05))
                } else {
                    0.0
                },
            };
            let below = |a: f64, b: f64| Piece {
                a,
                b,
                map: Map::LogBelow(hi),
                floor: if right_floor {
                    (hi - a) * 1e-30f64.powf(1.0 / self.a_power.max(0.05))
                } else {
                    0.0
                },
            };
            match (left, right) {
                (true, true) => {
                    let m = 0.5 * (a + b);
                    out.push(above(a, m));
                    out.push(below(m, b));
                }
                (true, false) => out.push(above(a, b)),
                (false, true) => out.push(below(a, b)),
                (false, false) => out.push(Piece::linear(a, b)),
            }
        }
        out
    }

    /// `∫ g(x − y) f_B(y) dy` over the pieces, with `g` one of `A`'s
    /// tails (`tail` picks `F` or `S` from `(F, S)`).
    fn integral(&self, x: f64, pieces: &[Piece], tail: fn((f64, f64)) -> f64) -> f64 {
        integrate_mapped(
            |y| {
                let p = self.b.pdf(y);
                if p == 0.0 {
                    0.0
                } else {
                    tail(self.a.cdf_sf(x - y)) * p
                }
            },
            pieces,
            CONV_TOL,
        )
        .value
    }

    fn cdf(&self, x: f64) -> f64 {
        let pieces = self.pieces(x);
        if pieces.is_empty() {
            return 0.0;
        }
        self.integral(x, &pieces, |t| t.0).clamp(0.0, 1.0)
    }

    /// `A + B > x` also when `B > x − lo(A)`: that mass is added whole.
    fn sf(&self, x: f64) -> f64 {
        let pieces = self.pieces(x);
        if pieces.is_empty() {
            return 1.0;
        }
        (self.integral(x, &pieces, |t| t.1) + self.b.sf(x - self.a_lo)).clamp(0.0, 1.0)
    }
}

impl Delay for Sum {
    fn cdf(&self, x: f64) -> f64 {
        self.cdf_sf(x).0
    }
    fn sf(&self, x: f64) -> f64 {
        self.cdf_sf(x).1
    }
    fn cdf_sf(&self, x: f64) -> (f64, f64) {
        let x = x - self.shift;
        match &*self.body {
            Body::Constant => {
                if x >= 0.0 {
                    (1.0, 0.0)
                } else {
                    (0.0, 1.0)
                }
            }
            Body::Single(d) => d.cdf_sf(x),
            Body::Chain(c) => c.cdf_sf(x),
            Body::Expanded(m) => m.cdf_sf(x),
            Body::TooManyBranches(_) => (f64::NAN, f64::NAN),
        }
    }
    fn pdf(&self, x: f64) -> f64 {
        let x = x - self.shift;
        match &*self.body {
            Body::Constant => 0.0,
            Body::Single(d) => d.pdf(x),
            Body::Chain(c) => c.pdf(x),
            Body::Expanded(m) => m.pdf(x),
            Body::TooManyBranches(_) => f64::NAN,
        }
    }
    fn quantile(&self, p: f64) -> f64 {
        match &*self.body {
            Body::Constant => self.shift,
            Body::Single(d) => self.shift + d.quantile(p),
            Body::Chain(c) if c.discrete.is_none() && c.parts.len() > 1 => match c.table() {
                Some(t) => self.shift + t.quantile(p),
                None => f64::NAN,
            },
            _ => quantile_by_search(self, p),
        }
    }
    fn isf(&self, s: f64) -> f64 {
        match &*self.body {
            Body::Constant => self.shift,
            Body::Single(d) => self.shift + d.isf(s),
            Body::Chain(c) if c.discrete.is_none() && c.parts.len() > 1 => match c.table() {
                Some(t) => self.shift + t.isf(s),
                None => f64::NAN,
            },
            _ => super::isf_by_search(self, s),
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
    fn lower_power(&self) -> f64 {
        match &*self.body {
            Body::Constant => f64::INFINITY,
            Body::Single(d) => d.lower_power(),
            Body::Chain(c) => c.parts.iter().map(Delay::lower_power).sum(),
            Body::Expanded(m) => m.lower_power(),
            Body::TooManyBranches(_) => 1.0,
        }
    }
    fn atoms(&self) -> Vec<(f64, f64)> {
        let shifted = |atoms: Vec<(f64, f64)>| -> Vec<(f64, f64)> {
            atoms
                .into_iter()
                .map(|(x, m)| (x + self.shift, m))
                .collect()
        };
        match &*self.body {
            Body::Constant => vec![(self.shift, 1.0)],
            Body::Single(d) => shifted(d.atoms()),
            Body::Chain(_) | Body::TooManyBranches(_) => Vec::new(),
            Body::Expanded(m) => shifted(m.atoms()),
        }
    }
    fn continuous_mass(&self) -> f64 {
        match &*self.body {
            Body::Constant => 0.0,
            Body::Single(d) => d.continuous_mass(),
            Body::Chain(_) | Body::TooManyBranches(_) => 1.0,
            Body::Expanded(m) => m.continuous_mass(),
        }
    }
    fn breakpoints(&self) -> Vec<f64> {
        let shift = |v: Vec<f64>| -> Vec<f64> { v.into_iter().map(|b| b + self.shift).collect() };
        match &*self.body {
            Body::Constant => vec![self.shift],
            Body::Single(d) => shift(d.breakpoints()),
            Body::Chain(c) => shift(c.kinks()),
            Body::Expanded(m) => shift(m.breakpoints()),
            Body::TooManyBranches(_) => vec![self.shift],
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
mod tests;
