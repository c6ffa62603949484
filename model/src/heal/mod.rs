//! The mechanisms that heal replicas which missed a write, as real stores
//! run them: hinted handoff, anti-entropy and read repair (speculative
//! retry, which heals latency rather than staleness, is [`crate::retry`]).
//!
//! - **Hinted handoff** (Dynamo §4.6; Cassandra's `max_hint_window`, 3 h by
//!   default): the coordinator keeps a hint for each replica that was down
//!   when the write arrived; a replica back within the window receives the
//!   write after a replay delay (a delay spec), beyond it the hint is
//!   dropped. With a *sloppy quorum* a hinted write counts toward the write
//!   level after its own round trip to the node that keeps the hint (write
//!   availability up), while reads, which ask only the real replicas, do
//!   not see it until the replay (consistency down).
//! - **Anti-entropy** (Riak's active anti-entropy, Garage's Merkle sync):
//!   every replica synchronises with its peers every interval, at its own
//!   uniformly random phase; a replica that missed a write has it at the
//!   first round after it is back up.
//! - **Read repair** ([`ReadRepair`]): a read whose replies disagree writes
//!   the newest value to the stale replicas it contacted.
//!
//! Hints and anti-entropy heal replicas that come back, so they need a
//! failure model with durations ([`crate::failure::Repair`]): with only a
//! probability of being down there is no "back within 3 h". The time a read
//! sees then comes from [`crate::mc::timeline`].
//!
//! ```
//! use quorum_model::heal::{Healing, ReadRepair};
//! let h = Healing {
//!     hint_window_ms: Some(3.0 * 3_600_000.0),
//!     ..Healing::default()
//! };
//! assert!(h.needs_durations());
//! assert_eq!("async:0.1".parse::<ReadRepair>().unwrap(), ReadRepair::Async(0.1));
//! assert!("async:1.5".parse::<ReadRepair>().is_err());
//! ```

mod read_repair;

pub use read_repair::{ReadRepair, ReadRepairError};

use crate::dist::Dist;
use crate::failure::FailureModel;
use std::fmt;

/// The replay delay of a hint when none is given: Cassandra replays hints
/// once its failure detector marks the replica up again, within seconds.
pub const DEFAULT_HINT_REPLAY: &str = "const(10000)";

/// Which healing mechanisms run, and how they are tuned.
#[derive(Debug, Clone, PartialEq)]
pub struct Healing {
    /// Hinted handoff: how long a hint is kept, ms (`None`: no hints).
    pub hint_window_ms: Option<f64>,
    /// Delay from a hinted replica's return to the replayed write, ms.
    pub hint_replay: Dist,
    /// Hinted writes count toward the write level.
    pub sloppy_quorum: bool,
    /// Anti-entropy: every replica syncs this often, ms (`None`: never).
    pub anti_entropy_interval_ms: Option<f64>,
    /// Read repair.
    pub read_repair: ReadRepair,
}

impl Default for Healing {
    fn default() -> Self {
        Healing {
            hint_window_ms: None,
            hint_replay: DEFAULT_HINT_REPLAY.parse().expect("a valid spec"),
            sloppy_quorum: false,
            anti_entropy_interval_ms: None,
            read_repair: ReadRepair::None,
        }
    }
}

/// Why a set of mechanisms is refused: the field, neutrally named
/// (`hint_window`, `anti_entropy_interval`, `sloppy_quorum`).
#[derive(Debug, Clone, PartialEq)]
pub enum HealError {
    /// Hints or anti-entropy with a failure model that has no durations.
    NeedsDurations {
        /// The mechanism's field.
        field: &'static str,
        /// The failure model, in its one-line spec.
        model: String,
    },
    /// A sloppy quorum without hints to count.
    SloppyWithoutHints,
    /// An anti-entropy interval of zero.
    ZeroInterval,
}

impl HealError {
    /// The field at fault (its neutral name).
    pub fn field(&self) -> &'static str {
        match self {
            HealError::NeedsDurations { field, .. } => field,
            HealError::SloppyWithoutHints => "sloppy_quorum",
            HealError::ZeroInterval => "anti_entropy_interval",
        }
    }

    /// The message with the field named by a front end.
    pub fn named(&self, name: &dyn Fn(&str) -> String) -> String {
        match self {
            HealError::NeedsDurations { field, model } => format!(
                "{}: needs a failure model with durations (--mttf-hours and --mttr-hours, or repair(mttf=H,mttr=H)): a replica that is only down with a probability has no time to come back in; got {model}",
                name(field)
            ),
            HealError::SloppyWithoutHints => format!(
                "{}: counts hinted writes, so it needs hints ({} with a duration)",
                name("sloppy_quorum"),
                name("hint_window")
            ),
            HealError::ZeroInterval => format!(
                "{}: must be a duration > 0 (or absent: no anti-entropy)",
                name("anti_entropy_interval")
            ),
        }
    }
}

