//! The PBS-style mixture (Bailis et al., "Probabilistically Bounded
//! Staleness", VLDB 2012, section 5.2: LinkedIn's and Yammer's latencies):
//! with weight `w` a Pareto body `pareto(xm, alpha)`, else an exponential
//! `exp(rate)`. The density is
//!
//! `f(x) = w alpha xm^alpha / x^(alpha+1) [x >= xm] + (1 - w) rate e^(-rate x)`.
//!
//! For a given `xm` the other three are fitted by expectation–maximisation
//! (Dempster, Laird and Rubin, 1977): each sample's share `r` of the
//! Pareto part, then `w = mean r`, `alpha = Σ r / Σ r ln(x/xm)`,
//! `rate = Σ (1-r) / Σ (1-r) x`. The likelihood is largest at an `xm`
//! equal to a sample (it grows with `xm` between two samples), so `xm` is
//! searched among the samples: a grid of quantiles, then a ternary search
//! between the best one's neighbours. For more than
//! [`SEARCH`] samples the search runs on that many evenly spaced order
//! statistics and the three others are then polished on every sample.
//!
//! Standard errors of `w`, `alpha` and `rate` from the outer product of
//! the per-sample scores (a consistent estimate of the information); `xm`
//! sits where the density jumps, and its estimate's error, of order
//! `1/n` and not normal, is the root mean square of its limiting law
//! ([`edge_error`]).

use super::{invert, law_error, FitError, Fitted, Param, Samples};
use crate::dist::{Dist, Exponential, Mixture, Pareto};

/// Samples the search for `xm` runs on, at most.
pub const SEARCH: usize = 10_000;

/// Candidate `xm`s on the first pass: quantiles from 0 to 0.9.
const GRID: usize = 24;

/// Samples per parallel chunk.
const CHUNK: usize = 1 << 14;

#[derive(Debug, Clone, Copy)]
struct Mix {
    w: f64,
    xm: f64,
    alpha: f64,
    rate: f64,
}

impl Mix {
    /// `(w f_P(x), (1 - w) f_E(x))`.
    #[inline]
    fn parts(&self, x: f64, ln_x: f64, ln_xm: f64) -> (f64, f64) {
        let p = if x >= self.xm {
            self.w * self.alpha * (self.alpha * ln_xm - (self.alpha + 1.0) * ln_x).exp()
        } else {
            0.0
        };
        (p, (1.0 - self.w) * self.rate * (-self.rate * x).exp())
    }

    /// A start for `xm`: half the samples in each part, the Pareto's
    /// shape fitted to the samples above `xm`, the rate to all.
    fn start(xs: &[f64], lns: &[f64], xm: f64) -> Mix {
        let ln_xm = xm.ln();
        let (mut k, mut sum) = (0.0, 0.0);
        for (&x, &l) in xs.iter().zip(lns) {
            if x >= xm {
                k += 1.0;
                sum += l - ln_xm;
            }
        }
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        Mix {
            w: 0.5,
            xm,
            alpha: if sum > 0.0 {
                (k / sum).clamp(0.1, 1e4)
            } else {
                1.0
            },
            rate: 1.0 / mean,
        }
    }
}

/// Expectation–maximisation at `m.xm` for at most `steps` steps or until
/// a step gains less than `tol` times the log-likelihood; returns the
/// log-likelihood at the final `m`.
fn em(xs: &[f64], lns: &[f64], m: &mut Mix, steps: usize, tol: f64) -> f64 {
    use rayon::prelude::*;
    let n = xs.len() as f64;
    let ln_xm = m.xm.ln();
    let mut last = f64::NEG_INFINITY;
    for step in 0..=steps {
        // Sums over fixed chunks, in parallel, added in order: the same
        // bits whatever the number of threads.
        let at = *m;
        let chunks: Vec<[f64; 5]> = xs
            .par_chunks(CHUNK)
            .zip(lns.par_chunks(CHUNK))
            .map(|(xs, lns)| {
                let mut acc = [0.0; 5];
                for (&x, &l) in xs.iter().zip(lns) {
                    let (p, e) = at.parts(x, l, ln_xm);
                    let f = p + e;
                    let r = if f > 0.0 { p / f } else { 0.0 };
                    acc[0] += f.max(1e-300).ln();
                    acc[1] += r;
                    acc[2] += r * (l - ln_xm);
                    acc[3] += 1.0 - r;
                    acc[4] += (1.0 - r) * x;
                }
                acc
            })
            .collect();
        let [mut ll, mut sr, mut sr_ln, mut s1r, mut s1r_x] = [0.0; 5];
        for c in &chunks {
            ll += c[0];
            sr += c[1];
            sr_ln += c[2];
            s1r += c[3];
            s1r_x += c[4];
        }
        if step == steps || ll - last <= tol * ll.abs() {
            return ll;
        }
        last = ll;
        m.w = (sr / n).clamp(1e-6, 1.0 - 1e-6);
        if sr_ln > 0.0 {
            m.alpha = (sr / sr_ln).clamp(0.1, 1e4);
        }
        if s1r_x > 0.0 {
            m.rate = (s1r / s1r_x).clamp(1e-9, 1e6);
        }
    }
    last
}

