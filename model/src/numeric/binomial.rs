//! Tails of the number of successes among independent replicas.
//!
//! `A(k; n, s) = Σ_{j=k..n} C(n,j) s^j (1-s)^(n-j)` is the probability that at
//! least `k` of `n` replicas succeed. Both tails are summed directly from
//! their own terms in log space (log-sum-exp), never as `1 - other tail`, and
//! the caller passes `s` and `1 - s` separately: a failure probability of
//! 1e-200 stays 1e-200 instead of vanishing in `1 - s`. Replicas that differ
//! (a Poisson-binomial count) are handled by convolving per-group binomial
//! distributions: every step multiplies and adds probabilities, so no
//! cancellation occurs there either.

/// `P(count < k)` and `P(count >= k)`, with their natural logs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tails {
    pub below: f64,
    pub at_least: f64,
    pub ln_below: f64,
    pub ln_at_least: f64,
}

impl Tails {
    /// Every one of independent events: `P(all)` is the product of theirs,
    /// summed in logs (each `ln_at_least` is accurate, even next to 1), and
    /// `P(not all) = -expm1(Σ ln P)` keeps its digits when small.
    pub fn all_of(parts: impl Iterator<Item = Tails>) -> Tails {
        let ln_at_least: f64 = parts.map(|t| t.ln_at_least).sum();
        let below = -ln_at_least.exp_m1();
        Tails {
            below,
            at_least: ln_at_least.exp(),
            ln_below: below.ln(),
            ln_at_least,
        }
    }

    /// From the logs of both tails as summed. The smaller tail is kept as
    /// summed (it carries the relative accuracy); the larger is `1 - smaller`,
    /// so the two add to exactly one.
    fn from_logs(ln_below: f64, ln_at_least: f64) -> Self {
        if ln_below <= ln_at_least {
            let below = ln_below.exp();
            Tails {
                below,
                at_least: 1.0 - below,
                ln_below,
                ln_at_least: (-below).ln_1p(),
            }
        } else {
            let at_least = ln_at_least.exp();
            Tails {
                below: 1.0 - at_least,
                at_least,
                ln_below: (-at_least).ln_1p(),
                ln_at_least,
            }
        }
    }
}

fn ln_sum_exp(terms: impl Iterator<Item = f64> + Clone) -> f64 {
    let m = terms.clone().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + terms.map(|t| (t - m).exp()).sum::<f64>().ln()
}

/// `ln` of each binomial term `C(n,j) s^j f^(n-j)`, `j = 0..=n`.
fn ln_terms(n: usize, ln_s: f64, ln_f: f64) -> impl Iterator<Item = f64> + Clone {
    // ln C(n, j) built incrementally: C(n, j+1) = C(n, j) (n-j)/(j+1).
    let mut ln_c = 0.0;
    (0..=n).map(move |j| {
        if j > 0 {
            ln_c += ((n - j + 1) as f64 / j as f64).ln();
        }
        let s_part = if j == 0 { 0.0 } else { j as f64 * ln_s };
        let f_part = if j == n { 0.0 } else { (n - j) as f64 * ln_f };
        ln_c + s_part + f_part
    })
}

/// Tails of `Binomial(n, s)` at `k`, given `s` and `f = 1 - s` separately.
pub fn binomial_tails(k: usize, n: usize, s: f64, f: f64) -> Tails {
    if k == 0 {
        return Tails::from_logs(f64::NEG_INFINITY, 0.0);
    }
    if k > n {
        return Tails::from_logs(0.0, f64::NEG_INFINITY);
    }
    if n > LARGE_N && s > 0.0 && f > 0.0 {
        return large_binomial_tails(k, n, s, f);
    }
    let (ln_s, ln_f) = (s.ln(), f.ln());
    let terms = ln_terms(n, ln_s, ln_f);
    let below = ln_sum_exp(terms.clone().take(k));
    let at_least = ln_sum_exp(terms.skip(k));
    Tails::from_logs(below, at_least)
}

/// Above this many replicas the tails are summed from the peak of each
/// outwards, only as far as terms still matter.
const LARGE_N: usize = 1000;

