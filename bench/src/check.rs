//! The history checker: every operation is recorded with its start and end
//! time, key and version, and reads are checked against regular-register
//! semantics: a read returns a version no older than the newest write
//! acknowledged before the read began, and never a version that had not
//! started to be written by the time the read ended.
//!
//! For strict quorums (r + w > n) any violation is a bug; for partial quorums
//! the violations are the stale reads, a measurement.

use crate::store::{OpError, ReadResult, WriteResult};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// One recorded operation. A write that timed out is kept with
/// `acked: false`: replicas may still have applied it, so reads may return
/// its version, but nothing requires them to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Op {
    pub is_write: bool,
    pub acked: bool,
    pub key: u64,
    pub version: u64,
    pub start: Instant,
    pub end: Instant,
}

/// A read that broke the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Violation {
    pub read: Op,
    /// The newest version acknowledged before the read began.
    pub expected_at_least: u64,
    /// The read returned a version nobody had started writing.
    pub from_the_future: bool,
}

/// A thread-safe log of operations.
#[derive(Debug, Default)]
pub struct History {
    ops: Mutex<Vec<Op>>,
}

impl History {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn write(&self, key: u64, w: &WriteResult) {
        self.push(Op {
            is_write: true,
            acked: true,
            key,
            version: w.version,
            start: w.start,
            end: w.end,
        });
    }

    /// A write that did not reach its quorum, from its error.
    pub fn failed_write(&self, key: u64, err: &OpError) {
        let OpError::Timeout { version, start, .. } = *err;
        if version != 0 {
            self.push(Op {
                is_write: true,
                acked: false,
                key,
                version,
                start,
                end: start,
            });
        }
    }

    pub fn read(&self, key: u64, r: &ReadResult) {
        self.push(Op {
            is_write: false,
            acked: true,
            key,
            version: r.version,
            start: r.start,
            end: r.end,
        });
    }

    /// Records an operation as it is.
    pub fn push(&self, op: Op) {
        self.ops.lock().expect("history").push(op);
    }

    pub fn ops(&self) -> Vec<Op> {
        self.ops.lock().expect("history").clone()
    }

    pub fn len(&self) -> usize {
        self.ops.lock().expect("history").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Every read that violates regular-register semantics.
///
/// ```
/// use quorum_bench::check::{check_regular, Op};
/// use std::time::{Duration, Instant};
/// let t = Instant::now();
/// let at = |ms: u64| t + Duration::from_millis(ms);
/// let w = Op { is_write: true, acked: true, key: 1, version: 5, start: at(0), end: at(1) };
/// let stale = Op { is_write: false, acked: true, key: 1, version: 0, start: at(2), end: at(3) };
/// let fine = Op { is_write: false, acked: true, key: 1, version: 5, start: at(2), end: at(3) };
/// assert_eq!(check_regular(&[w, fine]).len(), 0);
/// assert_eq!(check_regular(&[w, stale]).len(), 1);
/// ```
pub fn check_regular(ops: &[Op]) -> Vec<Violation> {
    // Per key: writes sorted by end time with the running maximum version.
    let mut by_key: HashMap<u64, Vec<(Instant, u64)>> = HashMap::new();
    let mut started: HashMap<(u64, u64), Instant> = HashMap::new();
    for op in ops.iter().filter(|o| o.is_write) {
        started.insert((op.key, op.version), op.start);
        if op.acked {
            by_key.entry(op.key).or_default().push((op.end, op.version));
        }
    }
    for writes in by_key.values_mut() {
        writes.sort_by_key(|w| w.0);
        let mut max = 0;
        for w in writes.iter_mut() {
            max = max.max(w.1);
            w.1 = max;
        }
    }
    let mut out = Vec::new();
    for read in ops.iter().filter(|o| !o.is_write) {
        let expected = by_key.get(&read.key).map_or(0, |writes| {
            let i = writes.partition_point(|w| w.0 < read.start);
            if i == 0 {
                0
            } else {
                writes[i - 1].1
            }
        });
        let from_the_future = read.version != 0
            && started
                .get(&(read.key, read.version))
                .is_none_or(|s| *s > read.end);
        if read.version < expected || from_the_future {
            out.push(Violation {
                read: *read,
                expected_at_least: expected,
                from_the_future,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn op(is_write: bool, key: u64, version: u64, start: u64, end: u64, t: Instant) -> Op {
        Op {
            is_write,
            acked: true,
            key,
            version,
            start: t + Duration::from_millis(start),
            end: t + Duration::from_millis(end),
        }
    }

    #[test]
    fn concurrent_reads_may_return_either_version() {
        let t = Instant::now();
        let ops = [
            op(true, 1, 1, 0, 1, t),
            op(true, 1, 2, 5, 10, t),
            // Overlaps the second write: old or new are both fine.
            op(false, 1, 1, 6, 7, t),
            op(false, 1, 2, 6, 7, t),
            // After the second write was acknowledged: must see it.
            op(false, 1, 1, 11, 12, t),
        ];
        let v = check_regular(&ops);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].expected_at_least, 2);
    }

    #[test]
    fn unacknowledged_writes_may_be_read_but_are_not_required() {
        let t = Instant::now();
        let mut failed = op(true, 1, 4, 0, 0, t);
        failed.acked = false;
        let ops = [failed, op(false, 1, 4, 5, 6, t), op(false, 1, 0, 7, 8, t)];
        assert!(check_regular(&ops).is_empty());
    }

    #[test]
    fn reads_from_the_future_and_other_keys() {
        let t = Instant::now();
        let ops = [
            op(true, 1, 3, 10, 11, t),
            // Returns version 3 before anyone started writing it.
            op(false, 1, 3, 0, 1, t),
            // Another key is independent.
            op(false, 2, 0, 20, 21, t),
        ];
        let v = check_regular(&ops);
        assert_eq!(v.len(), 1);
        assert!(v[0].from_the_future);
    }
}
