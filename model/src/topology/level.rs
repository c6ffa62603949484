//! Consistency levels in Cassandra's vocabulary, and what each asks of the
//! replicas: a condition on how many have answered in which datacenters
//! (a [`Rule`]), not a single count.
//!
//! | level | answers needed |
//! |---|---|
//! | `ONE`, `TWO`, `THREE`, `k` | 1, 2, 3 or `k` of all replicas |
//! | `QUORUM` | `⌊N/2⌋ + 1` of all `N` replicas |
//! | `ALL` | all `N` |
//! | `LOCAL_ONE` | 1 in the coordinator's datacenter |
//! | `LOCAL_QUORUM` | `⌊m/2⌋ + 1` of the `m` in the coordinator's datacenter |
//! | `EACH_QUORUM` | `⌊m_d/2⌋ + 1` in every datacenter `d` |
//!
//! (Cassandra's documentation, "How is the consistency level configured?";
//! the quorum of a replication factor `RF` is `⌊RF/2⌋ + 1`.)

use super::rule::{Rule, Term};
use std::fmt;
use std::str::FromStr;

/// A consistency level, for reads or for writes.
///
/// ```
/// use quorum_model::topology::Level;
/// let l: Level = "local_quorum".parse().unwrap();
/// assert_eq!(l, Level::LocalQuorum);
/// assert_eq!(l.to_string(), "LOCAL_QUORUM");
/// assert_eq!("2".parse::<Level>().unwrap(), Level::Count(2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// `k` answers from any replicas (`ONE` is 1, `TWO` 2, `THREE` 3).
    Count(usize),
    /// A majority of all replicas.
    Quorum,
    /// Every replica.
    All,
    /// One answer from the coordinator's datacenter.
    LocalOne,
    /// A majority of the coordinator's datacenter.
    LocalQuorum,
    /// A majority of every datacenter.
    EachQuorum,
}

/// The levels' names, for messages.
pub const LEVEL_NAMES: &str =
    "ONE, TWO, THREE, QUORUM, ALL, LOCAL_ONE, LOCAL_QUORUM, EACH_QUORUM, or a number >= 1";

/// Why a level cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LevelError {
    /// Not a level's name.
    Unknown(String),
    /// It needs more answers than there are replicas (where it counts).
    TooFew {
        /// The level.
        level: Level,
        /// Answers it needs.
        needs: usize,
        /// Replicas where it counts.
        have: usize,
    },
    /// A `LOCAL_*` level where the coordinator's datacenter is not known
    /// (no datacenters were given).
    NoLocalDatacenter(Level),
}

impl fmt::Display for LevelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LevelError::Unknown(text) => {
                write!(f, "must be {LEVEL_NAMES}, got '{text}'")
            }
            LevelError::TooFew { level, needs, have } => write!(
                f,
                "{level} needs {needs} answer(s) but only {have} replica(s) can give them"
            ),
            LevelError::NoLocalDatacenter(level) => write!(
                f,
                "{level} needs the coordinator's datacenter; give the datacenters (dc) and where the coordinator runs"
            ),
        }
    }
}

impl std::error::Error for LevelError {}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Level::Count(1) => f.write_str("ONE"),
            Level::Count(2) => f.write_str("TWO"),
            Level::Count(3) => f.write_str("THREE"),
            Level::Count(k) => write!(f, "{k}"),
            Level::Quorum => f.write_str("QUORUM"),
            Level::All => f.write_str("ALL"),
            Level::LocalOne => f.write_str("LOCAL_ONE"),
            Level::LocalQuorum => f.write_str("LOCAL_QUORUM"),
            Level::EachQuorum => f.write_str("EACH_QUORUM"),
        }
    }
}

impl FromStr for Level {
    type Err = LevelError;

    /// A level's name in any case, or a whole number >= 1.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let t = text.trim();
        Ok(match t.to_ascii_uppercase().as_str() {
            "ONE" => Level::Count(1),
            "TWO" => Level::Count(2),
            "THREE" => Level::Count(3),
            "QUORUM" => Level::Quorum,
            "ALL" => Level::All,
            "LOCAL_ONE" => Level::LocalOne,
            "LOCAL_QUORUM" => Level::LocalQuorum,
            "EACH_QUORUM" => Level::EachQuorum,
            _ => match t.parse::<usize>() {
                Ok(k) if k >= 1 => Level::Count(k),
                _ => return Err(LevelError::Unknown(text.to_string())),
            },
        })
    }
}

