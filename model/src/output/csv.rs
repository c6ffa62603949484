//! `summary.csv` rows: a header with [`SummaryRow::COLUMNS`], then one line
//! per row. Missing values are empty cells; floats use Rust's shortest
//! round-trip formatting, so the same numbers always give the same bytes.

use super::Export;
use crate::eval::SummaryRow;
use std::io::{self, Write};

/// CSV with a header row.
pub struct Csv;

impl Export for Csv {
    fn export(&self, rows: &[SummaryRow], out: &mut dyn Write) -> io::Result<()> {
        let mut w = ::csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(out);
        w.write_record(SummaryRow::COLUMNS)?;
        for row in rows {
            w.serialize(row)?;
        }
        w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{evaluate, Config, EvalOptions};
    use crate::output::render;
    use crate::scenario::Scenario;

    #[test]
    fn header_and_row_align() {
        let s = Scenario::default_exponential();
        let e = evaluate(&s, Config::new(3, 1, 1).unwrap(), EvalOptions::default()).unwrap();
        let row = SummaryRow::from_exact(&s, &e, EvalOptions::default());
        let text = render(&Csv, &[row]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].split(',').count(), lines[1].split(',').count());
        assert!(lines[0].starts_with("scenario,n,r,w,strict,p_fail,"));
        assert!(lines[1].starts_with("custom,3,1,1,false,0"), "{}", lines[1]);
        assert!(!text.contains("NaN") && !text.contains("inf"));
        // The declared column order is the struct's field order.
        let mut w = ::csv::Writer::from_writer(Vec::new());
        w.serialize(SummaryRow::from_exact(&s, &e, EvalOptions::default()))
            .unwrap();
        let serde_header = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(serde_header.lines().next().unwrap(), lines[0]);
    }
}
