//! Datacenter options (`--dc`, `--dc-delay`, `--write-dc`, `--read-dc`,
//! `--coordinator-replica`, `--leg`) and consistency levels (`--write-cl`,
//! `--read-cl`), as `eval` takes them.

use super::Usage;
use crate::named::Named;
use crate::scenario::Scenario;
use crate::topology::{cluster_preset, Cluster, Datacenter, Level, LevelError, CLUSTER_PRESETS};
use clap::Args;

/// The datacenter options, for every command that takes them.
#[derive(Args, Debug, Clone, Default)]
pub struct ClusterOptions {
    /// A datacenter (or zone) and its replicas, NAME:COUNT; repeat it for
    /// each, in order. The replicas are then the datacenters' (no --n).
    #[arg(long = "dc", value_name = "NAME:COUNT")]
    pub dc: Vec<String>,
    /// A whole cluster: a preset (three-zones, two-regions, three-regions; see
    /// `quorum-model presets`) or the one-line form of the topology column,
    /// e.g. 'east:3,west:3;east-west=const(40);read_dc=west'. Instead of
    /// --dc; the other datacenter options apply on top.
    #[arg(long, value_name = "NAME|SPEC", conflicts_with = "dc")]
    pub topology: Option<String>,
    /// Extra one-way delay between two datacenters, A-B=SPEC (symmetric,
    /// drawn independently for each message; repeatable). Pairs not given
    /// add nothing.
    #[arg(long, value_name = "A-B=SPEC")]
    pub dc_delay: Vec<String>,
    /// The datacenter whose coordinator runs writes, or 'random' (one drawn
    /// per write). Default: the first --dc.
    #[arg(long, value_name = "NAME")]
    pub write_dc: Option<String>,
    /// The datacenter whose coordinator runs reads, or 'random'. Default:
    /// the first --dc.
    #[arg(long, value_name = "NAME")]
    pub read_dc: Option<String>,
    /// The coordinator is itself a replica (the first of its datacenter):
    /// its own legs are const(0) unless a --leg sets them.
    #[arg(long)]
    pub coordinator_replica: bool,
    /// Leg overrides for a datacenter or one replica (see the help text).
    #[arg(
        long,
        value_name = "TARGET=SPEC",
        help = "Override a leg (w, a, r or s) for a datacenter, NAME.LEG=SPEC, or one replica, NAME[i].LEG=SPEC (i from 1); repeatable. E.g. 'west[2].a=exp(mean=20)' for one slow replica"
    )]
    pub leg: Vec<String>,
}

/// The datacenter options and the consistency levels (`eval`, `validate`).
#[derive(Args, Debug, Clone, Default)]
pub struct TopologyOptions {
    /// The datacenter options.
    #[command(flatten)]
    pub cluster: ClusterOptions,
    /// The write's consistency level: ONE, TWO, THREE, QUORUM, ALL,
    /// LOCAL_ONE, LOCAL_QUORUM, EACH_QUORUM or a number (instead of --w).
    #[arg(long, value_name = "CL", conflicts_with = "w")]
    pub write_cl: Option<String>,
    /// The read's consistency level (instead of --r).
    #[arg(long, value_name = "CL", conflicts_with = "r")]
    pub read_cl: Option<String>,
}

impl TopologyOptions {
    /// See [`ClusterOptions::cluster`].
    pub fn cluster(&self, scenario: &Scenario) -> Result<Option<Cluster>, Usage> {
        self.cluster.cluster(scenario)
    }
}

impl ClusterOptions {
    /// The cluster the options describe, if datacenters were given, over
    /// the scenario's own (a scenario file's `[topology]` datacenters).
    pub fn cluster(&self, scenario: &Scenario) -> Result<Option<Cluster>, Usage> {
        let named = |e: crate::topology::ClusterError| Usage::named(&e);
        let mut cluster = if let Some(t) = &self.topology {
            match cluster_preset(t.trim()) {
                Some(c) => c,
                None => t.parse::<Cluster>().map_err(|e| {
                    Usage(format!(
                        "--topology: not a preset ({}) nor a cluster's one-line form: {}",
                        CLUSTER_PRESETS.map(|p| p.name).join(", "),
                        e.named(&super::flag)
                    ))
                })?,
            }
        } else if self.dc.is_empty() {
            match &scenario.cluster {
                Some(c) => c.clone(),
                None => {
                    let given = [
                        ("dc_delay", !self.dc_delay.is_empty()),
                        ("write_dc", self.write_dc.is_some()),
                        ("read_dc", self.read_dc.is_some()),
                        ("coordinator_replica", self.coordinator_replica),
                        ("leg", !self.leg.is_empty()),
                    ];
                    if let Some((field, _)) = given.iter().find(|g| g.1) {
                        return Err(Usage(format!(
                            "{}: needs datacenters; give them with --dc NAME:COUNT (or --topology)",
                            super::flag(field)
                        )));
                    }
                    return Ok(None);
                }
            }
        } else {
            let dcs = self
                .dc
                .iter()
                .map(|d| d.parse::<Datacenter>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(named)?;
            Cluster::new(dcs).map_err(named)?
        };
        for d in &self.dc_delay {
            cluster.add_delay(d).map_err(named)?;
        }
        for l in &self.leg {
            cluster.add_legs(l).map_err(named)?;
        }
        if let Some(w) = &self.write_dc {
            cluster.write_dc = cluster.coordinator("write_dc", w).map_err(named)?;
        }
        if let Some(r) = &self.read_dc {
            cluster.read_dc = cluster.coordinator("read_dc", r).map_err(named)?;
        }
        if self.coordinator_replica {
            cluster.coordinator_replica = true;
        }
        Ok(Some(cluster))
    }
}

impl TopologyOptions {
    /// `--write-cl` and `--read-cl`, parsed.
    pub fn levels(&self) -> Result<(Option<Level>, Option<Level>), Usage> {
        let parse = |field: &str, text: &Option<String>| -> Result<Option<Level>, Usage> {
            text.as_deref()
                .map(|t| {
                    t.parse::<Level>()
                        .map_err(|e| Usage(format!("{}: {e}", super::flag(field))))
                })
                .transpose()
        };
        Ok((
            parse("write_cl", &self.write_cl)?,
            parse("read_cl", &self.read_cl)?,
        ))
    }
}

/// A level without datacenters: one count over `n` replicas, or why not.
pub fn plain_count(field: &str, level: Level, n: usize) -> Result<usize, Usage> {
    level
        .rule(&[n], None)
        .map(|rule| rule.least())
        .map_err(|e| match e {
            LevelError::NoLocalDatacenter(_) => Usage(format!(
                "{}: {level} counts answers in the coordinator's datacenter, which is unknown without datacenters; give them with --dc NAME:COUNT (and --{}-dc NAME)",
                super::flag(field),
                if field == "write_cl" { "write" } else { "read" }
            )),
            other => Usage(format!("{}: {other}", super::flag(field))),
        })
}
