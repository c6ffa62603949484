//! HdrHistogram interval logs (the format of Gil Tene's `HistogramLogWriter`,
//! written by wrk2, cassandra-stress and most load generators), read into
//! buckets for the interval-censored fit, and written by our own store's
//! benchmark ([`Recorder`]).
//!
//! An HdrHistogram keeps whole values (here: microseconds, floored, unless
//! the log says otherwise through `--unit`) in buckets of a few
//! significant digits; the value `v` it reports stands for every value
//! from `lowest_equivalent(v)` to `highest_equivalent(v)`. Each such range
//! becomes a bucket `[lo, hi + 1)` of the censored likelihood, so that no
//! reported value is taken for an exact sample. Every interval of the log
//! (or those with the tag asked for) is added into one histogram.

use super::censored::Buckets;
use super::input::{at as input, Unit};
use super::FitError;
use base64::Engine;
use hdrhistogram::serialization::interval_log::{
    IntervalLogIterator, IntervalLogWriterBuilder, LogEntry, Tag,
};
use hdrhistogram::serialization::{Deserializer, V2DeflateSerializer};
use hdrhistogram::Histogram;

/// Significant digits kept by a [`Recorder`]: 0.1% wide buckets.
pub const SIGNIFICANT_DIGITS: u8 = 3;

/// Whether `text` looks like an interval log: its header comments or a
/// compressed histogram's base64 (`HISTF` is V2 + DEFLATE's cookie).
pub fn looks_like_log(text: &str) -> bool {
    text.contains("#[Histogram log format")
        || text.contains("#[StartTime")
        || text.contains("#[BaseTime")
        || text.contains(",HISTF")
}

/// The intervals of an interval log (those tagged `tag` if given) added
/// into one histogram.
fn merged(text: &str, tag: Option<&str>) -> Result<Histogram<u64>, FitError> {
    let mut total: Option<Histogram<u64>> = None;
    let mut tags_seen: Vec<String> = Vec::new();
    let mut intervals = 0usize;
    for (i, entry) in IntervalLogIterator::new(text.as_bytes()).enumerate() {
        let entry = entry.map_err(|e| {
            input(
                0,
                format!("entry {}: not an HdrHistogram interval log ({e:?})", i + 1),
            )
        })?;
        let LogEntry::Interval(h) = entry else {
            continue;
        };
        let this_tag = h.tag().map(|t| t.as_str().to_string());
        if let Some(t) = &this_tag {
            if !tags_seen.contains(t) {
                tags_seen.push(t.clone());
            }
        }
        if tag.is_some() && this_tag.as_deref() != tag {
            continue;
        }
        intervals += 1;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(h.encoded_histogram())
            .map_err(|e| input(0, format!("interval {intervals}: bad base64 ({e})")))?;
        let hist: Histogram<u64> = Deserializer::new()
            .deserialize(&mut &bytes[..])
            .map_err(|e| input(0, format!("interval {intervals}: bad histogram ({e:?})")))?;
        match &mut total {
            None => {
                let mut t = Histogram::new_from(&hist);
                t.auto(true);
                t.add(&hist)
                    .map_err(|e| input(0, format!("interval {intervals}: {e:?}")))?;
                total = Some(t);
            }
            Some(t) => t
                .add(&hist)
                .map_err(|e| input(0, format!("interval {intervals}: {e:?}")))?,
        }
    }
    match (total, tag) {
        (Some(t), _) => Ok(t),
        (None, Some(want)) => Err(input(
            0,
            format!(
                "no interval tagged '{want}'; the log's tags: {}",
                if tags_seen.is_empty() {
                    "none".to_string()
                } else {
                    tags_seen.join(", ")
                }
            ),
        )),
        (None, None) => Err(FitError::Empty),
    }
}

/// The buckets of an interval log, values in `unit` (ms out).
pub fn read(text: &str, unit: Unit, tag: Option<&str>) -> Result<Buckets, FitError> {
    let h = merged(text, tag)?;
    let mut buckets: Vec<(f64, f64, u64)> = Vec::new();
    for v in h.iter_recorded() {
        let value = v.value_iterated_to();
        let (lo, hi) = (h.lowest_equivalent(value), h.highest_equivalent(value));
        let (lo, hi) = (lo as f64 * unit.ms(), (hi as f64 + 1.0) * unit.ms());
        buckets.push((lo, hi, v.count_since_last_iteration()));
    }
    if buckets.is_empty() {
        return Err(FitError::Empty);
    }
    Buckets::new(buckets)
}

