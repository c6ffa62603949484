//! Failure-model options shared by `eval` and `plan`: independent, repair,
//! or failure domains. Per-node lists stay with `eval` (they need a fixed n).

use super::Usage;
use crate::failure::{FailureFields, FailureModel, Placement};
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
    /// Probability that a domain is down (all its replicas with it).
    #[arg(
        long,
        value_name = "P",
        requires = "domains",
        allow_hyphen_values = true
    )]
    pub p_domain: Option<f64>,
    /// How replicas are placed over the domains.
    #[arg(long, value_enum, default_value_t = PlacementArg::Spread, requires = "domains")]
    pub placement: PlacementArg,
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
        checked(self.fields())
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
pub fn checked(fields: FailureFields) -> Result<Option<FailureModel>, Usage> {
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
