//! Quorum-system expressions over named nodes (Quoracle's algebra, Whittaker
//! et al., PaPoC 2021): `a * b` needs both, `a + b` either,
//! `choose(k, e1, e2, ...)` any `k` of them, `majority(e1, ...)` more than
//! half, `grid(a, b, c; d, e, f)` a row (`a*b*c + d*e*f`) and
//! `weighted(a=2, b=1, c=1; read=2, write=3)` Gifford's weighted voting
//! (a set whose votes reach the side's threshold).
//!
//! A set of up nodes is a bitmask (node `i` is bit `i`, in the order the
//! names first appear), so that evaluating a quorum is a few machine
//! operations.

use std::fmt;

/// The most nodes a system may have (a node is a bit of a `u64`).
pub const MAX_NODES: usize = 64;

/// Which side an expression describes (a `weighted` vote has a threshold
/// for each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Read quorums.
    Read,
    /// Write quorums.
    Write,
}

/// A quorum-system expression; nodes are indices into the system's names.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// One node.
    Node(usize),
    /// All of them (`*`).
    And(Vec<Expr>),
    /// Any of them (`+`).
    Or(Vec<Expr>),
    /// At least `k` of them.
    Choose(usize, Vec<Expr>),
    /// Nodes with integer votes: a set is a quorum when its votes reach
    /// `threshold`.
    Weighted {
        /// `(node, votes)`.
        votes: Vec<(usize, u64)>,
        /// Votes needed.
        threshold: u64,
    },
}

/// A malformed expression, with the column (from 1) where it went wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct ExprError {
    /// Where, from 1.
    pub column: usize,
    /// What, one line.
    pub message: String,
}

/// A parsed expression: the tree, and for a `weighted` vote given with
/// both thresholds the other side's (so that the write quorums can follow
/// the read ones).
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The expression.
    pub expr: Expr,
    /// A `weighted(...; read=R, write=W)` at the top: the other side's
    /// expression.
    pub other_side: Option<Expr>,
}

