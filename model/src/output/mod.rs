//! Export formats for summary rows, one file each behind one small trait
//! (after hyperfine's exporters): `csv`, `json`, and `table` for people.

pub mod atomic;
#[cfg(feature = "charts")]
pub mod charts;
mod csv;
pub mod csv_check;
pub mod curve;
mod json;
#[cfg(feature = "charts")]
pub mod report;
pub mod sweep_files;
mod table;
pub mod worksheet;

pub use self::csv::Csv;
pub use self::json::Json;
pub use self::table::Table;

use crate::eval::SummaryRow;
use std::io::{self, Write};

/// Writes rows in one format.
pub trait Export {
    fn export(&self, rows: &[SummaryRow], out: &mut dyn Write) -> io::Result<()>;
}

/// Renders with an exporter into a `String`.
pub fn render(exporter: &dyn Export, rows: &[SummaryRow]) -> String {
    let mut buf = Vec::new();
    exporter
        .export(rows, &mut buf)
        .expect("writing to memory cannot fail");
    String::from_utf8(buf).expect("exporters write UTF-8")
}
