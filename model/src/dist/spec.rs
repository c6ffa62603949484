//! The delay spec language used by the CLI and scenario files.
//!
//! ```text
//! spec  := term ('+' term)*                    sum of independent delays
//! term  := exp(mean=M) | exp(rate=L)           ms, per ms
//!        | pareto(xm=X,alpha=A)
//!        | lognormal(mu=M,sigma=S)              parameters of ln ms
//!        | weibull(shape=K,scale=L)
//!        | gamma(shape=K,scale=T) | gamma(shape=K,rate=L)
//!        | const(C)
//!        | mix(W1: spec, W2: spec, ...)         weights sum to 1
//!        | empirical(file=PATH[,column=NAME])   one number per line, or a CSV column
//!        | percentiles([min=M,]p50=X,p99=Y,...)
//!        | '(' spec ')'
//! ```
//!
//! Errors carry the 1-based column where the problem starts.
//!
//! ```
//! use quorum_model::dist::{spec::parse, Delay};
//! let d = parse("mix(0.38: pareto(xm=1.05,alpha=1.51), 0.62: exp(rate=0.183))", None).unwrap();
//! assert!((d.mean() - (0.38 * 1.51 * 1.05 / 0.51 + 0.62 / 0.183)).abs() < 1e-9);
//! let err = parse("exp(mean=2", None).unwrap_err();
//! assert_eq!(err.column, 11);
//! ```

use super::*;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// A spec that could not be parsed or whose parameters are out of range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("at column {column} of '{spec}': {message}")]
#[non_exhaustive]
pub struct SpecError {
    /// The spec as given.
    pub spec: String,
    /// 1-based character position.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// How deeply parentheses and mixtures may nest: far beyond any delay a
/// person writes, and far short of the stack.
pub const MAX_DEPTH: usize = 64;
/// The longest spec accepted, in characters.
pub const MAX_LEN: usize = 100_000;
/// Convolution tables one delay may need: a sum of `k` random terms that
/// do not merge (equal-scale gammas and exponentials merge, constants
/// fold) needs `k`. A round trip adds two legs, so evaluating one stays
/// under a second.
pub const MAX_TABLES: usize = 8;
/// Alternatives a sum holding mixtures with point masses may expand into
/// (twice over in a round trip).
pub const MAX_LEG_BRANCHES: usize = 8;

/// Parses a spec. Relative `empirical(file=...)` paths are resolved against
/// `base` (a scenario file's directory) when given, else the working directory.
pub fn parse(spec: &str, base: Option<&Path>) -> Result<Dist, SpecError> {
    let chars: Vec<char> = spec.chars().collect();
    if chars.len() > MAX_LEN {
        return Err(SpecError {
            spec: spec.chars().take(60).collect::<String>() + "...",
            column: MAX_LEN + 1,
            message: format!(
                "a spec is at most {MAX_LEN} characters, this one has {}",
                chars.len()
            ),
        });
    }
    let mut p = Parser {
        src: spec,
        chars,
        pos: 0,
        base: base.map(Path::to_path_buf),
        depth: 0,
    };
    let d = p.sum()?;
    p.skip_ws();
    if p.pos < p.chars.len() {
        return Err(p.error(
            p.pos,
            format!("unexpected '{}' after a complete spec", p.chars[p.pos]),
        ));
    }
    let work = d.work();
    if work.tables > MAX_TABLES {
        return Err(p.error(
            0,
            format!(
                "this delay needs {} convolutions; at most {MAX_TABLES} are computed exactly (a sum may hold {MAX_TABLES} random terms; exponentials and gammas of equal scale merge into one, constants are free)",
                work.tables
            ),
        ));
    }
    if work.branches > MAX_LEG_BRANCHES {
        return Err(p.error(
            0,
            format!(
                "this sum expands into {} alternatives (mixtures with constants or empirical parts, added to other terms); at most {MAX_LEG_BRANCHES}",
                work.branches
            ),
        ));
    }
    Ok(d)
}

impl FromStr for Dist {
    type Err = SpecError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s, None)
    }
}

const FAMILIES: &str =
    "exp, pareto, lognormal, weibull, gamma, const, mix, empirical, percentiles, fit";

