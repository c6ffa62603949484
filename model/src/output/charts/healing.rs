//! t-visibility under failures in time, with no mechanism, hints,
//! anti-entropy and both (`healing_curves.csv`; see
//! [`crate::mechanisms::healing`]): one panel per configuration, time on a
//! logarithmic axis from a microsecond to hours, and the probability that a
//! read is stale on a logarithmic axis, so that 0.1% and 0.01% show.

use super::{legend, panels, Chart, SweepData, FONT, PALETTE};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One mechanism's curve: its label and `(t_ms, P(stale))` points.
type Curve = (String, Vec<(f64, f64)>);

/// The lowest P(stale) drawn: zeros sit on the axis.
const FLOOR: f64 = 1e-6;

pub struct HealingChart {
    /// Per configuration: `n, r, w` and its curves.
    panels: Vec<(String, Vec<Curve>)>,
    scenario: String,
}

impl HealingChart {
    pub fn new(data: &SweepData) -> Option<Self> {
        let first = data.healing_curves.first()?;
        let mut panels: Vec<(String, Vec<Curve>)> = Vec::new();
        for p in data.healing_curves.iter().filter(|p| p.t_ms > 0.0) {
            let key = format!("n = {}, r = {}, w = {}", p.n, p.r, p.w);
            if panels.last().is_none_or(|x| x.0 != key) {
                panels.push((key.clone(), Vec::new()));
            }
            let curves = &mut panels.last_mut().expect("pushed").1;
            if curves.last().is_none_or(|c| c.0 != p.mechanisms) {
                curves.push((p.mechanisms.clone(), Vec::new()));
            }
            let stale = (1.0 - p.p_consistent).max(FLOOR);
            curves.last_mut().expect("pushed").1.push((p.t_ms, stale));
        }
        panels.truncate(4);
        Some(HealingChart {
            panels,
            scenario: first.scenario.clone(),
        })
    }
}

impl Chart for HealingChart {
    fn name(&self) -> &'static str {
        "healing"
    }

    fn caption(&self) -> String {
        format!(
            "t-visibility under 1% failures in time (MTTF 99 h, MTTR 1 h), scenario `{}`: the probability that a read issued t after the commit misses the write, with no mechanism, hints, anti-entropy and both. Both axes logarithmic; the dashed lines are 0.1% and 0.01% (the 99.9% and 99.99% visibility targets), zeros sit on the bottom axis. Without a mechanism the curve levels off above them: a replica that missed the write comes back and answers stale for good. Simulated in time.",
            self.scenario
        )
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let root = root.titled(
            "Under failures in time: P(read t after commit misses the write)",
            (FONT, 30),
        )?;
        for (area, (name, curves)) in panels(&root, self.panels.len()).iter().zip(&self.panels) {
            let t_max = curves
                .iter()
                .flat_map(|c| c.1.iter().map(|p| p.0))
                .fold(1.0, f64::max);
            let mut chart = ChartBuilder::on(area)
                .caption(name, (FONT, 24))
                .margin(16)
                .margin_right(40)
                .x_label_area_size(56)
                .y_label_area_size(80)
                .build_cartesian_2d((1e-3..t_max).log_scale(), (FLOOR..1.0).log_scale())?;
            chart
                .configure_mesh()
                .x_desc("time after commit (ms)")
                .y_desc("P(stale)")
                .x_label_formatter(&|x| format!("{x:.0e}"))
                .y_label_formatter(&|y| format!("{y:.0e}"))
                .label_style((FONT, 16))
                .axis_desc_style((FONT, 18))
                .light_line_style(WHITE.mix(0.0))
                .draw()?;
            for target in [1e-3, 1e-4] {
                chart.draw_series(DashedLineSeries::new(
                    vec![(1e-3, target), (t_max, target)],
                    6,
                    4,
                    BLACK.mix(0.5).stroke_width(1),
                ))?;
            }
            for (i, (label, pts)) in curves.iter().enumerate() {
                let color = PALETTE[i % PALETTE.len()];
                chart
                    .draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(3)))?
                    .label(label.clone())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
                    });
            }
            legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        }
        Ok(())
    }
}
