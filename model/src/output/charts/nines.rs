//! The house style of the availability charts: nines against a log-scaled
//! x axis, solid and dashed lines with a legend. [`availability`],
//! [`repair`] and [`placement`] differ only in their lines and labels.
//!
//! [`availability`]: super::availability
//! [`repair`]: super::repair
//! [`placement`]: super::placement

use super::{legend, FONT, PALETTE};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A line to draw: label, dashed or not, and its points.
pub type Line<'a> = (&'a str, bool, Vec<(f64, f64)>);

/// One chart of availability in nines.
pub struct NinesPlot<'a> {
    pub title: String,
    /// The x range, drawn on a log scale.
    pub x_range: (f64, f64),
    pub x_desc: &'a str,
    pub x_label: &'a dyn Fn(&f64) -> String,
    pub lines: Vec<Line<'a>>,
    /// Palette index of line i (pairs of a solid and a dashed line can
    /// share a colour).
    pub color: fn(usize) -> usize,
}

/// Draws `plot` on `root`.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plot: &NinesPlot,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let y_max = plot
        .lines
        .iter()
        .flat_map(|l| l.2.iter().map(|p| p.1))
        .filter(|y| y.is_finite())
        .fold(0.0, f64::max)
        .ceil();
    let mut chart = ChartBuilder::on(root)
        .caption(&plot.title, (FONT, 30))
        .margin(24)
        .x_label_area_size(64)
        .y_label_area_size(80)
        .build_cartesian_2d((plot.x_range.0..plot.x_range.1).log_scale(), 0.0..y_max)?;
    chart
        .configure_mesh()
        .x_desc(plot.x_desc)
        .y_desc("availability (nines)")
        .label_style((FONT, 18))
        .axis_desc_style((FONT, 20))
        .x_label_formatter(plot.x_label)
        .y_label_formatter(&super::tick)
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    for (i, (label, dashed, pts)) in plot.lines.iter().enumerate() {
        let color = PALETTE[(plot.color)(i) % PALETTE.len()];
        let style = color.stroke_width(if *dashed { 2 } else { 3 });
        let finite = pts.iter().copied().filter(|p| p.1.is_finite());
        if *dashed {
            chart
                .draw_series(DashedLineSeries::new(finite, 10, 6, style))?
                .label(*label)
                .legend(move |(x, y)| {
                    EmptyElement::at((x, y))
                        + PathElement::new(vec![(0, 0), (9, 0)], style)
                        + PathElement::new(vec![(15, 0), (24, 0)], style)
                });
        } else {
            chart
                .draw_series(LineSeries::new(finite, style))?
                .label(*label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
        }
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    Ok(())
}