/// [`binomial_tails`] for large `n`: the terms are log-concave in `j`, so
/// each tail is summed from its largest term outwards (by the ratio
/// recurrence `t(j+1)/t(j) = (n-j)/(j+1) · s/f`) until terms fall below
/// e^-45 (3e-20) of it. That is O(√(n s f)) terms instead of `n`.
fn large_binomial_tails(k: usize, n: usize, s: f64, f: f64) -> Tails {
    use statrs::function::gamma::ln_gamma;
    let (ln_s, ln_f) = (s.ln(), f.ln());
    let nf = n as f64;
    let ln_term = |j: usize| {
        let j_f = j as f64;
        ln_gamma(nf + 1.0) - ln_gamma(j_f + 1.0) - ln_gamma(nf - j_f + 1.0)
            + j_f * ln_s
            + (nf - j_f) * ln_f
    };
    let ln_ratio = |j: usize| ((n - j) as f64 / (j + 1) as f64).ln() + ln_s - ln_f;
    let mode = (((nf + 1.0) * s).floor() as usize).min(n);
    // ln Σ_{j=lo..=hi} t(j).
    let tail = |lo: usize, hi: usize| -> f64 {
        let peak = mode.clamp(lo, hi);
        let ln_peak = ln_term(peak);
        let mut sum = 1.0;
        // Upwards from the peak.
        let mut ln_rel = 0.0;
        let mut j = peak;
        while j < hi {
            ln_rel += ln_ratio(j);
            j += 1;
            if ln_rel < -45.0 {
                break;
            }
            sum += ln_rel.exp();
        }
        // Downwards.
        let mut ln_rel = 0.0;
        let mut j = peak;
        while j > lo {
            ln_rel -= ln_ratio(j - 1);
            j -= 1;
            if ln_rel < -45.0 {
                break;
            }
            sum += ln_rel.exp();
        }
        ln_peak + sum.ln()
    };
    Tails::from_logs(tail(0, k - 1), tail(k, n))
}

/// Probability mass function of `Binomial(n, s)`.
pub fn binomial_pmf(n: usize, s: f64, f: f64) -> Vec<f64> {
    ln_terms(n, s.ln(), f.ln()).map(f64::exp).collect()
}

/// The distribution of the sum of two independent counts, given their
/// probability mass functions.
pub fn convolve(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; a.len() + b.len() - 1];
    for (i, x) in a.iter().enumerate() {
        if *x == 0.0 {
            continue;
        }
        for (j, y) in b.iter().enumerate() {
            out[i + j] += x * y;
        }
    }
    out
}

/// One group of identical, independent replicas: `count` of them, each
/// succeeding with probability `s` (and failing with `f = 1 - s`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Group {
    pub count: usize,
    pub s: f64,
    pub f: f64,
}

/// Tails at `k` of the total number of successes over independent groups
/// (a Poisson-binomial count when groups differ).
pub fn grouped_tails(k: usize, groups: &[Group]) -> Tails {
    let live: Vec<&Group> = groups.iter().filter(|g| g.count > 0).collect();
    if live.len() == 1 {
        return binomial_tails(k, live[0].count, live[0].s, live[0].f);
    }
    let n: usize = live.iter().map(|g| g.count).sum();
    if k == 0 {
        return Tails::from_logs(f64::NEG_INFINITY, 0.0);
    }
    if k > n {
        return Tails::from_logs(0.0, f64::NEG_INFINITY);
    }
    let mut pmf = vec![1.0];
    for g in live {
        pmf = convolve(&pmf, &binomial_pmf(g.count, g.s, g.f));
    }
    let below: f64 = pmf[..k].iter().sum();
    let at_least: f64 = pmf[k..].iter().sum();
    Tails::from_logs(below.ln(), at_least.ln())
}

#[cfg(test)]
mod large_n_tests {
    use super::*;

