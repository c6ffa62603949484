//! What users measure, read into samples or buckets (ms): raw samples
//! (one per line, or a CSV column), a Prometheus text exposition of a
//! histogram (`_bucket{le="..."}` lines), and a `nodetool
//! proxyhistograms`-style percentile table. HdrHistogram logs: [`super::hdr`].

use super::censored::Buckets;
use super::FitError;
use std::str::FromStr;

/// A time unit, as a factor to milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Microseconds.
    Us,
    /// Milliseconds.
    Ms,
    /// Seconds.
    S,
}

impl Unit {
    /// The names accepted.
    pub const NAMES: &'static str = "us, ms, s";

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Us => "us",
            Unit::Ms => "ms",
            Unit::S => "s",
        }
    }

    /// Milliseconds per unit.
    pub fn ms(self) -> f64 {
        match self {
            Unit::Us => 1e-3,
            Unit::Ms => 1.0,
            Unit::S => 1e3,
        }
    }
}

impl FromStr for Unit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "us" | "µs" | "micros" => Ok(Unit::Us),
            "ms" => Ok(Unit::Ms),
            "s" => Ok(Unit::S),
            other => Err(format!("unknown unit '{other}': one of {}", Unit::NAMES)),
        }
    }
}

/// Where a line of input went wrong (line 0: the input as a whole).
pub(super) fn at(line: usize, message: impl Into<String>) -> FitError {
    FitError::Input {
        line,
        message: message.into(),
    }
}

fn number(line: usize, text: &str) -> Result<f64, FitError> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| at(line, format!("'{}' is not a number", text.trim())))
}

/// Samples in `unit`, one per line, or a CSV column: with commas, the
/// first line is a header if any field in it is not a number, and the
/// column is `column` (a header name or a 1-based index; default the
/// first). Empty lines and lines starting with `#` are skipped.
pub fn samples(text: &str, unit: Unit, column: Option<&str>) -> Result<Vec<f64>, FitError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .peekable();
    let csv = lines.peek().is_some_and(|(_, l)| l.contains(','));
    let mut index = 0;
    if csv {
        let (n, first) = *lines.peek().expect("peeked");
        let fields: Vec<&str> = first.split(',').map(str::trim).collect();
        let header = fields.iter().any(|f| f.parse::<f64>().is_err());
        index = match column {
            Some(c) => match c.parse::<usize>() {
                Ok(k) if k >= 1 && k <= fields.len() => k - 1,
                Ok(_) => {
                    return Err(at(
                        n,
                        format!("column {c}: there are {} columns", fields.len()),
                    ))
                }
                Err(_) if header => fields
                    .iter()
                    .position(|f| f.trim_matches('"') == c)
                    .ok_or_else(|| {
                        at(
                            n,
                            format!(
                                "no column named '{c}' in the header ({})",
                                fields.join(", ")
                            ),
                        )
                    })?,
                Err(_) => {
                    return Err(at(
                        n,
                        format!("column '{c}': the file has no header; give a 1-based index"),
                    ))
                }
            },
            None => 0,
        };
        if header {
            lines.next();
        }
    } else if let Some(c) = column {
        if c != "1" {
            return Err(at(
                0,
                format!("column {c}: the samples are one per line, not CSV"),
            ));
        }
    }
    let mut out = Vec::new();
    for (n, l) in lines {
        let field = if csv {
            l.split(',')
                .nth(index)
                .ok_or_else(|| at(n, format!("no column {}", index + 1)))?
        } else {
            l
        };
        let x = number(n, field)?;
        if x <= 0.0 {
            return Err(at(n, format!("{x}: samples must be > 0")));
        }
        out.push(x * unit.ms());
    }
    if out.is_empty() {
        return Err(FitError::Empty);
    }
    Ok(out)
}

/// The unit a Prometheus metric's name says (`_seconds`, `_milliseconds`,
/// `_microseconds`), if any.
pub fn prometheus_unit(text: &str) -> Option<Unit> {
    let name = text.lines().find_map(|l| l.trim().split_once("_bucket"))?.0;
    [
        ("_seconds", Unit::S),
        ("_milliseconds", Unit::Ms),
        ("_microseconds", Unit::Us),
    ]
    .into_iter()
    .find(|(suffix, _)| name.ends_with(suffix))
    .map(|(_, u)| u)
}