/// Parses `text` for `side`, adding node names to `names` as they appear.
pub fn parse(text: &str, side: Side, names: &mut Vec<String>) -> Result<Parsed, ExprError> {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
        side,
        names,
        other_side: None,
        depth: 0,
    };
    let expr = p.sum()?;
    p.skip_ws();
    if p.pos < p.chars.len() {
        return Err(p.error(format!("unexpected '{}'", p.chars[p.pos])));
    }
    let top_weighted = matches!(expr, Expr::Weighted { .. });
    Ok(Parsed {
        expr,
        other_side: if top_weighted { p.other_side } else { None },
    })
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    side: Side,
    names: &'a mut Vec<String>,
    other_side: Option<Expr>,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, message: impl Into<String>) -> ExprError {
        ExprError {
            column: self.pos + 1,
            message: message.into(),
        }
    }

    fn skip_ws(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.chars.get(self.pos).copied()
    }

    fn expect(&mut self, c: char) -> Result<(), ExprError> {
        match self.peek() {
            Some(d) if d == c => {
                self.pos += 1;
                Ok(())
            }
            Some(d) => Err(self.error(format!("expected '{c}', found '{d}'"))),
            None => Err(self.error(format!("expected '{c}', found the end"))),
        }
    }

    fn ident(&mut self) -> String {
        self.skip_ws();
        let start = self.pos;
        while self
            .chars
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || *c == '.')
        {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn integer(&mut self, what: &str) -> Result<u64, ExprError> {
        let at = {
            self.skip_ws();
            self.pos
        };
        let text = self.ident();
        text.parse::<u64>().map_err(|_| ExprError {
            column: at + 1,
            message: format!("{what} must be a whole number, got '{text}'"),
        })
    }

    fn node(&mut self, name: &str, at: usize) -> Result<usize, ExprError> {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return Ok(i);
        }
        if self.names.len() == MAX_NODES {
            return Err(ExprError {
                column: at + 1,
                message: format!("more than {MAX_NODES} nodes"),
            });
        }
        self.names.push(name.to_string());
        Ok(self.names.len() - 1)
    }

    fn sum(&mut self) -> Result<Expr, ExprError> {
        self.depth += 1;
        if self.depth > 64 {
            return Err(self.error("expressions nest more than 64 deep"));
        }
        let mut terms = vec![self.product()?];
        while self.peek() == Some('+') {
            self.pos += 1;
            terms.push(self.product()?);
        }
        self.depth -= 1;
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::Or(terms)
        })
    }

    fn product(&mut self) -> Result<Expr, ExprError> {
        let mut factors = vec![self.factor()?];
        while self.peek() == Some('*') {
            self.pos += 1;
            factors.push(self.factor()?);
        }
        Ok(if factors.len() == 1 {
            factors.remove(0)
        } else {
            Expr::And(factors)
        })
    }

    /// `e1, e2, ...` up to the closing parenthesis (not consumed).
    fn list(&mut self) -> Result<Vec<Expr>, ExprError> {
        let mut es = vec![self.sum()?];
        while self.peek() == Some(',') {
            self.pos += 1;
            es.push(self.sum()?);
        }
        Ok(es)
    }

    fn factor(&mut self) -> Result<Expr, ExprError> {
        match self.peek() {
            None => return Err(self.error("expected a node, '(' or a function, found the end")),
            Some('(') => {
                self.pos += 1;
                let e = self.sum()?;
                self.expect(')')?;
                return Ok(e);
            }
            _ => {}
        }
        let at = self.pos;
        let name = self.ident();
        if name.is_empty() {
            let c = self.chars[self.pos];
            return Err(self.error(format!("expected a node name, found '{c}'")));
        }
        if self.peek() != Some('(') {
            let i = self.node(&name, at)?;
            return Ok(Expr::Node(i));
        }
        self.pos += 1;
        let e = match name.as_str() {
            "choose" => {
                let k = self.integer("choose's k")? as usize;
                self.expect(',')?;
                let es = self.list()?;
                if k == 0 || k > es.len() {
                    return Err(ExprError {
                        column: at + 1,
                        message: format!(
                            "choose: k must be between 1 and the {} expressions, got {k}",
                            es.len()
                        ),
                    });
                }
                Expr::Choose(k, es)
            }
            "majority" => {
                let es = self.list()?;
                Expr::Choose(es.len() / 2 + 1, es)
            }
            "grid" => self.grid()?,
            "weighted" => self.weighted(at)?,
            other => {
                return Err(ExprError {
                    column: at + 1,
                    message: format!(
                        "unknown function '{other}': choose, majority, grid or weighted"
                    ),
                })
            }
        };
        self.expect(')')?;
        Ok(e)
    }

    /// `grid(a, b, c; d, e, f)`: a row is a read quorum.
    fn grid(&mut self) -> Result<Expr, ExprError> {
        let mut rows = Vec::new();
        loop {
            let mut row = Vec::new();
            loop {
                let at = {
                    self.skip_ws();
                    self.pos
                };
                let name = self.ident();
                if name.is_empty() {
                    return Err(self.error("grid: expected a node name"));
                }
                row.push(Expr::Node(self.node(&name, at)?));
                if self.peek() == Some(',') {
                    self.pos += 1;
                } else {
                    break;
                }
            }
            rows.push(if row.len() == 1 {
                row.remove(0)
            } else {
                Expr::And(row)
            });
            if self.peek() == Some(';') {
                self.pos += 1;
            } else {
                break;
            }
        }
        Ok(if rows.len() == 1 {
            rows.remove(0)
        } else {
            Expr::Or(rows)
        })
    }

    /// `weighted(a=2, b=1; read=2, write=3)`.
    fn weighted(&mut self, at: usize) -> Result<Expr, ExprError> {
        let mut votes: Vec<(usize, u64)> = Vec::new();
        loop {
            let name_at = {
                self.skip_ws();
                self.pos
            };
            let name = self.ident();
            if name.is_empty() {
                return Err(self.error("weighted: expected NODE=VOTES"));
            }
            self.expect('=')?;
            let v = self.integer("a node's votes")?;
            if v == 0 {
                return Err(ExprError {
                    column: name_at + 1,
                    message: format!("weighted: {name}'s votes must be at least 1"),
                });
            }
            let i = self.node(&name, name_at)?;
            if votes.iter().any(|(j, _)| *j == i) {
                return Err(ExprError {
                    column: name_at + 1,
                    message: format!("weighted: {name} given twice"),
                });
            }
            votes.push((i, v));
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(';') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.error("weighted: expected ',' or '; read=R, write=W'")),
            }
        }
        let total: u64 = votes.iter().map(|v| v.1).sum();
        let (mut read, mut write) = (None, None);
        loop {
            let key_at = {
                self.skip_ws();
                self.pos
            };
            let key = self.ident();
            self.expect('=')?;
            let v = self.integer("a threshold")?;
            if v == 0 || v > total {
                return Err(ExprError {
                    column: key_at + 1,
                    message: format!(
                        "weighted: {key} must be between 1 and the {total} votes, got {v}"
                    ),
                });
            }
            match key.as_str() {
                "read" => read = Some(v),
                "write" => write = Some(v),
                other => {
                    return Err(ExprError {
                        column: key_at + 1,
                        message: format!("weighted: unknown threshold '{other}': read or write"),
                    })
                }
            }
            if self.peek() == Some(',') {
                self.pos += 1;
            } else {
                break;
            }
        }
        let (mine, theirs) = match self.side {
            Side::Read => (read, write),
            Side::Write => (write, read),
        };
        let Some(threshold) = mine else {
            return Err(ExprError {
                column: at + 1,
                message: format!(
                    "weighted: no {} threshold",
                    match self.side {
                        Side::Read => "read",
                        Side::Write => "write",
                    }
                ),
            });
        };
        self.other_side = theirs.map(|t| Expr::Weighted {
            votes: votes.clone(),
            threshold: t,
        });
        Ok(Expr::Weighted { votes, threshold })
    }
}

