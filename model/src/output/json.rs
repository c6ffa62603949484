//! JSON: one object per row whose keys are the `summary.csv` columns; a
//! single row prints as an object, several as an array. Missing values are
//! `null`, never NaN.

use super::Export;
use crate::eval::SummaryRow;
use std::io::{self, Write};

/// Pretty-printed JSON.
pub struct Json;

impl Export for Json {
    fn export(&self, rows: &[SummaryRow], out: &mut dyn Write) -> io::Result<()> {
        if rows.len() == 1 {
            serde_json::to_writer_pretty(&mut *out, &rows[0])?;
        } else {
            serde_json::to_writer_pretty(&mut *out, rows)?;
        }
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{evaluate, Config, EvalOptions};
    use crate::output::render;
    use crate::scenario::Scenario;

    #[test]
    fn one_row_is_an_object_with_nulls() {
        let s = Scenario::default_exponential();
        let e = evaluate(&s, Config::new(3, 2, 2).unwrap(), EvalOptions::default()).unwrap();
        let row = SummaryRow::from_exact(&s, &e, EvalOptions::default());
        let v: serde_json::Value = serde_json::from_str(&render(&Json, &[row])).unwrap();
        assert!(v.is_object());
        assert!(v["p_consistent_t0"].is_null());
        assert_eq!(v["strict"], serde_json::json!(true));
    }
}
