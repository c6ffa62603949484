//! The validation chart: measured and predicted P(consistent at t) on one
//! grid, drawn with the model's chart machinery (same font, same files).

use crate::validate::ValidateReport;
use plotters::coord::Shift;
use plotters::prelude::*;
use quorum_model::output::charts::{legend, tick, Chart, FONT, PALETTE};

/// Measured against predicted t-visibility.
pub struct ValidateChart<'a>(pub &'a ValidateReport);

impl Chart for ValidateChart<'_> {
    fn name(&self) -> &'static str {
        "validate-curve"
    }

    fn caption(&self) -> String {
        let r = self.0;
        format!(
            "The real store against the model, {}, n = {}, r = {}, w = {}: {} writes read back at each t; largest gap {:.4}.",
            r.scenario, r.n, r.r, r.w, r.writes, r.max_curve_deviation
        )
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let r = self.0;
        let t_max = r.curve.last().map_or(1.0, |p| p.t_ms).max(1e-3);
        let y_min = r
            .curve
            .iter()
            .flat_map(|p| [p.measured, p.predicted])
            .fold(1.0, f64::min);
        let y_lo = ((y_min - 0.05) * 10.0).floor().max(0.0) / 10.0;
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!(
                    "Measured vs predicted t-visibility: {}, n = {}, r = {}, w = {}",
                    r.scenario, r.n, r.r, r.w
                ),
                (FONT, 28),
            )
            .margin(24)
            .margin_right(40)
            .x_label_area_size(64)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..t_max, y_lo..1.0)?;
        chart
            .configure_mesh()
            .x_desc("time after commit (ms)")
            .y_desc("P(read sees the write)")
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .label_style((FONT, 18))
            .axis_desc_style((FONT, 20))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let predicted = PALETTE[0];
        let measured = PALETTE[1];
        chart
            .draw_series(LineSeries::new(
                r.curve.iter().map(|p| (p.t_ms, p.predicted)),
                predicted.stroke_width(3),
            ))?
            .label("predicted (quorum-model, Monte Carlo)")
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], predicted.stroke_width(3))
            });
        chart
            .draw_series(
                r.curve
                    .iter()
                    .map(|p| Circle::new((p.t_ms, p.measured), 6, measured.filled())),
            )?
            .label("measured (real store)")
            .legend(move |(x, y)| Circle::new((x + 12, y), 6, measured.filled()));
        legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        Ok(())
    }
}
