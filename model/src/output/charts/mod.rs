//! Charts for the report (plotters), each drawn once and saved as SVG and
//! PNG. They read the sweep's CSVs, so `quorum-model plot`
//! redraws them without recomputing anything. Text uses DejaVu Sans, shipped
//! in `model/assets/` and embedded in the binary, so a machine without fonts
//! draws the same labels.
//!
//! - `tvisibility`: t-visibility curves, n = 3, every non-strict (r, w);
//! - `tradeoff`: p99.9 read + write latency against 99.9% t-visibility;
//! - `availability`: nines against p_fail (closed form, dense grid);
//! - `heatmap`: p_consistent_t0 over (r, w);
//! - `repair`: nines against mean time to repair, shared crews or not;
//! - `placement`: nines against domain outage probability, spread or
//!   packed.
//!
//! Public for the other binary of the project (`quorum-bench`), which draws
//! its validation chart with the same [`Chart`] trait, font and palette.

mod availability;
pub mod fit;
mod healing;
mod heatmap;
mod levels;
mod nines;
mod placement;
mod repair;
mod tradeoff;
mod tvisibility;

use super::atomic::write_atomic;
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Once;

/// Pixel size of every chart.
pub const SIZE: (u32, u32) = (1400, 1000);
/// The font family every chart draws with (DejaVu Sans, embedded).
pub const FONT: &str = "sans-serif";

static FONT_BYTES: &[u8] = include_bytes!("../../../assets/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

fn register_font() {
    REGISTER.call_once(|| {
        if plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).is_err() {
            panic!("the embedded DejaVu Sans font does not parse");
        }
    });
}

/// The columns of `summary.csv` the charts and report use (a subset of
/// [`crate::eval::SummaryRow::COLUMNS`], which a test checks).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, serde::Serialize)]
pub(crate) struct SummaryRecord {
    pub scenario: String,
    pub n: usize,
    pub r: usize,
    pub w: usize,
    pub strict: bool,
    pub p_fail: Option<f64>,
    /// The failure level's spec (absent in files from before it existed).
    #[serde(default)]
    pub failure: String,
    pub read_availability: f64,
    pub write_availability: f64,
    pub read_unavailability: f64,
    #[serde(default)]
    pub write_unavailability: f64,
    pub p_stale_k1: f64,
    pub p_consistent_t0: Option<f64>,
    pub p_consistent_t0_ci_low: Option<f64>,
    pub p_consistent_t0_ci_high: Option<f64>,
    pub t_visibility_p999_ms: Option<f64>,
    pub read_latency_p999_ms: Option<f64>,
    pub write_latency_p999_ms: Option<f64>,
    pub read_latency_p99_ms: Option<f64>,
    pub write_latency_p99_ms: Option<f64>,
    pub trials: Option<u64>,
    pub seed: Option<u64>,
    /// The topology and levels (absent in files from before them).
    #[serde(default)]
    pub topology: String,
    #[serde(default)]
    pub write_cl: String,
    #[serde(default)]
    pub read_cl: String,
    #[serde(default)]
    pub write_dc: String,
    #[serde(default)]
    pub read_dc: String,
    #[serde(default)]
    pub hint_window: String,
    #[serde(default)]
    pub anti_entropy_interval: String,
    #[serde(default)]
    pub read_repair: String,
    #[serde(default)]
    pub read_fanout: String,
    #[serde(default)]
    pub speculative_retry: String,
    #[serde(default)]
    pub speculative_retry_ms: Option<f64>,
    #[serde(default)]
    pub speculative_retry_rate: Option<f64>,
    #[serde(default)]
    pub t_visibility_failures_p999_ms: Option<f64>,
    #[serde(default)]
    pub t_visibility_failures_p9999_ms: Option<f64>,
    #[serde(default)]
    pub read_repair_rate: Option<f64>,
}

/// One row of `tvisibility.csv`, read back: the same type the sweep writes.
use crate::curve::CurveRow as CurveRecord;

