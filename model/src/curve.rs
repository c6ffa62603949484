//! The t-visibility curve of a configuration as rows: `P(consistent at t)`
//! with its 95% interval at points from t = 0 to past the 99.9% point, the
//! long form of `tvisibility.csv`. `eval --curve` and `sweep` both draw their curves from here.

use crate::failure::FailureModel;
use crate::mc::{CurvePoint, McResult, Quantile};
use serde::{Deserialize, Serialize};

/// One row of `tvisibility.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurveRow {
    /// Scenario name.
    pub scenario: String,
    /// Replicas.
    pub n: usize,
    /// Read quorum.
    pub r: usize,
    /// Write quorum.
    pub w: usize,
    /// Time after the write's commit at which the read is issued, ms.
    pub t_ms: f64,
    /// P(the read sees the write), given both succeed. Monte Carlo.
    pub p_consistent: f64,
    /// 95% Wilson interval, low end.
    pub ci_low: f64,
    /// 95% Wilson interval, high end.
    pub ci_high: f64,
    /// Empty unless failures are independent with one probability.
    pub p_fail: Option<f64>,
    /// The failure model's spec (see [`FailureModel::spec`]).
    #[serde(default)]
    pub failure: String,
}

impl CurveRow {
    /// The row of one point of configuration `(n, r, w)`'s curve.
    pub fn new(
        scenario: &str,
        failure: &FailureModel,
        n: usize,
        r: usize,
        w: usize,
        point: &CurvePoint,
    ) -> Self {
        CurveRow {
            scenario: scenario.to_string(),
            n,
            r,
            w,
            t_ms: point.t_ms,
            p_consistent: point.p.estimate,
            ci_low: point.p.ci_low,
            ci_high: point.p.ci_high,
            p_fail: failure.iid_p_fail(),
            failure: failure.spec(),
        }
    }
}

/// `tvisibility.csv`'s columns, in order (the data contract's eight first).
pub const COLUMNS: [&str; 10] = [
    "scenario",
    "n",
    "r",
    "w",
    "t_ms",
    "p_consistent",
    "ci_low",
    "ci_high",
    "p_fail",
    "failure",
];

/// Points per t-visibility curve in `tvisibility.csv`, up to
/// [`THIN_ABOVE_N`] replicas ...
pub const CURVE_POINTS: usize = 50;
/// ... and beyond (a sweep to n = 30 holds about 4,500 curves per scenario
/// and level: at 50 points each, hundreds of MB).
pub const CURVE_POINTS_LARGE_N: usize = 20;
/// The largest n whose curves get [`CURVE_POINTS`] points.
pub const THIN_ABOVE_N: usize = 9;

/// Points per curve at `n` replicas.
pub fn curve_points_at(n: usize) -> usize {
    if n <= THIN_ABOVE_N {
        CURVE_POINTS
    } else {
        CURVE_POINTS_LARGE_N
    }
}

/// The curve of a strict quorum (r + w > n): 1 at every t, exactly.
pub fn strict(
    scenario: &str,
    failure: &FailureModel,
    n: usize,
    r: usize,
    w: usize,
    points: usize,
) -> Vec<CurveRow> {
    let last = points.max(2) - 1;
    (0..=last)
        .map(|i| CurveRow {
            scenario: scenario.to_string(),
            n,
            r,
            w,
            t_ms: i as f64 / last as f64,
            p_consistent: 1.0,
            ci_low: 1.0,
            ci_high: 1.0,
            p_fail: failure.iid_p_fail(),
            failure: failure.spec(),
        })
        .collect()
}

/// [`curve_points_at`] points from t = 0 to 20% past the 99.9% point
/// (past the 99.99% point when 99.9% hold at once; past the largest finite
/// t* when the curve never gets to 99.9%).
pub fn curve(
    scenario: &str,
    failure: &FailureModel,
    n: usize,
    r: usize,
    w: usize,
    res: &McResult,
) -> Vec<CurveRow> {
    curve_points(scenario, failure, n, r, w, res, curve_points_at(n))
}

/// [`curve`] with a chosen number of points.
pub fn curve_points(
    scenario: &str,
    failure: &FailureModel,
    n: usize,
    r: usize,
    w: usize,
    res: &McResult,
    points: usize,
) -> Vec<CurveRow> {
    let t_max = match res.t_visibility(r, w, 0.999) {
        Quantile::Finite {
            estimate, ci_high, ..
        } if estimate > 0.0 => 1.2 * ci_high.min(2.0 * estimate),
        _ => 1.2 * res.max_finite_t_star(r, w),
    };
    let t_max = if t_max > 0.0 { t_max } else { 1.0 };
    res.curve(r, w, t_max, points)
        .iter()
        .map(|p| CurveRow::new(scenario, failure, n, r, w, p))
        .collect()
}

/// The t-visibility curve of a simulation of consistency levels in a
/// cluster, at `points` times (the columns' `r` and `w` are the levels'
/// fewest answers).
pub fn cluster_curve_points(
    row: &crate::eval::SummaryRow,
    failure: &FailureModel,
    res: &crate::mc::cluster::ClusterResult,
    points: usize,
) -> Vec<CurveRow> {
    let t_max = match res.t_visibility(0.999) {
        Quantile::Finite {
            estimate, ci_high, ..
        } if estimate > 0.0 => 1.2 * ci_high.min(2.0 * estimate),
        _ => match res.t_visibility(0.99) {
            Quantile::Finite { estimate, .. } if estimate > 0.0 => 2.0 * estimate,
            _ => 1.0,
        },
    };
    let last = points.max(2) - 1;
    (0..=last)
        .map(|i| {
            let t = t_max * i as f64 / last as f64;
            CurveRow::new(
                &row.scenario,
                failure,
                row.n,
                row.r,
                row.w,
                &CurvePoint {
                    t_ms: t,
                    p: res.p_consistent_at(t),
                },
            )
        })
        .collect()
}
