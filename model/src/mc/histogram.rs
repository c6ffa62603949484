//! A log-linear histogram of non-negative times in ms, for quantiles and
//! CDFs of Monte Carlo samples without storing them.
//!
//! Bins follow the float's own layout (as HdrHistogram does): each octave
//! `[2^e, 2^(e+1))` for `e` in `[-20, 36)` is split into 256 equal bins, so a
//! bin is at most 0.39% wide relative to its lower edge and the index is a few
//! bit operations on the value. Exact zeros (a read that is consistent at
//! once), values below 2^-20 ms, above 2^36 ms, and infinities (never) have
//! bins of their own. Counts are integers, so merging histograms in any order
//! gives the same bytes: thread count cannot change a result.

const SUB_BITS: u32 = 8;
const SUB: usize = 1 << SUB_BITS;
const MIN_EXP: i64 = -20;
const MAX_EXP: i64 = 36;
const BINS: usize = ((MAX_EXP - MIN_EXP) as usize) * SUB;

/// Where a value falls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Slot {
    Zero,
    /// `(0, 2^-20)` ms.
    Under,
    Bin(usize),
    /// `[2^36, ∞)` ms, finite.
    Over,
    Infinite,
}

/// Counts of non-negative values in log-linear bins.
#[derive(Debug, Clone, PartialEq)]
pub struct LogHistogram {
    zero: u64,
    under: u64,
    bins: Vec<u64>,
    over: u64,
    infinite: u64,
}

impl Default for LogHistogram {
    fn default() -> Self {
        Self::new()
    }
}

/// Lower and upper edge of bin `i`, in ms.
pub fn bin_edges(i: usize) -> (f64, f64) {
    let e = (i / SUB) as i64 + MIN_EXP;
    let m = (i % SUB) as f64;
    let base = (e as f64).exp2();
    (
        base * (1.0 + m / SUB as f64),
        base * (1.0 + (m + 1.0) / SUB as f64),
    )
}

/// The slot of a value (negative values count as zero).
#[inline]
pub fn slot(x: f64) -> Slot {
    if x <= 0.0 {
        return Slot::Zero;
    }
    if x.is_infinite() {
        return Slot::Infinite;
    }
    let bits = x.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    if e < MIN_EXP {
        Slot::Under
    } else if e >= MAX_EXP {
        Slot::Over
    } else {
        let m = ((bits >> (52 - SUB_BITS)) as usize) & (SUB - 1);
        Slot::Bin((e - MIN_EXP) as usize * SUB + m)
    }
}

impl LogHistogram {
    pub fn new() -> Self {
        LogHistogram {
            zero: 0,
            under: 0,
            bins: vec![0; BINS],
            over: 0,
            infinite: 0,
        }
    }

    /// Counts one value.
    #[inline]
    pub fn record(&mut self, x: f64) {
        match slot(x) {
            Slot::Zero => self.zero += 1,
            Slot::Under => self.under += 1,
            Slot::Bin(i) => self.bins[i] += 1,
            Slot::Over => self.over += 1,
            Slot::Infinite => self.infinite += 1,
        }
    }

    /// Counts one exact zero (cheaper than `record(0.0)` in a hot loop).
    #[inline]
    pub fn record_zero(&mut self) {
        self.zero += 1;
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &LogHistogram) {
        self.zero += other.zero;
        self.under += other.under;
        self.over += other.over;
        self.infinite += other.infinite;
        for (a, b) in self.bins.iter_mut().zip(&other.bins) {
            *a += b;
        }
    }

    /// Number of values recorded.
    pub fn count(&self) -> u64 {
        self.zero + self.under + self.bins.iter().sum::<u64>() + self.over + self.infinite
    }

    /// Values recorded as exactly zero.
    pub fn zeros(&self) -> u64 {
        self.zero
    }

    /// Values recorded as infinite.
    pub fn infinities(&self) -> u64 {
        self.infinite
    }

