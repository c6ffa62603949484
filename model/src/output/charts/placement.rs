//! (f) Availability in nines against the outage probability of a failure
//! domain (zone, rack), replicas spread round-robin over 3 domains or packed
//! into one: exact, by convolving per-domain up counts (see
//! [`crate::closed::domains`]). The node failure probability inside an up
//! domain comes from the sweep's first `domains(...)` level, else 0.01.

use super::nines::{self, NinesPlot};
use super::{Chart, SweepData};
use crate::failure::{Domains, FailureModel, Placement};
use plotters::coord::Shift;
use plotters::prelude::*;

pub struct PlacementChart {
    domains: usize,
    p_fail: f64,
}

/// `(label, n, k, placement)`.
const LINES: [(&str, usize, usize, Placement); 6] = [
    ("n = 3, k = 2, spread", 3, 2, Placement::Spread),
    ("n = 3, k = 2, packed", 3, 2, Placement::Packed),
    ("n = 5, k = 3, spread", 5, 3, Placement::Spread),
    ("n = 5, k = 3, packed", 5, 3, Placement::Packed),
    ("n = 3, k = 1, spread", 3, 1, Placement::Spread),
    ("n = 3, k = 1, packed", 3, 1, Placement::Packed),
];

const P_DOMAIN_RANGE: (f64, f64) = (1e-5, 1e-1);

impl PlacementChart {
    pub fn new(data: &SweepData) -> Self {
        data.levels()
            .iter()
            .find_map(|f| match f {
                FailureModel::Domains(d) => Some(PlacementChart {
                    domains: d.domains,
                    p_fail: d.p_fail,
                }),
                _ => None,
            })
            .unwrap_or(PlacementChart {
                domains: 3,
                p_fail: 0.01,
            })
    }

    fn points(&self, n: usize, k: usize, placement: Placement) -> Vec<(f64, f64)> {
        (0..=120)
            .map(|i| {
                let (lo, hi) = P_DOMAIN_RANGE;
                let p_domain = lo * (hi / lo).powf(i as f64 / 120.0);
                let d = Domains {
                    domains: self.domains,
                    p_domain,
                    p_fail: self.p_fail,
                    placement,
                };
                (p_domain, d.availability(k, n).nines())
            })
            .collect()
    }
}

impl Chart for PlacementChart {
    fn name(&self) -> &'static str {
        "availability-placement"
    }

    fn caption(&self) -> String {
        format!(
            "Availability in nines against the probability that a failure domain is down, replicas spread round-robin over {} domains (solid) or packed into one (dashed), nodes in up domains down with probability {}. Packed quorums are capped by the one domain's outage probability; spread ones survive a domain outage when the quorum fits in the other domains. Exact.",
            self.domains, self.p_fail
        )
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let lines = LINES
            .iter()
            .map(|&(l, n, k, p)| (l, p == Placement::Packed, self.points(n, k, p)))
            .collect();
        nines::draw(
            root,
            &NinesPlot {
                title: format!(
                    "Spread over {} domains or packed into one (node p_fail {})",
                    self.domains, self.p_fail
                ),
                x_range: P_DOMAIN_RANGE,
                x_desc: "p_domain: probability a domain (zone, rack) is down",
                x_label: &|x| format!("{x:.0e}"),
                lines,
                // Spread and packed share a colour per configuration.
                color: |i| i / 2,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreading_never_loses_to_packing_for_majorities() {
        let c = PlacementChart {
            domains: 3,
            p_fail: 0.01,
        };
        for (n, k) in [(3, 2), (5, 3)] {
            let spread = c.points(n, k, Placement::Spread);
            let packed = c.points(n, k, Placement::Packed);
            for (s, p) in spread.iter().zip(&packed) {
                assert!(s.1 >= p.1 - 1e-12, "n={n}: {s:?} {p:?}");
            }
            // Packed: never more nines than the domain outage allows.
            for p in &packed {
                assert!(p.1 <= -p.0.log10() + 1e-9);
            }
        }
    }
}