impl Expr {
    /// Whether the nodes of `up` contain a quorum.
    pub fn is_quorum(&self, up: u64) -> bool {
        match self {
            Expr::Node(i) => up >> i & 1 == 1,
            Expr::And(es) => es.iter().all(|e| e.is_quorum(up)),
            Expr::Or(es) => es.iter().any(|e| e.is_quorum(up)),
            Expr::Choose(k, es) => es.iter().filter(|e| e.is_quorum(up)).count() >= *k,
            Expr::Weighted { votes, threshold } => {
                votes
                    .iter()
                    .filter(|(i, _)| up >> i & 1 == 1)
                    .map(|v| v.1)
                    .sum::<u64>()
                    >= *threshold
            }
        }
    }

    /// Its nodes, as a mask.
    pub fn nodes(&self) -> u64 {
        match self {
            Expr::Node(i) => 1 << i,
            Expr::And(es) | Expr::Or(es) | Expr::Choose(_, es) => {
                es.iter().fold(0, |m, e| m | e.nodes())
            }
            Expr::Weighted { votes, .. } => votes.iter().fold(0, |m, v| m | 1 << v.0),
        }
    }

    /// Node occurrences (leaves).
    fn leaves(&self) -> u32 {
        match self {
            Expr::Node(_) => 1,
            Expr::And(es) | Expr::Or(es) | Expr::Choose(_, es) => es.iter().map(Expr::leaves).sum(),
            Expr::Weighted { votes, .. } => votes.len() as u32,
        }
    }

    /// Whether every node appears once: the parts are then independent
    /// of each other, which makes availability a product.
    pub fn dup_free(&self) -> bool {
        self.leaves() == self.nodes().count_ones()
    }

    /// The dual: its quorums are the sets that meet every quorum of
    /// `self` (`*` and `+` swap, `choose(k)` of `n` becomes
    /// `choose(n - k + 1)`, a vote threshold `t` of `T` votes `T - t + 1`).
    pub fn dual(&self) -> Expr {
        match self {
            Expr::Node(i) => Expr::Node(*i),
            Expr::And(es) => Expr::Or(es.iter().map(Expr::dual).collect()),
            Expr::Or(es) => Expr::And(es.iter().map(Expr::dual).collect()),
            Expr::Choose(k, es) => {
                Expr::Choose(es.len() - k + 1, es.iter().map(Expr::dual).collect())
            }
            Expr::Weighted { votes, threshold } => {
                let total: u64 = votes.iter().map(|v| v.1).sum();
                Expr::Weighted {
                    votes: votes.clone(),
                    threshold: total - threshold + 1,
                }
            }
        }
    }