/// A Prometheus histogram's `_bucket` lines, summed over its series (every
/// label set, per `le`), in `unit`.
pub fn prometheus(text: &str, unit: Unit) -> Result<Buckets, FitError> {
    let mut by_le: Vec<(f64, f64)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.starts_with('#') || !l.contains("_bucket") {
            continue;
        }
        let le_start = l
            .find("le=\"")
            .ok_or_else(|| at(i + 1, "a _bucket line without le=\"...\""))?
            + 4;
        let le_end = l[le_start..]
            .find('"')
            .ok_or_else(|| at(i + 1, "an unterminated le label"))?
            + le_start;
        let le_text = &l[le_start..le_end];
        let le = if le_text == "+Inf" {
            f64::INFINITY
        } else {
            number(i + 1, le_text)? * unit.ms()
        };
        let value_text = l[l.rfind('}').unwrap_or(0) + 1..]
            .split_whitespace()
            .next()
            .unwrap_or("");
        let count = number(i + 1, value_text)?;
        if count < 0.0 {
            return Err(at(i + 1, format!("count {count} is negative")));
        }
        match by_le.iter_mut().find(|(e, _)| *e == le) {
            Some(slot) => slot.1 += count,
            None => by_le.push((le, count)),
        }
    }
    if by_le.is_empty() {
        return Err(at(0, "no _bucket{le=\"...\"} lines"));
    }
    by_le.sort_by(|a, b| a.0.total_cmp(&b.0));
    let cumulative: Vec<(f64, u64)> = by_le
        .iter()
        .map(|&(le, c)| (le, c.round() as u64))
        .collect();
    Buckets::from_cumulative(&cumulative)
}

/// A `nodetool proxyhistograms`-style table: rows `P%` (and `Min`,
/// `Max`), one column per operation, values in the unit the header says
/// (`(micros)`) or `unit`. Column `column` (a header word such as `Write`,
/// default the first); `count` observations are assumed spread as the
/// percentiles say (it sets only the standard errors).
pub fn nodetool(
    text: &str,
    unit: Option<Unit>,
    column: Option<&str>,
    count: u64,
) -> Result<Buckets, FitError> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .collect();
    let header = lines
        .iter()
        .find(|(_, l)| l.starts_with("Percentile"))
        .ok_or_else(|| at(0, "no 'Percentile' header row"))?;
    // Columns are the header's words ending in "Latency" or the words
    // after "Percentile".
    let names: Vec<String> = {
        let rest = header.1["Percentile".len()..].trim();
        let parts: Vec<&str> = rest
            .split("  ")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        parts.iter().map(|s| s.to_string()).collect()
    };
    let index = match column {
        None => 0,
        Some(c) => names
            .iter()
            .position(|n| n.to_lowercase().contains(&c.to_lowercase()))
            .ok_or_else(|| {
                at(
                    header.0,
                    format!("no column matching '{c}' in {}", names.join(", ")),
                )
            })?,
    };
    let unit = match unit {
        Some(u) => u,
        None if text.contains("(micros)") => Unit::Us,
        None if text.contains("(millis)") => Unit::Ms,
        None => return Err(at(header.0, "the table does not say its unit; give --unit")),
    };
    let mut points: Vec<(f64, f64)> = Vec::new(); // (share, value ms)
    let (mut min, mut max) = (None, None);
    for &(n, l) in &lines {
        let mut words = l.split_whitespace();
        let Some(label) = words.next() else { continue };
        let values: Vec<&str> = words.collect();
        let share = if let Some(p) = label.strip_suffix('%') {
            Some(number(n, p)? / 100.0)
        } else {
            None
        };
        if share.is_none() && label != "Min" && label != "Max" {
            continue;
        }
        let v = values
            .get(index)
            .ok_or_else(|| at(n, format!("no column {}", index + 1)))?;
        let v = number(n, v)? * unit.ms();
        match (share, label) {
            (Some(p), _) => points.push((p, v)),
            (None, "Min") => min = Some(v),
            _ => max = Some(v),
        }
    }
    if points.is_empty() {
        return Err(at(0, "no percentile rows (50%, 99%, ...)"));
    }
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    for w in points.windows(2) {
        if w[1].1 < w[0].1 {
            return Err(at(
                0,
                format!(
                    "the {}% value {} is below the {}% value {}",
                    w[1].0 * 100.0,
                    w[1].1,
                    w[0].0 * 100.0,
                    w[0].1
                ),
            ));
        }
    }
    // Buckets between consecutive percentile values, the mass between
    // their shares; Min and Max close the ends.
    let mut edges: Vec<(f64, f64)> = Vec::new(); // (value, cumulative share)
    if let Some(m) = min.filter(|&m| m > 0.0) {
        edges.push((m, 0.0));
    }
    edges.extend(points.iter().map(|&(p, v)| (v, p)));
    edges.push((
        max.map_or(f64::INFINITY, |m| {
            m.max(edges.last().map_or(0.0, |e| e.0) * (1.0 + 1e-12))
        }),
        1.0,
    ));
    let mut cum: Vec<(f64, u64)> = Vec::new();
    for (v, p) in edges {
        let c = (p * count as f64).round() as u64;
        match cum.last_mut() {
            // Equal values (empty columns, coarse tables): keep the larger
            // share at that value.
            Some(last) if last.0 >= v => last.1 = last.1.max(c),
            _ => cum.push((v, c)),
        }
    }
    if cum.last().is_some_and(|l| l.0.is_finite()) {
        let total = cum.last().map_or(0, |l| l.1);
        cum.push((f64::INFINITY, total));
    }
    Buckets::from_cumulative(&cum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_in_lines_and_csv_columns() {
        assert_eq!(
            samples("1\n# c\n\n2.5\n", Unit::S, None).unwrap(),
            vec![1000.0, 2500.0]
        );
        let csv = "op,latency_us\nread,100\nwrite,250\n";
        assert_eq!(
            samples(csv, Unit::Us, Some("latency_us")).unwrap(),
            vec![0.1, 0.25]
        );
        assert_eq!(samples(csv, Unit::Us, Some("2")).unwrap(), vec![0.1, 0.25]);
        let e = samples(csv, Unit::Us, None).unwrap_err().to_string();
        assert!(
            e.contains("line 2") && e.contains("'read' is not a number"),
            "{e}"
        );
        let e = samples("1\n-2\n", Unit::Ms, None).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("> 0"), "{e}");
        assert_eq!(
            samples("# nothing\n", Unit::Ms, None).unwrap_err(),
            FitError::Empty
        );
        assert!(samples(csv, Unit::Us, Some("nope"))
            .unwrap_err()
            .to_string()
            .contains("no column named"));
    }

    const EXPOSITION: &str = r#"# HELP rpc_duration_seconds A histogram.
