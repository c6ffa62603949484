//! (d) Heatmap of p_consistent_t0 over (r, w) for n = 5 (lnkd-disk when
//! present, else the first scenario), at the lowest failure level.

use super::{Chart, SweepData, FONT};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub struct Heatmap {
    scenario: String,
    /// `(r, w, p_consistent_t0)`.
    cells: Vec<(usize, usize, f64)>,
}

const N: usize = 5;

impl Heatmap {
    pub fn new(data: &SweepData) -> Option<Self> {
        let scenarios = data.scenarios();
        let scenario = scenarios
            .iter()
            .find(|s| s.as_str() == "lnkd-disk")
            .or(scenarios.first())?
            .clone();
        let failure = data.base_failure();
        let cells: Vec<(usize, usize, f64)> = data
            .summary
            .iter()
            .filter(|r| r.scenario == scenario && r.n == N && r.failure == failure)
            .filter_map(|r| Some((r.r, r.w, r.p_consistent_t0?)))
            .collect();
        (!cells.is_empty()).then_some(Heatmap { scenario, cells })
    }
}

/// Light yellow (0) through green (0.5) to deep blue (1), after
/// ColorBrewer's YlGnBu: distinct steps stay distinct.
pub(super) fn shade(p: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 3] = [
        (255.0, 255.0, 204.0),
        (65.0, 182.0, 196.0),
        (37.0, 52.0, 148.0),
    ];
    let t = p.clamp(0.0, 1.0) * 2.0;
    let (i, f) = if t >= 1.0 { (1, t - 1.0) } else { (0, t) };
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

impl Chart for Heatmap {
    fn name(&self) -> &'static str {
        "heatmap-consistency-n5"
    }

    fn caption(&self) -> String {
        format!(
            "P(a read right after commit sees the write) over read quorum r and write quorum w, n = 5, {}: Monte Carlo for r + w <= 5, exactly 1 for strict quorums.",
            self.scenario
        )
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!("P(consistent at t = 0), n = {N}, {}", self.scenario),
                (FONT, 30),
            )
            .margin(24)
            .x_label_area_size(64)
            .y_label_area_size(80)
            .build_cartesian_2d(0.5..(N as f64 + 0.5), 0.5..(N as f64 + 0.5))?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(N)
            .y_labels(N)
            .x_desc("w (write quorum)")
            .y_desc("r (read quorum)")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style((FONT, 20))
            .axis_desc_style((FONT, 22))
            .draw()?;
        chart.draw_series(self.cells.iter().map(|&(r, w, p)| {
            let (x, y) = (w as f64, r as f64);
            Rectangle::new([(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)], shade(p).filled())
        }))?;
        let centred = Pos::new(HPos::Center, VPos::Center);
        chart.draw_series(self.cells.iter().map(|&(r, w, p)| {
            let color = if p > 0.75 { WHITE } else { BLACK };
            let text = if r + w > N {
                "1 (strict)".to_string()
            } else {
                format!("{p:.3}")
            };
            Text::new(
                text,
                (w as f64, r as f64),
                (FONT, 26).into_font().color(&color).pos(centred),
            )
        }))?;
        Ok(())
    }
}
