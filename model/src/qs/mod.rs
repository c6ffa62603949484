//! Quorum systems beyond thresholds (issue 17): read and write quorums
//! given as expressions over named nodes ([`expr`]), checked to intersect,
//! with their resilience, their availability under the crate's failure
//! models ([`avail`]), their load, capacity, network load and latency
//! under LP-optimal strategies ([`strategy`]), the t-visibility of
//! partial systems ([`visibility`]) and the best system of a family
//! under constraints ([`search`]), after Quoracle (Whittaker,
//! Charapko, Hellerstein, Howard and Stoica, "Read-Write Quorum Systems
//! Made Practical", PaPoC 2021).
//!
//! ```
//! use quorum_model::qs::QuorumSystem;
//! // A 2 x 3 grid: a row is a read quorum, one node of every row a write
//! // quorum (the dual).
//! let grid = QuorumSystem::new("a*b*c + d*e*f", None).unwrap();
//! assert_eq!(grid.read_resilience(), Some(1));
//! assert_eq!(grid.write_resilience(), Some(2));
//! assert_eq!(grid.write_quorums().len(), 9);
//! ```

pub mod avail;
pub mod expr;
pub mod search;
pub mod strategy;
pub mod visibility;

use expr::{for_each_subset, parse, Expr, ExprError, Side};

/// Minimal quorums enumerated at most, per side: the LP has a variable
/// for each.
pub const MAX_QUORUMS: usize = 200_000;

/// Why a quorum system cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QsError {
    /// A malformed expression.
    #[error("{side}: {error}")]
    Expr {
        /// `reads` or `writes`.
        side: &'static str,
        /// What and where.
        error: ExprError,
    },
    /// A read and a write quorum that do not meet.
    #[error("the read quorum {{{read}}} and the write quorum {{{write}}} do not intersect")]
    Disjoint {
        /// The read quorum's nodes.
        read: String,
        /// The write quorum's nodes.
        write: String,
    },
    /// Too many minimal quorums to list.
    #[error("more than {MAX_QUORUMS} minimal {side} quorums (the strategy's linear program has a variable for each)")]
    TooMany {
        /// `reads` or `writes`.
        side: &'static str,
    },
    /// Too many minimal quorums on both sides to check that they meet.
    #[error("more than {MAX_QUORUMS} minimal quorums on both sides: too many to check whether every read quorum meets every write quorum")]
    TooManyToCheck,
    /// A node named in an option but in neither expression.
    #[error("unknown node '{0}': the expressions' nodes are {1}")]
    UnknownNode(String, String),
}

/// Read and write quorums over named nodes, every read quorum meeting
/// every write quorum (or not, for a [`QuorumSystem::partial`] one).
#[derive(Debug, Clone, PartialEq)]
pub struct QuorumSystem {
    names: Vec<String>,
    reads: Expr,
    writes: Expr,
    /// The minimal quorums; `None` for a side of more than
    /// [`MAX_QUORUMS`] (a [`QuorumSystem::large`] one).
    read_quorums: Option<Vec<u64>>,
    write_quorums: Option<Vec<u64>>,
    /// A read and a write quorum that do not meet, if any.
    disjoint: Option<(u64, u64)>,
    /// Each side's resilience, found on first asking (the search behind
    /// it can take a while for expressions that repeat nodes).
    resilience: [std::sync::OnceLock<Option<usize>>; 2],
}

impl QuorumSystem {
    /// From the read expression and, optionally, the write one: without
    /// it the writes are the reads' dual (every set meeting every read
    /// quorum), or a `weighted(...; read=R, write=W)` vote's write side.
    /// Given both, they must intersect; the refusal names a read and a
    /// write quorum that do not.
    pub fn new(reads: &str, writes: Option<&str>) -> Result<Self, QsError> {
        QuorumSystem::parse(reads, writes, false, false)
    }

