//! `quorum-model fit --chart`: the data's survival `P(X > x)` and the best
//! fitted laws', on log-log axes, so that the tail (where the families
//! differ, and where p99 and p99.9 live) takes most of the picture.

use super::{legend, tick, Chart, FONT, PALETTE};
use crate::dist::Delay;
use crate::fit::file::FileFit;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The candidates drawn, best first.
const DRAWN: usize = 4;

/// A fit's chart.
pub struct FitChart {
    title: String,
    /// The data's survival points (ms, share above).
    data: Vec<(f64, f64)>,
    /// Whether the data are samples (a step line) or bucket edges (dots).
    samples: bool,
    /// Up to four candidates: label and survival curve.
    fitted: Vec<(String, Vec<(f64, f64)>)>,
    x_range: (f64, f64),
    floor: f64,
}

impl FitChart {
    /// The chart of `fit`, titled `title` (the file's name).
    pub fn new(title: &str, fit: &FileFit) -> Self {
        let floor = (0.5 / fit.observations.max(1) as f64).clamp(1e-7, 0.1);
        let (lo, hi) = fit
            .survival
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), p| {
                (lo.min(p.0), hi.max(p.0))
            });
        // Out to where the slowest fitted law falls to the floor, within
        // ten times the data's range.
        let reach = fit
            .fits
            .iter()
            .take(DRAWN)
            .map(|f| f.dist.isf(floor))
            .filter(|x| x.is_finite())
            .fold(hi, f64::max)
            .min(10.0 * hi.max(1e-6));
        let x_lo = if lo.is_finite() && lo > 0.0 {
            lo / 2.0
        } else {
            1e-3
        };
        let x_hi = reach.max(x_lo * 10.0);
        let fitted = fit
            .fits
            .iter()
            .take(DRAWN)
            .map(|f| {
                let pts = (0..=300)
                    .map(|i| {
                        let x = x_lo * (x_hi / x_lo).powf(i as f64 / 300.0);
                        (x, f.dist.sf(x))
                    })
                    .filter(|p| p.1 >= floor)
                    .collect();
                (
                    format!(
                        "{}: BIC {:.1}, p99 {} ms, p99.9 {} ms",
                        f.family,
                        f.bic,
                        tick(&f.dist.quantile(0.99)),
                        tick(&f.dist.quantile(0.999))
                    ),
                    pts,
                )
            })
            .collect();
        FitChart {
            title: title.to_string(),
            data: fit
                .survival
                .iter()
                .copied()
                .filter(|p| p.1 >= floor)
                .collect(),
            samples: fit.kind == crate::fit::file::Kind::Samples,
            fitted,
            x_range: (x_lo, x_hi),
            floor,
        }
    }
}

impl Chart for FitChart {
    fn name(&self) -> &'static str {
        "fit"
    }

    fn caption(&self) -> String {
        format!(
            "{}: the data's survival P(X > x) and the best fitted laws', log-log",
            self.title
        )
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let root = root.titled(
            &format!("{}: P(latency > x), data and fits", self.title),
            (FONT, 28),
        )?;
        let mut chart = ChartBuilder::on(&root)
            .margin(20)
            .margin_right(40)
            .x_label_area_size(60)
            .y_label_area_size(90)
            .build_cartesian_2d(
                (self.x_range.0..self.x_range.1).log_scale(),
                (self.floor..1.0).log_scale(),
            )?;
        chart
            .configure_mesh()
            .x_desc("latency x (ms)")
            .y_desc("P(latency > x)")
            .x_label_formatter(&tick)
            .y_label_formatter(&|y| format!("{y:.0e}"))
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 18))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let black = BLACK.mix(0.85);
        if self.samples {
            chart
                .draw_series(LineSeries::new(
                    self.data.iter().copied(),
                    black.stroke_width(2),
                ))?
                .label("data (samples)")
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], black.stroke_width(2))
                });
        } else {
            chart
                .draw_series(self.data.iter().map(|&p| Circle::new(p, 5, black.filled())))?
                .label("data (bucket edges)")
                .legend(move |(x, y)| Circle::new((x + 12, y), 5, black.filled()));
        }
        for (i, (label, pts)) in self.fitted.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(3)))?
                .label(label.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
                });
        }
        legend(&mut chart, SeriesLabelPosition::LowerLeft)
    }
}
