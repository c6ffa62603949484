//! Quorum systems beyond thresholds (issue 17): read and write quorums
//! given as expressions over named nodes ([`expr`]), checked to intersect,
//! with their resilience, their availability under the crate's failure
//! models ([`avail`]), their load, capacity, network load and latency
//! under LP-optimal strategies ([`strategy`]) and the best system of a
//! family under constraints ([`search`]), after Quoracle (Whittaker,
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
    /// A node named in an option but in neither expression.
    #[error("unknown node '{0}': the expressions' nodes are {1}")]
    UnknownNode(String, String),
}

/// Read and write quorums over named nodes, every read quorum meeting
/// every write quorum.
#[derive(Debug, Clone, PartialEq)]
pub struct QuorumSystem {
    names: Vec<String>,
    reads: Expr,
    writes: Expr,
    read_quorums: Vec<u64>,
    write_quorums: Vec<u64>,
}

impl QuorumSystem {
    /// From the read expression and, optionally, the write one: without
    /// it the writes are the reads' dual (every set meeting every read
    /// quorum), or a `weighted(...; read=R, write=W)` vote's write side.
    /// Given both, they must intersect; the refusal names a read and a
    /// write quorum that do not.
    pub fn new(reads: &str, writes: Option<&str>) -> Result<Self, QsError> {
        let mut names = Vec::new();
        let r = parse(reads, Side::Read, &mut names).map_err(|error| QsError::Expr {
            side: "reads",
            error,
        })?;
        let writes = match writes {
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
        QuorumSystem::from_exprs(names, r.expr, writes)
    }

    /// A partial quorum system: reads and writes given, not required to
    /// intersect (Dynamo-style `r + w <= n` and its kin); its strategies
    /// report how often a read misses the latest writes.
    pub fn partial(reads: &str, writes: &str) -> Result<Self, QsError> {
        let mut names = Vec::new();
        let r = parse(reads, Side::Read, &mut names).map_err(|error| QsError::Expr {
            side: "reads",
            error,
        })?;
        let w = parse(writes, Side::Write, &mut names).map_err(|error| QsError::Expr {
            side: "writes",
            error,
        })?;
        QuorumSystem::build(names, r.expr, w.expr, false)
    }

    /// Whether every read quorum meets every write quorum.
    pub fn intersecting(&self) -> bool {
        self.disjoint_pair().is_none()
    }

    /// From parsed expressions over `names`.
    pub fn from_exprs(names: Vec<String>, reads: Expr, writes: Expr) -> Result<Self, QsError> {
        QuorumSystem::build(names, reads, writes, true)
    }

    fn build(
        names: Vec<String>,
        reads: Expr,
        writes: Expr,
        intersect: bool,
    ) -> Result<Self, QsError> {
        let read_quorums = reads
            .minimal_quorums(MAX_QUORUMS)
            .ok_or(QsError::TooMany { side: "read" })?;
        let write_quorums = writes
            .minimal_quorums(MAX_QUORUMS)
            .ok_or(QsError::TooMany { side: "write" })?;
        let qs = QuorumSystem {
            names,
            reads,
            writes,
            read_quorums,
            write_quorums,
        };
        if let Some((r, w)) = qs.disjoint_pair().filter(|_| intersect) {
            return Err(QsError::Disjoint {
                read: qs.set(r),
                write: qs.set(w),
            });
        }
        Ok(qs)
    }

    /// A read and a write quorum that do not meet, if any: a write quorum
    /// that is not a quorum of the reads' dual, and a read quorum outside
    /// it.
    fn disjoint_pair(&self) -> Option<(u64, u64)> {
        let dual = self.reads.dual();
        let w = *self.write_quorums.iter().find(|&&w| !dual.is_quorum(w))?;
        let r = *self.read_quorums.iter().find(|&&r| r & w == 0)?;
        Some((r, w))
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

    /// The minimal read quorums (bitmasks), smallest first.
    pub fn read_quorums(&self) -> &[u64] {
        &self.read_quorums
    }

    /// The minimal write quorums.
    pub fn write_quorums(&self) -> &[u64] {
        &self.write_quorums
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
        resilience(&self.reads)
    }

    /// As [`QuorumSystem::read_resilience`], for writes.
    pub fn write_resilience(&self) -> Option<usize> {
        resilience(&self.writes)
    }
}

/// The smallest quorum of `e`'s dual, less one (the dual's quorums are the
/// sets whose failure leaves no quorum of `e`).
fn resilience(e: &Expr) -> Option<usize> {
    if let Some(f) = e.min_failures() {
        return Some(f - 1);
    }
    let dual = e.dual();
    if let Some(qs) = dual.minimal_quorums(MAX_QUORUMS) {
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
