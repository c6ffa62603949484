//! `quorum-model plot`: redraw the charts from existing CSVs.

use super::Usage;
use clap::Args;
use quorum_model::output::charts::{draw_all, SweepData};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct PlotArgs {
    /// Directory holding summary.csv and tvisibility.csv.
    #[arg(long, value_name = "DIR", default_value = "notebooks-data")]
    data: PathBuf,
    /// Where the charts go (under charts/).
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
    draw_all(&data, &args.reports_dir.join("charts"))
        .map_err(|e| Usage(format!("--reports-dir: {e}")))?;
    Ok(())
}
