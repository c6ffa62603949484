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

use super::{Domains, FailureModel, Placement, Repair};
use std::str::FromStr;

/// Why a failure spec was refused (one line, naming what is wrong).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("failure model '{spec}': {why}; allowed: iid(p_fail=P), per_node(P,P,...), repair(mttf=H,mttr=H[,crews=K]), domains(d=D,p_domain=P[,p_fail=P][,placement=spread|packed])")]
pub struct FailureSpecError {
    pub spec: String,
    pub why: String,
}

impl FailureModel {
    /// The canonical one-line spec of this model.
    pub fn spec(&self) -> String {
        match self {
            FailureModel::Iid { p_fail } => format!("iid(p_fail={p_fail})"),
            FailureModel::PerNode(ps) => {
                let list: Vec<String> = ps.iter().map(|p| p.to_string()).collect();
                format!("per_node({})", list.join(","))
            }
            FailureModel::Repair(r) => match r.crews {
                Some(c) => format!(
                    "repair(mttf={},mttr={},crews={c})",
                    r.mttf_hours, r.mttr_hours
                ),
                None => format!("repair(mttf={},mttr={})", r.mttf_hours, r.mttr_hours),
            },
            FailureModel::Domains(d) => format!(
                "domains(d={},p_domain={},p_fail={},placement={})",
                d.domains,
                d.p_domain,
                d.p_fail,
                match d.placement {
                    Placement::Spread => "spread",
                    Placement::Packed => "packed",
                }
            ),
        }
    }
}

impl FromStr for FailureModel {
    type Err = FailureSpecError;

    /// Parses a spec and checks what can be checked without `n` (crews
    /// against `n` is checked by [`FailureModel::validate`]).
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
        let probability = |key: &str, v: &str| {
            let p = number(key, v)?;
            if (0.0..=1.0).contains(&p) {
                Ok(p)
            } else {
                Err(err(format!(
                    "{key} must be a probability in [0, 1], got {}",
                    crate::text::Shown(p)
                )))
            }
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
        let model = match name {
            "iid" => {
                let mut p = None;
                for (k, v) in pairs()? {
                    match k {
                        "p_fail" | "p" => p = Some(probability("p_fail", v)?),
                        _ => return Err(err(format!("unknown key '{k}' for iid"))),
                    }
                }
                FailureModel::Iid {
                    p_fail: p.ok_or_else(|| err("iid needs p_fail".into()))?,
                }
            }
            "per_node" => {
                if items.is_empty() {
                    return Err(err("per_node needs at least one probability".into()));
                }
                FailureModel::PerNode(
                    items
                        .iter()
                        .map(|v| probability("per_node", v))
                        .collect::<Result<_, _>>()?,
                )
            }
            "repair" => {
                let (mut mttf, mut mttr, mut crews) = (None, None, None);
                for (k, v) in pairs()? {
                    match k {
                        "mttf" | "mttf_hours" => mttf = Some(number("mttf", v)?),
                        "mttr" | "mttr_hours" => mttr = Some(number("mttr", v)?),
                        "crews" => {
                            crews = Some(v.parse::<usize>().map_err(|_| {
                                err(format!("crews must be an integer >= 1, got '{v}'"))
                            })?)
                        }
                        _ => return Err(err(format!("unknown key '{k}' for repair"))),
                    }
                }
                let r = Repair {
                    mttf_hours: mttf.ok_or_else(|| err("repair needs mttf".into()))?,
                    mttr_hours: mttr.ok_or_else(|| err("repair needs mttr".into()))?,
                    crews,
                };
                // Everything but crews <= n, which needs n.
                r.validate(usize::MAX).map_err(|e| err(e.to_string()))?;
                FailureModel::Repair(r)
            }
            "domains" => {
                let (mut d, mut p_domain, mut p_fail, mut placement) =
                    (None, None, 0.0, Placement::Spread);
                for (k, v) in pairs()? {
                    match k {
                        "d" | "domains" => {
                            d = Some(
                                v.parse::<usize>()
                                    .ok()
                                    .filter(|d| (1..=super::MAX_DOMAINS).contains(d))
                                    .ok_or_else(|| {
                                        err(format!(
                                            "d must be an integer between 1 and {}, got '{v}'",
                                            super::MAX_DOMAINS
                                        ))
                                    })?,
                            )
                        }
                        "p_domain" => p_domain = Some(probability("p_domain", v)?),
                        "p_fail" => p_fail = probability("p_fail", v)?,
                        "placement" => {
                            placement = match v {
                                "spread" => Placement::Spread,
                                "packed" => Placement::Packed,
                                _ => {
                                    return Err(err(format!(
                                        "placement must be spread or packed, got '{v}'"
                                    )))
                                }
                            }
                        }
                        _ => return Err(err(format!("unknown key '{k}' for domains"))),
                    }
                }
                FailureModel::Domains(Domains {
                    domains: d.ok_or_else(|| err("domains needs d".into()))?,
                    p_domain: p_domain.ok_or_else(|| err("domains needs p_domain".into()))?,
                    p_fail,
                    placement,
                })
            }
            other => return Err(err(format!("unknown model '{other}'"))),
        };
        Ok(model)
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
            ("domains(d=0,p_domain=0.1)", "d must be"),
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
        let mut specs: Vec<String> = ps
            .iter()
            .map(|p| FailureModel::Iid { p_fail: *p }.spec())
            .collect();
        specs.sort();
        ps.sort_by(f64::total_cmp);
        let want: Vec<String> = ps
            .iter()
            .map(|p| FailureModel::Iid { p_fail: *p }.spec())
            .collect();
        assert_eq!(specs, want);
    }
}
