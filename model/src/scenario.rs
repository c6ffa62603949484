//! Scenarios: the WARS leg distributions, the topology and the failure model,
//! from a preset, a TOML file, or both, with command-line overrides on top.
//!
//! ```toml
//! name = "ssd-with-slow-acks"          # defaults to the file name
//! description = "what this models"
//! preset = "lnkd-ssd"                  # optional starting point
//!
//! [delays]                             # spec strings (see dist::spec)
//! all = "exp(mean=1)"                  # optional: all four legs
//! a = "exp(mean=3)"                    # w, a, r, s override `all`
//!
//! [topology]                           # optional
//! kind = "wan"                         # "uniform" (default) or "wan"
//! remote_one_way_ms = 75
//! # or datacenters (see topology::Cluster; eval's --dc flags override):
//! # dcs = ["east:3", "west:3"], dc_delays = ["east-west=const(40)"],
//! # write_dc = "east", read_dc = "west" (or "random"),
//! # coordinator_replica = true, legs = ["west[2].a=exp(mean=20)"]
//!
//! [healing]                            # optional; the flags override it
//! hint_window = "3h"                   # durations carry units
//! hint_replay_delay = "const(10000)"   # a delay spec, ms
//! sloppy_quorum = false
//! anti_entropy_interval = "10min"
//! read_repair = "blocking"             # none, blocking, async:P
//! speculative_retry = "99p"            # none, a duration (5ms), Np
//!
//! [failure]                            # optional; default: no failures
//! p_fail = 0.01                        # or p_fail_per_node = [0.01, 0.02, 0.05]
//! # or repair:  mttf_hours = 1000, mttr_hours = 10, repair_crews = 1 (optional)
//! # or domains: domains = 3, p_domain = 0.001, p_fail = 0.01,
//! #             placement = "spread" (default) or "packed"
//! ```

use crate::dist::presets::{preset, Topology, Wars, PRESET_NAMES};
use crate::dist::spec::{parse, SpecError};
use crate::dist::{Dist, Exponential};
use crate::failure::{FailureFields, FailureModel};
use crate::heal::Healing;
use crate::named::Named;
use crate::retry::SpeculativeRetry;
use crate::topology::{Cluster, ClusterError, Datacenter};
use serde::Deserialize;
use std::path::Path;

/// A fully specified delay and failure environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Its name in outputs (`lnkd-disk`, a file's `name`).
    pub name: String,
    /// One line for people.
    pub description: String,
    /// The four legs' delays and the topology.
    pub wars: Wars,
    /// Which replicas are down.
    pub failure: FailureModel,
    /// Datacenters, their delays and the coordinators' places, when the
    /// scenario file's `[topology]` gives them (`eval` and the command
    /// line's `--dc` take precedence).
    pub cluster: Option<Cluster>,
    /// Hints, anti-entropy and read repair (`[healing]`; none by default).
    pub healing: Healing,
    /// The reads' speculative retry (`[healing] speculative_retry`).
    pub speculative_retry: SpeculativeRetry,
}

/// Why a scenario could not be built. Messages are one line and name the
/// field at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// A preset name that is not one of [`PRESET_NAMES`].
    #[error("{field}: unknown preset '{name}'; allowed: {}", PRESET_NAMES.join(", "))]
    UnknownPreset {
        /// Where it was given, as the front end names it.
        field: String,
        /// The name given.
        name: String,
    },
    /// A delay spec refused.
    #[error("{field}: {source}")]
    Spec {
        /// Where it was given.
        field: String,
        /// Why.
        source: SpecError,
    },
    /// A scenario file refused.
    #[error("{file}: {message}")]
    File {
        /// The file (or the option that named it).
        file: String,
        /// Why, naming the key at fault.
        message: String,
    },
}

impl Scenario {
    /// `exp(mean=1)` on every leg, no failures: the default of `eval`.
    pub fn default_exponential() -> Self {
        let d = Dist::Exp(Exponential::with_mean(1.0).expect("valid"));
        Scenario {
            name: "custom".into(),
            description: "exp(mean=1) on every leg".into(),
            wars: Wars::uniform(d),
            failure: FailureModel::NONE,
            cluster: None,
            healing: Healing::default(),
            speculative_retry: SpeculativeRetry::None,
        }
    }