impl fmt::Display for HealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.named(&|s| s.to_string()))
    }
}

impl std::error::Error for HealError {}

impl Healing {
    /// Whether a mechanism runs that heals replicas as they come back
    /// (hints or anti-entropy), which only a model with durations can say.
    pub fn needs_durations(&self) -> bool {
        self.hint_window_ms.is_some() || self.anti_entropy_interval_ms.is_some()
    }

    /// Whether anything is on.
    pub fn any(&self) -> bool {
        self.needs_durations() || self.read_repair != ReadRepair::None
    }

    /// Checks the mechanisms against the failure model: hints and
    /// anti-entropy need durations, unless nothing ever fails.
    pub fn check(&self, failure: &FailureModel) -> Result<(), HealError> {
        if self.sloppy_quorum && self.hint_window_ms.is_none() {
            return Err(HealError::SloppyWithoutHints);
        }
        if self.anti_entropy_interval_ms == Some(0.0) {
            return Err(HealError::ZeroInterval);
        }
        // A repair model always fails sometimes (MTTR > 0); any other model
        // that can fail has no durations.
        let fails = failure.down_probabilities(1).iter().any(|p| *p > 0.0);
        let durations = matches!(failure, FailureModel::Repair(_));
        if self.needs_durations() && fails && !durations {
            let field = if self.hint_window_ms.is_some() {
                "hint_window"
            } else {
                "anti_entropy_interval"
            };
            return Err(HealError::NeedsDurations {
                field,
                model: failure.spec(),
            });
        }
        Ok(())
    }

    /// The mechanisms in a few words: `none`, `hints 3h`, `anti-entropy
    /// 10min`, or both joined by ` + ` (see [`label_of`]).
    pub fn label(&self) -> String {
        use crate::duration::show_ms;
        label_of(
            &self.hint_window_ms.map(show_ms).unwrap_or_default(),
            &self
                .anti_entropy_interval_ms
                .map(show_ms)
                .unwrap_or_default(),
        )
    }
}

/// [`Healing::label`] from the summary columns `hint_window` and
/// `anti_entropy_interval` (empty: off), for readers of the files.
pub fn label_of(hint_window: &str, anti_entropy_interval: &str) -> String {
    let mut on = Vec::new();
    if !hint_window.is_empty() {
        on.push(format!("hints {hint_window}"));
    }
    if !anti_entropy_interval.is_empty() {
        on.push(format!("anti-entropy {anti_entropy_interval}"));
    }
    if on.is_empty() {
        "none".into()
    } else {
        on.join(" + ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_needed_where_replicas_come_back() {
        let hints = Healing {
            hint_window_ms: Some(1e7),
            ..Healing::default()
        };
        let iid = FailureModel::iid(0.01);
        let e = hints.check(&iid).unwrap_err();
        assert_eq!(e.field(), "hint_window");
        assert!(e.to_string().contains("durations"), "{e}");
        let repair: FailureModel = "repair(mttf=99,mttr=1)".parse().unwrap();
        assert!(hints.check(&repair).is_ok());
        // Nothing fails: nothing to heal, nothing to refuse.
        assert!(hints.check(&FailureModel::NONE).is_ok());
        let ae = Healing {
            anti_entropy_interval_ms: Some(6e5),
            ..Healing::default()
        };
        assert_eq!(ae.check(&iid).unwrap_err().field(), "anti_entropy_interval");
        let sloppy = Healing {
            sloppy_quorum: true,
            ..Healing::default()
        };
        assert_eq!(sloppy.check(&repair).unwrap_err().field(), "sloppy_quorum");
        // Read repair alone needs no durations.
        let rr = Healing {
            read_repair: ReadRepair::Blocking,
            ..Healing::default()
        };
        assert!(rr.check(&iid).is_ok());
        assert_eq!(Healing::default().label(), "none");
        let both = Healing {
            hint_window_ms: Some(3.0 * 3_600_000.0),
            anti_entropy_interval_ms: Some(600_000.0),
            ..Healing::default()
        };
        assert_eq!(both.label(), "hints 3h + anti-entropy 10min");
    }
}
