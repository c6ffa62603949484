//! `quorum-model plot`: redraw the charts and REPORT.md from existing CSVs.

use super::Usage;
use crate::output::charts::SweepData;
use crate::output::report::write_report;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct PlotArgs {
    /// Directory holding summary.csv and tvisibility.csv.
    #[arg(long, value_name = "DIR", default_value = "notebooks-data")]
    data: PathBuf,
    /// Where REPORT.md and the charts (under charts/) go.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    reports_dir: PathBuf,
}

pub fn run(args: PlotArgs) -> Result<(), Usage> {
    let data = SweepData::load(&args.data).map_err(|e| Usage(format!("--data: {e}")))?;
    if data.summary.is_empty() {
        return Err(Usage(format!(
            "--data: {} holds no rows",
            args.data.display()
        )));
    }
    write_report(&data, &args.reports_dir).map_err(|e| Usage(format!("--reports-dir: {e}")))?;
    Ok(())
}
