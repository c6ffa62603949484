//! Why nothing meets the SLOs, and what relaxing each one would buy.
//!
//! An SLO *binds* when dropping it alone admits configurations; for each
//! SLO the explanation names the cheapest configuration that meets every
//! other one (the closest configuration for that relaxation) and the value
//! it reaches on the dropped SLO. SLOs no configuration up to `max_n` meets
//! even alone are listed with the best value reached.

use super::slo::{Slo, Status};
use super::{Candidate, Plan};
use crate::named::Namer;

/// Relaxing one SLO.
#[derive(Debug, Clone, PartialEq)]
pub struct Relaxation {
    /// The SLO relaxed.
    pub slo: Slo,
    /// Configurations meeting every other SLO outright.
    pub admitted: usize,
    /// The cheapest of them (ranked as the plan ranks).
    pub closest: Option<Candidate>,
}

/// An SLO that no configuration meets even on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreachable {
    /// The SLO.
    pub slo: Slo,
    /// The configuration that comes closest, and its value.
    pub best: Candidate,
    /// Its value (`None`: undefined).
    pub value: Option<f64>,
}

/// Why nothing qualifies: what relaxing each SLO would admit, which SLOs
/// are out of reach, how many configurations are undecided.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// One per SLO, in the input's order.
    pub relaxations: Vec<Relaxation>,
    /// SLOs no configuration meets alone.
    pub unreachable: Vec<Unreachable>,
    /// Configurations that meet every SLO only within a Monte Carlo interval.
    pub uncertain: usize,
    /// The cheapest configuration that fails the fewest SLOs.
    pub fewest_failures: Option<Candidate>,
}

/// The plan's order among candidates: cost, n, latency, (r, w).
fn cheapest<'a>(it: impl Iterator<Item = &'a Candidate>) -> Option<&'a Candidate> {
    it.min_by(|a, b| a.by_cost(b))
}

/// Explains `plan` (meaningful when [`Plan::best`] is `None`).
pub fn explain(plan: &Plan) -> Explanation {
    let all = &plan.candidates;
    let slos: Vec<Slo> = all
        .first()
        .map(|c| c.checks.iter().map(|k| k.slo).collect())
        .unwrap_or_default();
    let relaxations = (0..slos.len())
        .map(|i| {
            let others_met = |c: &&Candidate| {
                c.checks
                    .iter()
                    .enumerate()
                    .all(|(j, k)| j == i || k.status == Status::Meets)
            };
            Relaxation {
                slo: slos[i],
                admitted: all.iter().filter(others_met).count(),
                closest: cheapest(all.iter().filter(others_met)).cloned(),
            }
        })
        .collect();
    let unreachable = (0..slos.len())
        .filter(|&i| all.iter().all(|c| c.checks[i].status != Status::Meets))
        .filter_map(|i| {
            // Closest: the largest margin (missing values last).
            let best = all.iter().max_by(|a, b| {
                let m = |c: &Candidate| c.checks[i].margin.unwrap_or(f64::NEG_INFINITY);
                m(a).total_cmp(&m(b)).then(b.config().cmp(&a.config()))
            })?;
            Some(Unreachable {
                slo: slos[i],
                value: best.checks[i].value,
                best: best.clone(),
            })
        })
        .collect();
    let failures = |c: &Candidate| {
        c.checks
            .iter()
            .filter(|k| k.status != Status::Meets)
            .count()
    };
    let fewest = all.iter().map(failures).min().unwrap_or(0);
    Explanation {
        relaxations,
        unreachable,
        uncertain: all.iter().filter(|c| c.status == Status::Uncertain).count(),
        fewest_failures: cheapest(all.iter().filter(|c| failures(c) == fewest)).cloned(),
    }
}

/// `0.99970200` for probabilities, `41.23 ms` for latencies.
pub fn show_value(slo: &Slo, v: Option<f64>) -> String {
    match (slo, v) {
        (_, None) => "undefined (no quorum)".into(),
        (Slo::ReadLatency { .. } | Slo::WriteLatency { .. }, Some(v)) => format!("{v:.2} ms"),
        (Slo::Strict, Some(v)) => format!("r + w - n = {v}"),
        (_, Some(v)) => format!("{v:.8}"),
    }
}

impl Explanation {
    /// Lines for a terminal: what binds, then each relaxation; inputs
    /// called `name(field)` ([`crate::named`]).
    pub fn lines(&self, max_n: usize, name: Namer) -> Vec<String> {
        let mut out = Vec::new();
        let binding: Vec<String> = self
            .relaxations
            .iter()
            .filter(|r| r.admitted > 0)
            .map(|r| r.slo.to_string())
            .collect();
        out.push(if binding.is_empty() {
            format!("no configuration with n <= {max_n} meets the SLOs, and no single SLO relaxed would change that")
        } else {
            format!(
                "no configuration with n <= {max_n} meets the SLOs; binding (relaxing it alone admits configurations): {}",
                binding.join("; ")
            )
        });
        if self.uncertain > 0 {
            out.push(format!("{} configuration(s) meet every SLO only within a Monte Carlo interval; more {} would decide them", self.uncertain, name("trials")));
        }
        for r in &self.relaxations {
            out.push(match &r.closest {
                Some(c) => {
                    let i = c.checks.iter().position(|k| k.slo == r.slo).unwrap_or(0);
                    format!(
                        "relax {} ({}): {} configuration(s) meet the rest; closest {} (cost {}) reaches {}",
                        r.slo,
                        name(r.slo.field()),
                        r.admitted,
                        configuration(c),
                        c.capacity.cost,
                        show_value(&r.slo, c.checks[i].value)
                    )
                }
                None => format!(
                    "relax {} ({}): not enough on its own",
                    r.slo,
                    name(r.slo.field())
                ),
            });
        }
        for u in &self.unreachable {
            out.push(format!(
                "{} is out of reach for n <= {max_n}: the best is {} with {}",
                u.slo,
                configuration(&u.best),
                show_value(&u.slo, u.value)
            ));
        }
        out
    }
}

/// A candidate as the explanation names it: `n=3 r=1 w=2`, or with
/// datacenters its counts and levels (`us-east-1:3,eu-west-1:2 writes ONE
/// reads TWO`).
fn configuration(c: &Candidate) -> String {
    if c.row.has_datacenters() {
        format!(
            "{} writes {} reads {}",
            crate::topology::datacenters_part(&c.row.topology),
            c.row.write_cl,
            c.row.read_cl
        )
    } else {
        let (n, r, w) = c.config();
        format!("n={n} r={r} w={w}")
    }
}
