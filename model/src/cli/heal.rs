//! The healing mechanisms' options, as `eval`, `sweep` and `plan` take them:
//! `--hint-window`, `--hint-replay-delay`, `--sloppy-quorum`,
//! `--anti-entropy-interval`, `--read-repair`.

use super::{flag, Usage};
use crate::duration::parse_ms;
use crate::failure::FailureModel;
use crate::heal::{Healing, ReadRepair, DEFAULT_HINT_REPLAY};
use clap::Args;

/// Hinted handoff, anti-entropy and read repair.
#[derive(Args, Debug, Clone, Default)]
pub struct HealOptions {
    /// Hinted handoff: the coordinator keeps a hint for each replica that
    /// missed a write this long (a duration with a unit: 3h, 30min); a
    /// replica back within it gets the write after --hint-replay-delay.
    /// Needs a failure model with durations (--mttf-hours/--mttr-hours).
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub hint_window: Option<String>,
    /// Delay from a hinted replica's return to its replayed write, a delay
    /// spec in ms (default const(10000): gossip marks it up within seconds).
    #[arg(long, value_name = "SPEC", requires = "hint_window")]
    pub hint_replay_delay: Option<String>,
    /// Hinted writes count toward the write level (write availability up;
    /// reads do not see them until the replay).
    #[arg(long, requires = "hint_window")]
    pub sloppy_quorum: bool,
    /// Anti-entropy: every replica syncs with its peers this often (10min,
    /// 1h), at its own random phase. Needs a failure model with durations.
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub anti_entropy_interval: Option<String>,
    /// Read repair: none, blocking (a read whose replies disagree writes
    /// the newest value to the stale replicas it contacted, and waits), or
    /// async:P (with probability P per read, in the background).
    #[arg(
        long,
        value_name = "none|blocking|async:P",
        default_value = "none",
        allow_hyphen_values = true
    )]
    pub read_repair: String,
}

impl HealOptions {
    /// The mechanisms, checked against the failure model, or one line
    /// naming the flag.
    pub fn healing(&self, failure: &FailureModel) -> Result<Healing, Usage> {
        let duration = |name: &str, v: &Option<String>| -> Result<Option<f64>, Usage> {
            v.as_deref()
                .map(|t| parse_ms(t).map_err(|e| Usage(format!("{}: {e}", flag(name)))))
                .transpose()
        };
        let hint_window_ms = duration("hint_window", &self.hint_window)?;
        let anti_entropy_interval_ms =
            duration("anti_entropy_interval", &self.anti_entropy_interval)?;
        let replay = self
            .hint_replay_delay
            .as_deref()
            .unwrap_or(DEFAULT_HINT_REPLAY);
        let hint_replay = replay
            .parse()
            .map_err(|e| Usage(format!("--hint-replay-delay: {e}")))?;
        let read_repair: ReadRepair = self
            .read_repair
            .parse()
            .map_err(|e| Usage(format!("--read-repair: {e}")))?;
        let h = Healing {
            hint_window_ms,
            hint_replay,
            sloppy_quorum: self.sloppy_quorum,
            anti_entropy_interval_ms,
            read_repair,
        };
        h.check(failure).map_err(|e| Usage(e.named(&flag)))?;
        Ok(h)
    }
}