    /// The minimal quorums, at most `limit` of them (`None` beyond, found
    /// without listing them all).
    pub fn minimal_quorums(&self, limit: usize) -> Option<Vec<u64>> {
        // Parts over disjoint nodes combine into minimal quorums already:
        // only expressions that repeat a node need the quadratic pruning.
        let dup_free = self.dup_free();
        if self.count_bound() > limit as f64 * if dup_free { 1.0 } else { 16.0 } {
            return None;
        }
        let qs = match self {
            Expr::Node(i) => vec![1u64 << i],
            Expr::Or(es) => {
                let mut all = Vec::new();
                for e in es {
                    all.extend(e.minimal_quorums(limit)?);
                    if all.len() > limit * 4 {
                        return None;
                    }
                }
                all
            }
            Expr::And(es) => product(es, limit)?,
            Expr::Choose(k, es) => {
                let mut all = Vec::new();
                let parts: Vec<Vec<u64>> = es
                    .iter()
                    .map(|e| e.minimal_quorums(limit))
                    .collect::<Option<_>>()?;
                // Children are bits of a mask.
                if es.len() > 64 {
                    return None;
                }
                let indices: Vec<usize> = (0..es.len()).collect();
                let mut failed = false;
                for_each_subset(&indices, *k, &mut |combo| {
                    let mut acc = vec![0u64];
                    for (c, part) in parts.iter().enumerate() {
                        if combo >> c & 1 == 1 {
                            match cross(&acc, part, limit) {
                                Some(next) => acc = next,
                                None => {
                                    failed = true;
                                    return true;
                                }
                            }
                        }
                    }
                    all.extend(acc);
                    failed = all.len() > limit * 4;
                    failed
                });
                if failed {
                    return None;
                }
                all
            }
            Expr::Weighted { votes, threshold } => {
                if votes.len() > 24 {
                    return None;
                }
                let mut all = Vec::new();
                for s in 1u64..(1 << votes.len()) {
                    let sum: u64 = (0..votes.len())
                        .filter(|j| s >> j & 1 == 1)
                        .map(|j| votes[j].1)
                        .sum();
                    // Minimal: reaches the threshold, and no member can be
                    // dropped.
                    if sum >= *threshold
                        && (0..votes.len())
                            .filter(|j| s >> j & 1 == 1)
                            .all(|j| sum - votes[j].1 < *threshold)
                    {
                        all.push(
                            (0..votes.len())
                                .filter(|j| s >> j & 1 == 1)
                                .fold(0u64, |m, j| m | 1 << votes[j].0),
                        );
                        if all.len() > limit {
                            return None;
                        }
                    }
                }
                all
            }
        };
        let min = if dup_free { sorted(qs) } else { minimize(qs) };
        (min.len() <= limit).then_some(min)
    }

    /// The minimal quorums by looking at every subset of the nodes, for
    /// up to [`SUBSET_NODES`] nodes (`None` beyond, or past `limit`): a
    /// set is one iff it is a quorum and no set one node smaller is. Where
    /// [`Expr::minimal_quorums`] gives up on a bound (an expression
    /// repeating nodes can have far fewer minimal quorums than its parts
    /// multiply to), this settles it: 2^20 tests of a small expression
    /// take a fraction of a second.
    pub fn minimal_quorums_by_subsets(&self, limit: usize) -> Option<Vec<u64>> {
        let nodes: Vec<u32> = (0..64).filter(|i| self.nodes() >> i & 1 == 1).collect();
        let m = nodes.len();
        if m > SUBSET_NODES {
            return None;
        }
        // Subsets as masks over the expression's own nodes, 0..m.
        let spread = |c: u64| {
            nodes
                .iter()
                .enumerate()
                .filter(|(j, _)| c >> j & 1 == 1)
                .fold(0u64, |mask, (_, &i)| mask | 1 << i)
        };
        let quorum: Vec<bool> = (0u64..1 << m).map(|c| self.is_quorum(spread(c))).collect();
        let mut out = Vec::new();
        for c in 0u64..1 << m {
            if quorum[c as usize]
                && (0..m).all(|j| c >> j & 1 == 0 || !quorum[(c & !(1 << j)) as usize])
            {
                out.push(spread(c));
                if out.len() > limit {
                    return None;
                }
            }
        }
        Some(sorted(out))
    }

    /// An upper bound on the number of minimal quorums (exact for
    /// expressions whose nodes each appear once), without listing them.
    pub fn count_bound(&self) -> f64 {
        match self {
            Expr::Node(_) => 1.0,
            Expr::Or(es) => es.iter().map(Expr::count_bound).sum(),
            Expr::And(es) => es.iter().map(Expr::count_bound).product(),
            Expr::Choose(k, es) => {
                // Σ over k-subsets of the product of their counts: the
                // elementary symmetric polynomial of degree k.
                let mut e = vec![0.0; k + 1];
                e[0] = 1.0;
                for c in es.iter().map(Expr::count_bound) {
                    for j in (1..=*k).rev() {
                        e[j] += e[j - 1] * c;
                    }
                }
                e[*k]
            }
            Expr::Weighted { votes, .. } => 2f64.powi(votes.len() as i32),
        }
    }

