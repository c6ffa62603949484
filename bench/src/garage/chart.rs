//! Garage's measured t-visibility (with its 95% intervals) against the
//! model's, drawn with the model's chart machinery.

use super::workload::GarageReport;
use plotters::coord::Shift;
use plotters::prelude::*;
use quorum_model::output::charts::{legend, tick, Chart, FONT, PALETTE};

/// Measured against predicted t-visibility for one run, drawn to
/// `garage-NAME.{svg,png}`.
pub struct GarageChart<'a>(pub &'a GarageReport, pub &'a str);

impl Chart for GarageChart<'_> {
    fn name(&self) -> &'static str {
        // The trait's names are static; a process draws a handful of these.
        Box::leak(format!("garage-{}", self.1).into_boxed_str())
    }

    fn caption(&self) -> String {
        let r = self.0;
        format!(
            "Garage {} in {} mode on {} nodes (n = {}), every message delayed by {}: {} writes read back at each t; largest gap {}.",
            r.garage,
            r.mode.name(),
            r.nodes,
            r.n,
            r.delay,
            r.writes,
            r.max_curve_deviation.map_or("-".into(), |d| format!("{d:.4}"))
        )
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let r = self.0;
        let pts: Vec<_> = r.curve.iter().filter(|p| p.reads > 0).collect();
        let t_max = pts.last().map_or(1.0, |p| p.t_ms).max(1e-3);
        let y_min = pts
            .iter()
            .flat_map(|p| [p.ci_low, p.predicted.unwrap_or(1.0)])
            .fold(1.0, f64::min);
        let y_lo = ((y_min - 0.05) * 10.0).floor().max(0.0) / 10.0;
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!(
                    "Garage {} ({} nodes, r = {}, w = {}): measured vs predicted",
                    r.mode.name(),
                    r.nodes,
                    r.r,
                    r.w
                ),
                (FONT, 28),
            )
            .margin(24)
            .margin_right(40)
            .x_label_area_size(64)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..t_max * 1.02, y_lo..1.0)?;
        chart
            .configure_mesh()
            .x_desc("time after the write's acknowledgment (ms)")
            .y_desc("P(read sees the write)")
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .label_style((FONT, 18))
            .axis_desc_style((FONT, 20))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let predicted = PALETTE[0];
        let measured = PALETTE[1];
        if pts.iter().all(|p| p.predicted.is_some()) {
            chart
                .draw_series(LineSeries::new(
                    pts.iter()
                        .map(|p| (p.issued_ms, p.predicted.unwrap_or(f64::NAN))),
                    predicted.stroke_width(3),
                ))?
                .label("predicted (quorum-model)")
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], predicted.stroke_width(3))
                });
        }
        chart.draw_series(pts.iter().map(|p| {
            PathElement::new(
                vec![(p.issued_ms, p.ci_low), (p.issued_ms, p.ci_high)],
                measured.stroke_width(2),
            )
        }))?;
        chart
            .draw_series(
                pts.iter()
                    .map(|p| Circle::new((p.issued_ms, p.measured), 6, measured.filled())),
            )?
            .label("measured (Garage, 95% interval)")
            .legend(move |(x, y)| Circle::new((x + 12, y), 6, measured.filled()));
        legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        Ok(())
    }
}
