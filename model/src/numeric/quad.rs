//! Adaptive Gauss–Kronrod quadrature (the 7/15-point pair of QUADPACK's QAG,
//! Piessens et al. 1983). Globally adaptive: the interval with the largest
//! error estimate is bisected until the summed estimate meets the tolerance.

/// Tolerances for [`integrate`]: the result is accepted when the summed error
/// estimate is below `max(abs, rel * |result|)`.
#[derive(Debug, Clone, Copy)]
pub struct Tolerance {
    pub abs: f64,
    pub rel: f64,
    /// Largest number of subintervals before giving up (the best estimate is
    /// still returned; its error is in [`Integral::error`]).
    pub max_intervals: usize,
}

/// The tolerance the tests hold integrals to: `1e-10` relative,
/// `1e-13` absolute. Documented in the README as the numerical tolerance of
/// "exact" figures.
#[cfg(test)]
pub const EXACT: Tolerance = Tolerance {
    abs: 1e-13,
    rel: 1e-10,
    max_intervals: 400,
};

/// An integral and its error estimate.
#[derive(Debug, Clone, Copy)]
pub struct Integral {
    pub value: f64,
    pub error: f64,
}

// Kronrod 15-point nodes (positive half, descending) and weights; the odd
// entries 1, 3, 5 and the centre are the 7-point Gauss nodes.
const XGK: [f64; 8] = [
    0.991_455_371_120_812_6,
    0.949_107_912_342_758_5,
    0.864_864_423_359_769_1,
    0.741_531_185_599_394_4,
    0.586_087_235_467_691_1,
    0.405_845_151_377_397_2,
    0.207_784_955_007_898_5,
    0.0,
];
const WGK: [f64; 8] = [
    0.022_935_322_010_529_22,
    0.063_092_092_629_978_55,
    0.104_790_010_322_250_2,
    0.140_653_259_715_525_9,
    0.169_004_726_639_267_9,
    0.190_350_578_064_785_4,
    0.204_432_940_075_298_9,
    0.209_482_141_084_727_8,
];
const WG: [f64; 4] = [
    0.129_484_966_168_869_7,
    0.279_705_391_489_276_7,
    0.381_830_050_505_118_9,
    0.417_959_183_673_469_4,
];

/// One 15-point Kronrod estimate on `[a, b]` with its Gauss-7 error estimate.
fn gk15<F: FnMut(f64) -> f64>(f: &mut F, a: f64, b: f64) -> Integral {
    let centre = 0.5 * (a + b);
    let half = 0.5 * (b - a);
    let fc = f(centre);
    let mut kronrod = fc * WGK[7];
    let mut gauss = fc * WG[3];
    for j in 0..7 {
        let dx = half * XGK[j];
        let pair = f(centre - dx) + f(centre + dx);
        kronrod += WGK[j] * pair;
        if j % 2 == 1 {
            gauss += WG[j / 2] * pair;
        }
    }
    Integral {
        value: kronrod * half,
        error: ((kronrod - gauss) * half).abs(),
    }
}

/// Integrates `f` over `[a, b]` (finite) to the given tolerance.
#[cfg(test)]
pub fn integrate<F: FnMut(f64) -> f64>(f: F, a: f64, b: f64, tol: Tolerance) -> Integral {
    integrate_pieces(f, a, b, &[], tol)
}

/// How a piece of the range is parametrised before Gauss–Kronrod sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Map {
    /// `x` itself.
    Linear,
    /// `x = origin + e^u`: a piece that starts at or near a point where the
    /// integrand behaves like a power of `x - origin` (an integrable
    /// singularity, or a tail spanning decades) becomes smooth in `u`.
    LogAbove(f64),
    /// `x = origin - e^u`, the mirror image, for a piece ending near `origin`.
    LogBelow(f64),
}

/// One piece `[a, b]` of an integration range, in `x`, with its map.
/// `a` may equal the map's origin: the log map then starts at `floor`
/// (the smallest distance from the origin that still matters).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    pub a: f64,
    pub b: f64,
    pub map: Map,
    /// For a log map whose end touches the origin: the distance from the
    /// origin where integration starts (the rest is negligible).
    pub floor: f64,
}