/// A sweep's CSVs, loaded.
#[derive(Debug, Clone, Default)]
pub(crate) struct SweepData {
    pub summary: Vec<SummaryRecord>,
    pub curves: Vec<CurveRecord>,
    /// `rules_of_thumb.csv`, empty if absent.
    pub rules: Vec<SummaryRecord>,
    /// `sweep.json`, if present.
    pub manifest: Option<super::sweep_files::Manifest>,
    /// `levels.csv`, empty if absent.
    pub levels: Vec<SummaryRecord>,
    /// `healing.csv`, empty if absent.
    pub healing: Vec<SummaryRecord>,
    /// `retry.csv`, empty if absent.
    pub retry: Vec<SummaryRecord>,
    /// `healing_curves.csv`, empty if absent.
    pub healing_curves: Vec<crate::mechanisms::HealingPoint>,
}

impl SweepData {
    /// Reads `summary.csv` and `tvisibility.csv` from `dir`.
    pub fn load(dir: &Path) -> Result<Self, String> {
        fn read<T: for<'de> Deserialize<'de>>(
            path: PathBuf,
            required: &[&str],
            keep: &dyn Fn(&T) -> bool,
        ) -> Result<Vec<T>, String> {
            // Checked as read: a missing column, a NaN or an inf is refused
            // with the file, line and column, not drawn. Rows stream from
            // disk, and only the kept ones stay in memory.
            let mut out = Vec::new();
            super::csv_check::for_each_checked(&path, required, &mut |header, row, _| {
                let v: T = row.deserialize(Some(header)).map_err(|e| e.to_string())?;
                if keep(&v) {
                    out.push(v);
                }
                Ok(())
            })
            .map_err(|e| e.to_string())?;
            Ok(out)
        }
        use super::csv_check::{SUMMARY_REQUIRED, TVISIBILITY_REQUIRED};
        let rules_path = dir.join(super::sweep_files::RULES);
        let levels_path = dir.join(super::sweep_files::LEVELS);
        let optional = |name: &str| -> Result<Vec<SummaryRecord>, String> {
            let path = dir.join(name);
            if path.exists() {
                read(path, SUMMARY_REQUIRED, &|_| true)
            } else {
                Ok(Vec::new())
            }
        };
        let manifest_path = dir.join(super::sweep_files::MANIFEST);
        let manifest = match std::fs::read_to_string(&manifest_path) {
            Ok(text) => Some(
                serde_json::from_str(&text)
                    .map_err(|e| format!("{}: {e}", manifest_path.display()))?,
            ),
            Err(_) => None,
        };
        Ok(SweepData {
            summary: read(
                dir.join(super::sweep_files::SUMMARY),
                SUMMARY_REQUIRED,
                &|_| true,
            )?,
            // The charts draw curves of small clusters only; a large
            // sweep's other curves stay on disk.
            curves: read(
                dir.join(super::sweep_files::TVISIBILITY),
                TVISIBILITY_REQUIRED,
                &|c: &CurveRecord| c.n <= crate::curve::THIN_ABOVE_N,
            )?,
            rules: if rules_path.exists() {
                read(rules_path, SUMMARY_REQUIRED, &|_| true)?
            } else {
                Vec::new()
            },
            levels: if levels_path.exists() {
                read(levels_path, SUMMARY_REQUIRED, &|_| true)?
            } else {
                Vec::new()
            },
            healing: optional(super::sweep_files::HEALING)?,
            retry: optional(super::sweep_files::RETRY)?,
            healing_curves: {
                let path = dir.join(super::sweep_files::HEALING_CURVES);
                if path.exists() {
                    read(path, &["mechanisms", "t_ms", "p_consistent"], &|_| true)?
                } else {
                    Vec::new()
                }
            },
            manifest,
        })
    }

    /// Scenario names in order of first appearance (the sweep's order).
    pub fn scenarios(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in &self.summary {
            if !out.contains(&r.scenario) {
                out.push(r.scenario.clone());
            }
        }
        out
    }

    /// The failure level the charts use: the lowest independent `p_fail`
    /// in the data, else the first level.
    pub fn base_failure(&self) -> String {
        self.summary
            .iter()
            .filter(|r| r.p_fail.is_some())
            .min_by(|a, b| a.p_fail.unwrap().total_cmp(&b.p_fail.unwrap()))
            .or(self.summary.first())
            .map(|r| r.failure.clone())
            .unwrap_or_default()
    }