    /// Number of values `<= t`, interpolating linearly inside the bin that
    /// holds `t` (exact at bin edges; non-decreasing in `t`).
    pub fn count_at_most(&self, t: f64) -> f64 {
        if t < 0.0 {
            return 0.0;
        }
        let mut total = self.zero as f64;
        match slot(t) {
            Slot::Zero => total,
            Slot::Under => total + self.under as f64 * (t / (MIN_EXP as f64).exp2()),
            Slot::Bin(i) => {
                total += self.under as f64;
                total += self.bins[..i].iter().sum::<u64>() as f64;
                let (lo, hi) = bin_edges(i);
                total + self.bins[i] as f64 * ((t - lo) / (hi - lo))
            }
            Slot::Over => total + self.under as f64 + self.bins.iter().sum::<u64>() as f64,
            Slot::Infinite => (self.count() - self.infinite) as f64,
        }
    }

    /// The value of rank `k` (1-based, `1..=count`): `(low, high)` edges of
    /// the slot holding it, and the within-slot linear interpolation.
    pub fn rank(&self, k: u64) -> RankValue {
        let mut seen = self.zero;
        if k <= seen {
            return RankValue::finite(0.0, 0.0, 0.0);
        }
        let under_hi = (MIN_EXP as f64).exp2();
        if k <= seen + self.under {
            let f = (k - seen) as f64 / (self.under as f64 + 1.0);
            return RankValue::finite(0.0, under_hi, f * under_hi);
        }
        seen += self.under;
        for (i, &c) in self.bins.iter().enumerate() {
            if c > 0 && k <= seen + c {
                let (lo, hi) = bin_edges(i);
                let f = ((k - seen) as f64 - 0.5) / c as f64;
                return RankValue::finite(lo, hi, lo + f * (hi - lo));
            }
            seen += c;
        }
        if k <= seen + self.over {
            return RankValue::OutOfRange;
        }
        RankValue::Infinite
    }
}

/// A value looked up by rank.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RankValue {
    Finite {
        low: f64,
        high: f64,
        estimate: f64,
    },
    /// Beyond 2^36 ms (about two years): finite but not resolved.
    OutOfRange,
    Infinite,
}

impl RankValue {
    fn finite(low: f64, high: f64, estimate: f64) -> Self {
        RankValue::Finite {
            low,
            high,
            estimate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_contain_their_values() {
        for x in [1e-6, 0.001, 0.37, 1.0, 1.5, 75.0, 1234.5678, 3e9] {
            let Slot::Bin(i) = slot(x) else { panic!("{x}") };
            let (lo, hi) = bin_edges(i);
            assert!(lo <= x && x < hi, "{x} in [{lo}, {hi})");
            assert!((hi - lo) / lo <= 1.0 / 256.0 + 1e-15);
        }
        assert_eq!(slot(0.0), Slot::Zero);
        assert_eq!(slot(f64::INFINITY), Slot::Infinite);
        assert_eq!(slot(1e-9), Slot::Under);
        assert_eq!(slot(1e12), Slot::Over);
    }

    #[test]
    fn ranks_and_counts_agree_with_sorting() {
        let values: Vec<f64> = (1..=1000).map(|i| (i as f64 * 0.731) % 97.0).collect();
        let mut h = LogHistogram::new();
        for v in &values {
            h.record(*v);
        }
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        for k in [1u64, 10, 500, 999, 1000] {
            let want = sorted[k as usize - 1];
            match h.rank(k) {
                RankValue::Finite {
                    low,
                    high,
                    estimate,
                } => {
                    assert!(
                        low <= want && want < high,
                        "rank {k}: {want} not in [{low}, {high})"
                    );
                    assert!(low <= estimate && estimate <= high);
                }
                other => panic!("{other:?}"),
            }
        }
        for t in [0.5, 10.0, 50.0, 96.9] {
            let exact = sorted.iter().filter(|v| **v <= t).count() as f64;
            let got = h.count_at_most(t);
            // Off by at most the count of the one bin holding t.
            let Slot::Bin(i) = slot(t) else { panic!() };
            assert!(
                (got - exact).abs() <= h.bins[i] as f64,
                "{t}: {got} vs {exact}"
            );
        }
    }

    #[test]
    fn merging_is_order_free() {
        let mut a = LogHistogram::new();
        let mut b = LogHistogram::new();
        a.record(1.0);
        a.record(0.0);
        b.record(f64::INFINITY);
        b.record(3.0);
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, ba);
        assert_eq!(ab.count(), 4);
        assert_eq!(ab.rank(4), RankValue::Infinite);
        assert_eq!(ab.count_at_most(f64::INFINITY), 3.0);
    }
}
