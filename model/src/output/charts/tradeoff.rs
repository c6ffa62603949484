//! (b) The PBS-style trade-off: p99.9 read latency + p99.9 write latency
//! against the time for 99.9% of reads to see a write, for n = 3 and 5, one
//! panel per scenario; strict quorums (t = 0 exactly) drawn as filled marks.

use super::{legend, panels, tick, Chart, SweepData, FONT, PALETTE};
use plotters::coord::Shift;
use plotters::prelude::*;

/// `(n, strict, t_visibility_ms, latency_ms)`.
type Point = (usize, bool, f64, f64);

pub struct Tradeoff {
    panels: Vec<(String, Vec<Point>)>,
}

const NS: [usize; 2] = [3, 5];

impl Tradeoff {
    pub fn new(data: &SweepData) -> Self {
        let failure = data.base_failure();
        let panels = data
            .scenarios()
            .into_iter()
            .take(4)
            .map(|s| {
                let pts = data
                    .summary
                    .iter()
                    .filter(|r| r.scenario == s && NS.contains(&r.n) && r.failure == failure)
                    .filter_map(|r| {
                        let t = r.t_visibility_p999_ms?;
                        let l = r.read_latency_p999_ms? + r.write_latency_p999_ms?;
                        Some((r.n, r.strict, t, l))
                    })
                    .collect();
                (s, pts)
            })
            .collect();
        Tradeoff { panels }
    }
}

impl Chart for Tradeoff {
    fn name(&self) -> &'static str {
        "tradeoff"
    }

    fn caption(&self) -> String {
        "Latency against staleness for n = 3 and 5: p99.9 read + p99.9 write latency (exact) against the time after commit for 99.9% of reads to see the write (Monte Carlo). Filled: strict quorums (never stale); hollow: partial quorums.".into()
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let root = root.titled(
            "Latency vs staleness: p99.9 read + write latency against 99.9% t-visibility",
            (FONT, 28),
        )?;
        for (area, (name, pts)) in panels(&root, self.panels.len()).iter().zip(&self.panels) {
            let t_max = pts.iter().map(|p| p.2).fold(0.0, f64::max).max(1e-3) * 1.08;
            let l_max = pts.iter().map(|p| p.3).fold(0.0, f64::max).max(1e-3) * 1.08;
            let l_min = pts
                .iter()
                .map(|p| p.3)
                .fold(f64::INFINITY, f64::min)
                .min(l_max)
                * 0.9;
            let mut chart = ChartBuilder::on(area)
                .caption(name, (FONT, 24))
                .margin(16)
                .margin_right(40)
                .x_label_area_size(56)
                .y_label_area_size(80)
                .build_cartesian_2d(-t_max * 0.03..t_max, l_min..l_max)?;
            chart
                .configure_mesh()
                .x_desc("99.9% t-visibility (ms)")
                .y_desc("p99.9 read + write latency (ms)")
                .x_label_formatter(&tick)
                .y_label_formatter(&tick)
                .label_style((FONT, 16))
                .axis_desc_style((FONT, 18))
                .light_line_style(WHITE.mix(0.0))
                .draw()?;
            for (i, n) in NS.iter().enumerate() {
                let color = PALETTE[i];
                for strict in [true, false] {
                    let series: Vec<(f64, f64)> = pts
                        .iter()
                        .filter(|p| p.0 == *n && p.1 == strict)
                        .map(|p| (p.2, p.3))
                        .collect();
                    let style = if strict {
                        color.filled()
                    } else {
                        color.stroke_width(2)
                    };
                    chart
                        .draw_series(series.iter().map(|&(x, y)| Circle::new((x, y), 7, style)))?
                        .label(format!(
                            "n = {n}, {}",
                            if strict { "strict" } else { "partial" }
                        ))
                        .legend(move |(x, y)| Circle::new((x + 10, y), 7, style));
                }
            }
            legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        }
        Ok(())
    }
}
