//! The healing mechanisms and speculative retry compared, for a sweep's
//! report (`healing.csv` and `retry.csv`, in the `summary.csv` columns).
//!
//! - [`healing`]: t-visibility under 1% failures in time (MTTF 99 h, MTTR
//!   1 h, a crew per node) with no mechanism, hints, anti-entropy and both,
//!   for the configurations of [`HEALING_CONFIGS`] (see
//!   [`crate::mc::timeline`]).
//! - [`retry`]: reads that ask only `r` random replicas, with speculative
//!   retry at each threshold of [`RETRY_THRESHOLDS`]: exact read latency
//!   and the extra requests per read (the load a plan must carry).

use crate::eval::{evaluate, Config, ConfigError, EvalOptions, SummaryRow};
use crate::failure::{FailureModel, Repair};
use crate::heal::Healing;
use crate::mc::engine::chunk_seed;
use crate::mc::timeline::{simulate, TimelineSetup};
use crate::retry::SpeculativeRetry;
use crate::scenario::Scenario;
use crate::Fanout;
use rayon::prelude::*;

/// The failure model of the healing comparison: 1% down, an hour at a time.
pub const REPAIR: Repair = Repair {
    mttf_hours: 99.0,
    mttr_hours: 1.0,
    crews: None,
};

/// `(n, r, w)` compared: partial quorums people run.
pub const HEALING_CONFIGS: [(usize, usize, usize); 4] =
    [(3, 1, 1), (3, 1, 2), (5, 1, 2), (5, 2, 2)];

/// The mechanisms' settings when a sweep is given none: Cassandra's default
/// hint window, and an anti-entropy round every 10 minutes.
pub fn default_settings() -> Healing {
    Healing {
        hint_window_ms: Some(3.0 * 3_600_000.0),
        anti_entropy_interval_ms: Some(600_000.0),
        ..Healing::default()
    }
}

/// The four variants of `settings`: none, hints only, anti-entropy only,
/// both (read repair and the sloppy quorum as given, in every variant
/// but none).
pub fn variants(settings: &Healing) -> [Healing; 4] {
    let hints = Healing {
        anti_entropy_interval_ms: None,
        ..settings.clone()
    };
    let ae = Healing {
        hint_window_ms: None,
        sloppy_quorum: false,
        ..settings.clone()
    };
    [Healing::default(), hints, ae, settings.clone()]
}

/// One point of a healing comparison's curve (`healing_curves.csv`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HealingPoint {
    /// Scenario name.
    pub scenario: String,
    /// Replicas.
    pub n: usize,
    /// Read quorum.
    pub r: usize,
    /// Write quorum.
    pub w: usize,
    /// The mechanisms on: `none`, `hints 3h`, `anti-entropy 10min`, or both
    /// joined by `+`.
    pub mechanisms: String,
    /// Time after the commit, ms.
    pub t_ms: f64,
    /// P(a read then sees the write), and its 95% interval.
    pub p_consistent: f64,
    /// Low end of the interval.
    pub ci_low: f64,
    /// High end of the interval.
    pub ci_high: f64,
}

/// The healing comparison: rows and curves.
pub type HealingComparison = (Vec<SummaryRow>, Vec<HealingPoint>);

/// The rows of the healing comparison in `scenario`, and their curves: per
/// configuration of [`HEALING_CONFIGS`], the four [`variants`] of
/// `settings` (which must have a hint window and an anti-entropy
/// interval), each simulated in time with `trials` trials.
pub fn healing(
    scenario: &Scenario,
    settings: &Healing,
    trials: u64,
    seed: u64,
) -> Result<HealingComparison, ConfigError> {
    let mut s = scenario.clone();
    s.failure = FailureModel::Repair(REPAIR);
    let cases: Vec<(usize, Healing)> = (0..HEALING_CONFIGS.len())
        .flat_map(|c| variants(settings).into_iter().map(move |h| (c, h)))
        .collect();
    let options = EvalOptions::default();
    let done: Vec<Result<(SummaryRow, Vec<HealingPoint>), ConfigError>> = cases
        .par_iter()
        .map(|(c, h)| {
            let (n, r, w) = HEALING_CONFIGS[*c];
            let e = evaluate(&s, Config::new(n, r, w)?, options)?;
            let mut row = SummaryRow::from_exact(&s, &e, options);
            row.set_healing(h);
            // The same seed for a configuration's variants: common random
            // numbers, so a mechanism can only make reads fresher.
            let setup = TimelineSetup::new(&s.wars, REPAIR, h.clone(), (n, r, w), false);
            let t = simulate(&setup, trials, chunk_seed(seed, *c as u64), Some(1));
            row.add_timeline(&t);
            row.trials = Some(trials);
            row.seed = Some(seed);
            let mechanisms = h.label();
            let curve = t
                .curve()
                .into_iter()
                .map(|(t_ms, p)| HealingPoint {
                    scenario: s.name.clone(),
                    n,
                    r,
                    w,
                    mechanisms: mechanisms.clone(),
                    t_ms,
                    p_consistent: p.estimate,
                    ci_low: p.ci_low,
                    ci_high: p.ci_high,
                })
                .collect();
            Ok((row, curve))
        })
        .collect();
    let (mut rows, mut curves) = (Vec::new(), Vec::new());
    for d in done {
        let (row, curve) = d?;
        rows.push(row);
        curves.extend(curve);
    }
    Ok((rows, curves))
}

