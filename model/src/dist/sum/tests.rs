use super::*;
use crate::dist::{testing, Constant, Empirical, Exponential, LogNormal};
use crate::numeric::quad::{integrate_pieces, EXACT};

fn exp(rate: f64) -> Dist {
    Dist::Exp(Exponential::new(rate).unwrap())
}

fn spec(s: &str) -> Dist {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// `P(A + B <= x)` by the midpoint rule on a fine grid over the density
/// of `B`, split where either density jumps: an integrator independent of
/// the tables and of Gauss–Kronrod, for checking them.
fn brute_cdf(a: &Dist, b: &Dist, x: f64, lo: f64, hi: f64, steps: usize) -> f64 {
    let mut cuts = vec![lo, hi];
    cuts.extend(b.breakpoints().into_iter().filter(|y| *y > lo && *y < hi));
    cuts.extend(
        a.breakpoints()
            .into_iter()
            .map(|k| x - k)
            .filter(|y| *y > lo && *y < hi),
    );
    cuts.sort_by(f64::total_cmp);
    let per = steps / (cuts.len() - 1);
    let mut total = 0.0;
    for w in cuts.windows(2) {
        let h = (w[1] - w[0]) / per as f64;
        for i in 0..per {
            let y = w[0] + (i as f64 + 0.5) * h;
            total += h * a.cdf(x - y) * b.pdf(y);
        }
    }
    total
}

#[test]
fn two_exponentials_are_erlang() {
    let s = Sum::of(vec![exp(1.0), exp(1.0)]);
    let g = Gamma::new(2.0, 1.0).unwrap();
    for x in [0.01, 0.5, 1.0, 3.0, 10.0, 30.0] {
        assert!((s.cdf(x) - g.cdf(x)).abs() < 1e-14, "cdf at {x}");
        assert!((s.sf(x) / g.sf(x) - 1.0).abs() < 1e-13, "sf at {x}");
    }
    assert!((s.mean() - 2.0).abs() < 1e-15);
}

#[test]
fn equal_scales_merge_and_others_convolve() {
    // Three exp(1) are one gamma: no table at all.
    let three = spec("exp(mean=1) + exp(mean=1) + exp(mean=1)");
    assert_eq!(three.work().tables, 0);
    let Dist::Sum(s) = &three else { panic!() };
    assert!(!s.is_convolution());
    // Different scales: one convolution, one table (the first exponential
    // enters it in closed form).
    let two = spec("exp(mean=1) + exp(mean=10)");
    assert_eq!(two.work().tables, 1);
    // Printing keeps the terms as given.
    assert_eq!(three.to_string(), "exp(rate=1) + exp(rate=1) + exp(rate=1)");
}

#[test]
fn hypoexponential_matches_closed_form() {
    // Exp(a) + Exp(b), a != b: S(x) = (b e^{-ax} - a e^{-bx}) / (b - a).
    let (a, b) = (0.5, 3.0);
    let s = Sum::of(vec![exp(a), exp(b)]);
    for x in [1e-6, 1e-3, 0.1, 1.0, 5.0, 40.0, 70.0] {
        let want_s = (b * (-a * x).exp() - a * (-b * x).exp()) / (b - a);
        assert!((s.sf(x) / want_s - 1.0).abs() < 1e-9, "sf at {x}");
        // The CDF near 0 keeps its relative accuracy: F = 1 - S, written
        // without cancellation as the series a b x²/2 (1 - (a+b)x/3 ...).
        let want_f = (a * (-b * x).exp_m1() - b * (-a * x).exp_m1()) / (b - a);
        assert!(
            (s.cdf(x) / want_f - 1.0).abs() < 1e-8,
            "cdf at {x}: {} vs {want_f}",
            s.cdf(x)
        );
    }
}

#[test]
fn four_different_exponentials_match_their_closed_form() {
    // Σ Exp(λᵢ), distinct rates: S(x) = Σᵢ e^{-λᵢx} Πⱼ≠ᵢ λⱼ/(λⱼ - λᵢ).
    let rates = [0.5, 1.0, 2.0, 4.0];
    let s = Sum::of(rates.iter().map(|r| exp(*r)).collect());
    assert_eq!(s.work().tables, 3);
    for x in [0.3, 1.0, 3.0, 10.0, 30.0] {
        let mut want = 0.0;
        for (i, li) in rates.iter().enumerate() {
            let mut c = 1.0;
            for (j, lj) in rates.iter().enumerate() {
                if i != j {
                    c *= lj / (lj - li);
                }
            }
            want += c * (-li * x).exp();
        }
        assert!(
            (s.sf(x) / want - 1.0).abs() < 1e-8,
            "{x}: {} vs {want}",
            s.sf(x)
        );
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
    let l = spec("lognormal(mu=0,sigma=0.5)");
    let s = Sum::of(vec![l.clone(), e]);
    let x = 3.0;
    let want = (l.cdf(2.0) + l.cdf(1.0) + l.cdf(-1.0)) / 3.0;
    assert!((s.cdf(x) - want).abs() < 1e-15);
    let want_sf = (l.sf(2.0) + l.sf(1.0) + 1.0) / 3.0;
    assert!((s.sf(x) - want_sf).abs() < 1e-15);
}

#[test]
fn two_discrete_terms_multiply_their_atoms() {
    let a = Dist::Empirical(Empirical::from_samples(vec![1.0, 2.0]).unwrap());
    let b = Dist::Empirical(Empirical::from_samples(vec![10.0, 20.0, 20.0]).unwrap());
    let s = Sum::of(vec![a, b]);
    let want = [
        (11.0, 1.0 / 6.0),
        (12.0, 1.0 / 6.0),
        (21.0, 1.0 / 3.0),
        (22.0, 1.0 / 3.0),
    ];
    let got = s.atoms();
    assert_eq!(got.len(), want.len());
    for ((x, m), (wx, wm)) in got.iter().zip(want) {
        assert_eq!(*x, wx);
        assert!((m - wm).abs() < 1e-15);
    }
    assert!((s.cdf(21.5) - 2.0 / 3.0).abs() < 1e-15);
}

#[test]
fn a_mixture_with_atoms_is_expanded() {
    // mix(0.3: const(1), 0.7: exp(1)) + exp(2): 0.3 (1 + Exp(2)) + 0.7 (Exp(1) + Exp(2)).
    let s = spec("mix(0.3: const(1), 0.7: exp(rate=1)) + exp(rate=2)");
    for x in [0.5, 1.5, 4.0] {
        let x: f64 = x;
        let hypo = (2.0 * (-x).exp() - (-2.0 * x).exp()) / (2.0 - 1.0);
        let want = 0.3 * exp(2.0).sf(x - 1.0) + 0.7 * hypo;
        assert!(
            (s.sf(x) - want).abs() < 1e-9 * want,
            "{x}: {} vs {want}",
            s.sf(x)
        );
    }
    assert_eq!(s.continuous_mass(), 1.0);
}

#[test]
fn lognormal_sum_matches_simulation_free_check() {
    let l = Dist::LogNormal(LogNormal::new(0.0, 0.5).unwrap());
    let s = Sum::of(vec![l.clone(), l.clone()]);
    testing::check_mean_by_integration(&s);
    testing::check_family(&s);
    testing::check_roundtrip(&s);
    // Against an independent trapezoid convolution.
    for x in [1.0, 2.0, 3.0, 6.0] {
        let want = brute_cdf(&l, &l, x, 0.0, x, 400_000);
        assert!(
            (s.cdf(x) - want).abs() < 1e-9,
            "{x}: {} vs {want}",
            s.cdf(x)
        );
    }
}

#[test]
fn narrow_laws_convolve_correctly() {
    // Each pair against a trapezoid rule over ±12 standard deviations.
    for (a, b) in [
        ("gamma(shape=100,scale=7)", "gamma(shape=150,scale=5)"),
        ("weibull(shape=3000,scale=1)", "weibull(shape=3000,scale=1)"),
        (
            "lognormal(mu=0,sigma=0.0001)",
            "lognormal(mu=0,sigma=0.0001)",
        ),
        ("lognormal(mu=3,sigma=0.001)", "exp(mean=0.01)"),
        (
            "percentiles(p50=1,p99=1.001)",
            "percentiles(p50=2,p99=2.002,p99.9=2.003)",
        ),
    ] {
        let (da, db) = (spec(a), spec(b));
        let s = Sum::of(vec![da.clone(), db.clone()]);
        let (lo, hi) = (db.quantile(1e-13), db.quantile(1.0 - 1e-13));
        for p in [0.001, 0.1, 0.5, 0.9, 0.999] {
            let x = da.quantile(p) + db.quantile(p);
            let want = brute_cdf(&da, &db, x, lo, hi, 200_000);
            let got = s.cdf(x);
            assert!(
                (got - want).abs() < 1e-7,
                "{a} + {b} at {x}: {got} vs {want}"
            );
        }
        let m = s.quantile(0.5);
        let at = brute_cdf(&da, &db, m, lo, hi, 200_000);
        assert!(
            (at - 0.5).abs() < 1e-7,
            "{a} + {b}: median {m} has brute-force CDF {at}"
        );
    }
}

#[test]
fn mixtures_of_very_different_scales() {
    // 99% fast (0.1 ms), 1% slow (1 s) plus a second such leg.
    let leg = spec("mix(0.99: exp(mean=0.1), 0.01: exp(mean=1000))");
    let s = Sum::of(vec![leg.clone(), leg.clone()]);
    // Closed form: expand the mixtures into four hypoexponentials.
    let hypo = |a: f64, b: f64, x: f64| -> f64 {
        if a == b {
            (-a * x).exp() * (1.0 + a * x)
        } else {
            (b * (-a * x).exp() - a * (-b * x).exp()) / (b - a)
        }
    };
    let (f, sl) = (10.0, 1e-3);
    for x in [0.05, 0.3, 2.0, 500.0, 3000.0, 20000.0] {
        let want = 0.99 * 0.99 * hypo(f, f, x)
            + 2.0 * 0.99 * 0.01 * hypo(f, sl, x)
            + 1e-4 * hypo(sl, sl, x);
        assert!(
            (s.sf(x) / want - 1.0).abs() < 1e-8,
            "{x}: {} vs {want}",
            s.sf(x)
        );
    }
}

#[test]
fn singular_densities_at_zero() {
    // Gamma(0.3, 1) + Gamma(0.5, 2) against the trapezoid in log space is
    // awkward; use the mean of the sum (exact) and the CDF of the sum near
    // zero, which behaves like c x^0.8 with c from the two power laws:
    // F(x) ~ x^(a+b) / (Γ(a+b+1) θa^a θb^b).
    let s = spec("gamma(shape=0.3,scale=1) + gamma(shape=0.5,scale=2)");
    testing::check_mean_by_integration(&s);
    let (a, b) = (0.3f64, 0.5f64);
    let c = 1.0 / (statrs::function::gamma::gamma(a + b + 1.0) * 2f64.powf(b));
    for x in [1e-12, 1e-9] {
        let want = c * f64::powf(x, a + b);
        assert!(
            (s.cdf(x) / want - 1.0).abs() < 1e-3,
            "{x}: {} vs {want}",
            s.cdf(x)
        );
    }
    let integral = integrate_pieces(|x| s.pdf(x), 1e-6, 60.0, &s.landmarks(), EXACT).value;
    assert!(
        (integral - (s.cdf(60.0) - s.cdf(1e-6))).abs() < 1e-5,
        "{integral}"
    );
}

#[test]
fn heavy_tail_is_kept() {
    let p = spec("pareto(xm=1.05,alpha=1.51)");
    let s = Sum::of(vec![p.clone(), exp(1.66)]);
    assert_eq!(s.tail_index(), 1.51);
    // Far out, P(A + B > x) ~ P(A > x) (subexponential tails).
    let x = 1e5;
    let ratio = s.sf(x) / p.sf(x);
    assert!((ratio - 1.0).abs() < 1e-3, "{ratio}");
}

#[test]
fn large_empirical_samples_are_binned_within_the_stated_width() {
    use rand::SeedableRng;
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
    let l = spec("lognormal(mu=0,sigma=1.5)");
    let mut samples: Vec<f64> = (0..200_000).map(|_| l.sample(&mut rng)).collect();
    let e = Empirical::from_samples(samples.clone()).unwrap();
    let width = e.bin_width().expect("reduced");
    assert!(e.atom_count() <= crate::dist::empirical::MAX_DISTINCT);
    samples.sort_by(f64::total_cmp);
    let m = samples.len();
    for p in [0.001, 0.01, 0.5, 0.9, 0.99, 0.999, 0.9999] {
        let own = samples[((p * m as f64).ceil() as usize).clamp(1, m) - 1];
        let got = e.quantile(p);
        assert!((got / own - 1.0).abs() <= width, "p{p}: {got} vs {own}");
    }
    let mean = samples.iter().sum::<f64>() / m as f64;
    assert!((e.mean() / mean - 1.0).abs() < 1e-12);
    assert!(!Dist::Empirical(e).notes().is_empty());
}