    /// The fewest node failures that leave no quorum, when every node
    /// appears once (Quoracle's recursion: a node 1, `+` the sum, `*` the
    /// least, `choose(k)` of `m` the `m - k + 1` smallest, a vote the fewest
    /// nodes holding more than `total - threshold` votes); `None` otherwise.
    pub fn min_failures(&self) -> Option<usize> {
        if !self.dup_free() {
            return None;
        }
        fn go(e: &Expr) -> usize {
            match e {
                Expr::Node(_) => 1,
                Expr::Or(es) => es.iter().map(go).sum(),
                Expr::And(es) => es.iter().map(go).min().unwrap_or(0),
                Expr::Choose(k, es) => {
                    let mut f: Vec<usize> = es.iter().map(go).collect();
                    f.sort_unstable();
                    f[..es.len() - k + 1].iter().sum()
                }
                Expr::Weighted { votes, threshold } => {
                    let total: u64 = votes.iter().map(|v| v.1).sum();
                    let mut v: Vec<u64> = votes.iter().map(|v| v.1).collect();
                    v.sort_unstable_by(|a, b| b.cmp(a));
                    let mut lost = 0;
                    for (i, x) in v.iter().enumerate() {
                        lost += x;
                        if total - lost < *threshold {
                            return i + 1;
                        }
                    }
                    v.len()
                }
            }
        }
        Some(go(self))
    }
}

/// Nodes up to which [`Expr::minimal_quorums_by_subsets`] looks at every
/// subset (2^20 = 1048576 of them).
pub const SUBSET_NODES: usize = 20;

/// Sorted by size then value, as [`minimize`] leaves them.
fn sorted(mut sets: Vec<u64>) -> Vec<u64> {
    sets.sort_by_key(|s| (s.count_ones(), *s));
    sets.dedup();
    sets
}

/// Every union of one quorum of each part.
fn product(es: &[Expr], limit: usize) -> Option<Vec<u64>> {
    let mut acc = vec![0u64];
    for e in es {
        acc = cross(&acc, &e.minimal_quorums(limit)?, limit)?;
    }
    Some(acc)
}

fn cross(a: &[u64], b: &[u64], limit: usize) -> Option<Vec<u64>> {
    if a.len().saturating_mul(b.len()) > limit.saturating_mul(16) {
        return None;
    }
    let out: Vec<u64> = a
        .iter()
        .flat_map(|x| b.iter().map(move |y| x | y))
        .collect();
    // Over disjoint nodes the unions are minimal already; else prune.
    let a_nodes = a.iter().fold(0, |m, x| m | x);
    let b_nodes = b.iter().fold(0, |m, x| m | x);
    let out = if a_nodes & b_nodes == 0 {
        out
    } else if out.len() > limit {
        return None;
    } else {
        minimize(out)
    };
    (out.len() <= limit * 4).then_some(out)
}

/// The sets of `sets` that contain no other one, sorted by size then
/// value.
pub fn minimize(mut sets: Vec<u64>) -> Vec<u64> {
    sets.sort_by_key(|s| (s.count_ones(), *s));
    sets.dedup();
    let mut out: Vec<u64> = Vec::with_capacity(sets.len());
    for s in sets {
        if !out.iter().any(|m| m & s == *m) {
            out.push(s);
        }
    }
    out
}

/// Calls `f` on each `k`-subset of `nodes` (as a mask) until it returns
/// true.
pub(crate) fn for_each_subset(nodes: &[usize], k: usize, f: &mut dyn FnMut(u64) -> bool) {
    fn go(nodes: &[usize], k: usize, acc: u64, f: &mut dyn FnMut(u64) -> bool) -> bool {
        if k == 0 {
            return f(acc);
        }
        for (i, &n) in nodes.iter().enumerate() {
            if nodes.len() - i < k {
                break;
            }
            if go(&nodes[i + 1..], k - 1, acc | 1 << n, f) {
                return true;
            }
        }
        false
    }
    go(nodes, k, 0, f);
}