/// Durations recorded in whole microseconds (floored), written as an
/// interval log of one interval. The store's benchmark keeps one per leg
/// and per operation.
#[derive(Debug, Clone)]
pub struct Recorder {
    histogram: Histogram<u64>,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    /// Empty, auto-resizing, [`SIGNIFICANT_DIGITS`] digits.
    pub fn new() -> Self {
        Recorder {
            histogram: Histogram::new(SIGNIFICANT_DIGITS).expect("3 significant digits are valid"),
        }
    }

    /// Records `ms` milliseconds (negative or non-finite values as 0).
    pub fn record_ms(&mut self, ms: f64) {
        let us = if ms.is_finite() && ms > 0.0 {
            (ms * 1000.0).floor() as u64
        } else {
            0
        };
        // The histogram resizes itself (saturating_record would not: it
        // clips at the current top).
        if self.histogram.record(us).is_err() {
            self.histogram.saturating_record(us);
        }
    }

    /// Values recorded.
    pub fn len(&self) -> u64 {
        self.histogram.len()
    }

    /// Whether none was.
    pub fn is_empty(&self) -> bool {
        self.histogram.is_empty()
    }

    /// The interval log: a comment, then one interval of `seconds`
    /// tagged `tag` (letters, digits, `-` and `_`).
    pub fn to_log(&self, tag: &str, comment: &str, seconds: f64) -> Result<String, FitError> {
        let mut out = Vec::new();
        let mut serializer = V2DeflateSerializer::new();
        let tag = Tag::new(tag).ok_or_else(|| input(0, format!("'{tag}' cannot be a tag")))?;
        let mut writer = IntervalLogWriterBuilder::new()
            .add_comment(comment)
            .add_comment("values in microseconds")
            .with_max_value_divisor(1000.0)
            .begin_log_with(&mut out, &mut serializer)
            .map_err(|e| input(0, e.to_string()))?;
        writer
            .write_histogram(
                &self.histogram,
                std::time::Duration::ZERO,
                std::time::Duration::from_secs_f64(seconds.max(0.0)),
                Some(tag),
            )
            .map_err(|e| input(0, format!("{e:?}")))?;
        drop(writer);
        String::from_utf8(out).map_err(|e| input(0, e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;
    use crate::fit::censored::fit_buckets;
    use crate::fit::Family;
    use rand::SeedableRng;

    /// A log written by the recorder reads back as buckets holding every
    /// value, each bucket's range containing the values recorded in it,
    /// and the log-normal fitted to it is the one the values came from.
    #[test]
    fn a_written_log_reads_back_and_fits() {
        let law: Dist = "lognormal(mu=0.3,sigma=0.5)".parse().unwrap();
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        let xs: Vec<f64> = (0..20_000).map(|_| law.sample(&mut rng)).collect();
        let mut rec = Recorder::new();
        for &x in &xs {
            rec.record_ms(x);
        }
        let log = rec.to_log("w", "test", 12.5).unwrap();
        assert!(looks_like_log(&log), "{log}");
        let b = read(&log, Unit::Us, None).unwrap();
        assert_eq!(b.total(), 20_000);
        // Each sample falls in exactly one bucket, whose count it is part of.
        let mut counts = vec![0u64; b.buckets().len()];
        for &x in &xs {
            let i = b
                .buckets()
                .iter()
                .position(|&(lo, hi, _)| lo <= x && x < hi)
                .unwrap_or_else(|| panic!("{x} in no bucket"));
            counts[i] += 1;
        }
        let want: Vec<u64> = b.buckets().iter().map(|b| b.2).collect();
        assert_eq!(counts, want);
        let fits = fit_buckets(&b, &[Family::LogNormal, Family::Gamma]).unwrap();
        assert_eq!(fits[0].family, Family::LogNormal);
        for (p, t) in fits[0].params.iter().zip([0.3, 0.5]) {
            assert!((p.value - t).abs() < 4.0 * p.std_err, "{p:?}");
        }
        assert_eq!(
            read(&log, Unit::Us, Some("x")).unwrap_err().to_string(),
            "no interval tagged 'x'; the log's tags: w"
        );
    }

    #[test]
    fn what_is_not_a_log_is_refused() {
        assert!(read("hello\n", Unit::Us, None).is_err());
        assert!(read("", Unit::Us, None).is_err());
        assert!(read("0.1,1.0,2.0,HISTFnotbase64!!\n", Unit::Us, None).is_err());
    }
}
