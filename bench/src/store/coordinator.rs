//! The coordinator (a client library): quorum writes and reads over one
//! persistent connection per replica, many operations in flight at once.
//!
//! A write gets the next version from a counter, goes to all n replicas, and
//! returns after w acks. A read goes to all n and returns the newest version
//! among the first r answers (no read repair). A reader thread per
//! connection routes each answer to its operation by operation id.

use super::protocol::{Frame, READ, WRITE};
use std::collections::HashMap;
use std::io::{self, BufReader, BufWriter, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Why an operation did not complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpError {
    /// Fewer than the quorum answered within the timeout. For a write,
    /// `version` is the version it tried to write (it may still be applied
    /// by the replicas that got it); 0 for a read.
    Timeout {
        answered: usize,
        needed: usize,
        version: u64,
        start: Instant,
    },
}

impl std::fmt::Display for OpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpError::Timeout {
                answered, needed, ..
            } => {
                write!(f, "timed out with {answered} of {needed} answers")
            }
        }
    }
}

/// A committed write.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WriteResult {
    pub version: u64,
    pub start: Instant,
    pub end: Instant,
}

/// A completed read.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadResult {
    /// Newest version among the first r answers (0: the key is unknown).
    pub version: u64,
    pub value: Vec<u8>,
    pub start: Instant,
    pub end: Instant,
}

type Pending = Arc<Mutex<HashMap<u64, Sender<Frame>>>>;

/// A connection to every replica.
pub struct Coordinator {
    writers: Vec<Mutex<BufWriter<TcpStream>>>,
    pending: Pending,
    next_op: AtomicU64,
    next_version: AtomicU64,
    timeout: Duration,
}

impl Coordinator {
    /// Connects to each replica; operations give up after `timeout`.
    pub fn connect(addrs: &[SocketAddr], timeout: Duration) -> io::Result<Coordinator> {
        let pending: Pending = Arc::new(Mutex::new(HashMap::new()));
        let mut writers = Vec::with_capacity(addrs.len());
        for addr in addrs {
            let stream = TcpStream::connect(addr)?;
            stream.set_nodelay(true)?;
            let read_half = stream.try_clone()?;
            let p = pending.clone();
            std::thread::Builder::new()
                .name("coordinator-conn".into())
                .spawn(move || route(read_half, p))?;
            writers.push(Mutex::new(BufWriter::new(stream)));
        }
        Ok(Coordinator {
            writers,
            pending,
            next_op: AtomicU64::new(1),
            next_version: AtomicU64::new(1),
            timeout,
        })
    }

    pub fn n(&self) -> usize {
        self.writers.len()
    }

    /// Sends `frame` to every replica and waits for `k` answers.
    fn quorum(&self, mut frame: Frame, k: usize, start: Instant) -> Result<Vec<Frame>, OpError> {
        let op = self.next_op.fetch_add(1, Ordering::Relaxed);
        frame.op = op;
        let (tx, rx) = channel();
        self.pending.lock().expect("pending").insert(op, tx);
        let bytes = frame.encode();
        for w in &self.writers {
            let mut w = w.lock().expect("writer");
            // A broken connection is a replica that never answers.
            let _ = w.write_all(&bytes).and_then(|_| w.flush());
        }
        let deadline = Instant::now() + self.timeout;
        let mut got = Vec::with_capacity(k);
        while got.len() < k {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(f) => got.push(f),
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        self.pending.lock().expect("pending").remove(&op);
        if got.len() < k {
            return Err(OpError::Timeout {
                answered: got.len(),
                needed: k,
                version: if frame.kind == WRITE {
                    frame.version
                } else {
                    0
                },
                start,
            });
        }
        Ok(got)
    }

    /// Writes `value` under `key` with a fresh version; returns once `w`
    /// replicas acknowledged.
    pub fn write(&self, key: u64, value: &[u8], w: usize) -> Result<WriteResult, OpError> {
        let version = self.next_version.fetch_add(1, Ordering::Relaxed);
        let start = Instant::now();
        let frame = Frame {
            op: 0,
            kind: WRITE,
            key,
            version,
            value: value.to_vec(),
        };
        self.quorum(frame, w, start)?;
        Ok(WriteResult {
            version,
            start,
            end: Instant::now(),
        })
    }

    /// Reads `key` from the first `r` replicas to answer; the newest version
    /// among them wins.
    pub fn read(&self, key: u64, r: usize) -> Result<ReadResult, OpError> {
        let start = Instant::now();
        let frame = Frame {
            op: 0,
            kind: READ,
            key,
            version: 0,
            value: Vec::new(),
        };
        let answers = self.quorum(frame, r, start)?;
        let end = Instant::now();
        let newest = answers
            .into_iter()
            .max_by_key(|f| f.version)
            .expect("r >= 1 answers");
        Ok(ReadResult {
            version: newest.version,
            value: newest.value,
            start,
            end,
        })
    }
}

/// Routes each answer on one connection to the operation waiting for it.
fn route(stream: TcpStream, pending: Pending) {
    let mut reader = BufReader::new(stream);
    while let Ok(Some(frame)) = Frame::read_from(&mut reader) {
        let tx = pending.lock().expect("pending").get(&frame.op).cloned();
        if let Some(tx) = tx {
            let _ = tx.send(frame);
        }
    }
}
