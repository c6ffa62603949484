//! `tvisibility.csv`: the t-visibility curve in long form,
//! `scenario,n,r,w,t_ms,p_consistent,ci_low,ci_high,p_fail,failure`, one row
//! per point (`p_fail` and `failure`, the level's spec, added after the
//! contract's columns: a sweep holds one curve per failure level). The rows
//! come from [`crate::curve`].

pub use crate::curve::{CurveRow, COLUMNS};

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
    use crate::failure::FailureModel;
    use crate::mc::estimate::wilson;
    use crate::mc::CurvePoint;

    #[test]
    fn header_and_rows() {
        let p = CurvePoint {
            t_ms: 1.5,
            p: wilson(9, 10),
        };
        let text = tvisibility_csv(&[CurveRow::new("x", &FailureModel::iid(0.01), 3, 1, 1, &p)]);
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
