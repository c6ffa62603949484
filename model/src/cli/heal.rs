//! The healing mechanisms' options, as `eval`, `sweep` and `plan` take them:
//! `--hint-window`, `--hint-replay-delay`, `--sloppy-quorum`,
//! `--anti-entropy-interval`, `--read-repair`.

use super::{flag, Usage};
use crate::duration::parse_ms;
use crate::failure::FailureModel;
use crate::heal::{Healing, ReadRepair};
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
    #[arg(long, value_name = "SPEC")]
    pub hint_replay_delay: Option<String>,
    /// Hinted writes count toward the write level (write availability up;
    /// reads do not see them until the replay).
    #[arg(long)]
    pub sloppy_quorum: bool,
    /// Anti-entropy: every replica syncs with its peers this often (10min,
    /// 1h), at its own random phase. Needs a failure model with durations.
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub anti_entropy_interval: Option<String>,
    /// Read repair: none, blocking (a read whose replies disagree writes
    /// the newest value to the stale replicas it contacted, and waits), or
    /// async:P (with probability P per read, in the background).
    /// [default: none, or the scenario's healing.read_repair]
    #[arg(long, value_name = "none|blocking|async:P", allow_hyphen_values = true)]
    pub read_repair: Option<String>,
}

impl HealOptions {
    /// The mechanisms: the scenario's (`base`), then each flag given,
    /// checked against the failure model; or one line naming the flag.
    pub fn healing(&self, base: &Healing, failure: &FailureModel) -> Result<Healing, Usage> {
        let duration = |name: &str, v: &Option<String>| -> Result<Option<f64>, Usage> {
            v.as_deref()
                .map(|t| parse_ms(t).map_err(|e| Usage(format!("{}: {e}", flag(name)))))
                .transpose()
        };
        let mut h = base.clone();
        if let Some(w) = duration("hint_window", &self.hint_window)? {
            h.hint_window_ms = Some(w);
        }
        if let Some(i) = duration("anti_entropy_interval", &self.anti_entropy_interval)? {
            h.anti_entropy_interval_ms = Some(i);
        }
        if let Some(spec) = &self.hint_replay_delay {
            h.hint_replay = spec
                .parse()
                .map_err(|e| Usage(format!("--hint-replay-delay: {e}")))?;
        }
        h.sloppy_quorum |= self.sloppy_quorum;
        if let Some(rr) = &self.read_repair {
            h.read_repair = rr
                .parse::<ReadRepair>()
                .map_err(|e| Usage(format!("--read-repair: {e}")))?;
        }
        h.check(failure).map_err(|e| Usage(e.named(&flag)))?;
        Ok(h)
    }
}