/// The best mixture with `xm = xs[i]`, from `from` (or a fresh start),
/// to a relative tolerance `tol`.
fn profile(xs: &[f64], lns: &[f64], i: usize, from: Option<Mix>, tol: f64) -> (f64, Mix) {
    let mut m = match from {
        Some(m) => Mix { xm: xs[i], ..m },
        None => Mix::start(xs, lns, xs[i]),
    };
    let ll = em(xs, lns, &mut m, 2000, tol);
    (ll, m)
}

/// The root-mean-square error of the estimate of an edge where the
/// density jumps from `below` to `above` (per ms), for `n` samples. The
/// estimate is not normal: `n` times its error tends to the place of the
/// maximum of a compound Poisson process (Chernoff and Rubin, "The
/// estimation of the location of a discontinuity in density", 1956).
/// Moving the edge up by `u / n` drops the samples it passes from the
/// upper density to the lower one, each costing `L = ln(above/below)`,
/// and gains `(above - below) u` from the renormalised part; moving it
/// down picks up samples at rate `below`, each gaining `L`, and loses the
/// same drift. The maximum's place is simulated (4000 runs of 400 steps
/// either side, a fixed seed) and its root mean square taken.
pub fn edge_error(n: f64, below: f64, above: f64) -> f64 {
    use rand::{Rng, SeedableRng};
    if !(above > below && above > 0.0 && n > 0.0) {
        return f64::INFINITY;
    }
    let gain = above - below;
    if below.is_nan() || below <= 0.0 {
        // No samples below: the first one above is the estimate, Exp(above).
        return 2f64.sqrt() / (n * above);
    }
    let cost = (above / below).ln();
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1956);
    let mut sum_sq = 0.0;
    const RUNS: usize = 4000;
    for _ in 0..RUNS {
        let (mut best, mut at) = (f64::NEG_INFINITY, 0.0);
        // Upward: the k-th sample above (k from 0) as the edge keeps
        // itself, drops the k before it.
        let mut u = 0.0;
        for k in 0..400 {
            u += -(1.0 - rng.random::<f64>()).ln() / above;
            let z = gain * u - cost * k as f64;
            if z > best {
                (best, at) = (z, u);
            }
        }
        // Downward: the k-th sample below (from 1) picks up k samples.
        let mut v = 0.0;
        for k in 1..=400 {
            v += -(1.0 - rng.random::<f64>()).ln() / below;
            let z = cost * k as f64 - gain * v;
            if z > best {
                (best, at) = (z, -v);
            }
        }
        sum_sq += at * at;
    }
    (sum_sq / RUNS as f64).sqrt() / n
}

