//! Reading back the CSVs a sweep wrote (`merge`, `plot`), refusing what is
//! not one: a missing column, a row of the wrong length, a number that is
//! not a number or not finite. Each refusal names the file, the line and
//! the column, so a hand-edited or truncated file is found at once instead
//! of drawing a chart of NaN or hanging on `inf`.

use std::path::{Path, PathBuf};

/// `summary.csv` columns every reader relies on: the data contract's,
/// which lead [`SummaryRow::COLUMNS`](crate::eval::SummaryRow::COLUMNS).
pub const SUMMARY_REQUIRED: &[&str] = crate::eval::SummaryRow::COLUMNS
    .split_at(crate::eval::CONTRACT_COLUMNS)
    .0;

/// `tvisibility.csv` columns every reader relies on: the contract's, which
/// lead [`super::curve::COLUMNS`].
pub const TVISIBILITY_REQUIRED: &[&str] = super::curve::COLUMNS.split_at(8).0;

/// Columns that hold text; every other column holds numbers (or is empty,
/// for a value that does not exist), except `strict` (true or false).
const TEXT: [&str; 15] = [
    "mechanisms",
    "hint_window",
    "hint_replay_delay",
    "anti_entropy_interval",
    "read_repair",
    "scenario",
    "failure",
    "read_fanout",
    "approximate",
    "topology",
    "write_cl",
    "read_cl",
    "write_dc",
    "read_dc",
    "speculative_retry",
];

/// A CSV that is not what a sweep writes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{}{}: {message}", path.display(), line.map(|l| format!(": line {l}")).unwrap_or_default(), column.as_ref().map(|c| format!(", column '{c}'")).unwrap_or_default())]
pub struct CsvError {
    pub path: PathBuf,
    /// 1-based line in the file (the header is line 1).
    pub line: Option<usize>,
    pub column: Option<String>,
    pub message: String,
}

/// A checked CSV: its header and rows.
#[derive(Debug)]
pub struct Checked {
    pub header: csv::StringRecord,
    pub rows: Vec<csv::StringRecord>,
}

/// Reads `path` and checks it: the `required` columns are present, every
/// row has the header's length, every numeric cell is a finite number or
/// empty, `strict` and `sloppy_quorum` are `true` or `false`.
pub fn read_checked(path: &Path, required: &[&str]) -> Result<Checked, CsvError> {
    let mut rows = Vec::new();
    let header = for_each_checked(path, required, &mut |_, row, _| {
        rows.push(row.clone());
        Ok(())
    })?;
    Ok(Checked { header, rows })
}

/// [`read_checked`] one row at a time, streaming from disk (a large
/// sweep's curve file is hundreds of MB): `each(header, row, line)` sees
/// every checked row; its error is reported at that line. Returns the
/// header.
pub fn for_each_checked(
    path: &Path,
    required: &[&str],
    each: &mut dyn FnMut(&csv::StringRecord, &csv::StringRecord, usize) -> Result<(), String>,
) -> Result<csv::StringRecord, CsvError> {
    let err = |line: Option<usize>, column: Option<&str>, message: String| CsvError {
        path: path.to_path_buf(),
        line,
        column: column.map(str::to_string),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| err(None, None, e.to_string()))?;
    let mut reader = csv::ReaderBuilder::new().from_reader(std::io::BufReader::new(file));
    let header = reader
        .headers()
        .map_err(|e| err(Some(1), None, e.to_string()))?
        .clone();
    if let Some(missing) = required.iter().find(|c| !header.iter().any(|h| h == **c)) {
        return Err(err(
            Some(1),
            Some(missing),
            "missing from the header (is this a file a sweep wrote?)".into(),
        ));
    }
    let kinds: Vec<Kind> = header
        .iter()
        .map(|name| {
            if TEXT.contains(&name) {
                Kind::Text
            } else if name == "strict" || name == "sloppy_quorum" {
                Kind::Bool
            } else {
                Kind::Number
            }
        })
        .collect();
    let mut record = csv::StringRecord::new();
    let mut line = 1;
    loop {
        line += 1;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line() as usize);
                return Err(err(Some(line), None, csv_message(&e)));
            }
        }
        for ((name, kind), cell) in header.iter().zip(&kinds).zip(record.iter()) {
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            match kind {
                Kind::Text => {}
                Kind::Bool => {
                    if cell != "true" && cell != "false" {
                        return Err(err(
                            Some(line),
                            Some(name),
                            format!("'{cell}' is not true or false"),
                        ));
                    }
                }
                Kind::Number => match cell.parse::<f64>() {
                    Ok(v) if v.is_finite() => {}
                    Ok(_) => {
                        return Err(err(
                            Some(line),
                            Some(name),
                            format!("'{cell}' is not a finite number (a value that does not exist is an empty cell)"),
                        ))
                    }
                    Err(_) => {
                        return Err(err(
                            Some(line),
                            Some(name),
                            format!("'{cell}' is not a number"),
                        ))
                    }
                },
            }
        }
        each(&header, &record, line).map_err(|m| err(Some(line), None, m))?;
    }
    Ok(header)
}

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Bool,
    Number,
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields where the header has {expected_len}"),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, body: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("qm-csvcheck-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn every_refusal_names_the_file_line_and_column() {
        let ok = file(
            "ok.csv",
            "scenario,n,t_ms,strict\na,3,1.5,true\nb,4,,false\n",
        );
        let c = read_checked(&ok, &["scenario", "n"]).unwrap();
        assert_eq!(c.rows.len(), 2);
        for (name, body, want) in [
            (
                "nan.csv",
                "scenario,n,t_ms\na,3,NaN\n",
                ":line 2, column 't_ms': 'NaN' is not a finite number",
            ),
            (
                "inf.csv",
                "scenario,n,t_ms\na,3,1\nb,3,inf\n",
                ": line 3, column 't_ms': 'inf' is not a finite",
            ),
            (
                "text.csv",
                "scenario,n,t_ms\na,three,1\n",
                ": line 2, column 'n': 'three' is not a number",
            ),
            (
                "short.csv",
                "scenario,n,t_ms\na,3\n",
                ": line 2: 2 fields where the header has 3",
            ),
            (
                "cols.csv",
                "scenario,t_ms\na,1\n",
                ": line 1, column 'n': missing",
            ),
            (
                "strict.csv",
                "scenario,n,strict\na,3,yes\n",
                "column 'strict': 'yes' is not true or false",
            ),
        ] {
            let p = file(name, body);
            let e = read_checked(&p, &["scenario", "n"])
                .unwrap_err()
                .to_string();
            let want = want.replace(":line", ": line");
            assert!(e.contains(&want) && e.contains(name), "{e}");
        }
    }
}