    /// As [`QuorumSystem::new`] (or, with `partial`, as
    /// [`QuorumSystem::partial`]), but a side of more than [`MAX_QUORUMS`]
    /// minimal quorums is kept as its expression, unlisted: its
    /// resilience, availability and t-visibility still follow, its
    /// strategies do not ([`QuorumSystem::listed`]). Whether the sides meet
    /// is checked over the listed side (refused when neither is), except
    /// for the reads' dual, which meets them by construction.
    pub fn large(reads: &str, writes: Option<&str>, partial: bool) -> Result<Self, QsError> {
        QuorumSystem::parse(reads, writes, partial, true)
    }

    /// Parses both sides (the writes by default the reads' dual, or a
    /// weighted vote's write side) over one list of names, and builds.
    fn parse(
        reads: &str,
        writes: Option<&str>,
        partial: bool,
        unlisted: bool,
    ) -> Result<Self, QsError> {
        let mut names = Vec::new();
        let r = parse(reads, Side::Read, &mut names).map_err(|error| QsError::Expr {
            side: "reads",
            error,
        })?;
        let w = match writes {
            Some(text) => {
                parse(text, Side::Write, &mut names)
                    .map_err(|error| QsError::Expr {
                        side: "writes",
                        error,
                    })?
                    .expr
            }
            None => r.other_side.clone().unwrap_or_else(|| r.expr.dual()),
        };
        let check = if partial {
            Check::Find
        } else if writes.is_none() && r.other_side.is_none() {
            Check::Known
        } else {
            Check::Require
        };
        QuorumSystem::build(names, r.expr, w, check, unlisted)
    }

    /// A partial quorum system: reads and writes given, not required to
    /// intersect (Dynamo-style `r + w <= n` and its kin); its strategies
    /// report how often a read misses the latest writes.
    pub fn partial(reads: &str, writes: &str) -> Result<Self, QsError> {
        QuorumSystem::parse(reads, Some(writes), true, false)
    }

    /// Whether every read quorum meets every write quorum.
    pub fn intersecting(&self) -> bool {
        self.disjoint.is_none()
    }

    /// Whether both sides' minimal quorums are listed (always, but for a
    /// [`QuorumSystem::large`] system): strategies need them.
    pub fn listed(&self) -> bool {
        self.read_quorums.is_some() && self.write_quorums.is_some()
    }

    /// From parsed expressions over `names`.
    pub fn from_exprs(names: Vec<String>, reads: Expr, writes: Expr) -> Result<Self, QsError> {
        QuorumSystem::build(names, reads, writes, Check::Require, false)
    }

    fn build(
        names: Vec<String>,
        reads: Expr,
        writes: Expr,
        check: Check,
        unlisted: bool,
    ) -> Result<Self, QsError> {
        let list = |e: &Expr, side| match listed_quorums(e) {
            Some(q) => Ok(Some(q)),
            None if unlisted => Ok(None),
            None => Err(QsError::TooMany { side }),
        };
        let read_quorums = list(&reads, "read")?;
        let write_quorums = list(&writes, "write")?;
        let disjoint = match (&read_quorums, &write_quorums) {
            _ if check == Check::Known => None,
            (r, Some(w)) => disjoint_pair(&reads, r.as_deref(), w),
            (Some(r), None) => disjoint_pair(&writes, None, r).map(|(w, r)| (r, w)),
            (None, None) => return Err(QsError::TooManyToCheck),
        };
        let qs = QuorumSystem {
            names,
            reads,
            writes,
            read_quorums,
            write_quorums,
            disjoint,
            resilience: Default::default(),
        };
        if let Some((r, w)) = qs.disjoint.filter(|_| check == Check::Require) {
            return Err(QsError::Disjoint {
                read: qs.set(r),
                write: qs.set(w),
            });
        }
        Ok(qs)
    }

