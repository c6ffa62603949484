//! `quorum-model fit`: the delay law that best fits a measurement.

use super::Usage;
use crate::fit::censored::{fit_buckets, Buckets};
use crate::fit::input::{self, Unit};
use crate::fit::{fit_samples, Family, Fit, Samples};
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::path::PathBuf;

pub const FIT_EXAMPLES: &str = "Examples:
  quorum-model fit model/traces/read-latency-us.txt --unit us
  quorum-model fit model/traces/rpc-histogram.prom --format table
  quorum-model fit model/traces/proxyhistograms.txt --column write --format json

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
}

/// A guess from the content: an HdrHistogram log, Prometheus buckets, a
/// nodetool table, else samples.
fn guess(text: &str) -> Input {
    if crate::fit::hdr::looks_like_log(text) {
        Input::Hdr
    } else if text.contains("_bucket{") {
        Input::Prometheus
    } else if text
        .lines()
        .any(|l| l.trim_start().starts_with("Percentile"))
    {
        Input::Nodetool
    } else {
        Input::Samples
    }
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

fn unit_name(u: Unit) -> &'static str {
    match u {
        Unit::Us => "us",
        Unit::Ms => "ms",
        Unit::S => "s",
    }
}

pub fn run(args: FitArgs) -> Result<(), Usage> {
    let name = args.file.display().to_string();
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| Usage(format!("FILE: cannot read '{name}': {e}")))?;
    let input = args.input.unwrap_or_else(|| guess(&text));
    let families: Vec<Family> = match args.family {
        Some(f) => vec![f],
        None => Family::ALL.to_vec(),
    };
    let bad = |e: crate::fit::FitError| Usage(format!("{name}: {e}"));
    let (fits, unit, observations, gof) = match input {
        Input::Samples => {
            let unit = args.unit.unwrap_or(Unit::Ms);
            let xs = input::samples(&text, unit, args.column.as_deref()).map_err(bad)?;
            let n = xs.len() as u64;
            let s = Samples::new(xs).map_err(bad)?;
            (
                fit_samples(&s, &families).map_err(bad)?,
                unit,
                n,
                "kolmogorov-smirnov",
            )
        }
        Input::Hdr => {
            let unit = args.unit.unwrap_or(Unit::Us);
            let b = crate::fit::hdr::read(&text, unit, args.column.as_deref()).map_err(bad)?;
            (
                fit_buckets(&b, &families).map_err(bad)?,
                unit,
                b.total(),
                "largest gap at the bucket edges",
            )
        }
        Input::Prometheus => {
            let unit = args
                .unit
                .or_else(|| input::prometheus_unit(&text))
                .unwrap_or(Unit::S);
            let b: Buckets = input::prometheus(&text, unit).map_err(bad)?;
            (
                fit_buckets(&b, &families).map_err(bad)?,
                unit,
                b.total(),
                "largest gap at the bucket edges",
            )
        }
        Input::Nodetool => {
            let b = input::nodetool(&text, args.unit, args.column.as_deref(), args.count)
                .map_err(bad)?;
            let unit = args.unit.unwrap_or(if text.contains("(millis)") {
                Unit::Ms
            } else {
                Unit::Us
            });
            (
                fit_buckets(&b, &families).map_err(bad)?,
                unit,
                b.total(),
                "largest gap at the bucket edges",
            )
        }
    };
    match args.format {
        FitFormat::Spec => println!("{}", fits[0].spec),
        FitFormat::Json => {
            let report = Report {
                file: name,
                input: match input {
                    Input::Samples => "samples",
                    Input::Hdr => "hdr",
                    Input::Nodetool => "nodetool",
                    Input::Prometheus => "prometheus",
                },
                unit: unit_name(unit),
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
                match input {
                    Input::Samples => "samples",
                    Input::Hdr => "hdrhistogram log",
                    Input::Nodetool => "nodetool table",
                    Input::Prometheus => "prometheus buckets",
                },
                unit_name(unit)
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
