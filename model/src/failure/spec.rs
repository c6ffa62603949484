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

use super::{FailureFields, FailureModel, FAMILIES};
use std::fmt;
use std::str::FromStr;

/// How a family is written as a spec: `NAME(key=value,...)`, or for a list
/// family `NAME(v,v,...)`. Each family declares its own form (a `SPEC`
/// constant beside its data), and [`FAMILIES`] lists them: the parser below
/// knows none by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecForm {
    /// The name before the parentheses.
    pub name: &'static str,
    /// The form for people, in refusals' list of what is allowed.
    pub usage: &'static str,
    /// Each key the spec takes and the field it sets; a field's first key
    /// is the one messages use.
    pub keys: &'static [(&'static str, &'static str)],
    /// For a list family (`per_node(P,P,...)`): the field the list sets.
    pub list: Option<&'static str>,
    /// The fields the spec must give.
    pub needs: &'static [&'static str],
}

/// Why a failure spec was refused (one line, naming what is wrong and
/// listing the forms allowed).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FailureSpecError {
    /// The spec as given.
    pub spec: String,
    /// What is wrong with it.
    pub why: String,
}

impl fmt::Display for FailureSpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let allowed: Vec<&str> = FAMILIES.iter().map(|form| form.usage).collect();
        write!(
            f,
            "failure model '{}': {}; allowed: {}",
            self.spec,
            self.why,
            allowed.join(", ")
        )
    }
}

impl std::error::Error for FailureSpecError {}

/// A field's name in specs: its first key in any family (`mttf`, `crews`,
/// `d`), or a list family's name.
fn spec_key(field: &str) -> &str {
    FAMILIES
        .iter()
        .find_map(|form| {
            form.keys
                .iter()
                .find(|(_, f)| *f == field)
                .map(|(key, _)| *key)
                .or_else(|| (form.list == Some(field)).then_some(form.name))
        })
        .unwrap_or(field)
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
        let form = FAMILIES
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| err(format!("unknown model '{name}'")))?;
        let items: Vec<&str> = body.split(',').filter(|s| !s.is_empty()).collect();
        let mut fields = FailureFields::default();
        let set = |fields: &mut FailureFields, key: &str, field: &str, value: &str| {
            fields
                .set(field, value)
                .map_err(|kind| err(format!("{key} must be {kind}, got '{value}'")))
        };
        if let Some(field) = form.list {
            if items.is_empty() {
                return Err(err(format!("{name} needs at least one probability")));
            }
            for v in &items {
                set(&mut fields, name, field, v)?;
            }
        } else {
            for kv in &items {
                let (k, v) = kv
                    .split_once('=')
                    .ok_or_else(|| err(format!("expected key=value, got '{kv}'")))?;
                let field = form
                    .keys
                    .iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, f)| *f)
                    .ok_or_else(|| err(format!("unknown key '{k}' for {name}")))?;
                set(&mut fields, spec_key(field), field, v)?;
            }
            if form.needs.iter().any(|f| !fields.is_given(f)) {
                let keys: Vec<&str> = form.needs.iter().map(|f| spec_key(f)).collect();
                return Err(err(format!("{name} needs {}", keys.join(" and "))));
            }
        }
        fields
            .model()
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
