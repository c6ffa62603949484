//! Failure models as one-line specs, for `sweep --failure`, sweep files and
//! the `failure` column of `summary.csv`:
//!
//! | spec | model |
//! |---|---|
//! | `iid(p_fail=0.01)` | every replica down with probability 0.01 |
//! | `per_node(0.01,0.02,0.05)` | replica i down with its own probability |
//! | `repair(mttf=1000,mttr=10)` | fail/repair rates in hours, a crew per node |
//! | `repair(mttf=1000,mttr=10,crews=1)` | ... sharing one repair crew |
//! | `domains(d=3,p_domain=0.001,p_fail=0.01,placement=spread)` | failure domains (`placement` defaults to `spread`, `p_fail` to 0) |
//!
//! [`FailureModel::spec`] prints the canonical form, which parses back to the
//! same model. Printed numbers are Rust's shortest round-trip decimals, so
//! for probabilities in [0, 1] the canonical strings of one family sort in
//! numeric order.

use super::{FailureFields, FailureModel};
use std::str::FromStr;

/// Why a failure spec was refused (one line, naming what is wrong).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("failure model '{spec}': {why}; allowed: iid(p_fail=P), per_node(P,P,...), repair(mttf=H,mttr=H[,crews=K]), domains(d=D,p_domain=P[,p_fail=P][,placement=spread|packed])")]
#[non_exhaustive]
pub struct FailureSpecError {
    /// The spec as given.
    pub spec: String,
    /// What is wrong with it.
    pub why: String,
}

/// A field's name in specs (shorter than the neutral one where specs have
/// always been: `mttf`, `crews`, `d`).
fn spec_key(field: &str) -> &str {
    match field {
        "mttf_hours" => "mttf",
        "mttr_hours" => "mttr",
        "repair_crews" => "crews",
        "domains" => "d",
        "p_fail_per_node" => "per_node",
        other => other,
    }
}

impl super::FailureError {
    /// The message with fields named as in specs (`mttr`, `crews`, `d`).
    pub fn as_spec_keys(&self) -> String {
        crate::named::Named::named(self, &|field| spec_key(field).to_string())
    }
}

impl FromStr for FailureModel {
    type Err = FailureSpecError;

    /// Parses a spec into the model's fields and checks them like every
    /// front end ([`FailureFields::model`]); crews against `n` is checked
    /// by [`FailureModel::validate`].
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = |why: String| FailureSpecError {
            spec: text.to_string(),
            why,
        };
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let (name, rest) = compact
            .split_once('(')
            .ok_or_else(|| err("expected NAME(...)".into()))?;
        let body = rest
            .strip_suffix(')')
            .ok_or_else(|| err("missing ')'".into()))?;
        let items: Vec<&str> = body.split(',').filter(|s| !s.is_empty()).collect();
        let number = |key: &str, v: &str| {
            v.parse::<f64>()
                .map_err(|_| err(format!("{key} must be a number, got '{v}'")))
        };
        let whole = |key: &str, v: &str| {
            v.parse::<usize>()
                .map_err(|_| err(format!("{key} must be a whole number, got '{v}'")))
        };
        let pairs = || -> Result<Vec<(&str, &str)>, FailureSpecError> {
            items
                .iter()
                .map(|kv| {
                    kv.split_once('=')
                        .ok_or_else(|| err(format!("expected key=value, got '{kv}'")))
                })
                .collect()
        };
        let mut f = FailureFields::default();
        let unknown = |k: &str| Err(err(format!("unknown key '{k}' for {name}")));
        match name {
            "iid" => {
                for (k, v) in pairs()? {
                    match k {
                        "p_fail" | "p" => f.p_fail = Some(number("p_fail", v)?),
                        _ => return unknown(k),
                    }
                }
                if f.p_fail.is_none() {
                    return Err(err("iid needs p_fail".into()));
                }
            }
            "per_node" => {
                if items.is_empty() {
                    return Err(err("per_node needs at least one probability".into()));
                }
                f.p_fail_per_node = Some(
                    items
                        .iter()
                        .map(|v| number("per_node", v))
                        .collect::<Result<_, _>>()?,
                );
            }
            "repair" => {
                for (k, v) in pairs()? {
                    match k {
                        "mttf" | "mttf_hours" => f.mttf_hours = Some(number("mttf", v)?),
                        "mttr" | "mttr_hours" => f.mttr_hours = Some(number("mttr", v)?),
                        "crews" => f.repair_crews = Some(whole("crews", v)?),
                        _ => return unknown(k),
                    }
                }
                if f.mttf_hours.is_none() || f.mttr_hours.is_none() {
                    return Err(err("repair needs mttf and mttr".into()));
                }
            }
            "domains" => {
                for (k, v) in pairs()? {
                    match k {
                        "d" | "domains" => f.domains = Some(whole("d", v)?),
                        "p_domain" => f.p_domain = Some(number("p_domain", v)?),
                        "p_fail" => f.p_fail = Some(number("p_fail", v)?),
                        "placement" => f.placement = Some(v.to_string()),
                        _ => return unknown(k),
                    }
                }
                if f.domains.is_none() || f.p_domain.is_none() {
                    return Err(err("domains needs d and p_domain".into()));
                }
            }
            other => return Err(err(format!("unknown model '{other}'"))),
        }
        f.model()
            .map_err(|e| err(e.as_spec_keys()))?
            .ok_or_else(|| err("no parameters".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_specs_parse_back() {
        for text in [
            "iid(p_fail=0.01)",
            "per_node(0.01,0.02,0.05)",
            "repair(mttf=1000,mttr=10)",
            "repair(mttf=1000,mttr=10,crews=1)",
            "domains(d=3,p_domain=0.001,p_fail=0.01,placement=packed)",
        ] {
            let m: FailureModel = text.parse().unwrap();
            assert_eq!(m.spec(), text);
            assert_eq!(m.spec().parse::<FailureModel>().unwrap(), m);
        }
        let m: FailureModel = "domains( d = 3, p_domain = 0.001 )".parse().unwrap();
        assert_eq!(
            m.spec(),
            "domains(d=3,p_domain=0.001,p_fail=0,placement=spread)"
        );
    }

    #[test]
    fn bad_specs_say_what_is_wrong_in_one_line() {
        for (text, needle) in [
            ("repair(mttf=1000,mttr=0)", "mttr"),
            ("repair(mttf=1000,mttr=10,crews=0)", "crews"),
            ("domains(d=0,p_domain=0.1)", "d: must be"),
            ("domains(d=3,p_domain=1.5)", "p_domain"),
            ("iid(p_fail=-0.1)", "p_fail"),
            ("weird(x=1)", "unknown model"),
            ("iid p_fail=0.1", "NAME(...)"),
            (
                "domains(d=3,p_domain=0.1,placement=rack)",
                "spread or packed",
            ),
        ] {
            let e = text.parse::<FailureModel>().unwrap_err().to_string();
            assert!(e.contains(needle) && !e.contains('\n'), "{text}: {e}");
        }
    }

    #[test]
    fn iid_specs_sort_numerically() {
        let mut ps = [0.0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 0.0001];
        let mut specs: Vec<String> = ps.iter().map(|p| FailureModel::iid(*p).spec()).collect();
        specs.sort();
        ps.sort_by(f64::total_cmp);
        let want: Vec<String> = ps.iter().map(|p| FailureModel::iid(*p).spec()).collect();
        assert_eq!(specs, want);
    }
}