/// `⌊m/2⌋ + 1`.
fn quorum(m: usize) -> usize {
    m / 2 + 1
}

impl Level {
    /// Whether the level counts answers in the coordinator's datacenter.
    pub fn is_local(self) -> bool {
        matches!(self, Level::LocalOne | Level::LocalQuorum)
    }

    /// What the level asks of replicas placed `counts[d]` per datacenter,
    /// with the coordinator in datacenter `local` (`None`: not known, which
    /// only `LOCAL_*` levels need).
    ///
    /// ```
    /// use quorum_model::topology::Level;
    /// // 3 + 3 replicas, the coordinator in the first datacenter.
    /// let each = Level::EachQuorum.rule(&[3, 3], Some(0)).unwrap();
    /// assert_eq!(each.terms.len(), 2);
    /// assert_eq!(Level::Quorum.rule(&[3, 3], None).unwrap().terms[0].k, 4);
    /// assert!(Level::LocalQuorum.rule(&[3, 3], None).is_err());
    /// ```
    pub fn rule(self, counts: &[usize], local: Option<usize>) -> Result<Rule, LevelError> {
        let total: usize = counts.iter().sum();
        let everywhere: Vec<usize> = (0..counts.len()).collect();
        let too_few = |needs: usize, have: usize| {
            if needs > have {
                Err(LevelError::TooFew {
                    level: self,
                    needs,
                    have,
                })
            } else {
                Ok(())
            }
        };
        let terms = match self {
            Level::Count(k) => {
                too_few(k, total)?;
                vec![Term::new(everywhere, k)]
            }
            Level::Quorum => vec![Term::new(everywhere, quorum(total))],
            Level::All => vec![Term::new(everywhere, total)],
            Level::LocalOne | Level::LocalQuorum => {
                let d = local.ok_or(LevelError::NoLocalDatacenter(self))?;
                let m = counts[d];
                let k = if self == Level::LocalOne {
                    1
                } else {
                    quorum(m)
                };
                too_few(k, m)?;
                vec![Term::new(vec![d], k)]
            }
            Level::EachQuorum => {
                // A datacenter with no replica of the item asks for none.
                counts
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| **m > 0)
                    .map(|(d, m)| Term::new(vec![d], quorum(*m)))
                    .collect()
            }
        };
        too_few(1, total)?;
        Ok(Rule { terms })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for l in [
            Level::Count(1),
            Level::Count(2),
            Level::Count(3),
            Level::Count(7),
            Level::Quorum,
            Level::All,
            Level::LocalOne,
            Level::LocalQuorum,
            Level::EachQuorum,
        ] {
            assert_eq!(l.to_string().parse::<Level>().unwrap(), l);
        }
        for bad in ["", "0", "-1", "QUORUMS", "1.5", "LOCAL"] {
            let e = bad.parse::<Level>().unwrap_err();
            assert!(e.to_string().contains("LOCAL_QUORUM"), "{e}");
        }
    }

    #[test]
    fn rules_count_the_right_replicas() {
        let c = [3, 2, 5];
        assert_eq!(Level::All.rule(&c, None).unwrap().terms[0].k, 10);
        assert_eq!(Level::Quorum.rule(&c, None).unwrap().terms[0].k, 6);
        let local = Level::LocalQuorum.rule(&c, Some(2)).unwrap();
        assert_eq!(local.terms, vec![Term::new(vec![2], 3)]);
        let each = Level::EachQuorum.rule(&c, Some(0)).unwrap();
        let ks: Vec<usize> = each.terms.iter().map(|t| t.k).collect();
        assert_eq!(ks, [2, 2, 3]);
        assert!(matches!(
            Level::Count(11).rule(&c, None),
            Err(LevelError::TooFew {
                needs: 11,
                have: 10,
                ..
            })
        ));
        // A coordinator in a datacenter without replicas has no local level.
        assert!(Level::LocalOne.rule(&[3, 0], Some(1)).is_err());
    }
}