    /// A published preset by name, with no failures.
    pub fn from_preset(name: &str) -> Result<Self, ScenarioError> {
        let p = preset(name).ok_or_else(|| ScenarioError::UnknownPreset {
            field: "preset".into(),
            name: name.into(),
        })?;
        Ok(Scenario {
            name: p.name.into(),
            description: p.description.into(),
            wars: p.wars,
            failure: FailureModel::NONE,
            cluster: None,
            healing: Healing::default(),
            speculative_retry: SpeculativeRetry::None,
        })
    }

    /// Reads a scenario TOML file. Relative `empirical(file=...)` paths
    /// resolve against the file's directory.
    pub fn from_file(path: &Path) -> Result<Self, ScenarioError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::File {
            file: file.clone(),
            message: format!("cannot read: {e}"),
        })?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".into());
        Self::from_toml(&text, &file, &stem, path.parent())
    }

    /// Parses scenario TOML; `file` names it in errors, `default_name` is used
    /// when the file has no `name`.
    pub fn from_toml(
        text: &str,
        file: &str,
        default_name: &str,
        base: Option<&Path>,
    ) -> Result<Self, ScenarioError> {
        let raw: RawScenario = toml::from_str(text).map_err(|e| ScenarioError::File {
            file: file.into(),
            message: one_line_toml_error(text, &e),
        })?;
        let mut s = match &raw.preset {
            Some(name) => {
                Scenario::from_preset(name).map_err(|_| ScenarioError::UnknownPreset {
                    field: format!("{file}: preset"),
                    name: name.clone(),
                })?
            }
            None => Scenario::default_exponential(),
        };
        s.name = raw.name.clone().unwrap_or_else(|| default_name.to_string());
        if let Some(d) = &raw.description {
            s.description = d.clone();
        }
        let leg = |key: &str, spec: &str| {
            parse(spec, base).map_err(|source| ScenarioError::Spec {
                field: format!("{file}: delays.{key}"),
                source,
            })
        };
        if let Some(d) = &raw.delays {
            if let Some(all) = &d.all {
                s.wars = Wars {
                    topology: s.wars.topology,
                    ..Wars::uniform(leg("all", all)?)
                };
            }
            for (key, value, slot) in [
                ("w", &d.w, &mut s.wars.w),
                ("a", &d.a, &mut s.wars.a),
                ("r", &d.r, &mut s.wars.r),
                ("s", &d.s, &mut s.wars.s),
            ] {
                if let Some(spec) = value {
                    *slot = leg(key, spec)?;
                }
            }
        }
        if let Some(t) = &raw.topology {
            let kind = match (&t.kind, &t.dcs) {
                (Some(k), _) => k.as_str(),
                (None, Some(_)) => "datacenters",
                (None, None) => "uniform",
            };
            if kind == "datacenters" || t.dcs.is_some() {
                s.cluster = Some(t.cluster(file)?);
            }
            s.wars.topology = match kind {
                "datacenters" if t.dcs.is_some() => Topology::Uniform,
                "uniform" => Topology::Uniform,
                "wan" => {
                    let ms = t.remote_one_way_ms.unwrap_or(75.0);
                    if !(ms.is_finite() && ms >= 0.0) {
                        return Err(ScenarioError::File {
                            file: file.into(),
                            message: format!("topology.remote_one_way_ms must be a finite number >= 0 (ms), got {}", crate::text::Shown(ms)),
                        });
                    }
                    Topology::Wan {
                        remote_one_way_ms: ms,
                    }
                }
                other => {
                    return Err(ScenarioError::File {
                        file: file.into(),
                        message: format!(
                            "topology.kind must be \"uniform\", \"wan\" or \"datacenters\" (with dcs), got \"{other}\""
                        ),
                    })
                }
            };
        }
        if let Some(f) = &raw.failure {
            s.failure = f
                .model()
                .map_err(|e| ScenarioError::File {
                    file: file.into(),
                    message: e.named(&|field| format!("failure.{field}")),
                })?
                .unwrap_or(FailureModel::NONE);
        }
        if let Some(h) = &raw.healing {
            let bad = |key: &str, e: String| ScenarioError::File {
                file: file.into(),
                message: format!("healing.{key}: {e}"),
            };
            let duration = |key: &str, v: &Option<String>| {
                v.as_deref()
                    .map(|t| crate::duration::parse_ms(t).map_err(|e| bad(key, e.to_string())))
                    .transpose()
            };
            s.healing.hint_window_ms = duration("hint_window", &h.hint_window)?;
            s.healing.anti_entropy_interval_ms =
                duration("anti_entropy_interval", &h.anti_entropy_interval)?;
            if let Some(spec) = &h.hint_replay_delay {
                s.healing.hint_replay =
                    parse(spec, base).map_err(|source| ScenarioError::Spec {
                        field: format!("{file}: healing.hint_replay_delay"),
                        source,
                    })?;
            }
            s.healing.sloppy_quorum = h.sloppy_quorum.unwrap_or(false);
            if let Some(rr) = &h.read_repair {
                s.healing.read_repair = rr
                    .parse()
                    .map_err(|e: crate::heal::ReadRepairError| bad("read_repair", e.to_string()))?;
            }
            if let Some(sr) = &h.speculative_retry {
                s.speculative_retry = sr.parse().map_err(|e: crate::retry::RetryError| {
                    bad("speculative_retry", e.to_string())
                })?;
            }
            s.healing
                .check(&s.failure)
                .map_err(|e| ScenarioError::File {
                    file: file.into(),
                    message: e.named(&|field| format!("healing.{field}")),
                })?;
        }
        Ok(s)
    }
}