/// Fits the Pareto–exponential mixture to `s`.
pub fn fit(s: &Samples) -> Result<Fitted, FitError> {
    let search = s.thinned(SEARCH);
    let xs = search.sorted();
    let lns: Vec<f64> = xs.iter().map(|x| x.ln()).collect();
    let last = xs.len() - 1;
    let grid: Vec<usize> = (0..GRID)
        .map(|g| ((0.9 * g as f64 / (GRID - 1) as f64) * last as f64).round() as usize)
        .collect();
    // The grid to a looser tolerance, each point from a fresh start: a
    // start carried over from the point before can be stuck in a
    // degenerate mixture (a vanishing Pareto part) that a fresh one leaves.
    let mut best: Option<(usize, f64, Mix)> = None;
    for (g, &i) in grid.iter().enumerate() {
        let (ll, m) = profile(xs, &lns, i, None, 1e-7);
        if best.as_ref().is_none_or(|b| ll > b.1) {
            best = Some((g, ll, m));
        }
    }
    let (g, mut best_ll, mut best_m) = best.ok_or(FitError::TooFew { got: 0, need: 2 })?;
    // Between the best grid point's neighbours, golden sections over the
    // samples (the profile is unimodal that close to its peak).
    let (mut lo, mut hi) = (grid[g.saturating_sub(1)], grid[(g + 1).min(GRID - 1)]);
    // Each from the best so far, to a tolerance finer than the profile's
    // steps between neighbouring samples yet far from the last bit.
    let mut at = |i: usize| {
        let (ll, m) = profile(xs, &lns, i, Some(best_m), 1e-8);
        if ll > best_ll {
            (best_ll, best_m) = (ll, m);
        }
        ll
    };
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    let inner = |lo: usize, hi: usize| {
        let d = ((hi - lo) as f64 * phi).round() as usize;
        (hi - d, lo + d)
    };
    let (mut m1, mut m2) = inner(lo, hi);
    let (mut f1, mut f2) = (at(m1), at(m2));
    while hi - lo > 3 && m1 < m2 {
        if f1 < f2 {
            lo = m1;
            (m1, f1) = (m2, f2);
            m2 = lo + hi - m1;
            if m2 <= m1 {
                break;
            }
            f2 = at(m2);
        } else {
            hi = m2;
            (m2, f2) = (m1, f1);
            m1 = lo + hi - m2;
            if m1 >= m2 {
                break;
            }
            f1 = at(m1);
        }
    }
    for i in lo..=hi {
        if i != m1 && i != m2 {
            at(i);
        }
    }
    best_ll = em(xs, &lns, &mut best_m, 2000, 1e-11);
    // On every sample: xm at the smallest sample at or above the search's
    // (the same one when the search ran on every sample), the others
    // polished from the search's values.
    let all = s.sorted();
    let all_lns: Vec<f64>;
    let (xs, lns) = if std::ptr::eq(all, xs) {
        (xs, &lns[..])
    } else {
        all_lns = all.iter().map(|x| x.ln()).collect();
        (all, &all_lns[..])
    };
    let mut m = best_m;
    m.xm = xs[xs.partition_point(|&x| x < best_m.xm).min(xs.len() - 1)];
    let ll = if xs.len() == search.len() {
        best_ll
    } else {
        em(xs, lns, &mut m, 10, 1e-11)
    };
    let err = |e| law_error("pareto-exp", e);
    let dist = Dist::Mixture(
        Mixture::new(vec![
            (m.w, Dist::Pareto(Pareto::new(m.xm, m.alpha).map_err(err)?)),
            (1.0 - m.w, Dist::Exp(Exponential::new(m.rate).map_err(err)?)),
        ])
        .map_err(err)?,
    );
    // The outer product of the scores in (w, alpha, rate).
    let ln_xm = m.xm.ln();
    let mut info = vec![vec![0.0; 3]; 3];
    for (&x, &l) in xs.iter().zip(lns) {
        let (p, e) = m.parts(x, l, ln_xm);
        let f = p + e;
        if f.is_nan() || f <= 0.0 {
            continue;
        }
        let r = p / f;
        let g = [
            (p / m.w - e / (1.0 - m.w)) / f,
            r * (1.0 / m.alpha - (l - ln_xm)),
            (1.0 - r) * (1.0 / m.rate - x),
        ];
        for i in 0..3 {
            for j in 0..3 {
                info[i][j] += g[i] * g[j];
            }
        }
    }
    let cov = invert(&info).unwrap_or_else(|| vec![vec![f64::INFINITY; 3]; 3]);
    let se = |i: usize| cov[i][i].max(0.0).sqrt();
    let n = xs.len() as f64;
    // The density just below the edge: the exponential part's.
    let below = (1.0 - m.w) * m.rate * (-m.rate * m.xm).exp();
    Ok(Fitted {
        dist,
        params: vec![
            Param {
                name: "weight",
                value: m.w,
                std_err: se(0),
            },
            Param {
                name: "xm",
                value: m.xm,
                std_err: edge_error(n, below, below + m.w * m.alpha / m.xm),
            },
            Param {
                name: "alpha",
                value: m.alpha,
                std_err: se(1),
            },
            Param {
                name: "rate",
                value: m.rate,
                std_err: se(2),
            },
        ],
        log_likelihood: ll,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// The standard errors are honest: over repeated samples (10^4 each)
    /// of two mixtures, each parameter's error divided by its standard
    /// error has a root mean square near 1 and never exceeds 4. For `xm`
    /// this checks the simulated limiting law of the edge against the
    /// spread of actual fits.
    #[test]
    fn standard_errors_match_the_spread_of_repeated_fits() {
        for (spec, truth) in [
            (
                "mix(0.38: pareto(xm=1.05,alpha=1.51), 0.62: exp(rate=0.183))",
                [0.38, 1.05, 1.51, 0.183],
            ),
            (
                "mix(0.3: pareto(xm=1.3734,alpha=3.32), 0.7: exp(rate=0.18))",
                [0.3, 1.3734, 3.32, 0.18],
            ),
        ] {
            let law: Dist = spec.parse().unwrap();
            let mut sum_sq = [0.0; 4];
            const SEEDS: u64 = 24;
            for seed in 0..SEEDS {
                let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(500 + seed);
                let xs: Vec<f64> = (0..10_000).map(|_| law.sample(&mut rng)).collect();
                let f = fit(&Samples::new(xs).unwrap()).unwrap();
                for (k, p) in f.params.iter().enumerate() {
                    let z = (p.value - truth[k]) / p.std_err;
                    assert!(z.abs() < 4.0, "{spec} seed {seed} {}: z {z}", p.name);
                    sum_sq[k] += z * z;
                }
            }
            for (k, s) in sum_sq.iter().enumerate() {
                let rms = (s / SEEDS as f64).sqrt();
                println!("{spec} param {k}: rms z {rms:.2}");
                assert!((0.4..1.6).contains(&rms), "{spec} param {k}: rms z {rms}");
            }
        }
    }

    /// The EM's log-likelihood never falls from one step to the next, and
    /// the profile's best `xm` beats its neighbours among the samples.
    /// With almost nothing below the edge the estimate is the first
    /// sample above it, an exponential: root mean square `√2 / above`.
    #[test]
    fn edge_error_without_samples_below_is_the_exponential_one() {
        let e = edge_error(1.0, 1e-9, 1.0);
        assert!((e / 2f64.sqrt() - 1.0).abs() < 0.05, "{e}");
        assert_eq!(edge_error(1.0, 0.0, 1.0), 2f64.sqrt());
        assert_eq!(edge_error(10.0, 0.0, 1.0), 2f64.sqrt() / 10.0);
        // A smaller jump is harder to place.
        assert!(edge_error(1.0, 0.5, 1.0) > edge_error(1.0, 0.1, 1.0));
        assert!(edge_error(1.0, 1.0, 1.0).is_infinite());
    }

    #[test]
    fn em_climbs_and_the_search_finds_a_local_peak() {
        let law: Dist = "mix(0.38: pareto(xm=1.05,alpha=1.51), 0.62: exp(rate=0.183))"
            .parse()
            .unwrap();
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        let mut xs: Vec<f64> = (0..3000).map(|_| law.sample(&mut rng)).collect();
        xs.sort_by(f64::total_cmp);
        let lns: Vec<f64> = xs.iter().map(|x| x.ln()).collect();
        let mut m = Mix::start(&xs, &lns, xs[300]);
        let mut last = f64::NEG_INFINITY;
        for _ in 0..50 {
            let ll = em(&xs, &lns, &mut m, 1, 0.0);
            assert!(ll >= last - 1e-9 * ll.abs(), "{ll} < {last}");
            last = ll;
        }
        let f = fit(&Samples::new(xs.clone()).unwrap()).unwrap();
        let i = xs.partition_point(|&x| x < f.params[1].value);
        for j in [i - 1, i + 1] {
            let (ll, _) = profile(&xs, &lns, j, None, 1e-10);
            assert!(
                ll <= f.log_likelihood + 1e-6,
                "xm {}: {ll} > {}",
                xs[j],
                f.log_likelihood
            );
        }
    }
}
