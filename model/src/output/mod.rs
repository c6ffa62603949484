//! Export formats for summary rows, one file each behind one small trait
//! (after hyperfine's exporters): `csv`, `json`, and `table` for people.

pub(crate) mod atomic;
#[cfg(feature = "charts")]
pub mod charts;
mod csv;
pub(crate) mod csv_check;
pub(crate) mod curve;
mod json;
#[cfg(feature = "charts")]
pub(crate) mod report;
pub(crate) mod sweep_files;
mod table;
pub(crate) mod worksheet;

pub use self::atomic::write_atomic;
pub(crate) use self::csv::Csv;
pub(crate) use self::json::Json;
pub(crate) use self::table::Table;

use crate::eval::SummaryRow;
use std::io::{self, Write};

/// Writes rows in one format.
pub(crate) trait Export {
    fn export(&self, rows: &[SummaryRow], out: &mut dyn Write) -> io::Result<()>;
}

/// Renders with an exporter into a `String`.
pub(crate) fn render(exporter: &dyn Export, rows: &[SummaryRow]) -> String {
    let mut buf = Vec::new();
    exporter
        .export(rows, &mut buf)
        .expect("writing to memory cannot fail");
    String::from_utf8(buf).expect("exporters write UTF-8")
}
