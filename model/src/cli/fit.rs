//! `quorum-model fit`: the delay law that best fits a measurement.

use super::Usage;
use crate::fit::file::{fit_text, FileFit, Kind, Source};
use crate::fit::input::Unit;
use crate::fit::{Family, Fit};
use crate::output::charts::fit::FitChart;
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::path::PathBuf;

pub const FIT_EXAMPLES: &str = "Examples:
  quorum-model fit model/traces/read-latency-us.txt --unit us
  quorum-model fit model/traces/rpc-histogram.prom --format table
  quorum-model fit model/traces/proxyhistograms.txt --column write --format json
  quorum-model fit model/traces/write-latency.hlog --format table --chart fit.svg

The best law's spec goes to stdout, ready for a delay option:
  quorum-model eval --n 3 --r 2 --w 2 --delay \"$(quorum-model fit model/traces/read-latency-us.txt --unit us)\"";

/// What the file holds.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// Samples, one per line or a CSV column (--column).
    Samples,
    /// An HdrHistogram interval log (values in us unless --unit says).
    Hdr,
    /// A `nodetool proxyhistograms`-style percentile table.
    Nodetool,
    /// A Prometheus text exposition of a histogram (`_bucket{le=...}`).
    Prometheus,
}

/// What is printed.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FitFormat {
    /// The best law's spec alone.
    Spec,
    /// Every candidate, aligned.
    Table,
    /// Every candidate, one JSON object.
    Json,
}

#[derive(Args, Debug)]
pub struct FitArgs {
    /// The measurement.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// What FILE holds (default: guessed from its content).
    #[arg(long, value_enum)]
    input: Option<Input>,
    /// The unit of the values in FILE: us, ms or s (default: what a
    /// Prometheus metric's name or a nodetool header says; us for an
    /// HdrHistogram log; else ms). The fitted law is in ms.
    #[arg(long, value_parser = |s: &str| s.parse::<Unit>())]
    unit: Option<Unit>,
    /// Fit this family only: exp, lognormal, gamma, weibull, pareto,
    /// pareto-exp (PBS's Pareto–exponential mixture), shifted-exp,
    /// shifted-lognormal, shifted-gamma, shifted-weibull (a constant
    /// plus the law).
    #[arg(long, value_parser = |s: &str| s.parse::<Family>().map_err(|e| e.to_string()))]
    family: Option<Family>,
    /// Samples: the CSV column (header name or 1-based index); nodetool:
    /// the operation's column (a word of its header, as `write`); hdr:
    /// the intervals' tag (default: every interval).
    #[arg(long)]
    column: Option<String>,
    /// Nodetool: observations behind the table (it sets only the
    /// standard errors).
    #[arg(long, default_value_t = 1000, value_parser = super::whole::<u64>(1))]
    count: u64,
    /// What to print.
    #[arg(long, value_enum, default_value_t = FitFormat::Spec)]
    format: FitFormat,
    /// Also draw the data's and the best fits' survival, P(X > x), on
    /// log-log axes (the tail in view) to FILE (.svg or .png).
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
}

#[derive(Serialize)]
struct Report<'a> {
    file: String,
    input: &'static str,
    unit: &'static str,
    /// Samples, or observations in the buckets.
    observations: u64,
    /// Best (smallest BIC) first.
    candidates: &'a [Fit],
    /// `ks` is the Kolmogorov–Smirnov distance for samples (with
    /// `anderson_darling` beside it), the largest gap of cumulative shares
    /// at the bucket edges for buckets.
    goodness_of_fit: &'static str,
}

impl From<Input> for Kind {
    fn from(i: Input) -> Kind {
        match i {
            Input::Samples => Kind::Samples,
            Input::Hdr => Kind::Hdr,
            Input::Nodetool => Kind::Nodetool,
            Input::Prometheus => Kind::Prometheus,
        }
    }
}

pub fn run(args: FitArgs) -> Result<(), Usage> {
    let name = args.file.display().to_string();
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| Usage(format!("FILE: cannot read '{name}': {e}")))?;
    let families: Vec<Family> = match args.family {
        Some(f) => vec![f],
        None => Family::ALL.to_vec(),
    };
    let source = Source {
        kind: args.input.map(Kind::from),
        unit: args.unit,
        column: args.column.as_deref(),
        count: Some(args.count),
    };
    if let Some(chart) = &args.chart {
        // Refused before the work, and nothing written: a bad extension.
        let ext = chart
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_lowercase);
        if !matches!(ext.as_deref(), Some("svg" | "png")) {
            return Err(Usage(format!(
                "--chart: '{}' must end in .svg or .png",
                chart.display()
            )));
        }
    }
    let fitted = fit_text(&text, &source, &families).map_err(|e| Usage(format!("{name}: {e}")))?;
    if let Some(chart) = &args.chart {
        let title = args
            .file
            .file_name()
            .map_or(name.clone(), |f| f.to_string_lossy().into_owned());
        crate::output::charts::save_as(&FitChart::new(&title, &fitted), chart)
            .map_err(|e| Usage(format!("--chart: {e}")))?;
    }
    let FileFit {
        kind,
        unit,
        observations,
        fits,
        goodness_of_fit: gof,
        ..
    } = fitted;
    match args.format {
        FitFormat::Spec => println!("{}", fits[0].spec),
        FitFormat::Json => {
            let report = Report {
                file: name,
                input: kind.name(),
                unit: unit.name(),
                observations,
                candidates: &fits,
                goodness_of_fit: gof,
            };
            println!(
                "{}",
                serde_json::to_string_pretty(&report).map_err(|e| Usage(e.to_string()))?
            );
        }
        FitFormat::Table => {
            println!(
                "{name}: {observations} observations ({}, in {}); best first by BIC; fit: {gof}",
                match kind {
                    Kind::Samples => "samples",
                    Kind::Hdr => "hdrhistogram log",
                    Kind::Nodetool => "nodetool table",
                    Kind::Prometheus => "prometheus buckets",
                },
                unit.name()
            );
            for f in &fits {
                let params: Vec<String> = f
                    .params
                    .iter()
                    .map(|p| {
                        if p.std_err.is_finite() {
                            format!("{}={:.5} ± {:.2e}", p.name, p.value, p.std_err)
                        } else {
                            format!("{}={:.5} ± infinite", p.name, p.value)
                        }
                    })
                    .collect();
                let q: Vec<String> = f
                    .quantiles
                    .iter()
                    .map(|q| match q.observed {
                        Some(o) => format!("p{} {:.3} (observed {:.3})", q.p * 100.0, q.fitted, o),
                        None => format!("p{} {:.3}", q.p * 100.0, q.fitted),
                    })
                    .collect();
                let ad = f
                    .anderson_darling
                    .map(|a| format!("  A² {a:.3}"))
                    .unwrap_or_default();
                println!(
                    "{:<17} BIC {:>14.2}  fit {:.4}{ad}  {}\n                  {}\n                  {}",
                    f.family.name(),
                    f.bic,
                    f.ks,
                    f.spec,
                    params.join(", "),
                    q.join(", ")
                );
            }
        }
    }
    Ok(())
}
