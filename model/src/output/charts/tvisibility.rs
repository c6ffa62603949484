//! (a) t-visibility curves: n = 3, every (r, w) with r + w <= n, one panel
//! per scenario, at the sweep's lowest failure level.

use super::{legend, panels, tick, Chart, CurveRecord, SweepData, FONT, PALETTE};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One configuration's curve: `(r, w)` and its `(t_ms, p)` points.
type Curve = ((usize, usize), Vec<(f64, f64)>);

pub struct TVisibility {
    /// Per scenario: name and its curves.
    panels: Vec<(String, Vec<Curve>)>,
    /// The failure level drawn (its spec).
    failure: String,
}

const N: usize = 3;

impl TVisibility {
    pub fn new(data: &SweepData) -> Self {
        let failure = data.base_failure();
        let panels = data
            .scenarios()
            .into_iter()
            .take(4)
            .map(|s| {
                let mut curves: Vec<Curve> = Vec::new();
                for c in data
                    .curves
                    .iter()
                    .filter(|c: &&CurveRecord| c.scenario == s && c.n == N && c.failure == failure)
                {
                    match curves.last_mut() {
                        Some((rw, pts)) if *rw == (c.r, c.w) => pts.push((c.t_ms, c.p_consistent)),
                        _ => curves.push(((c.r, c.w), vec![(c.t_ms, c.p_consistent)])),
                    }
                }
                (s, curves)
            })
            .collect();
        TVisibility { panels, failure }
    }
}

impl Chart for TVisibility {
    fn name(&self) -> &'static str {
        "tvisibility-n3"
    }

    fn caption(&self) -> String {
        format!(
            "t-visibility for n = 3: probability that a read issued t ms after the write commits returns it, for every partial quorum (r + w <= 3), failures `{}`. Monte Carlo; strict quorums are always consistent and not drawn.",
            self.failure
        )
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let root = root.titled(
            "t-visibility, n = 3: P(read t ms after commit sees the write)",
            (FONT, 30),
        )?;
        for (area, (name, curves)) in panels(&root, self.panels.len()).iter().zip(&self.panels) {
            // Up to 1.5x the latest time any curve reaches 99.9%, so that one
            // curve's long tail does not flatten the others.
            let reach = |pts: &Vec<(f64, f64)>| {
                pts.iter()
                    .find(|p| p.1 >= 0.999)
                    .map_or(pts.last().map_or(0.0, |p| p.0), |p| p.0)
            };
            let t_all = curves
                .iter()
                .flat_map(|c| c.1.iter().map(|p| p.0))
                .fold(0.0, f64::max);
            let t_max = (1.5 * curves.iter().map(|c| reach(&c.1)).fold(0.0, f64::max))
                .min(t_all)
                .max(1e-3);
            let p_min = curves
                .iter()
                .flat_map(|c| c.1.iter().map(|p| p.1))
                .fold(1.0, f64::min);
            let y_lo = ((p_min - 0.05) * 10.0).floor() / 10.0;
            let mut chart = ChartBuilder::on(area)
                .caption(name, (FONT, 24))
                .margin(16)
                .margin_right(40)
                .x_label_area_size(56)
                .y_label_area_size(72)
                .build_cartesian_2d(0.0..t_max, y_lo.max(0.0)..1.0)?;
            chart
                .configure_mesh()
                .x_desc("time after commit (ms)")
                .y_desc("P(consistent)")
                .x_label_formatter(&tick)
                .y_label_formatter(&tick)
                .label_style((FONT, 16))
                .axis_desc_style((FONT, 18))
                .light_line_style(WHITE.mix(0.0))
                .draw()?;
            for (i, ((r, w), pts)) in curves.iter().enumerate() {
                let color = PALETTE[i % PALETTE.len()];
                chart
                    .draw_series(LineSeries::new(
                        pts.iter().copied().filter(|p| p.0 <= t_max),
                        color.stroke_width(3),
                    ))?
                    .label(format!("r = {r}, w = {w}"))
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
                    });
            }
            legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        }
        Ok(())
    }
}
