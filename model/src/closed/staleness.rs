//! k-staleness of partial quorums (PBS, Bailis et al., VLDB 2012, §3).
//!
//! With the write landing on exactly `w` replicas and the read contacting `r`
//! chosen uniformly at random, the read misses the write with probability
//! `p_s = C(n-w, r) / C(n, r)`; it misses all of the last `k` independent
//! writes with `p_s^k`. Strict quorums (`r + w > n`) give 0. This is the
//! closed form PBS states; it ignores delays (see the Monte Carlo engine for
//! t-visibility).

/// `C(n-w, r) / C(n, r)`, as the product `Π_{i<r} (n-w-i)/(n-i)`.
///
/// ```
/// use quorum_model::closed::staleness::p_stale;
/// assert_eq!(p_stale(3, 2, 2), 0.0);             // strict
/// assert!((p_stale(3, 1, 1) - 2.0 / 3.0).abs() < 1e-15);
/// ```
pub fn p_stale(n: usize, r: usize, w: usize) -> f64 {
    if r + w > n {
        return 0.0;
    }
    (0..r)
        .map(|i| (n - w - i) as f64 / (n - i) as f64)
        .product()
}

/// Probability that a read returns none of the last `k` versions: `p_s^k`.
pub fn p_stale_k(n: usize, r: usize, w: usize, k: u32) -> f64 {
    p_stale(n, r, w).powi(k as i32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Enumerate every r-subset of replicas and count those that avoid the
    /// w replicas {0..w}.
    fn brute_force(n: usize, r: usize, w: usize) -> f64 {
        let (mut hits, mut total) = (0u64, 0u64);
        for mask in 0u32..(1 << n) {
            if mask.count_ones() as usize != r {
                continue;
            }
            total += 1;
            if mask & ((1u32 << w) - 1) == 0 {
                hits += 1;
            }
        }
        hits as f64 / total as f64
    }

    #[test]
    fn matches_enumeration() {
        for n in 1..=10 {
            for r in 1..=n {
                for w in 1..=n {
                    let got = p_stale(n, r, w);
                    let want = brute_force(n, r, w);
                    assert!(
                        (got - want).abs() < 1e-14,
                        "n={n} r={r} w={w}: {got} vs {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn matches_binomial_coefficients_for_large_n() {
        // Through statrs' log-binomials: an independent route.
        use statrs::function::factorial::ln_binomial;
        let want = (ln_binomial(70, 30) - ln_binomial(100, 30)).exp();
        let got = p_stale(100, 30, 30);
        assert!((got / want - 1.0).abs() < 1e-10, "{got} vs {want}");
    }

    #[test]
    fn k_versions() {
        assert!((p_stale_k(3, 1, 1, 3) - (2.0f64 / 3.0).powi(3)).abs() < 1e-15);
    }

    proptest! {
        #[test]
        fn staleness_falls_as_r_or_w_rise(n in 1usize..40, r in 1usize..40, w in 1usize..40) {
            let (r, w) = (r.min(n), w.min(n));
            let p = p_stale(n, r, w);
            prop_assert!((0.0..=1.0).contains(&p));
            if r < n { prop_assert!(p_stale(n, r + 1, w) <= p); }
            if w < n { prop_assert!(p_stale(n, r, w + 1) <= p); }
            prop_assert_eq!(p == 0.0, r + w > n);
        }
    }
}