impl Piece {
    pub fn linear(a: f64, b: f64) -> Self {
        Piece {
            a,
            b,
            map: Map::Linear,
            floor: 0.0,
        }
    }

    /// `(u_lo, u_hi)` and the map's `x(u)` with its Jacobian.
    fn range(&self) -> (f64, f64) {
        match self.map {
            Map::Linear => (self.a, self.b),
            Map::LogAbove(o) => (
                (self.a - o).max(self.floor).max(f64::MIN_POSITIVE).ln(),
                (self.b - o).ln(),
            ),
            Map::LogBelow(o) => (
                (o - self.b).max(self.floor).max(f64::MIN_POSITIVE).ln(),
                (o - self.a).ln(),
            ),
        }
    }
}

/// Integrates `f` over `[a, b]` split at the given interior points (sorted,
/// deduplicated and clipped here): where the integrand has a kink or a jump,
/// splitting there keeps Gauss–Kronrod at its full order. The adaptivity is
/// global (QUADPACK's QAGP): the piece with the largest error estimate,
/// wherever it lies, is bisected until the summed estimate meets the
/// tolerance.
pub fn integrate_pieces<F: FnMut(f64) -> f64>(
    f: F,
    a: f64,
    b: f64,
    breaks: &[f64],
    tol: Tolerance,
) -> Integral {
    if b <= a || !a.is_finite() || !b.is_finite() {
        return Integral {
            value: 0.0,
            error: 0.0,
        };
    }
    let mut points: Vec<f64> = Vec::with_capacity(breaks.len() + 2);
    points.push(a);
    points.extend(breaks.iter().copied().filter(|x| *x > a && *x < b));
    points.push(b);
    points.sort_by(f64::total_cmp);
    points.dedup();
    let pieces: Vec<Piece> = points
        .windows(2)
        .map(|w| Piece::linear(w[0], w[1]))
        .collect();
    integrate_mapped(f, &pieces, tol)
}

/// Integrates `f` over the union of `pieces` (each with its own map),
/// globally adaptive as [`integrate_pieces`].
pub fn integrate_mapped<F: FnMut(f64) -> f64>(
    mut f: F,
    pieces: &[Piece],
    tol: Tolerance,
) -> Integral {
    // (u_lo, u_hi, map index, estimate)
    let mut parts: Vec<(f64, f64, usize, Integral)> = Vec::with_capacity(pieces.len() * 4);
    for (i, p) in pieces.iter().enumerate() {
        if p.b <= p.a || p.a.is_nan() || p.b.is_nan() {
            continue;
        }
        let (lo, hi) = p.range();
        if hi <= lo || !lo.is_finite() || !hi.is_finite() {
            continue;
        }
        let est = gk15_mapped(&mut f, p.map, lo, hi);
        parts.push((lo, hi, i, est));
    }
    let mut total = Integral {
        value: parts.iter().map(|p| p.3.value).sum(),
        error: parts.iter().map(|p| p.3.error).sum(),
    };
    let budget = tol.max_intervals + parts.len();
    while !parts.is_empty()
        && total.error > tol.abs.max(tol.rel * total.value.abs())
        && parts.len() < budget
    {
        let (idx, _) = parts
            .iter()
            .enumerate()
            .max_by(|x, y| x.1 .3.error.total_cmp(&y.1 .3.error))
            .expect("at least one part");
        let (lo, hi, i, old) = parts.swap_remove(idx);
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi || old.error == 0.0 {
            // Cannot split further in floating point; keep the estimate.
            parts.push((lo, hi, i, Integral { error: 0.0, ..old }));
            total.error -= old.error;
            continue;
        }
        let map = pieces[i].map;
        let left = gk15_mapped(&mut f, map, lo, mid);
        let right = gk15_mapped(&mut f, map, mid, hi);
        total.value += left.value + right.value - old.value;
        total.error += left.error + right.error - old.error;
        parts.push((lo, mid, i, left));
        parts.push((mid, hi, i, right));
    }
    // Re-sum to shed the rounding of the running updates.
    let value = parts.iter().map(|p| p.3.value).sum();
    let error = parts.iter().map(|p| p.3.error).sum();
    Integral { value, error }
}