struct Parser<'a> {
    src: &'a str,
    chars: Vec<char>,
    pos: usize,
    base: Option<PathBuf>,
    /// Current nesting of parentheses and mixtures.
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, pos: usize, message: impl Into<String>) -> SpecError {
        // Long specs are shown around the problem only, so the error stays
        // one readable line.
        let spec = if self.chars.len() > 120 {
            let from = pos.saturating_sub(40);
            let to = (pos + 40).min(self.chars.len());
            format!(
                "{}{}{}",
                if from > 0 { "..." } else { "" },
                self.chars[from..to].iter().collect::<String>(),
                if to < self.chars.len() { "..." } else { "" }
            )
        } else {
            self.src.to_string()
        };
        SpecError {
            spec,
            column: pos + 1,
            message: message.into(),
        }
    }

    fn skip_ws(&mut self) {
        while self.pos < self.chars.len() && self.chars[self.pos].is_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.chars.get(self.pos).copied()
    }

    fn expect(&mut self, c: char) -> Result<(), SpecError> {
        match self.peek() {
            Some(got) if got == c => {
                self.pos += 1;
                Ok(())
            }
            Some(got) => Err(self.error(self.pos, format!("expected '{c}', found '{got}'"))),
            None => Err(self.error(
                self.pos,
                format!("expected '{c}', found the end of the spec"),
            )),
        }
    }

    fn sum(&mut self) -> Result<Dist, SpecError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(
                self.pos,
                format!("parentheses and mixtures nest more than {MAX_DEPTH} deep"),
            ));
        }
        let out = self.sum_inner();
        self.depth -= 1;
        out
    }

    fn sum_inner(&mut self) -> Result<Dist, SpecError> {
        let mut terms = vec![self.term()?];
        while self.peek() == Some('+') {
            self.pos += 1;
            terms.push(self.term()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Sum::of(terms)
        })
    }

    fn ident(&mut self) -> String {
        self.skip_ws();
        let start = self.pos;
        while self.pos < self.chars.len()
            && (self.chars[self.pos].is_ascii_alphanumeric() || self.chars[self.pos] == '_')
        {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn number(&mut self) -> Result<f64, SpecError> {
        self.skip_ws();
        let start = self.pos;
        let mut end = self.pos;
        let c = &self.chars;
        if end < c.len() && (c[end] == '-' || c[end] == '+') {
            end += 1;
        }
        while end < c.len() && (c[end].is_ascii_alphanumeric() || c[end] == '.') {
            // An exponent may carry a sign: 1e-3.
            if (c[end] == 'e' || c[end] == 'E')
                && end + 1 < c.len()
                && (c[end + 1] == '-' || c[end + 1] == '+')
            {
                end += 1;
            }
            end += 1;
        }
        let text: String = c[start..end].iter().collect();
        if text.is_empty() {
            return Err(self.error(start, "expected a number"));
        }
        let v: f64 = text
            .parse()
            .map_err(|_| self.error(start, format!("'{text}' is not a number")))?;
        if v.is_nan() {
            return Err(self.error(start, "NaN is not allowed"));
        }
        self.pos = end;
        Ok(v)
    }

    fn term(&mut self) -> Result<Dist, SpecError> {
        match self.peek() {
            None => {
                return Err(self.error(self.pos, format!("expected a distribution ({FAMILIES})")))
            }
            Some('(') => {
                self.pos += 1;
                let d = self.sum()?;
                self.expect(')')?;
                return Ok(d);
            }
            _ => {}
        }
        let start = self.pos;
        let name = self.ident();
        if name.is_empty() {
            let c = self.chars[self.pos];
            return Err(self.error(
                start,
                format!("expected a distribution ({FAMILIES}), found '{c}'"),
            ));
        }
        let open = self.pos;
        self.expect('(')?;
        let built = match name.as_str() {
            "mix" => self.mixture(),
            "const" => self.constant(),
            "empirical" => self.empirical(start),
            "fit" => self.fit(start),
            "percentiles" => self.percentiles(start),
            "exp" | "pareto" | "lognormal" | "weibull" | "gamma" => self.parametric(&name, start),
            _ => Err(self.error(
                start,
                format!("unknown distribution '{name}'; expected one of {FAMILIES}"),
            )),
        }?;
        if self.peek() != Some(')') {
            return Err(match self.peek() {
                Some(c) => self.error(
                    self.pos,
                    format!(
                        "expected ')' to close '{name}(' opened at column {}, found '{c}'",
                        open + 1
                    ),
                ),
                None => self.error(
                    self.pos,
                    format!(
                        "expected ')' to close '{name}(' opened at column {}",
                        open + 1
                    ),
                ),
            });
        }
        self.pos += 1;
        Ok(built)
    }

    /// `key=number` pairs, checked against the family's allowed keys.
    fn key_values(
        &mut self,
        family: &str,
        allowed: &[&str],
    ) -> Result<Vec<(String, f64, usize)>, SpecError> {
        let mut out: Vec<(String, f64, usize)> = Vec::new();
        loop {
            let at = {
                self.skip_ws();
                self.pos
            };
            let key = self.ident();
            if key.is_empty() {
                return Err(self.error(
                    at,
                    format!("expected a parameter name ({})", allowed.join(", ")),
                ));
            }
            if !allowed.contains(&key.as_str()) {
                return Err(self.error(
                    at,
                    format!(
                        "{family} has no parameter '{key}'; allowed: {}",
                        allowed.join(", ")
                    ),
                ));
            }
            if out.iter().any(|(k, _, _)| *k == key) {
                return Err(self.error(at, format!("parameter '{key}' given twice")));
            }
            self.expect('=')?;
            let v = self.number()?;
            out.push((key, v, at));
            if self.peek() == Some(',') {
                self.pos += 1;
            } else {
                return Ok(out);
            }
        }
    }

    fn parametric(&mut self, family: &str, start: usize) -> Result<Dist, SpecError> {
        let allowed: &[&str] = match family {
            "exp" => &["mean", "rate"],
            "pareto" => &["xm", "alpha"],
            "lognormal" => &["mu", "sigma"],
            "weibull" => &["shape", "scale"],
            _ => &["shape", "scale", "rate"],
        };
        let kv = self.key_values(family, allowed)?;
        let get = |k: &str| kv.iter().find(|e| e.0 == k).map(|e| e.1);
        let need =
            |k: &str| get(k).ok_or_else(|| self.error(start, format!("{family} needs {k}=...")));
        let built = match family {
            "exp" => match (get("mean"), get("rate")) {
                (Some(m), None) => Exponential::with_mean(m).map(Dist::Exp),
                (None, Some(r)) => Exponential::new(r).map(Dist::Exp),
                _ => return Err(self.error(start, "exp needs exactly one of mean=... or rate=...")),
            },
            "pareto" => Pareto::new(need("xm")?, need("alpha")?).map(Dist::Pareto),
            "lognormal" => LogNormal::new(need("mu")?, need("sigma")?).map(Dist::LogNormal),
            "weibull" => Weibull::new(need("shape")?, need("scale")?).map(Dist::Weibull),
            _ => {
                let shape = need("shape")?;
                match (get("scale"), get("rate")) {
                    (Some(s), None) => Gamma::new(shape, s).map(Dist::Gamma),
                    (None, Some(r)) if r > 0.0 => Gamma::new(shape, 1.0 / r).map(Dist::Gamma),
                    (None, Some(r)) => Err(DistError::Parameter {
                        family: "gamma",
                        param: "rate",
                        allowed: "a finite number > 0 (per ms)",
                        value: r,
                    }),
                    _ => {
                        return Err(self.error(
                            start,
                            "gamma needs shape=... and exactly one of scale=... or rate=...",
                        ))
                    }
                }
            }
        };
        built.map_err(|e| self.error(start, e.to_string()))
    }

    fn constant(&mut self) -> Result<Dist, SpecError> {
        self.skip_ws();
        let at = self.pos;
        if self.chars[at..].starts_with(&['v', 'a', 'l', 'u', 'e']) {
            self.ident();
            self.expect('=')?;
        }
        let v = self.number()?;
        Constant::new(v)
            .map(Dist::Const)
            .map_err(|e| self.error(at, e.to_string()))
    }

    fn mixture(&mut self) -> Result<Dist, SpecError> {
        let start = self.pos;
        let mut parts = Vec::new();
        loop {
            let w = self.number()?;
            self.expect(':')?;
            parts.push((w, self.sum()?));
            if self.peek() == Some(',') {
                self.pos += 1;
            } else {
                break;
            }
        }
        Mixture::new(parts)
            .map(Dist::Mixture)
            .map_err(|e| self.error(start, e.to_string()))
    }

    /// A path value: quoted, or everything up to ',' or ')'.
    fn path_value(&mut self) -> Result<String, SpecError> {
        self.skip_ws();
        let start = self.pos;
        if let Some(q @ ('\'' | '"')) = self.chars.get(self.pos).copied() {
            let close = self.chars[start + 1..].iter().position(|c| *c == q);
            let Some(len) = close else {
                return Err(self.error(start, format!("unclosed quote {q}")));
            };
            self.pos = start + 1 + len + 1;
            return Ok(self.chars[start + 1..start + 1 + len].iter().collect());
        }
        while self.pos < self.chars.len()
            && self.chars[self.pos] != ','
            && self.chars[self.pos] != ')'
        {
            self.pos += 1;
        }
        let v: String = self.chars[start..self.pos]
            .iter()
            .collect::<String>()
            .trim()
            .to_string();
        if v.is_empty() {
            return Err(self.error(start, "expected a value"));
        }
        Ok(v)
    }

    fn empirical(&mut self, start: usize) -> Result<Dist, SpecError> {
        let mut file = None;
        let mut column = None;
        loop {
            let at = {
                self.skip_ws();
                self.pos
            };
            let key = self.ident();
            self.expect('=')?;
            let v = self.path_value()?;
            match key.as_str() {
                "file" => file = Some(v),
                "column" => column = Some(v),
                _ => {
                    return Err(self.error(
                        at,
                        format!("empirical has no parameter '{key}'; allowed: file, column"),
                    ))
                }
            }
            if self.peek() == Some(',') {
                self.pos += 1;
            } else {
                break;
            }
        }
        let file = file.ok_or_else(|| self.error(start, "empirical needs file=PATH"))?;
        let mut path = PathBuf::from(&file);
        if let (true, Some(base)) = (path.is_relative(), &self.base) {
            path = base.join(path);
        }
        Empirical::from_file(&path, column.as_deref())
            .map(Dist::Empirical)
            .map_err(|e| self.error(start, e.to_string()))
    }

    /// `fit(file=PATH, family=NAME, input=KIND, unit=U, column=C)`: the
    /// law fitted to a measurement when the spec is read (`quorum-model
    /// fit`'s, the best by BIC among every family unless `family` names
    /// one).
    fn fit(&mut self, start: usize) -> Result<Dist, SpecError> {
        use crate::fit::file::{fit_text, Kind, Source};
        use crate::fit::Family;
        const KEYS: &str = "file, family, input, unit, column";
        let mut values: Vec<(String, String, usize)> = Vec::new();
        loop {
            let at = {
                self.skip_ws();
                self.pos
            };
            let key = self.ident();
            if !["file", "family", "input", "unit", "column"].contains(&key.as_str()) {
                return Err(
                    self.error(at, format!("fit has no parameter '{key}'; allowed: {KEYS}"))
                );
            }
            if values.iter().any(|(k, _, _)| *k == key) {
                return Err(self.error(at, format!("parameter '{key}' given twice")));
            }
            self.expect('=')?;
            let v = self.path_value()?;
            values.push((key, v, at));
            if self.peek() == Some(',') {
                self.pos += 1;
            } else {
                break;
            }
        }
        let get = |k: &str| values.iter().find(|(key, _, _)| key == k);
        let (_, file, _) = get("file").ok_or_else(|| self.error(start, "fit needs file=PATH"))?;
        let families = match get("family") {
            Some((_, f, at)) => vec![f
                .parse::<Family>()
                .map_err(|e| self.error(*at, e.to_string()))?],
            None => Family::ALL.to_vec(),
        };
        let kind = match get("input") {
            Some((_, k, at)) => Some(k.parse::<Kind>().map_err(|e| self.error(*at, e))?),
            None => None,
        };
        let unit = match get("unit") {
            Some((_, u, at)) => Some(
                u.parse::<crate::fit::input::Unit>()
                    .map_err(|e| self.error(*at, e))?,
            ),
            None => None,
        };
        let mut path = PathBuf::from(file);
        if let (true, Some(base)) = (path.is_relative(), &self.base) {
            path = base.join(path);
        }
        let text = std::fs::read_to_string(&path).map_err(|e| {
            self.error(start, format!("fit: cannot read '{}': {e}", path.display()))
        })?;
        let source = Source {
            kind,
            unit,
            column: get("column").map(|(_, c, _)| c.as_str()),
            count: None,
        };
        let fitted = fit_text(&text, &source, &families)
            .map_err(|e| self.error(start, format!("fit: {}: {e}", path.display())))?;
        Ok(fitted.fits[0].dist.clone())
    }

    fn percentiles(&mut self, start: usize) -> Result<Dist, SpecError> {
        let mut min = 0.0;
        let mut seen_min = false;
        let mut points = Vec::new();
        loop {
            let at = {
                self.skip_ws();
                self.pos
            };
            // Keys are `min` or `p` followed by a percent such as 99.9.
            let mut end = at;
            while end < self.chars.len()
                && (self.chars[end].is_ascii_alphanumeric()
                    || self.chars[end] == '.'
                    || self.chars[end] == '_')
            {
                end += 1;
            }
            let key: String = self.chars[at..end].iter().collect();
            self.pos = end;
            self.expect('=')?;
            let v = self.number()?;
            if key == "min" {
                if seen_min {
                    return Err(self.error(at, "parameter 'min' given twice"));
                }
                seen_min = true;
                min = v;
            } else if let Some(pct) = key.strip_prefix('p').and_then(|p| p.parse::<f64>().ok()) {
                points.push((pct, v));
            } else {
                return Err(self.error(
                    at,
                    format!("percentiles takes keys like p50, p99.9 and min, not '{key}'"),
                ));
            }
            if self.peek() == Some(',') {
                self.pos += 1;
            } else {
                break;
            }
        }
        Percentiles::new(min, points)
            .map(Dist::Percentiles)
            .map_err(|e| self.error(start, e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        for s in [
            "exp(mean=2)",
            "exp(rate=0.5)",
            "pareto(xm=1.05,alpha=1.51)",
            "lognormal(mu=0,sigma=1)",
            "weibull(shape=1.5,scale=2)",
            "gamma(shape=2,scale=1)",
            "gamma(shape=2, rate=4)",
            "const(75)",
            "const(value=7.5)",
            "exp(mean=1) + const(75)",
            "mix(0.38: pareto(xm=1.05,alpha=1.51), 0.62: exp(rate=0.183))",
            "percentiles(p50=3.75,p99=6.59,p99.9=32.89)",
            "(exp(mean=1) + exp(mean=2))",
            "  exp( mean = 1e-1 )  ",
        ] {
            parse(s, None).unwrap_or_else(|e| panic!("{s}: {e}"));
        }
    }

    #[test]
    fn mean_and_rate_agree() {
        assert_eq!(
            parse("exp(mean=2)", None).unwrap(),
            parse("exp(rate=0.5)", None).unwrap()
        );
    }

    fn column_of(s: &str) -> (usize, String) {
        let e = parse(s, None).unwrap_err();
        (e.column, e.message)
    }

    #[test]
    fn errors_point_at_the_problem() {
        assert_eq!(column_of("exp(mean=2").0, 11);
        assert_eq!(column_of("exp(mean=2))").0, 12);
        assert_eq!(column_of("foo(x=1)").0, 1);
        let (col, msg) = column_of("exp(mean=1) + pareto(xm=1,alpha=0)");
        assert_eq!(col, 15);
        assert!(
            msg.contains("alpha") && msg.contains("between 0.1 and 1e4"),
            "{msg}"
        );
        let (_, msg) = column_of("exp(mean=-1)");
        assert!(msg.contains("mean"), "{msg}");
        let (col, msg) = column_of("exp(mean=abc)");
        assert_eq!(col, 10);
        assert!(msg.contains("not a number"), "{msg}");
        let (_, msg) = column_of("exp(mean=NaN)");
        assert!(msg.contains("NaN"), "{msg}");
        let (_, msg) = column_of("mix(0.5: exp(mean=1), 0.6: exp(mean=2))");
        assert!(msg.contains("sum of weights"), "{msg}");
        let (_, msg) = column_of("empirical(file=/definitely/not/here.txt)");
        assert!(msg.contains("cannot read"), "{msg}");
        let (_, msg) = column_of("exp(mean=1, rate=2)");
        assert!(msg.contains("exactly one"), "{msg}");
        let (col, _) = column_of("mix(0.5: exp(mean=1), 0.5: exp(mean=2)");
        assert_eq!(col, 39);
    }

    #[test]
    fn fit_reads_a_measurement_when_the_spec_is_read() {
        let dir = std::env::temp_dir().join(format!("qm-spec-fit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Samples of a gamma, in µs.
        let law = parse("gamma(shape=3,scale=0.4)", None).unwrap();
        let mut rng = <rand_xoshiro::Xoshiro256PlusPlus as rand::SeedableRng>::seed_from_u64(4);
        let text: String = (0..5000)
            .map(|_| format!("{}\n", law.sample(&mut rng) * 1000.0))
            .collect();
        std::fs::write(dir.join("lat.txt"), text).unwrap();
        let d = parse("fit(file=lat.txt, unit=us)", Some(&dir)).unwrap();
        assert!(matches!(d, Dist::Gamma(_)), "{d}");
        assert!((d.mean() / 1.2 - 1.0).abs() < 0.03, "{d}");
        let d = parse("fit(file=lat.txt, unit=us, family=lognormal)", Some(&dir)).unwrap();
        assert!(matches!(d, Dist::LogNormal(_)), "{d}");
        // A fitted law is a term like any other.
        let d = parse(
            "const(1) + fit(file=lat.txt, unit=us, family=gamma)",
            Some(&dir),
        )
        .unwrap();
        assert!((d.mean() / 2.2 - 1.0).abs() < 0.03, "{d}");
        for (spec, want) in [
            ("fit(file=lat.txt, family=burr)", "unknown family 'burr'"),
            ("fit(file=lat.txt, unit=min)", "unknown unit 'min'"),
            ("fit(file=lat.txt, input=csv)", "unknown input 'csv'"),
            ("fit(file=none.txt)", "cannot read"),
            ("fit(family=gamma)", "fit needs file=PATH"),
            ("fit(file=lat.txt, shape=2)", "fit has no parameter 'shape'"),
        ] {
            let e = parse(spec, Some(&dir)).unwrap_err().to_string();
            assert!(e.contains(want), "{spec}: {e}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn empirical_paths_resolve_against_the_base() {
        let dir = std::env::temp_dir().join(format!("qm-spec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("lat.txt"), "1\n2\n3\n").unwrap();
        let d = parse("empirical(file=lat.txt)", Some(&dir)).unwrap();
        assert_eq!(d.mean(), 2.0);
        assert!(parse("empirical(file='lat.txt')", Some(&dir)).is_ok());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Random single-family specs with valid parameters.
    fn family() -> impl Strategy<Value = String> {
        prop_oneof![
            (0.01f64..100.0).prop_map(|m| format!("exp(mean={m})")),
            (0.01f64..10.0, 0.3f64..12.0).prop_map(|(x, a)| format!("pareto(xm={x},alpha={a})")),
            (-2.0f64..3.0, 0.05f64..2.0).prop_map(|(m, s)| format!("lognormal(mu={m},sigma={s})")),
            (0.3f64..5.0, 0.1f64..20.0).prop_map(|(k, l)| format!("weibull(shape={k},scale={l})")),
            (0.3f64..20.0, 0.05f64..5.0).prop_map(|(k, t)| format!("gamma(shape={k},scale={t})")),
            (0.0f64..100.0).prop_map(|c| format!("const({c})")),
            (0.01f64..0.99, 0.01f64..5.0, 0.1f64..50.0).prop_map(|(w, a, b)| format!(
                "mix({w}: exp(mean={a}), {}: exp(mean={b}))",
                1.0 - w
            )),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn printed_specs_parse_back(spec in family()) {
            let d = parse(&spec, None).unwrap();
            let again = parse(&d.to_string(), None).unwrap();
            prop_assert_eq!(d, again);
        }

        #[test]
        fn cdf_is_monotone_and_quantile_inverts_it(spec in family(), p in 0.001f64..0.999) {
            let d = parse(&spec, None).unwrap();
            let q = d.quantile(p);
            prop_assert!(d.cdf(q) >= p - 1e-9);
            let (lo, _) = d.support();
            let mut prev = 0.0;
            for i in 0..50 {
                let x = lo + q * i as f64 / 25.0;
                let c = d.cdf(x);
                prop_assert!((0.0..=1.0).contains(&c));
                prop_assert!(c >= prev - 1e-12);
                prop_assert!((c + d.sf(x) - 1.0).abs() < 1e-9);
                prev = c;
            }
        }

        #[test]
        fn garbage_never_panics(s in "\\PC{0,40}") {
            let _ = parse(&s, None);
        }
    }
}
