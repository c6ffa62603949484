//! What the tool writes: summary rows in three formats, one file each
//! behind one small trait (after hyperfine's exporters: `csv`, `json`, and
//! `table` for people), the sweep's files, the plan's worksheet, the report
//! and its charts. Every file is written whole or not at all
//! ([`write_atomic`]).
//!
//! Built with the `charts` feature (which `cli` turns on): the library's
//! computations need none of it. Most of it serves the command line, so a
//! build with `charts` but without `cli` leaves parts unused.
#![cfg_attr(not(feature = "cli"), allow(dead_code, unused_imports))]

pub(crate) mod atomic;
pub mod charts;
mod csv;
pub(crate) mod csv_check;
pub(crate) mod curve;
mod json;
pub(crate) mod plan_record;
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