    /// The nodes' names, in the order of the bits.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The index of a node by name.
    pub fn node(&self, name: &str) -> Result<usize, QsError> {
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| QsError::UnknownNode(name.to_string(), self.names.join(", ")))
    }

    /// Nodes in all.
    pub fn n(&self) -> usize {
        self.names.len()
    }

    /// The read expression.
    pub fn reads(&self) -> &Expr {
        &self.reads
    }

    /// The write expression.
    pub fn writes(&self) -> &Expr {
        &self.writes
    }

    /// The minimal read quorums (bitmasks), smallest first; none listed
    /// for a side too large (see [`QuorumSystem::listed`]).
    pub fn read_quorums(&self) -> &[u64] {
        self.read_quorums.as_deref().unwrap_or(&[])
    }

    /// The minimal write quorums; none listed for a side too large.
    pub fn write_quorums(&self) -> &[u64] {
        self.write_quorums.as_deref().unwrap_or(&[])
    }

    /// A set's names, comma-separated, in node order.
    pub fn set(&self, mask: u64) -> String {
        (0..self.n())
            .filter(|i| mask >> i & 1 == 1)
            .map(|i| self.names[i].as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The most node failures every read quorum's loss needs, less one:
    /// the smallest set meeting every read quorum (a quorum of the dual)
    /// minus one. `None` when an expression that repeats nodes is too
    /// large to search.
    pub fn read_resilience(&self) -> Option<usize> {
        *self.resilience[0].get_or_init(|| resilience(&self.reads))
    }

    /// As [`QuorumSystem::read_resilience`], for writes.
    pub fn write_resilience(&self) -> Option<usize> {
        *self.resilience[1].get_or_init(|| resilience(&self.writes))
    }
}

/// `e`'s minimal quorums, if at most [`MAX_QUORUMS`]: from its parts, or,
/// where their bound overflows (nodes repeated), from every subset.
fn listed_quorums(e: &Expr) -> Option<Vec<u64>> {
    e.minimal_quorums(MAX_QUORUMS)
        .or_else(|| e.minimal_quorums_by_subsets(MAX_QUORUMS))
}

/// What a system's constructor knows of whether its sides meet.
#[derive(Clone, Copy, PartialEq)]
enum Check {
    /// They must: a pair that does not is refused.
    Require,
    /// They need not (a partial system): find out.
    Find,
    /// They do by construction (the writes are the reads' dual).
    Known,
}

/// A minimal quorum of `a` and one of `b_quorums` (the listed minimal
/// quorums of the other side) that do not meet, if any. A set meets every
/// quorum of `a` iff it is a quorum of `a`'s dual; one that is not leaves
/// a quorum of `a` in its complement: the first listed one
/// (`a_quorums`), or, unlisted, the complement shrunk to a minimal one
/// (dropping high-numbered nodes first).
fn disjoint_pair(a: &Expr, a_quorums: Option<&[u64]>, b_quorums: &[u64]) -> Option<(u64, u64)> {
    let dual = a.dual();
    let q = *b_quorums.iter().find(|&&q| !dual.is_quorum(q))?;
    let other = match a_quorums {
        Some(list) => *list.iter().find(|&&x| x & q == 0)?,
        None => {
            let mut other = a.nodes() & !q;
            for i in (0..64).rev() {
                let smaller = other & !(1u64 << i);
                if other >> i & 1 == 1 && a.is_quorum(smaller) {
                    other = smaller;
                }
            }
            other
        }
    };
    Some((other, q))
}

/// The smallest quorum of `e`'s dual, less one (the dual's quorums are the
/// sets whose failure leaves no quorum of `e`).
fn resilience(e: &Expr) -> Option<usize> {
    if let Some(f) = e.min_failures() {
        return Some(f - 1);
    }
    let dual = e.dual();
    if let Some(qs) = listed_quorums(&dual) {
        return Some(qs.iter().map(|q| q.count_ones()).min().unwrap_or(1) as usize - 1);
    }
    // Too many to list: the smallest failing set by size, brute force, up
    // to 10^8 sets.
    let nodes: Vec<usize> = (0..64).filter(|i| e.nodes() >> i & 1 == 1).collect();
    let all = e.nodes();
    let mut tried = 0u64;
    for k in 1..=nodes.len() {
        let (mut found, mut gave_up) = (false, false);
        for_each_subset(&nodes, k, &mut |down| {
            tried += 1;
            found |= !e.is_quorum(all & !down);
            gave_up = tried > 100_000_000;
            found || gave_up
        });
        if found {
            return Some(k - 1);
        }
        if gave_up {
            return None;
        }
    }
    Some(nodes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Quoracle's tutorial: the 2 x 3 grid's quorums and resilience, and the
    /// refusal of quorums that do not meet.
    #[test]
    fn quoracle_tutorial_grid() {
        let grid = QuorumSystem::new("a*b*c + d*e*f", None).unwrap();
        assert_eq!(grid.read_quorums().len(), 2);
        assert_eq!(grid.write_quorums().len(), 9);
        assert_eq!(
            (grid.read_resilience(), grid.write_resilience()),
            (Some(1), Some(2))
        );
        let both = QuorumSystem::new("a*b*c + d*e*f", Some("(a + b + c) * (d + e + f)")).unwrap();
        assert_eq!(both.write_quorums(), grid.write_quorums());
        let e = QuorumSystem::new("a+b+c", Some("d+e+f")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the read quorum {a} and the write quorum {d} do not intersect"
        );
        let majority = QuorumSystem::new("a*b + b*c + a*c", None).unwrap();
        assert_eq!(
            majority.read_resilience().min(majority.write_resilience()),
            Some(1)
        );
    }

    /// A side too large to list: kept as its expression, no strategy, and
    /// a disjoint pair still found (from the listed side, the other's
    /// quorum shrunk to a minimal one).
    #[test]
    fn large_systems_keep_their_expressions() {
        let names: Vec<String> = (0..41).map(|i| format!("n{i}")).collect();
        let majority = format!("choose(21, {})", names.join(", "));
        let qs = QuorumSystem::large(&majority, None, false).unwrap();
        assert!(!qs.listed() && qs.intersecting());
        assert_eq!(qs.read_resilience(), Some(20));
        assert!(QuorumSystem::new(&majority, None).is_err());
        let few = format!("choose(10, {})", names[..12].join(", "));
        let partial = QuorumSystem::large(&majority, Some(&few), true).unwrap();
        assert!(!partial.intersecting());
        let Err(QsError::Disjoint { read, write }) =
            QuorumSystem::large(&majority, Some(&few), false)
        else {
            panic!("not refused");
        };
        let read: Vec<&str> = read.split(", ").collect();
        let write: Vec<&str> = write.split(", ").collect();
        assert_eq!((read.len(), write.len()), (21, 10));
        assert!(read.iter().all(|r| !write.contains(r)));
        // Given writes meeting the reads pass, checked over the listed side.
        let meets = format!("choose(21, {})", names[..22].join(", "));
        assert!(QuorumSystem::large(&majority, Some(&meets), false)
            .unwrap()
            .intersecting());
    }

    /// Resilience by brute force over every failure set.
    #[test]
    fn resilience_is_the_smallest_fatal_failure_set() {
        for text in [
            "grid(a,b,c;d,e,f;g,h,i)",
            "choose(3, a, b, c, d, e)",
            "a*b + c*d*e",
            "weighted(a=2,b=1,c=1,d=1; read=3)",
        ] {
            let qs = QuorumSystem::new(text, None).unwrap();
            let n = qs.n();
            let all = (1u64 << n) - 1;
            for (e, got) in [
                (qs.reads(), qs.read_resilience()),
                (qs.writes(), qs.write_resilience()),
            ] {
                let fatal = (0u64..1 << n)
                    .filter(|&down| !e.is_quorum(all & !down))
                    .map(|d| d.count_ones() as usize)
                    .min()
                    .unwrap();
                assert_eq!(got, Some(fatal - 1), "{text}");
                // The dual's smallest quorum says the same.
                let dual_min = e.dual().minimal_quorums(1000).unwrap();
                let dual_min = dual_min.iter().map(|q| q.count_ones()).min().unwrap();
                assert_eq!(dual_min as usize, fatal, "{text}");
            }
        }
    }
}
