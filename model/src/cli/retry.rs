//! `--speculative-retry`, as `eval`, `plan` and `quorum-bench validate`
//! take it.

use super::Usage;
use crate::retry::SpeculativeRetry;
use clap::Args;

/// The speculative-retry option.
#[derive(Args, Debug, Clone)]
pub struct RetryOptions {
    /// Speculative retry for reads that ask only r replicas (--read-fanout
    /// quorum, or eval's --read-selection random|closest): none, a delay
    /// with a unit (5ms), or a percentile of the read latency without retry
    /// (99p). After it the read also asks one more live replica and
    /// completes with the first r answers.
    /// [default: none, or the scenario's healing.speculative_retry]
    #[arg(long, value_name = "none|DURATION|Np", allow_hyphen_values = true)]
    pub speculative_retry: Option<String>,
}

impl RetryOptions {
    /// The retry (none when the flag is absent), or one line naming the
    /// flag.
    pub fn retry(&self) -> Result<SpeculativeRetry, Usage> {
        self.retry_or(SpeculativeRetry::None)
    }

    /// The retry, `default` (a scenario's) when the flag is absent.
    pub fn retry_or(&self, default: SpeculativeRetry) -> Result<SpeculativeRetry, Usage> {
        match &self.speculative_retry {
            None => Ok(default),
            Some(text) => text
                .parse()
                .map_err(|e| Usage(format!("--speculative-retry: {e}"))),
        }
    }
}