    /// The failure levels in the data, parsed from their specs, in order of
    /// first appearance.
    pub fn levels(&self) -> Vec<crate::failure::FailureModel> {
        let mut specs: Vec<&str> = Vec::new();
        for r in &self.summary {
            if !specs.contains(&r.failure.as_str()) {
                specs.push(&r.failure);
            }
        }
        specs.iter().filter_map(|s| s.parse().ok()).collect()
    }

    /// The highest independent `p_fail` level's spec, if there is one (the
    /// report's recommendations use it).
    pub fn worst_iid_failure(&self) -> Option<(f64, String)> {
        self.summary
            .iter()
            .filter(|r| r.p_fail.is_some())
            .max_by(|a, b| a.p_fail.unwrap().total_cmp(&b.p_fail.unwrap()))
            .map(|r| (r.p_fail.unwrap(), r.failure.clone()))
    }
}

/// A chart that can draw itself on any plotters backend.
pub trait Chart {
    /// File name without extension.
    fn name(&self) -> &'static str;
    /// One-line description for the report.
    fn caption(&self) -> String;
    /// Draws the chart on `root`.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>>;
}

/// `chart` as SVG text.
fn svg<C: Chart>(chart: &C) -> Result<String, String> {
    register_font();
    let fail = |e: String| format!("chart {}: {e}", chart.name());
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
        chart.draw(&root).map_err(|e| fail(e.to_string()))?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    Ok(svg)
}

/// `chart` as PNG bytes.
fn png<C: Chart>(chart: &C) -> Result<Vec<u8>, String> {
    register_font();
    let fail = |e: String| format!("chart {}: {e}", chart.name());
    let mut rgb = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
        chart.draw(&root).map_err(|e| fail(e.to_string()))?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    let mut png = Vec::new();
    use image::ImageEncoder;
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&rgb, SIZE.0, SIZE.1, image::ColorType::Rgb8)
        .map_err(|e| fail(e.to_string()))?;
    Ok(png)
}

/// Draws `chart` to `dir/NAME.svg` and `dir/NAME.png` (each written whole).
pub fn save<C: Chart>(chart: &C, dir: &Path) -> Result<(), String> {
    let fail = |e: String| format!("chart {}: {e}", chart.name());
    let (svg, png) = (svg(chart)?, png(chart)?);
    std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
    write_atomic(&dir.join(format!("{}.svg", chart.name())), svg.as_bytes())
        .map_err(|e| fail(e.to_string()))?;
    write_atomic(&dir.join(format!("{}.png", chart.name())), &png)
        .map_err(|e| fail(e.to_string()))?;
    Ok(())
}

/// Draws `chart` to `path`, SVG or PNG by its extension (written whole).
pub fn save_as<C: Chart>(chart: &C, path: &Path) -> Result<(), String> {
    let bytes = match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("svg") => svg(chart)?.into_bytes(),
        Some(e) if e.eq_ignore_ascii_case("png") => png(chart)?,
        _ => return Err(format!("'{}' must end in .svg or .png", path.display())),
    };
    write_atomic(path, &bytes).map_err(|e| format!("'{}': {e}", path.display()))
}

/// Every chart of the report, drawn from `data` into `dir`; returns
/// `(file stem, caption)` for each, in report order.
pub(crate) fn draw_all(data: &SweepData, dir: &Path) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let a = tvisibility::TVisibility::new(data);
    save(&a, dir)?;
    out.push((a.name().to_string(), a.caption()));
    let b = tradeoff::Tradeoff::new(data);
    save(&b, dir)?;
    out.push((b.name().to_string(), b.caption()));
    let c = availability::Availability;
    save(&c, dir)?;
    out.push((c.name().to_string(), c.caption()));
    if let Some(d) = heatmap::Heatmap::new(data) {
        save(&d, dir)?;
        out.push((d.name().to_string(), d.caption()));
    }
    let e = repair::RepairChart::new(data);
    save(&e, dir)?;
    out.push((e.name().to_string(), e.caption()));
    let f = placement::PlacementChart::new(data);
    save(&f, dir)?;
    out.push((f.name().to_string(), f.caption()));
    if let Some(g) = levels::LevelsChart::new(data) {
        save(&g, dir)?;
        out.push((g.name().to_string(), g.caption()));
    }
    if let Some(h) = healing::HealingChart::new(data) {
        save(&h, dir)?;
        out.push((h.name().to_string(), h.caption()));
    }
    Ok(out)
}

