//! The delay options both binaries take (`--preset`, `--scenario`,
//! `--delay`, `--w-delay` ...) and the scenario they describe.

use crate::dist::presets::Wars;
use crate::dist::spec::parse;
use crate::scenario::{Scenario, ScenarioError};

/// Where the delays come from: a preset or a scenario file, then one law
/// for every leg, then each leg's own (flattened into both binaries'
/// options).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DelayOptions {
    /// Published delay preset (see `quorum-model presets`).
    #[arg(long, value_name = "NAME", conflicts_with = "scenario")]
    pub preset: Option<String>,
    /// Scenario file (TOML): delays, topology and failure model.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<std::path::PathBuf>,
    /// Delay spec for all four legs (W, A, R, S).
    #[arg(long, value_name = "SPEC")]
    pub delay: Option<String>,
    /// Write delivery delay, coordinator -> replica.
    #[arg(long, value_name = "SPEC")]
    pub w_delay: Option<String>,
    /// Write ack delay, replica -> coordinator.
    #[arg(long, value_name = "SPEC")]
    pub a_delay: Option<String>,
    /// Read request delay, coordinator -> replica.
    #[arg(long, value_name = "SPEC")]
    pub r_delay: Option<String>,
    /// Read response delay, replica -> coordinator.
    #[arg(long, value_name = "SPEC")]
    pub s_delay: Option<String>,
}

impl DelayOptions {
    /// Whether no option was given.
    pub fn is_empty(&self) -> bool {
        self.preset.is_none()
            && self.scenario.is_none()
            && [
                &self.delay,
                &self.w_delay,
                &self.a_delay,
                &self.r_delay,
                &self.s_delay,
            ]
            .iter()
            .all(|v| v.is_none())
    }

    /// Builds the scenario the options describe (`exp(mean=1)` on every leg
    /// when they name none). A preset or file with overridden legs is named
    /// `NAME+overrides`. Errors name the option at fault.
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        let o = self;
        let mut s = match (&o.preset, &o.scenario) {
            (Some(name), _) => Scenario::from_preset(name).map_err(|e| match e {
                ScenarioError::UnknownPreset { name, .. } => ScenarioError::UnknownPreset {
                    field: super::flag("preset"),
                    name,
                },
                other => other,
            })?,
            (None, Some(path)) => Scenario::from_file(path).map_err(|e| ScenarioError::File {
                file: "--scenario".into(),
                message: e.to_string(),
            })?,
            (None, None) => Scenario::default_exponential(),
        };
        let spec = |field: &str, text: &str| {
            parse(text, None).map_err(|source| ScenarioError::Spec {
                field: field.into(),
                source,
            })
        };
        if let Some(d) = &o.delay {
            let d = spec("--delay", d)?;
            s.wars = Wars {
                topology: s.wars.topology,
                ..Wars::uniform(d)
            };
        }
        for (field, value, slot) in [
            ("--w-delay", &o.w_delay, &mut s.wars.w),
            ("--a-delay", &o.a_delay, &mut s.wars.a),
            ("--r-delay", &o.r_delay, &mut s.wars.r),
            ("--s-delay", &o.s_delay, &mut s.wars.s),
        ] {
            if let Some(text) = value {
                *slot = spec(field, text)?;
            }
        }
        let overridden = [&o.delay, &o.w_delay, &o.a_delay, &o.r_delay, &o.s_delay]
            .iter()
            .any(|v| v.is_some());
        if overridden && (o.preset.is_some() || o.scenario.is_some()) {
            s.name = format!("{}+overrides", s.name);
        }
        Ok(s)
    }
}
