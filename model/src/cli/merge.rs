//! `quorum-model merge`: combine sharded sweeps.

use super::Usage;
use crate::output::atomic::write_atomic;
use crate::output::sweep_files::{merge, MERGED};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Where the merged files go.
    #[arg(long, value_name = "DIR")]
    out_dir: PathBuf,
    /// The shards' output directories (all M of them).
    #[arg(value_name = "SHARD_DIR", required = true)]
    shards: Vec<PathBuf>,
}

pub fn run(args: MergeArgs) -> Result<(), Usage> {
    let merged = merge(&args.shards).map_err(|e| Usage(e.to_string()))?;
    std::fs::create_dir_all(&args.out_dir).map_err(|e| {
        Usage(format!(
            "--out-dir: cannot create '{}': {e}",
            args.out_dir.display()
        ))
    })?;
    for (name, text) in MERGED.iter().zip(merged) {
        write_atomic(&args.out_dir.join(name), text.as_bytes())
            .map_err(|e| Usage(format!("--out-dir: {e}")))?;
    }
    Ok(())
}
