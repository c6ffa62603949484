//! (g) Consistency levels across datacenters: P(a read right after the
//! commit sees the write) for every pair of write and read levels, the
//! read in another datacenter than the write, one panel per cluster of the
//! sweep's level comparison (`levels.csv`; see [`crate::levels`]).

use super::heatmap::shade;
use super::{panels, Chart, SummaryRecord, SweepData, FONT};
use crate::levels::COMPARED;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// `(write, read, p, strict)`, the levels by index into [`COMPARED`].
type Cell = (usize, usize, f64, bool);

pub struct LevelsChart {
    /// Per cluster: its one-line form, and its cells.
    panels: Vec<(String, Vec<Cell>)>,
}

/// The index of a level's name in [`COMPARED`].
fn index(name: &str) -> Option<usize> {
    COMPARED.iter().position(|l| l.to_string() == name)
}

/// The rows of the comparison with the read in another datacenter than
/// the write, grouped by cluster in order of appearance.
pub(crate) fn other_dc(data: &SweepData) -> Vec<(String, Vec<&SummaryRecord>)> {
    let mut out: Vec<(String, Vec<&SummaryRecord>)> = Vec::new();
    for r in data.levels.iter().filter(|r| r.read_dc != r.write_dc) {
        match out.iter_mut().find(|(t, _)| *t == r.topology) {
            Some((_, rows)) => rows.push(r),
            None => out.push((r.topology.clone(), vec![r])),
        }
    }
    out
}

impl LevelsChart {
    pub fn new(data: &SweepData) -> Option<Self> {
        let panels: Vec<_> = other_dc(data)
            .into_iter()
            .take(4)
            .map(|(t, rows)| {
                let cells = rows
                    .iter()
                    .filter_map(|r| {
                        Some((
                            index(&r.write_cl)?,
                            index(&r.read_cl)?,
                            r.p_consistent_t0?,
                            r.strict,
                        ))
                    })
                    .collect();
                (t, cells)
            })
            .collect();
        (!panels.is_empty()).then_some(LevelsChart { panels })
    }
}

impl Chart for LevelsChart {
    fn name(&self) -> &'static str {
        "levels-across-datacenters"
    }

    fn caption(&self) -> String {
        format!(
            "P(a read right after the commit sees the write) for every pair of write and read consistency levels, the write coordinated in the first datacenter and the read in the next, each datacenter down with probability {} and each node in an up one with {}: exactly 1 where every read set meets every write set (strict), else Monte Carlo. LOCAL_QUORUM reads in another datacenter never see a LOCAL_QUORUM write at once; EACH_QUORUM writes are seen by every read.",
            crate::levels::DC_OUTAGE,
            crate::levels::NODE_DOWN
        )
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let k = COMPARED.len();
        let names: Vec<String> = COMPARED.iter().map(|l| l.to_string()).collect();
        for ((topology, cells), area) in self.panels.iter().zip(panels(root, self.panels.len())) {
            let mut chart = ChartBuilder::on(&area)
                .caption(
                    format!(
                        "read in another datacenter: {}",
                        crate::topology::datacenters_part(topology)
                    ),
                    (FONT, 22),
                )
                .margin(16)
                .x_label_area_size(60)
                .y_label_area_size(150)
                .build_cartesian_2d(-0.5..(k as f64 - 0.5), -0.5..(k as f64 - 0.5))?;
            let label = |v: &f64| {
                let i = v.round();
                if (v - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < k {
                    names[i as usize].clone()
                } else {
                    String::new()
                }
            };
            chart
                .configure_mesh()
                .disable_mesh()
                .x_labels(k)
                .y_labels(k)
                .x_desc("read level")
                .y_desc("write level")
                .x_label_formatter(&label)
                .y_label_formatter(&label)
                .label_style((FONT, 14))
                .axis_desc_style((FONT, 18))
                .draw()?;
            chart.draw_series(cells.iter().map(|&(w, r, p, _)| {
                let (x, y) = (r as f64, w as f64);
                Rectangle::new([(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)], shade(p).filled())
            }))?;
            let centred = Pos::new(HPos::Center, VPos::Center);
            chart.draw_series(cells.iter().map(|&(w, r, p, strict)| {
                let color = if p > 0.75 { WHITE } else { BLACK };
                let text = if strict {
                    "1 (strict)".to_string()
                } else {
                    format!("{p:.3}")
                };
                Text::new(
                    text,
                    (r as f64, w as f64),
                    (FONT, 16).into_font().color(&color).pos(centred),
                )
            }))?;
        }
        Ok(())
    }
}
