//! The one way a front end describes a failure model: by its fields.
//!
//! The command line (`--p-fail`, `--mttf-hours` ...), scenario files
//! (`[failure]` keys) and one-line specs all fill a [`FailureFields`] and
//! call [`FailureFields::model`]; its errors name fields neutrally
//! (`mttr_hours`), and each front end renders them its own way
//! ([`crate::named::Named`]).

use super::{
    Domains, FailureError, FailureModel, Failures, Independent, PerNode, Placement, Repair,
};

/// A failure model's fields, each as given (or not) by a front end.
/// Scenario files deserialize their `[failure]` table into it directly.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailureFields {
    /// Every replica down with this probability (inside up domains, with
    /// `domains`).
    pub p_fail: Option<f64>,
    /// One down probability per replica.
    pub p_fail_per_node: Option<Vec<f64>>,
    /// Mean time to failure of a node, hours (a repair model, with
    /// `mttr_hours`).
    pub mttf_hours: Option<f64>,
    /// Mean time to repair a node, hours.
    pub mttr_hours: Option<f64>,
    /// Repair crews shared by the cluster (default: one per node).
    pub repair_crews: Option<usize>,
    /// Failure domains the replicas are placed over (with `p_domain`).
    pub domains: Option<usize>,
    /// Probability that a domain is down.
    pub p_domain: Option<f64>,
    /// `spread` (default) or `packed`.
    pub placement: Option<String>,
}

