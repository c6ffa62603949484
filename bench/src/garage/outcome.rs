//! What a Garage run measured and predicted: the JSON `quorum-bench garage
//! --format json` prints and `garage-report --render-only` reads back.

use super::cluster::Mode;
use serde::{Deserialize, Deserializer, Serialize};

/// One point of both curves.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Nominal delay after the acknowledgment.
    pub t_ms: f64,
    /// Mean delay after the acknowledgment at which the reads were issued.
    pub issued_ms: f64,
    pub reads: usize,
    #[serde(deserialize_with = "nan_if_null")]
    pub measured: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// The model averaged over the reads' real delays, every message
    /// delayed by the injected law plus the proxy timer's lateness.
    pub predicted: Option<f64>,
    /// The same with the delays the proxies really delivered (each
    /// message's wait behind earlier ones on its TCP connection included).
    pub predicted_delivered: Option<f64>,
    /// With more nodes than replicas: `predicted` were every node that
    /// holds no replica to use the same one ([`super::predict::Prediction::p_consistent_at_sticky`]).
    pub predicted_sticky: Option<f64>,
}

/// Latency percentiles, ms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// Measured beside predicted for one operation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatencyComparison {
    pub measured: Latency,
    /// The model's latency plus Garage's own cost (both as laws: the
    /// percentile of their sum), every message delayed by the injected
    /// law plus the timer's lateness.
    pub predicted: Option<Latency>,
    /// The same with the delays the proxies delivered.
    pub predicted_delivered: Option<Latency>,
    /// The model's alone (injected law plus lateness, no own cost).
    pub model_only: Option<Latency>,
}

/// The regular-register check of the whole history.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegisterCheck {
    pub operations: usize,
    /// Reads that broke regular-register semantics (in `consistent` mode
    /// any is a bug; in the others they are the stale reads).
    pub violations: usize,
    /// Reads that found concurrent values (K2V siblings).
    pub conflicts: usize,
}

/// The node stop and restart during the measurement, if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    pub node: usize,
    pub down_s: f64,
    /// Operations that failed (no quorum, or an error) during the run.
    pub failed_writes: usize,
    pub failed_reads: usize,
    /// Seconds from the restart until a write and a read through the node
    /// succeeded again (its peers reconnected).
    #[serde(deserialize_with = "nan_if_null")]
    pub rejoin_s: f64,
    /// The first few distinct errors Garage answered.
    pub errors: Vec<String>,
}

/// Reads through a node that was down while keys were written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaleAfterReturn {
    pub node: usize,
    pub keys: usize,
    pub down_s: f64,
    /// Seconds since the layout was applied (the other nodes' last full
    /// sync) when the node came back.
    pub returned_at_s: f64,
    /// (seconds after the return, share of the keys the node did not
    /// return) at each probe.
    pub probes: Vec<(f64, f64)>,
    /// When the last key became visible through it (after the return), if
    /// within the watch.
    pub all_fresh_after_s: Option<f64>,
    /// Garage's schedule: the other nodes' next full anti-entropy sync
    /// after the return (20 s after their start, then every 10 minutes),
    /// seconds after the return.
    pub next_sync_after_s: f64,
    /// The model's anti-entropy with a 10-minute interval and a random
    /// phase: the mean time to the next sync after a return, s.
    pub model_mean_wait_s: f64,
}

/// The outcome, as `quorum-bench garage --format json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GarageReport {
    pub garage: String,
    pub mode: Mode,
    pub nodes: usize,
    pub n: usize,
    pub r: usize,
    pub w: usize,
    pub delay: String,
    /// Whether the proxies left the kernel's delayed ACKs on.
    pub delayed_acks: bool,
    /// Whether reads were non-monotonic (no read repair).
    pub non_monotonic: bool,
    /// The model's cluster (one-line form), or why there is none.
    pub model: String,
    pub writes: usize,
    pub reads: usize,
    #[serde(deserialize_with = "nan_if_null")]
    pub p_consistent_t0_measured: f64,
    pub p_consistent_t0_predicted: Option<f64>,
    pub p_consistent_t0_predicted_delivered: Option<f64>,
    /// Largest |measured - predicted| over the curve's points.
    pub max_curve_deviation: Option<f64>,
    /// Largest deviation beyond the measured point's 95% interval.
    pub max_deviation_beyond_interval: Option<f64>,
    pub max_curve_deviation_delivered: Option<f64>,
    pub max_deviation_beyond_interval_delivered: Option<f64>,
    pub p_consistent_t0_predicted_sticky: Option<f64>,
    pub max_curve_deviation_sticky: Option<f64>,
    pub write: LatencyComparison,
    pub read: LatencyComparison,
    /// Garage's own median cost per operation: the same workload with the
    /// delays off.
    #[serde(deserialize_with = "nan_if_null")]
    pub overhead_write_ms: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub overhead_read_ms: f64,
    /// One-way delays the proxies delivered (ms): mean, median, 99th
    /// percentile; and the injected law's mean.
    #[serde(deserialize_with = "nan_if_null")]
    pub delivered_mean_ms: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub delivered_p50_ms: f64,
    #[serde(deserialize_with = "nan_if_null")]
    pub delivered_p99_ms: f64,
    pub injected_mean_ms: f64,
    /// The proxy timer's lateness (µs): mean and 99th percentile.
    pub lateness_mean_us: f64,
    pub lateness_p99_us: u32,
    /// Messages delayed, and the share that waited behind an earlier
    /// message on their connection (TCP's FIFO order, which WARS's
    /// independent messages do not have).
    pub messages: u64,
    pub fifo_held_back_share: f64,
    pub register: RegisterCheck,
    pub fault: Option<Fault>,
    pub stale_after_return: Option<StaleAfterReturn>,
    pub trustworthy: bool,
    pub trust_reasons: Vec<String>,
    pub elapsed_s: f64,
    /// Where the nodes' directories and logs were kept (`--keep`).
    pub keep_dir: Option<String>,
    pub curve: Vec<CurvePoint>,
}

/// JSON has no NaN (serde_json writes `null`): read `null` back as NaN
/// (a measurement that had nothing to measure).
fn nan_if_null<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}