/// A qualitative palette that stays readable in print.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
    RGBColor(140, 86, 75),
    RGBColor(127, 127, 127),
];

/// Draws the series legend in the house style at `position`.
pub fn legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart
        .configure_series_labels()
        .position(position)
        .label_font((FONT, 18))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .draw()
}

/// Axis tick text: no trailing ".0", at most 3 significant decimals.
pub fn tick(x: &f64) -> String {
    let x = *x;
    if x == x.round() && x.abs() < 1e9 {
        return format!("{x:.0}");
    }
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Splits the root into up to four panels (2 x 2, or fewer in a row).
pub(crate) fn panels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    count: usize,
) -> Vec<DrawingArea<DB, Shift>> {
    match count {
        0 => Vec::new(),
        1 => vec![root.clone()],
        2 => root.split_evenly((1, 2)),
        _ => root.split_evenly((2, 2)).into_iter().take(count).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_columns_read_back_are_summary_columns() {
        for name in crate::eval::field_names(&SummaryRecord::default()) {
            assert!(
                crate::eval::SummaryRow::COLUMNS.contains(&name.as_str()),
                "SummaryRecord reads '{name}', which summary.csv does not have"
            );
        }
    }

    #[test]
    fn ticks_drop_trailing_zeros() {
        assert_eq!(tick(&10.0), "10");
        assert_eq!(tick(&0.5), "0.5");
        assert_eq!(tick(&0.125), "0.125");
        assert_eq!(tick(&1e-4), "0");
    }

    #[test]
    fn charts_draw_from_a_small_sweep() {
        use crate::output::sweep_files::{write_sweep, Manifest};
        use crate::scenario::Scenario;
        use crate::sweep::{run, Shard, SweepSpec};
        let spec = SweepSpec {
            scenarios: vec![
                Scenario::from_preset("lnkd-disk").unwrap(),
                Scenario::from_preset("wan").unwrap(),
            ],
            n_max: 5,
            p_fail: vec![0.0],
            failures: vec!["repair(mttf=500,mttr=10,crews=1)".parse().unwrap()],
            trials: 3_000,
            seed: 1,
            clusters: crate::levels::default_clusters(),
            healing: crate::mechanisms::default_settings(),
            retry: None,
        }
        .validated()
        .unwrap();
        let out = run(&spec, Shard::WHOLE, &|| {}).unwrap();
        let dir = std::env::temp_dir().join(format!("qm-charts-{}", std::process::id()));
        write_sweep(&dir, &Manifest::new(&spec, Shard::WHOLE), &out).unwrap();
        let data = SweepData::load(&dir).unwrap();
        assert_eq!(
            data.scenarios(),
            vec!["lnkd-disk".to_string(), "wan".to_string()]
        );
        let drawn = draw_all(&data, &dir.join("charts")).unwrap();
        assert_eq!(drawn.len(), 8);
        assert!(drawn.iter().any(|d| d.0 == "healing"));
        // The repair chart takes MTTF from the sweep's repair level.
        let repair = drawn.iter().find(|d| d.0 == "availability-repair").unwrap();
        assert!(repair.1.contains("every 500 h"), "{}", repair.1);
        // Charts of one level: the base (independent) level's rows only.
        assert_eq!(data.base_failure(), "iid(p_fail=0)");
        assert_eq!(data.levels().len(), 2);
        for (stem, caption) in drawn {
            assert!(!caption.is_empty());
            for ext in ["svg", "png"] {
                let bytes =
                    std::fs::read(dir.join("charts").join(format!("{stem}.{ext}"))).unwrap();
                assert!(bytes.len() > 1000, "{stem}.{ext} is {} bytes", bytes.len());
            }
            let svg =
                std::fs::read_to_string(dir.join("charts").join(format!("{stem}.svg"))).unwrap();
            assert!(svg.contains("<text"), "{stem}.svg has no text");
        }
    }
}