/// Where the delays come from, as a command line gives them: a preset or a
/// scenario file, then `delay` on all four legs, then each leg's own spec.
/// Both binaries flatten these into their options.
/// `toml` errors span several lines with a source excerpt; keep the line
/// number and the message.
fn one_line_toml_error(text: &str, e: &toml::de::Error) -> String {
    let line = e
        .span()
        .map(|r| text[..r.start.min(text.len())].matches('\n').count() + 1);
    let msg = e.message().replace('\n', " ");
    match line {
        Some(l) => format!("line {l}: {msg}"),
        None => msg,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Option<String>,
    description: Option<String>,
    preset: Option<String>,
    delays: Option<RawDelays>,
    topology: Option<RawTopology>,
    healing: Option<RawHealing>,
    failure: Option<FailureFields>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHealing {
    hint_window: Option<String>,
    hint_replay_delay: Option<String>,
    sloppy_quorum: Option<bool>,
    anti_entropy_interval: Option<String>,
    read_repair: Option<String>,
    speculative_retry: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDelays {
    all: Option<String>,
    w: Option<String>,
    a: Option<String>,
    r: Option<String>,
    s: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopology {
    kind: Option<String>,
    remote_one_way_ms: Option<f64>,
    /// `["east:3", "west:3"]`.
    dcs: Option<Vec<String>>,
    /// `["east-west=const(40)"]`.
    dc_delays: Option<Vec<String>>,
    write_dc: Option<String>,
    read_dc: Option<String>,
    coordinator_replica: Option<bool>,
    /// `["west[2].a=exp(mean=20)", "east.w=exp(mean=2)"]`.
    legs: Option<Vec<String>>,
}

impl RawTopology {
    /// The cluster of a `[topology]` table with `dcs`.
    fn cluster(&self, file: &str) -> Result<Cluster, ScenarioError> {
        let err = |e: ClusterError| ScenarioError::File {
            file: file.into(),
            message: e.named(&|field| match field {
                "dc" => "topology.dcs".into(),
                "dc_delay" => "topology.dc_delays".into(),
                other => format!("topology.{other}"),
            }),
        };
        let Some(dcs) = &self.dcs else {
            return Err(err(ClusterError::NoDatacenters("dc")));
        };
        let dcs = dcs
            .iter()
            .map(|d| d.parse::<Datacenter>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        let mut c = Cluster::new(dcs).map_err(err)?;
        for d in self.dc_delays.iter().flatten() {
            c.add_delay(d).map_err(err)?;
        }
        for l in self.legs.iter().flatten() {
            c.add_legs(l).map_err(err)?;
        }
        if let Some(w) = &self.write_dc {
            c.write_dc = c.coordinator("write_dc", w).map_err(err)?;
        }
        if let Some(r) = &self.read_dc {
            c.read_dc = c.coordinator("read_dc", r).map_err(err)?;
        }
        c.coordinator_replica = self.coordinator_replica.unwrap_or(false);
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Scenario, ScenarioError> {
        Scenario::from_toml(text, "test.toml", "test", None)
    }

    #[test]
    fn preset_with_overrides() {
        let s = load(
            r#"
            name = "x"
            preset = "lnkd-disk"
            [delays]
            a = "exp(mean=3)"
            [failure]
            p_fail = 0.01
            "#,
        )
        .unwrap();
        let disk = Scenario::from_preset("lnkd-disk").unwrap();
        assert_eq!(s.wars.w, disk.wars.w);
        assert_eq!(s.wars.a.to_string(), "exp(rate=0.3333333333333333)");
        assert_eq!(s.failure, FailureModel::iid(0.01));
        assert_eq!(s.name, "x");
    }

    #[test]
    fn all_then_legs() {
        let s =
            load("[delays]\nall = \"exp(mean=2)\"\nw = \"const(1)\"\n[topology]\nkind = \"wan\"\n")
                .unwrap();
        assert_eq!(s.wars.w.to_string(), "const(1)");
        assert_eq!(s.wars.s.to_string(), "exp(rate=0.5)");
        assert_eq!(s.wars.remote_one_way_ms(), 75.0);
        assert_eq!(s.name, "test");
    }

    #[test]
    fn errors_are_one_line_and_name_the_field() {
        let e = load("preset = \"nope\"").unwrap_err().to_string();
        assert!(e.contains("preset") && e.contains("lnkd-disk"), "{e}");
        let e = load("[delays]\nw = \"exp(mean=\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("delays.w") && e.contains("column"), "{e}");
        let e = load("[failure]\np_fail = 2\n").unwrap_err().to_string();
        assert!(e.contains("failure.p_fail") && e.contains("[0, 1]"), "{e}");
        let e = load("[delays]\nx = \"exp(mean=1)\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && !e.contains('\n'), "{e}");
    }

    #[test]
    fn repair_and_domain_keys() {
        let s = load("[failure]\nmttf_hours = 1000\nmttr_hours = 10\nrepair_crews = 1\n").unwrap();
        assert_eq!(s.failure.spec(), "repair(mttf=1000,mttr=10,crews=1)");
        let s = load(
            "[failure]\ndomains = 3\np_domain = 0.001\np_fail = 0.01\nplacement = \"packed\"\n",
        )
        .unwrap();
        assert_eq!(
            s.failure.spec(),
            "domains(d=3,p_domain=0.001,p_fail=0.01,placement=packed)"
        );
        for (text, needle) in [
            ("mttf_hours = 1000\nmttr_hours = 0\n", "failure.mttr_hours"),
            ("mttf_hours = 1000\n", "failure.mttr_hours is missing"),
            (
                "mttf_hours = 1000\nmttr_hours = 10\nrepair_crews = 0\n",
                "failure.repair_crews",
            ),
            ("domains = 0\np_domain = 0.1\n", "failure.domains"),
            ("domains = 3\np_domain = 1.1\n", "failure.p_domain"),
            (
                "domains = 3\np_domain = 0.1\nplacement = \"rack\"\n",
                "failure.placement",
            ),
            (
                "domains = 3\np_domain = 0.1\nmttr_hours = 3\n",
                "does not combine with failure.domains",
            ),
        ] {
            let e = load(&format!("[failure]\n{text}")).unwrap_err().to_string();
            assert!(e.contains(needle) && !e.contains('\n'), "{text}: {e}");
        }
    }

    #[test]
    fn healing_keys() {
        let s = load("[healing]\nhint_window = \"3h\"\nanti_entropy_interval = \"10min\"\nread_repair = \"async:0.1\"\nspeculative_retry = \"99p\"\n[failure]\nmttf_hours = 99\nmttr_hours = 1\n").unwrap();
        assert_eq!(s.healing.hint_window_ms, Some(3.0 * 3_600_000.0));
        assert_eq!(s.healing.anti_entropy_interval_ms, Some(600_000.0));
        assert_eq!(s.healing.read_repair, crate::heal::ReadRepair::Async(0.1));
        assert_eq!(s.speculative_retry, SpeculativeRetry::Percentile(99.0));
        for (text, field) in [
            ("[healing]\nhint_window = \"3\"\n", "healing.hint_window"),
            (
                "[healing]\nread_repair = \"async:1.5\"\n",
                "healing.read_repair",
            ),
            (
                "[healing]\nspeculative_retry = \"120p\"\n",
                "healing.speculative_retry",
            ),
            (
                "[healing]\nhint_window = \"3h\"\n[failure]\np_fail = 0.01\n",
                "healing.hint_window",
            ),
        ] {
            let e = load(text).unwrap_err().to_string();
            assert!(e.contains(field) && !e.contains('\n'), "{text}: {e}");
        }
    }

    #[test]
    fn shipped_scenarios_load() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut count = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                Scenario::from_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                count += 1;
            }
        }
        assert!(
            count >= 6,
            "expected one scenario per preset plus two custom ones"
        );
    }
}