impl FailureFields {
    /// Sets `field` from its text (a spec's value). `Err` says what the
    /// field takes.
    pub(crate) fn set(&mut self, field: &str, text: &str) -> Result<(), &'static str> {
        let number = || text.parse::<f64>().map_err(|_| "a number");
        let whole = || text.parse::<usize>().map_err(|_| "a whole number");
        match field {
            "p_fail" => self.p_fail = Some(number()?),
            "p_fail_per_node" => self
                .p_fail_per_node
                .get_or_insert_with(Vec::new)
                .push(number()?),
            "mttf_hours" => self.mttf_hours = Some(number()?),
            "mttr_hours" => self.mttr_hours = Some(number()?),
            "repair_crews" => self.repair_crews = Some(whole()?),
            "domains" => self.domains = Some(whole()?),
            "p_domain" => self.p_domain = Some(number()?),
            "placement" => self.placement = Some(text.to_string()),
            _ => return Err("a field of a failure model"),
        }
        Ok(())
    }

    /// Whether `field` was given.
    pub(crate) fn is_given(&self, field: &str) -> bool {
        match field {
            "p_fail" => self.p_fail.is_some(),
            "p_fail_per_node" => self.p_fail_per_node.is_some(),
            "mttf_hours" => self.mttf_hours.is_some(),
            "mttr_hours" => self.mttr_hours.is_some(),
            "repair_crews" => self.repair_crews.is_some(),
            "domains" => self.domains.is_some(),
            "p_domain" => self.p_domain.is_some(),
            "placement" => self.placement.is_some(),
            _ => false,
        }
    }

    /// The model the fields describe, checked for everything but what
    /// needs the number of replicas (crews against `n`, a per-node list's
    /// length; see [`FailureModel::validate`]). `None` when no field is
    /// given.
    ///
    /// ```
    /// use quorum_model::failure::FailureFields;
    /// let f = FailureFields { mttf_hours: Some(1000.0), ..FailureFields::default() };
    /// let e = f.model().unwrap_err();
    /// assert_eq!(e.to_string(), "mttr_hours is missing: a repair model needs mttf_hours and mttr_hours");
    /// // A front end names the field its own way.
    /// use quorum_model::named::Named;
    /// let key = |field: &str| format!("failure.{field}");
    /// assert!(e.named(&key).starts_with("failure.mttr_hours is missing"));
    /// ```
    pub fn model(&self) -> Result<Option<FailureModel>, FailureError> {
        let repair =
            self.mttf_hours.is_some() || self.mttr_hours.is_some() || self.repair_crews.is_some();
        let domains = self.domains.is_some() || self.p_domain.is_some() || self.placement.is_some();
        let conflict = |field, other| Err(FailureError::Conflict { field, other });
        if repair && domains {
            let field = if self.mttf_hours.is_some() {
                "mttf_hours"
            } else if self.mttr_hours.is_some() {
                "mttr_hours"
            } else {
                "repair_crews"
            };
            let other = if self.domains.is_some() {
                "domains"
            } else if self.p_domain.is_some() {
                "p_domain"
            } else {
                "placement"
            };
            return conflict(field, other);
        }
        if self.p_fail.is_some() && self.p_fail_per_node.is_some() {
            return conflict("p_fail_per_node", "p_fail");
        }
        if repair {
            if self.p_fail.is_some() {
                return conflict("p_fail", "mttf_hours");
            }
            if self.p_fail_per_node.is_some() {
                return conflict("p_fail_per_node", "mttf_hours");
            }
            let why = "a repair model needs mttf_hours and mttr_hours";
            let r = Repair {
                mttf_hours: self.mttf_hours.ok_or(FailureError::Missing {
                    field: "mttf_hours",
                    why,
                })?,
                mttr_hours: self.mttr_hours.ok_or(FailureError::Missing {
                    field: "mttr_hours",
                    why,
                })?,
                crews: self.repair_crews,
            };
            // Everything but crews <= n, which needs n.
            r.check(usize::MAX)?;
            return Ok(Some(FailureModel::Repair(r)));
        }
        if domains {
            if self.p_fail_per_node.is_some() {
                return conflict("p_fail_per_node", "domains");
            }
            let why = "a domain model needs domains and p_domain";
            let d = Domains {
                domains: self.domains.ok_or(FailureError::Missing {
                    field: "domains",
                    why,
                })?,
                p_domain: self.p_domain.ok_or(FailureError::Missing {
                    field: "p_domain",
                    why,
                })?,
                p_fail: self.p_fail.unwrap_or(0.0),
                placement: match self.placement.as_deref() {
                    None => Placement::Spread,
                    Some(text) => Placement::parse(text)?,
                },
            };
            d.validate(usize::MAX)?;
            return Ok(Some(FailureModel::Domains(d)));
        }
        match (self.p_fail, &self.p_fail_per_node) {
            (Some(p_fail), _) => {
                let m = Independent { p_fail };
                m.validate(usize::MAX)?;
                Ok(Some(FailureModel::Iid(m)))
            }
            (None, Some(list)) => {
                let m = PerNode(list.clone());
                m.validate(list.len())?;
                Ok(Some(FailureModel::PerNode(m)))
            }
            (None, None) => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> FailureFields {
        FailureFields::default()
    }

    #[test]
    fn each_family_from_its_fields() {
        let iid = FailureFields {
            p_fail: Some(0.01),
            ..fields()
        };
        assert_eq!(iid.model().unwrap(), Some(FailureModel::iid(0.01)));
        let repair = FailureFields {
            mttf_hours: Some(1000.0),
            mttr_hours: Some(10.0),
            repair_crews: Some(1),
            ..fields()
        };
        assert_eq!(
            repair.model().unwrap().unwrap().spec(),
            "repair(mttf=1000,mttr=10,crews=1)"
        );
        let domains = FailureFields {
            domains: Some(3),
            p_domain: Some(0.001),
            p_fail: Some(0.01),
            placement: Some("packed".into()),
            ..fields()
        };
        assert_eq!(
            domains.model().unwrap().unwrap().spec(),
            "domains(d=3,p_domain=0.001,p_fail=0.01,placement=packed)"
        );
        assert_eq!(fields().model().unwrap(), None);
    }

    #[test]
    fn errors_name_the_field_and_the_range() {
        for (f, field, needle) in [
            (
                FailureFields {
                    p_fail: Some(1.5),
                    ..fields()
                },
                "p_fail",
                "a probability in [0, 1], got 1.5",
            ),
            (
                FailureFields {
                    mttf_hours: Some(1000.0),
                    mttr_hours: Some(0.0),
                    ..fields()
                },
                "mttr_hours",
                "a finite number of hours > 0",
            ),
            (
                FailureFields {
                    mttf_hours: Some(1.0),
                    mttr_hours: Some(1.0),
                    repair_crews: Some(0),
                    ..fields()
                },
                "repair_crews",
                "a whole number >= 1",
            ),
            (
                FailureFields {
                    domains: Some(0),
                    p_domain: Some(0.1),
                    ..fields()
                },
                "domains",
                "between 1 and 1000",
            ),
            (
                FailureFields {
                    domains: Some(3),
                    p_domain: Some(0.1),
                    placement: Some("rack".into()),
                    ..fields()
                },
                "placement",
                "spread or packed",
            ),
            (
                FailureFields {
                    mttf_hours: Some(1.0),
                    domains: Some(2),
                    ..fields()
                },
                "mttf_hours",
                "does not combine with domains",
            ),
        ] {
            let e = f.model().unwrap_err();
            assert_eq!(e.field(), field, "{e}");
            assert!(e.to_string().contains(needle), "{e}");
        }
    }
}