fn gk15_mapped<F: FnMut(f64) -> f64>(f: &mut F, map: Map, lo: f64, hi: f64) -> Integral {
    // x = origin + sign e^u, dx = e^u du.
    let (origin, sign) = match map {
        Map::Linear => return gk15(f, lo, hi),
        Map::LogAbove(o) => (o, 1.0),
        Map::LogBelow(o) => (o, -1.0),
    };
    gk15(
        &mut |u: f64| {
            let e = u.exp();
            let v = f(origin + sign * e);
            if v == 0.0 {
                0.0
            } else {
                v * e
            }
        },
        lo,
        hi,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the doc example of `integrate` showed.
    #[test]
    fn example_integrate() {
        let i = integrate(|x: f64| x.exp(), 0.0, 1.0, EXACT);
        assert!((i.value - (std::f64::consts::E - 1.0)).abs() < 1e-12);
    }

    #[test]
    fn polynomials_are_exact() {
        // GK15 integrates polynomials of degree 22 exactly.
        let i = integrate(|x| x.powi(9) - 3.0 * x * x, -1.0, 2.0, EXACT);
        let exact = (2f64.powi(10) - 1.0) / 10.0 - (8.0 + 1.0);
        assert!((i.value - exact).abs() < 1e-11, "{}", i.value);
    }

    #[test]
    fn endpoint_singularity_converges() {
        // ∫_0^1 x^-1/2 dx = 2: an integrable singularity at the left end.
        let i = integrate(|x: f64| 1.0 / x.sqrt(), 0.0, 1.0, EXACT);
        assert!((i.value - 2.0).abs() < 1e-7, "{}", i.value);
    }

    #[test]
    fn jump_is_handled_with_a_breakpoint() {
        let step = |x: f64| if x < 0.3 { 1.0 } else { 5.0 };
        let i = integrate_pieces(step, 0.0, 1.0, &[0.3], EXACT);
        assert!((i.value - (0.3 + 3.5)).abs() < 1e-13);
    }

    #[test]
    fn a_log_map_handles_a_strong_endpoint_singularity() {
        // ∫_0^1 x^-0.9 dx = 10: linear bisection would need hundreds of
        // halvings; in u = ln x the integrand e^{0.1 u} is smooth.
        let piece = Piece {
            a: 0.0,
            b: 1.0,
            map: Map::LogAbove(0.0),
            floor: 1e-300,
        };
        let i = integrate_mapped(|x: f64| x.powf(-0.9), &[piece], EXACT);
        assert!((i.value - 10.0).abs() < 1e-8, "{}", i.value);
        let mirrored = Piece {
            a: 0.0,
            b: 1.0,
            map: Map::LogBelow(1.0),
            floor: 1e-300,
        };
        // An infinite slope at the top: ∫_0^1 (1 - x)^0.1 dx = 1/1.1.
        let i = integrate_mapped(|x: f64| (1.0 - x).powf(0.1), &[mirrored], EXACT);
        assert!((i.value - 1.0 / 1.1).abs() < 1e-12, "{}", i.value);
    }

    #[test]
    fn adaptivity_is_global_across_pieces() {
        // A sharp peak in one of many pieces gets the refinements.
        let f = |x: f64| (-(x - 0.37).powi(2) / 2e-6).exp();
        let breaks: Vec<f64> = (1..50).map(|i| i as f64 / 50.0).collect();
        let i = integrate_pieces(f, 0.0, 1.0, &breaks, EXACT);
        let want = (2.0 * std::f64::consts::PI * 1e-6).sqrt();
        assert!((i.value - want).abs() < 1e-10 * want, "{}", i.value);
    }

    #[test]
    fn empty_interval_is_zero() {
        assert_eq!(integrate(|_| 1.0, 2.0, 1.0, EXACT).value, 0.0);
    }
}
