//! (c) Availability in nines against p_fail, for majority quorums of
//! n = 3, 5, 7, 9 and for r = 1 (reads) / w = n (writes). Availability
//! depends only on (k, n, p_fail), so this chart evaluates the exact
//! threshold formula on a dense p_fail grid rather than the sweep's few
//! levels (microseconds; nothing is simulated).

use super::{legend, Chart, FONT, PALETTE};
use crate::closed::availability::quorum_availability;
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
            (
                p,
                quorum_availability(k, n, &FailureModel::Iid { p_fail: p }).nines(),
            )
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
        let lines: Vec<_> = LINES
            .iter()
            .map(|&(l, n, k, d)| (l, d, points(n, k)))
            .collect();
        let y_max = lines
            .iter()
            .flat_map(|l| l.2.iter().map(|p| p.1))
            .fold(0.0, f64::max)
            .ceil();
        let mut chart = ChartBuilder::on(root)
            .caption(
                "Availability against per-replica failure probability",
                (FONT, 30),
            )
            .margin(24)
            .x_label_area_size(64)
            .y_label_area_size(80)
            .build_cartesian_2d((1e-4..10f64.powf(-0.5)).log_scale(), 0.0..y_max)?;
        chart
            .configure_mesh()
            .x_desc("p_fail: probability a replica is down")
            .y_desc("availability (nines)")
            .label_style((FONT, 18))
            .axis_desc_style((FONT, 20))
            .x_label_formatter(&|x| format!("{x:.0e}"))
            .y_label_formatter(&super::tick)
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for (i, (label, dashed, pts)) in lines.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let style = color.stroke_width(if *dashed { 2 } else { 3 });
            if *dashed {
                chart
                    .draw_series(DashedLineSeries::new(pts.iter().copied(), 10, 6, style))?
                    .label(*label)
                    .legend(move |(x, y)| {
                        EmptyElement::at((x, y))
                            + PathElement::new(vec![(0, 0), (9, 0)], style)
                            + PathElement::new(vec![(15, 0), (24, 0)], style)
                    });
            } else {
                chart
                    .draw_series(LineSeries::new(pts.iter().copied(), style))?
                    .label(*label)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
            }
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    }
}
