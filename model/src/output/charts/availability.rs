//! (c) Availability in nines against p_fail, for majority quorums of
//! n = 3, 5, 7, 9 and for r = 1 (reads) / w = n (writes). Availability
//! depends only on (k, n, p_fail), so this chart evaluates the exact
//! threshold formula on a dense p_fail grid rather than the sweep's few
//! levels (microseconds; nothing is simulated).

use super::nines::{self, NinesPlot};
use super::Chart;
use crate::failure::FailureModel;
use plotters::coord::Shift;
use plotters::prelude::*;

pub struct Availability;

/// `(label, n, k, dashed)`.
const LINES: [(&str, usize, usize, bool); 8] = [
    ("majority, n = 3 (k = 2)", 3, 2, false),
    ("majority, n = 5 (k = 3)", 5, 3, false),
    ("majority, n = 7 (k = 4)", 7, 4, false),
    ("majority, n = 9 (k = 5)", 9, 5, false),
    ("r = 1, n = 3", 3, 1, true),
    ("r = 1, n = 5", 5, 1, true),
    ("w = n = 3", 3, 3, true),
    ("w = n = 5", 5, 5, true),
];

fn points(n: usize, k: usize) -> Vec<(f64, f64)> {
    (0..=120)
        .map(|i| {
            let p = 10f64.powf(-4.0 + 3.5 * i as f64 / 120.0);
            (p, FailureModel::iid(p).availability(k, n).nines())
        })
        .collect()
}

impl Chart for Availability {
    fn name(&self) -> &'static str {
        "availability-nines"
    }

    fn caption(&self) -> String {
        "Availability in nines (-log10 of the probability that the quorum cannot be formed) against each replica's independent failure probability: exact threshold formula.".into()
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let lines = LINES
            .iter()
            .map(|&(l, n, k, d)| (l, d, points(n, k)))
            .collect();
        nines::draw(
            root,
            &NinesPlot {
                title: "Availability against per-replica failure probability".into(),
                x_range: (1e-4, 10f64.powf(-0.5)),
                x_desc: "p_fail: probability a replica is down",
                x_label: &|x| format!("{x:.0e}"),
                lines,
                color: |i| i,
            },
        )
    }
}
