//! (e) Availability in nines against mean time to repair, for majority
//! quorums with a repair crew per node (independent repair, solid) and with
//! one shared crew (dashed): the repair chain's exact stationary distribution on a
//! dense MTTR grid (see [`crate::closed::markov`]). MTTF comes from the
//! sweep's first `repair(...)` level, else 1000 h.

use super::nines::{self, NinesPlot};
use super::{Chart, SweepData};
use crate::failure::{FailureModel, Repair};
use plotters::coord::Shift;
use plotters::prelude::*;

pub struct RepairChart {
    mttf_hours: f64,
}

/// `(label, n, k, crews)`; `None`: a crew per node.
const LINES: [(&str, usize, usize, Option<usize>); 6] = [
    ("n = 3, k = 2, crew per node", 3, 2, None),
    ("n = 3, k = 2, 1 crew", 3, 2, Some(1)),
    ("n = 5, k = 3, crew per node", 5, 3, None),
    ("n = 5, k = 3, 1 crew", 5, 3, Some(1)),
    ("n = 7, k = 4, crew per node", 7, 4, None),
    ("n = 7, k = 4, 1 crew", 7, 4, Some(1)),
];

/// MTTR from 0.5 h to 200 h.
const MTTR_RANGE: (f64, f64) = (0.5, 200.0);

impl RepairChart {
    pub fn new(data: &SweepData) -> Self {
        let mttf_hours = data
            .levels()
            .iter()
            .find_map(|f| match f {
                FailureModel::Repair(r) => Some(r.mttf_hours),
                _ => None,
            })
            .unwrap_or(1000.0);
        RepairChart { mttf_hours }
    }

    fn points(&self, n: usize, k: usize, crews: Option<usize>) -> Vec<(f64, f64)> {
        (0..=120)
            .map(|i| {
                let (lo, hi) = MTTR_RANGE;
                let mttr = lo * (hi / lo).powf(i as f64 / 120.0);
                let r = Repair {
                    mttf_hours: self.mttf_hours,
                    mttr_hours: mttr,
                    crews,
                };
                (mttr, r.availability(k, n).nines())
            })
            .collect()
    }
}

impl Chart for RepairChart {
    fn name(&self) -> &'static str {
        "availability-repair"
    }

    fn caption(&self) -> String {
        format!(
            "Availability in nines against mean time to repair, each node failing every {} h on average: with a repair crew per node failures are independent; shared crews make repairs queue, so failures cluster and availability falls faster as MTTR grows. Exact (stationary distribution of the birth-death repair chain).",
            self.mttf_hours
        )
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let lines = LINES
            .iter()
            .map(|&(l, n, k, c)| (l, c.is_some(), self.points(n, k, c)))
            .collect();
        nines::draw(
            root,
            &NinesPlot {
                title: format!(
                    "Availability against repair time (MTTF {} h)",
                    self.mttf_hours
                ),
                x_range: MTTR_RANGE,
                x_desc: "MTTR: mean time to repair a node (hours)",
                x_label: &super::tick,
                lines,
                // A crew per node and one crew share a colour per n.
                color: |i| i / 2,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curves_fall_with_repair_time_and_shared_crews_are_worse() {
        let c = RepairChart { mttf_hours: 1000.0 };
        let own = c.points(5, 3, None);
        let one = c.points(5, 3, Some(1));
        for w in own.windows(2) {
            assert!(w[1].1 < w[0].1);
        }
        for (a, b) in own.iter().zip(&one) {
            assert!(b.1 <= a.1 + 1e-12, "{a:?} {b:?}");
        }
    }
}