# TYPE rpc_duration_seconds histogram
rpc_duration_seconds_bucket{op="get",le="0.005"} 10
rpc_duration_seconds_bucket{op="get",le="0.01"} 30
rpc_duration_seconds_bucket{op="get",le="+Inf"} 40
rpc_duration_seconds_bucket{op="put",le="0.005"} 1
rpc_duration_seconds_bucket{op="put",le="0.01"} 5
rpc_duration_seconds_bucket{op="put",le="+Inf"} 10
rpc_duration_seconds_sum 0.9
rpc_duration_seconds_count 50
"#;

    #[test]
    fn prometheus_buckets_are_summed_over_series_in_the_unit_of_the_name() {
        assert_eq!(prometheus_unit(EXPOSITION), Some(Unit::S));
        let b = prometheus(EXPOSITION, Unit::S).unwrap();
        assert_eq!(
            b.buckets(),
            &[(0.0, 5.0, 11), (5.0, 10.0, 24), (10.0, f64::INFINITY, 15)]
        );
        let broken = EXPOSITION.replace("le=\"0.01\"} 30", "le=\"0.01\"} 3");
        assert!(prometheus(&broken, Unit::S)
            .unwrap_err()
            .to_string()
            .contains("not cumulative"));
        assert!(prometheus("x 1\n", Unit::S).is_err());
    }

    const NODETOOL: &str = "proxy histograms
Percentile       Read Latency      Write Latency      Range Latency
                     (micros)           (micros)           (micros)
50%                    315.85             379.02               0.00
75%                    454.83             545.79               0.00
95%                    785.94             943.13               0.00
98%                   1131.75            1358.10               0.00
99%                   1358.10            1629.72               0.00
Min                     42.51              61.22               0.00
Max                  25109.16           20924.30               0.00
";

    #[test]
    fn nodetool_tables_become_buckets_between_percentiles() {
        let b = nodetool(NODETOOL, None, Some("write"), 10_000).unwrap();
        let cum = b.cumulative();
        // 50% below 0.379 ms, 99% below 1.630, all below the max.
        assert!(
            cum.iter()
                .any(|&(x, f)| (x - 0.37902).abs() < 1e-9 && (f - 0.5).abs() < 1e-9),
            "{cum:?}"
        );
        assert!(
            cum.iter()
                .any(|&(x, f)| (x - 1.62972).abs() < 1e-9 && (f - 0.99).abs() < 1e-9),
            "{cum:?}"
        );
        assert_eq!(b.total(), 10_000);
        // The fit to the table reproduces its median within 10% and its
        // p99 within 20%: Cassandra's tail is heavier than any of these
        // two-parameter laws (the best, a log-normal, gives 1.42 ms for
        // 1.63), which is what the shifted and mixture families are for.
        let fits = crate::fit::censored::fit_buckets(&b, &crate::fit::Family::ALL).unwrap();
        use crate::dist::Delay;
        let (p50, p99) = (fits[0].dist.quantile(0.5), fits[0].dist.quantile(0.99));
        assert!(
            (p50 / 0.37902 - 1.0).abs() < 0.1,
            "{} p50 {p50}",
            fits[0].spec
        );
        assert!(
            (p99 / 1.62972 - 1.0).abs() < 0.2,
            "{} p99 {p99}",
            fits[0].spec
        );
        let e = nodetool(NODETOOL, None, Some("cas"), 100)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no column matching 'cas'"), "{e}");
    }
}
