//! Failure-model options shared by `eval` and `plan`: independent, repair,
//! or failure domains, as flags or as one spec (`--failure`, the form
//! `sweep` takes). Per-node lists stay with `eval` (they need a fixed n).

use super::Usage;
use crate::failure::{FailureError, FailureFields, FailureModel, Placement};
use clap::{Args, ValueEnum};

#[derive(Args, Debug, Clone, Default)]
pub struct FailureOptions {
    /// Probability that a replica is down, independently (0..=1).
    #[arg(long, value_name = "P", allow_hyphen_values = true)]
    pub p_fail: Option<f64>,
    /// Mean time to failure of each node, hours (with --mttr-hours: a
    /// repair model instead of a fixed p_fail).
    #[arg(
        long,
        value_name = "H",
        requires = "mttr_hours",
        conflicts_with = "p_fail",
        allow_hyphen_values = true
    )]
    pub mttf_hours: Option<f64>,
    /// Mean time to repair a node, hours.
    #[arg(
        long,
        value_name = "H",
        requires = "mttf_hours",
        allow_hyphen_values = true
    )]
    pub mttr_hours: Option<f64>,
    /// Repair crews shared by the cluster (default: one per node).
    #[arg(value_parser = super::whole::<usize>(1), allow_hyphen_values = true, long, value_name = "K", requires = "mttf_hours")]
    pub repair_crews: Option<usize>,
    /// Failure domains (racks, zones) the replicas are placed over; with
    /// --p-domain. --p-fail then applies to nodes inside up domains.
    #[arg(value_parser = super::whole::<usize>(1), allow_hyphen_values = true,
        long,
        value_name = "D",
        requires = "p_domain",
        conflicts_with = "mttf_hours"
    )]
    pub domains: Option<usize>,
    /// Probability that a domain is down (all its replicas with it). With
    /// datacenters (eval --dc), each datacenter's outage probability.
    #[arg(long, value_name = "P", allow_hyphen_values = true)]
    pub p_domain: Option<f64>,
    /// How replicas are placed over the domains.
    #[arg(long, value_enum, default_value_t = PlacementArg::Spread, requires = "domains")]
    pub placement: PlacementArg,
    /// The failure model as one spec, the form `sweep --failure` takes:
    /// iid(p_fail=P), repair(mttf=H,mttr=H[,crews=K]),
    /// domains(d=D,p_domain=P[,p_fail=P][,placement=spread|packed]),
    /// per_node(P,P,...) (eval only). Instead of the flags above.
    #[arg(
        long,
        value_name = "SPEC",
        conflicts_with_all = ["p_fail", "mttf_hours", "mttr_hours", "repair_crews", "domains", "p_domain"]
    )]
    pub failure: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlacementArg {
    /// Round-robin over the domains.
    #[default]
    Spread,
    /// All replicas in one domain.
    Packed,
}

impl FailureOptions {
    /// The model the options describe, if any, checked for everything but
    /// `crews <= n` (which needs n). Through the one validation every front
    /// end shares ([`FailureFields::model`]); its neutral field names become
    /// this command's flags.
    pub fn model(&self) -> Result<Option<FailureModel>, Usage> {
        self.model_with(None)
    }

    /// [`FailureOptions::model`], with eval's per-node list.
    pub fn model_with(&self, per_node: Option<Vec<f64>>) -> Result<Option<FailureModel>, Usage> {
        if let Some(spec) = &self.failure {
            let model: FailureModel = spec
                .parse()
                .map_err(|e| Usage(format!("{}: {e}", super::flag("failure"))))?;
            return Ok(Some(model));
        }
        let mut fields = self.fields();
        fields.p_fail_per_node = per_node;
        checked(fields)
    }

    /// A refusal of the model these options gave, naming what the user
    /// wrote: the spec's key (`--failure repair(...): crews: ...`) or the
    /// flag (`--repair-crews: ...`).
    pub fn refusal(&self, e: &FailureError) -> Usage {
        match &self.failure {
            Some(spec) => Usage(format!(
                "{} {spec}: {}",
                super::flag("failure"),
                e.as_spec_keys()
            )),
            None => Usage::named(e),
        }
    }

    /// The options as the model's fields.
    pub fn fields(&self) -> FailureFields {
        let domains = self.domains.is_some() || self.p_domain.is_some();
        FailureFields {
            p_fail: self.p_fail,
            p_fail_per_node: None,
            mttf_hours: self.mttf_hours,
            mttr_hours: self.mttr_hours,
            repair_crews: self.repair_crews,
            domains: self.domains,
            p_domain: self.p_domain,
            placement: domains.then(|| self.placement.name().to_string()),
        }
    }
}

/// The model of `fields`, errors naming this command's flags.
fn checked(fields: FailureFields) -> Result<Option<FailureModel>, Usage> {
    fields.model().map_err(|e| Usage::named(&e))
}

impl PlacementArg {
    fn name(self) -> &'static str {
        match self {
            PlacementArg::Spread => Placement::Spread.name(),
            PlacementArg::Packed => Placement::Packed.name(),
        }
    }
}
