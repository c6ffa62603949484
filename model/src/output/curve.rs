//! `tvisibility.csv`: the t-visibility curve in long form,
//! `scenario,n,r,w,t_ms,p_consistent,ci_low,ci_high,p_fail,failure`, one row
//! per point (`p_fail` and `failure`, the level's spec, added after the
//! contract's columns: a sweep holds one curve per failure level).

use crate::failure::FailureModel;
use crate::mc::CurvePoint;
use serde::{Deserialize, Serialize};

/// One row of `tvisibility.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurveRow {
    pub scenario: String,
    pub n: usize,
    pub r: usize,
    pub w: usize,
    pub t_ms: f64,
    pub p_consistent: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Empty unless failures are independent with one probability.
    pub p_fail: Option<f64>,
    /// The failure model's spec (see [`crate::failure::spec`]).
    #[serde(default)]
    pub failure: String,
}

impl CurveRow {
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

/// The CSV text, with its header.
pub fn tvisibility_csv(rows: &[CurveRow]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.serialize(row).expect("serializing to memory");
    }
    if rows.is_empty() {
        w.write_record(COLUMNS).expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("flushing memory")).expect("UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mc::estimate::wilson;

    #[test]
    fn header_and_rows() {
        let p = CurvePoint {
            t_ms: 1.5,
            p: wilson(9, 10),
        };
        let text = tvisibility_csv(&[CurveRow::new(
            "x",
            &FailureModel::Iid { p_fail: 0.01 },
            3,
            1,
            1,
            &p,
        )]);
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("scenario,n,r,w,t_ms,p_consistent,ci_low,ci_high,p_fail,failure")
        );
        let row = lines.next().unwrap();
        assert!(
            row.starts_with("x,3,1,1,1.5,0.9,") && row.ends_with(",0.01,iid(p_fail=0.01)"),
            "{row}"
        );
        assert!(tvisibility_csv(&[]).starts_with("scenario,n,r,w,t_ms"));
        assert!(tvisibility_csv(&[]).trim_end().ends_with("p_fail,failure"));
    }
}