    #[test]
    fn the_windowed_sum_matches_the_full_sum() {
        // The full log-sum-exp over all n + 1 terms against the window.
        for (n, k, s) in [
            (1001, 700, 0.7),
            (5000, 10, 0.001),
            (20000, 19990, 0.9999),
            (3000, 1500, 0.5),
        ] {
            let f = 1.0 - s;
            let fast = large_binomial_tails(k, n, s, f);
            let terms = ln_terms(n, s.ln(), f.ln());
            let below = ln_sum_exp(terms.clone().take(k));
            let at_least = ln_sum_exp(terms.skip(k));
            assert!(
                (fast.ln_below - below).abs() < 1e-9,
                "n={n} k={k}: {} vs {below}",
                fast.ln_below
            );
            assert!(
                (fast.ln_at_least - at_least).abs() < 1e-9,
                "n={n} k={k}: {} vs {at_least}",
                fast.ln_at_least
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the doc example of `binomial_tails` showed.
    #[test]
    fn example_binomial_tails() {
        // 2 of 3 replicas up, each down with probability 0.01.
        let t = binomial_tails(2, 3, 0.99, 0.01);
        assert!((t.at_least - 0.999702).abs() < 1e-12);
        assert!((t.below - 2.98e-4).abs() < 1e-15);
    }

    /// What the doc example of `grouped_tails` showed.
    #[test]
    fn example_grouped_tails() {
        let g = |s: f64| Group {
            count: 1,
            s,
            f: 1.0 - s,
        };
        let t = grouped_tails(2, &[g(0.9), g(0.8), g(0.7)]);
        // P(at least 2 of 3): .9*.8 + .9*.7 + .8*.7 - 2*.9*.8*.7
        assert!((t.at_least - 0.902).abs() < 1e-12);
    }

    /// Brute force: enumerate all 2^n up/down patterns.
    fn brute_force(k: usize, ps: &[f64]) -> (f64, f64) {
        let n = ps.len();
        let (mut below, mut at_least) = (0.0, 0.0);
        for mask in 0u32..(1 << n) {
            let mut prob = 1.0;
            for (i, p) in ps.iter().enumerate() {
                prob *= if mask & (1 << i) != 0 { *p } else { 1.0 - p };
            }
            if (mask.count_ones() as usize) >= k {
                at_least += prob;
            } else {
                below += prob;
            }
        }
        (below, at_least)
    }

    #[test]
    fn matches_enumeration_for_small_n() {
        for n in 1..=8 {
            for k in 1..=n {
                for s in [0.0, 0.01, 0.5, 0.93, 1.0] {
                    let t = binomial_tails(k, n, s, 1.0 - s);
                    let (b, a) = brute_force(k, &vec![s; n]);
                    assert!(
                        (t.below - b).abs() < 1e-13 && (t.at_least - a).abs() < 1e-13,
                        "{k}/{n} s={s}"
                    );
                }
            }
        }
    }

    #[test]
    fn matches_the_regularized_incomplete_beta() {
        // P(X >= k) = I_s(k, n-k+1): an independent route through statrs.
        for (k, n, s) in [
            (30, 100, 0.2),
            (501, 1001, 0.49),
            (3, 7, 0.999),
            (900, 1001, 0.95),
        ] {
            let t = binomial_tails(k, n, s, 1.0 - s);
            let want = statrs::function::beta::beta_reg(k as f64, (n - k + 1) as f64, s);
            assert!(
                (t.at_least - want).abs() < 1e-10 * want.max(1e-300) + 1e-15,
                "{k}/{n}: {} vs {want}",
                t.at_least
            );
        }
    }

    #[test]
    fn tiny_tails_keep_relative_accuracy() {
        // 2 of 3 down with p = 1e-100: P(fewer than 2 up) = 3p^2(1-p) + p^3.
        let p = 1e-100;
        let t = binomial_tails(2, 3, 1.0 - p, p);
        assert!((t.below / (3.0 * p * p) - 1.0).abs() < 1e-12, "{}", t.below);
        // n = 1001, majority: the unavailability underflows no sooner than
        // its log says it should.
        let t = binomial_tails(501, 1001, 1.0 - 0.01, 0.01);
        assert!(t.ln_below < -600.0 && t.ln_below.is_finite());
    }

    #[test]
    fn groups_match_enumeration() {
        let ps = [0.9, 0.99, 0.5, 0.7, 0.999];
        let groups: Vec<Group> = ps
            .iter()
            .map(|&s| Group {
                count: 1,
                s,
                f: 1.0 - s,
            })
            .collect();
        for k in 1..=5 {
            let t = grouped_tails(k, &groups);
            let (b, a) = brute_force(k, &ps);
            assert!((t.below - b).abs() < 1e-14 && (t.at_least - a).abs() < 1e-14);
        }
        // Two groups of identical replicas equal one binomial.
        let two = grouped_tails(
            3,
            &[
                Group {
                    count: 2,
                    s: 0.8,
                    f: 0.2,
                },
                Group {
                    count: 3,
                    s: 0.8,
                    f: 0.2,
                },
            ],
        );
        let one = binomial_tails(3, 5, 0.8, 0.2);
        assert!((two.at_least - one.at_least).abs() < 1e-14);
    }

    proptest! {
        #[test]
        fn tails_are_probabilities_that_sum_to_one(n in 1usize..60, k in 1usize..60, s in 0.0f64..=1.0) {
            let k = k.min(n);
            let t = binomial_tails(k, n, s, 1.0 - s);
            prop_assert!((0.0..=1.0 + 1e-12).contains(&t.below));
            prop_assert!((0.0..=1.0 + 1e-12).contains(&t.at_least));
            prop_assert!((t.below + t.at_least - 1.0).abs() < 1e-10);
        }

        #[test]
        fn needing_more_successes_is_less_likely(n in 2usize..40, k in 1usize..39, s in 0.0f64..=1.0) {
            let k = k.min(n - 1);
            let a = binomial_tails(k, n, s, 1.0 - s).at_least;
            let b = binomial_tails(k + 1, n, s, 1.0 - s).at_least;
            prop_assert!(b <= a + 1e-12);
        }
    }
}