/// An expression written with the system's names.
pub struct Shown<'a>(pub &'a Expr, pub &'a [String]);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = self.1;
        let list = |f: &mut fmt::Formatter<'_>, es: &[Expr], sep: &str| -> fmt::Result {
            for (i, e) in es.iter().enumerate() {
                if i > 0 {
                    f.write_str(sep)?;
                }
                write!(f, "{}", Shown(e, names))?;
            }
            Ok(())
        };
        match self.0 {
            Expr::Node(i) => f.write_str(&names[*i]),
            Expr::And(es) => {
                f.write_str("(")?;
                list(f, es, " * ")?;
                f.write_str(")")
            }
            Expr::Or(es) => {
                f.write_str("(")?;
                list(f, es, " + ")?;
                f.write_str(")")
            }
            Expr::Choose(k, es) => {
                write!(f, "choose({k}, ")?;
                list(f, es, ", ")?;
                f.write_str(")")
            }
            Expr::Weighted { votes, threshold } => {
                f.write_str("weighted(")?;
                for (i, (n, v)) in votes.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}={v}", names[*n])?;
                }
                write!(f, "; at least {threshold})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> (Expr, Vec<String>) {
        let mut names = Vec::new();
        let p = parse(text, Side::Read, &mut names).unwrap();
        (p.expr, names)
    }

    /// Every expression's minimal quorums against brute force over all
    /// subsets of its nodes; the dual's quorums are exactly the sets that
    /// meet every quorum.
    #[test]
    fn quorums_and_duals_match_brute_force() {
        for text in [
            "a*b*c + d*e*f",
            "a*b + b*c + a*c",
            "choose(2, a, b, c, d)",
            "choose(3, a, c, e, b + d + f)",
            "majority(a, b, c, d, e)",
            "grid(a, b; c, d; e, f)",
            "weighted(a=3, b=1, c=1, d=1; read=3, write=4)",
            "(a + b) * (c + a * d)",
        ] {
            let (e, names) = parsed(text);
            let n = names.len();
            let all: Vec<u64> = (0u64..1 << n).collect();
            let brute: Vec<u64> =
                minimize(all.iter().copied().filter(|&s| e.is_quorum(s)).collect());
            assert_eq!(e.minimal_quorums(1000).unwrap(), brute, "{text}");
            // The subset route (a minimality test per set, not pruning)
            // agrees, on both sides.
            assert_eq!(e.minimal_quorums_by_subsets(1000).unwrap(), brute, "{text}");
            let dual = e.dual();
            assert_eq!(
                dual.minimal_quorums_by_subsets(1000),
                dual.minimal_quorums(1000),
                "{text}"
            );
            for &s in &all {
                let meets_all = brute.iter().all(|q| q & s != 0);
                assert_eq!(dual.is_quorum(s), meets_all, "{text}: {s:b}");
            }
        }
    }

    /// A ring of 20 nodes read by any 10 of its 20 edges repeats every
    /// node, so the bound on its dual's parts says "too many"; looking at
    /// every subset lists its minimal quorums, each a quorum with no
    /// quorum one node smaller, within the limit.
    #[test]
    fn repeated_nodes_within_twenty_are_listed_by_subsets() {
        let names: Vec<String> = (0..20).map(|i| format!("n{i}")).collect();
        let edges: Vec<String> = (0..20)
            .map(|i| format!("{}*{}", names[i], names[(i + 1) % 20]))
            .collect();
        let (reads, _) = parsed(&format!("choose(10, {})", edges.join(", ")));
        // Its writes, the dual: a product of choices over C(20, 11) sets.
        let e = reads.dual();
        assert!(e.minimal_quorums(200_000).is_none());
        let qs = e.minimal_quorums_by_subsets(200_000).unwrap();
        assert!(!qs.is_empty() && qs.len() < 200_000);
        for &q in qs.iter().step_by(97) {
            assert!(e.is_quorum(q));
            for i in (0..20).filter(|i| q >> i & 1 == 1) {
                assert!(!e.is_quorum(q & !(1 << i)));
            }
        }
        // 21 nodes are beyond it.
        let (big, _) = parsed(&format!("choose(2, {}, x)", names.join(", ")));
        assert!(big.minimal_quorums_by_subsets(10).is_none());
    }

    #[test]
    fn malformed_expressions_say_where() {
        for (text, want) in [
            ("a * ", "expected a node"),
            ("a + (b", "expected ')'"),
            ("choose(4, a, b)", "k must be between 1 and the 2"),
            ("foo(a)", "unknown function 'foo'"),
            ("a $ b", "unexpected '$'"),
            ("weighted(a=0; read=1)", "votes must be at least 1"),
            ("weighted(a=1, b=1; read=3)", "between 1 and the 2 votes"),
            ("weighted(a=1, b=1; write=1)", "no read threshold"),
        ] {
            let mut names = Vec::new();
            let e = parse(text, Side::Read, &mut names).unwrap_err().to_string();
            assert!(e.contains(want), "{text}: {e}");
        }
    }
}