/// `healing_curves.csv`: a header and one line per point.
pub fn curves_csv(points: &[HealingPoint]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    if points.is_empty() {
        w.write_record([
            "scenario",
            "n",
            "r",
            "w",
            "mechanisms",
            "t_ms",
            "p_consistent",
            "ci_low",
            "ci_high",
        ])
        .expect("memory");
    }
    for p in points {
        w.serialize(p).expect("memory");
    }
    String::from_utf8(w.into_inner().expect("memory")).expect("UTF-8")
}

/// Thresholds compared.
pub const RETRY_THRESHOLDS: [SpeculativeRetry; 6] = [
    SpeculativeRetry::None,
    SpeculativeRetry::Percentile(50.0),
    SpeculativeRetry::Percentile(90.0),
    SpeculativeRetry::Percentile(95.0),
    SpeculativeRetry::Percentile(99.0),
    SpeculativeRetry::Percentile(99.9),
];

/// `(n, r, w)` of the retry comparison.
pub const RETRY_CONFIGS: [(usize, usize, usize); 3] = [(3, 1, 3), (3, 2, 2), (5, 3, 3)];

/// The rows of the retry comparison in `scenario` (no failures): reads to
/// `r` random replicas, every threshold of [`RETRY_THRESHOLDS`] and
/// then `extra` (a sweep's `--speculative-retry`) if it is not one of them.
/// Exact.
pub fn retry(
    scenario: &Scenario,
    extra: Option<SpeculativeRetry>,
) -> Result<Vec<SummaryRow>, ConfigError> {
    let mut s = scenario.clone();
    s.failure = FailureModel::NONE;
    let mut thresholds = RETRY_THRESHOLDS.to_vec();
    if let Some(x) = extra.filter(|x| !thresholds.contains(x)) {
        thresholds.push(x);
    }
    let mut rows = Vec::new();
    for (n, r, w) in RETRY_CONFIGS {
        for &retry in &thresholds {
            let options = EvalOptions {
                read_fanout: Fanout::Quorum,
                speculative_retry: retry,
                ..EvalOptions::default()
            };
            let e = evaluate(&s, Config::new(n, r, w)?, options)?;
            rows.push(SummaryRow::from_exact(&s, &e, options));
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mechanisms_in_order_and_retry_trades_load_for_tail() {
        let s = Scenario::default_exponential();
        let (rows, curves) = healing(&s, &default_settings(), 40_000, 1).unwrap();
        assert_eq!(rows.len(), 16);
        assert!(curves
            .iter()
            .any(|p| p.mechanisms == "hints 3h + anti-entropy 10min"));
        assert!(curves_csv(&curves).starts_with("scenario,n,r,w,mechanisms,t_ms,"));
        let p9999 = |r: &SummaryRow| r.t_visibility_failures_p9999_ms.unwrap_or(f64::INFINITY);
        for c in rows.chunks(4) {
            let [none, hints, ae, both] = [&c[0], &c[1], &c[2], &c[3]];
            assert_eq!(none.hint_window, "");
            assert_eq!(hints.hint_window, "3h");
            assert_eq!(ae.anti_entropy_interval, "10min");
            // Reading one replica, a returning stale one answers a third
            // (n = 3) or a fifth of the time: past 0.1% without healing.
            // Reading two, both must be stale: past 0.01% only.
            if none.r == 1 {
                assert!(none.t_visibility_failures_p999_ms.is_none(), "{}", none.n);
            }
            assert!(none.t_visibility_failures_p9999_ms.is_none(), "{}", none.n);
            assert!(p9999(both) <= p9999(hints).min(p9999(ae)));
        }
        let with_5ms = retry(&s, Some(SpeculativeRetry::After(5.0))).unwrap();
        assert_eq!(with_5ms.len(), 21);
        assert_eq!(with_5ms[6].speculative_retry, "5ms");
        let retry_rows = retry(&s, Some(SpeculativeRetry::Percentile(99.0))).unwrap();
        assert_eq!(retry_rows.len(), 18);
        for c in retry_rows.chunks(6) {
            assert_eq!(c[0].speculative_retry_rate, None);
            // A lower threshold: more extra requests.
            let rate = |k: usize| c[k].speculative_retry_rate.unwrap();
            for k in 1..5 {
                assert!(rate(k) > rate(k + 1), "{k}");
            }
            // Retrying at the median cuts the p99 (exp legs).
            assert!(c[1].read_latency_p99_ms.unwrap() < c[0].read_latency_p99_ms.unwrap());
        }
    }
}
