//! The coordinator (a client library): quorum writes and reads over one
//! persistent connection per replica, many operations in flight at once.
//!
//! A write gets the next version from a counter, goes to all n replicas, and
//! returns after w acks. A read goes to all n and returns the newest version
//! among the first r answers. A reader thread per connection routes each
//! answer to its operation by operation id.
//!
//! Healing, each behind an option:
//! - blocking read repair ([`Coordinator::set_read_repair`]): a read whose
//!   answers disagree sends the newest value to the stale replicas among
//!   them and returns once they all acked;
//! - hinted handoff ([`Coordinator::enable_hints`]): a committed write keeps
//!   a hint for every replica that had not acked by the commit; a replayer
//!   thread resends each hint every `every` until the replica acks (a
//!   replica that is up acks at once; one that is down is silent) or the
//!   window since the write has passed, when the hint is dropped;
//! - anti-entropy ([`Coordinator::enable_anti_entropy`]): every interval, at
//!   its own random phase, each replica is brought up to date with its
//!   peers: an agent asks every replica for its digest (all its keys) and
//!   sends the replica the newest version of each key it lacks. A replica
//!   that is down does not answer and waits for its next round.
//!
//! With datacenters ([`Placement`]) the coordinator runs, for each
//! operation, in one of the places its placement allows (drawn uniformly),
//! waits until the operation's consistency level holds among the replicas
//! that answered ([`Need`]), and delays every message between its
//! datacenter and a replica's by an independent draw of the extra delay
//! between them, through the same precise timer the replicas use for
//! their legs: a request leaves that much later, an answer is delivered
//! that much later.

use super::protocol::{decode_digest, Frame, DIGEST, READ, WRITE};
use crate::inject::Scheduler;
use quorum_model::dist::Dist;
use quorum_model::topology::Rule;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
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

/// Where an operation's answers go: the replica that sent each, and the
/// frame.
type Answers = Sender<(usize, Frame)>;
/// Per operation: its answers' channel and its coordinator's place.
type Pending = Arc<Mutex<HashMap<u64, (Answers, usize)>>>;

/// What an operation waits for.
#[derive(Debug, Clone)]
pub enum Need {
    /// Any `k` answers.
    Count(usize),
    /// Ask only `k` replicas, drawn uniformly (quorum fan-out), and wait
    /// for all of them; with `retry_ms`, once that long has passed without
    /// `k` answers, also ask one more (speculative retry) and complete with
    /// the first `k`.
    Asked {
        /// Replicas asked (and answers awaited).
        k: usize,
        /// The speculative retry's threshold, ms.
        retry_ms: Option<f64>,
    },
    /// A consistency level's rule (for each place of the coordinator, by
    /// datacenter index), answers counted per datacenter.
    Rules {
        /// The rule for a coordinator in each datacenter (`None`: it never
        /// runs there).
        rules: Vec<Option<Rule>>,
        /// Each replica's datacenter.
        dc_of: Vec<usize>,
    },
}

impl Need {
    /// Whether the answers of `from` (replica indices) satisfy it, the
    /// coordinator in datacenter `place`.
    fn met(&self, from: &[usize], place: usize) -> bool {
        match self {
            Need::Count(k) | Need::Asked { k, .. } => from.len() >= *k,
            Need::Rules { rules, dc_of } => {
                let Some(rule) = rules.get(place).and_then(|r| r.as_ref()) else {
                    return false;
                };
                let dcs = dc_of.iter().max().map_or(0, |m| m + 1);
                let mut answered = vec![0; dcs];
                for &i in from {
                    answered[dc_of[i]] += 1;
                }
                rule.holds(&answered)
            }
        }
    }

    /// Answers it needs at least (for messages).
    fn least(&self, place: usize) -> usize {
        match self {
            Need::Count(k) | Need::Asked { k, .. } => *k,
            Need::Rules { rules, .. } => rules
                .get(place)
                .and_then(|r| r.as_ref())
                .map_or(0, Rule::least),
        }
    }
}

/// Where the coordinator runs and what each message between it and a
/// replica adds.
pub struct Placement {
    /// The datacenters it may run in, one drawn per operation.
    pub places: Vec<usize>,
    /// `extra[c][i]`: the extra one-way delay between datacenter `c` and
    /// replica `i` (`None`: nothing).
    pub extra: Vec<Vec<Option<Dist>>>,
    /// The timer that delivers the delayed messages.
    pub sched: Arc<Scheduler>,
    /// Seed of the draws (places and delays).
    pub seed: u64,
}

struct Placed {
    places: Vec<usize>,
    extra: Vec<Vec<Option<Dist>>>,
    sched: Arc<Scheduler>,
    rng: Mutex<Xoshiro256PlusPlus>,
}

impl Placed {
    /// A draw of the extra delay between place `c` and replica `i`, ms.
    fn draw(&self, c: usize, i: usize) -> f64 {
        match &self.extra[c][i] {
            Some(d) => d.sample(&mut *self.rng.lock().expect("rng")),
            None => 0.0,
        }
    }
}

/// A connection to every replica.
pub struct Coordinator {
    writers: Arc<Vec<Mutex<BufWriter<TcpStream>>>>,
    pending: Pending,
    next_op: AtomicU64,
    next_version: AtomicU64,
    timeout: Duration,
    placed: Option<Arc<Placed>>,
    /// Speculative retries sent so far.
    retries: AtomicU64,
    /// Blocking read repair on.
    read_repair: bool,
    /// Reads that repaired a replica so far.
    repairs: AtomicU64,
    /// Hinted handoff, if on.
    hints: Option<Arc<Hints>>,
    /// Anti-entropy: the agent's stop flag and its counts (rounds done,
    /// versions pushed).
    anti_entropy: Option<Arc<(std::sync::atomic::AtomicBool, AtomicU64, AtomicU64)>>,
}

/// A write kept for a replica that had not acked it.
struct Hint {
    replica: usize,
    /// The operation id its replays carry (registered in `pending`).
    op: u64,
    bytes: Arc<Vec<u8>>,
    created: Instant,
}

/// The hints and their replayer's settings.
struct Hints {
    window: Duration,
    every: Duration,
    list: Mutex<Vec<Hint>>,
    /// Answers to replays.
    tx: Mutex<Sender<(usize, Frame)>>,
    stop: std::sync::atomic::AtomicBool,
    /// Hints delivered (acked) and dropped (window passed).
    delivered: AtomicU64,
    dropped: AtomicU64,
}

/// Operation ids of hint replays: their own range, so they never meet a
/// quorum operation's.
const HINT_OPS: u64 = 1 << 62;
/// A digest's entry: key, version, value.
type Entry = (u64, u64, Vec<u8>);

/// Operation ids of anti-entropy digests and pushes.
const SYNC_OPS: u64 = 1 << 61;

impl Coordinator {
    /// Connects to each replica; operations give up after `timeout`.
    pub fn connect(addrs: &[SocketAddr], timeout: Duration) -> io::Result<Coordinator> {
        Self::connect_placed(addrs, timeout, None)
    }

    /// [`Coordinator::connect`], the coordinator placed in datacenters
    /// (see the module docs).
    pub fn connect_placed(
        addrs: &[SocketAddr],
        timeout: Duration,
        placement: Option<Placement>,
    ) -> io::Result<Coordinator> {
        let pending: Pending = Arc::new(Mutex::new(HashMap::new()));
        let placed = placement.map(|p| {
            Arc::new(Placed {
                places: p.places,
                extra: p.extra,
                sched: p.sched,
                rng: Mutex::new(Xoshiro256PlusPlus::seed_from_u64(p.seed)),
            })
        });
        let mut writers = Vec::with_capacity(addrs.len());
        for (i, addr) in addrs.iter().enumerate() {
            let stream = TcpStream::connect(addr)?;
            stream.set_nodelay(true)?;
            let read_half = stream.try_clone()?;
            let p = pending.clone();
            let placed = placed.clone();
            std::thread::Builder::new()
                .name("coordinator-conn".into())
                .spawn(move || route(read_half, i, p, placed))?;
            writers.push(Mutex::new(BufWriter::new(stream)));
        }
        Ok(Coordinator {
            writers: Arc::new(writers),
            pending,
            next_op: AtomicU64::new(1),
            next_version: AtomicU64::new(1),
            timeout,
            placed,
            retries: AtomicU64::new(0),
            read_repair: false,
            repairs: AtomicU64::new(0),
            hints: None,
            anti_entropy: None,
        })
    }

    /// Anti-entropy every `interval`, each replica at its own phase drawn
    /// from `seed` (see the module docs).
    pub fn enable_anti_entropy(&mut self, interval: Duration, seed: u64) {
        let state = Arc::new((
            std::sync::atomic::AtomicBool::new(false),
            AtomicU64::new(0),
            AtomicU64::new(0),
        ));
        let (st, writers, pending, timeout) = (
            state.clone(),
            self.writers.clone(),
            self.pending.clone(),
            self.timeout,
        );
        std::thread::Builder::new()
            .name("anti-entropy".into())
            .spawn(move || sync_rounds(&st, &writers, &pending, interval, timeout, seed))
            .expect("spawn the anti-entropy agent");
        self.anti_entropy = Some(state);
    }

    /// Anti-entropy rounds completed and versions they pushed.
    pub fn anti_entropy_counts(&self) -> (u64, u64) {
        self.anti_entropy.as_ref().map_or((0, 0), |s| {
            (s.1.load(Ordering::Relaxed), s.2.load(Ordering::Relaxed))
        })
    }

    /// Blocking read repair on or off (off by default). Not with
    /// datacenters: repairs would skip their extra delays.
    pub fn set_read_repair(&mut self, on: bool) {
        self.read_repair = on;
    }

    /// Reads that repaired a replica so far.
    pub fn repairs(&self) -> u64 {
        self.repairs.load(Ordering::Relaxed)
    }

    /// Hints delivered and dropped so far.
    pub fn hint_counts(&self) -> (u64, u64) {
        self.hints.as_ref().map_or((0, 0), |h| {
            (
                h.delivered.load(Ordering::Relaxed),
                h.dropped.load(Ordering::Relaxed),
            )
        })
    }

    /// Hinted handoff: hints kept for `window` after their write, resent
    /// every `every` (see the module docs).
    pub fn enable_hints(&mut self, window: Duration, every: Duration) {
        let (tx, rx) = channel::<(usize, Frame)>();
        let hints = Arc::new(Hints {
            window,
            every,
            list: Mutex::new(Vec::new()),
            tx: Mutex::new(tx),
            stop: std::sync::atomic::AtomicBool::new(false),
            delivered: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
        });
        let (h, writers, pending) = (hints.clone(), self.writers.clone(), self.pending.clone());
        std::thread::Builder::new()
            .name("hint-replayer".into())
            .spawn(move || replay_hints(&h, &writers, &pending, &rx))
            .expect("spawn the hint replayer");
        self.hints = Some(hints);
    }

    /// Speculative retries sent so far.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    pub fn n(&self) -> usize {
        self.writers.len()
    }

    /// Sends `frame` to every replica and waits until `need` is met.
    fn quorum(
        &self,
        mut frame: Frame,
        need: &Need,
        start: Instant,
    ) -> Result<Vec<(usize, Frame)>, OpError> {
        let op = self.next_op.fetch_add(1, Ordering::Relaxed);
        frame.op = op;
        let place = match &self.placed {
            Some(p) if p.places.len() > 1 => {
                let j = p.rng.lock().expect("rng").random_range(0..p.places.len());
                p.places[j]
            }
            Some(p) => p.places[0],
            None => 0,
        };
        let (tx, rx) = channel();
        self.pending
            .lock()
            .expect("pending")
            .insert(op, (tx, place));
        let bytes = Arc::new(frame.encode());
        // Which replicas are asked: all, or k drawn for this operation (the
        // first k of a shuffle seeded by the operation id), the next one
        // kept for a speculative retry.
        let n = self.writers.len();
        let mut order: Vec<usize> = (0..n).collect();
        let (asked, retry) = match need {
            Need::Asked { k, retry_ms } => {
                let mut rng = Xoshiro256PlusPlus::seed_from_u64(op);
                for j in 0..(*k + 1).min(n) {
                    let pick = rng.random_range(j..n);
                    order.swap(j, pick);
                }
                let extra = (*k < n).then_some(order[*k]);
                (
                    (*k).min(n),
                    retry_ms
                        .zip(extra)
                        .map(|(ms, e)| (start + Duration::from_secs_f64(ms / 1000.0), e)),
                )
            }
            _ => (n, None),
        };
        for &i in &order[..asked] {
            let w = &self.writers[i];
            let extra = self.placed.as_ref().map_or(0.0, |p| p.draw(place, i));
            if extra > 0.0 {
                let (writers, bytes) = (self.writers.clone(), bytes.clone());
                let sched = &self.placed.as_ref().expect("placed").sched;
                sched.after_ms(extra, move || send(&writers[i], &bytes));
            } else {
                send(w, &bytes);
            }
        }
        let deadline = Instant::now() + self.timeout;
        let mut got = Vec::new();
        let mut from = Vec::new();
        let mut retry = retry;
        while !need.met(&from, place) {
            let now = Instant::now();
            if let Some((at, e)) = retry {
                if now >= at {
                    // Speculative retry: one more replica, not yet asked.
                    send(&self.writers[e], &bytes);
                    self.retries.fetch_add(1, Ordering::Relaxed);
                    retry = None;
                    continue;
                }
            }
            let until = retry.map_or(deadline, |(at, _)| at.min(deadline));
            match rx.recv_timeout(until.saturating_duration_since(now)) {
                Ok((i, f)) => {
                    from.push(i);
                    got.push(f);
                }
                Err(RecvTimeoutError::Timeout) if retry.is_some() && Instant::now() < deadline => {}
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        self.pending.lock().expect("pending").remove(&op);
        if !need.met(&from, place) {
            return Err(OpError::Timeout {
                answered: got.len(),
                needed: need.least(place),
                version: if frame.kind == WRITE {
                    frame.version
                } else {
                    0
                },
                start,
            });
        }
        Ok(from.into_iter().zip(got).collect())
    }

    /// Sends `frame` to the replicas `to` and waits for all their answers
    /// (or the timeout).
    fn send_to_all(&self, mut frame: Frame, to: &[usize]) {
        let op = self.next_op.fetch_add(1, Ordering::Relaxed);
        frame.op = op;
        let (tx, rx) = channel();
        self.pending.lock().expect("pending").insert(op, (tx, 0));
        let bytes = frame.encode();
        for &i in to {
            send(&self.writers[i], &bytes);
        }
        let deadline = Instant::now() + self.timeout;
        let mut answered = 0;
        while answered < to.len() {
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(_) => answered += 1,
                Err(_) => break,
            }
        }
        self.pending.lock().expect("pending").remove(&op);
    }

    /// Writes `value` under `key` with a fresh version; returns once `w`
    /// replicas acknowledged.
    pub fn write(&self, key: u64, value: &[u8], w: usize) -> Result<WriteResult, OpError> {
        self.write_until(key, value, &Need::Count(w))
    }

    /// Writes `value` under `key` with a fresh version; returns once `need`
    /// is met.
    pub fn write_until(&self, key: u64, value: &[u8], need: &Need) -> Result<WriteResult, OpError> {
        let version = self.next_version.fetch_add(1, Ordering::Relaxed);
        let start = Instant::now();
        let frame = Frame {
            op: 0,
            kind: WRITE,
            key,
            version,
            value: value.to_vec(),
        };
        let acked = self.quorum(frame.clone(), need, start)?;
        if let Some(h) = &self.hints {
            self.keep_hints(h, frame, &acked);
        }
        Ok(WriteResult {
            version,
            start,
            end: Instant::now(),
        })
    }

    /// Reads `key` from the first `r` replicas to answer; the newest version
    /// among them wins.
    pub fn read(&self, key: u64, r: usize) -> Result<ReadResult, OpError> {
        self.read_until(key, &Need::Count(r))
    }

    /// Reads `key` until `need` is met among the answers; the newest
    /// version among them wins.
    pub fn read_until(&self, key: u64, need: &Need) -> Result<ReadResult, OpError> {
        let start = Instant::now();
        let frame = Frame {
            op: 0,
            kind: READ,
            key,
            version: 0,
            value: Vec::new(),
        };
        let answers = self.quorum(frame, need, start)?;
        let newest = answers
            .iter()
            .map(|(_, f)| f)
            .max_by_key(|f| f.version)
            .expect("a level needs at least one answer")
            .clone();
        if self.read_repair {
            let stale: Vec<usize> = answers
                .iter()
                .filter(|(_, f)| f.version < newest.version)
                .map(|(i, _)| *i)
                .collect();
            if !stale.is_empty() {
                self.repairs.fetch_add(1, Ordering::Relaxed);
                let repair = Frame {
                    op: 0,
                    kind: WRITE,
                    key,
                    version: newest.version,
                    value: newest.value.clone(),
                };
                self.send_to_all(repair, &stale);
            }
        }
        let end = Instant::now();
        Ok(ReadResult {
            version: newest.version,
            value: newest.value,
            start,
            end,
        })
    }
}

impl Coordinator {
    /// A hint for every replica not among `acked`.
    fn keep_hints(&self, h: &Hints, frame: Frame, acked: &[(usize, Frame)]) {
        let created = Instant::now();
        let mut list = h.list.lock().expect("hints");
        for i in 0..self.writers.len() {
            if acked.iter().any(|(j, _)| *j == i) {
                continue;
            }
            let op = HINT_OPS + self.next_op.fetch_add(1, Ordering::Relaxed);
            let mut f = frame.clone();
            f.op = op;
            let tx = h.tx.lock().expect("hint channel").clone();
            self.pending.lock().expect("pending").insert(op, (tx, 0));
            list.push(Hint {
                replica: i,
                op,
                bytes: Arc::new(f.encode()),
                created,
            });
        }
    }
}

impl Drop for Coordinator {
    fn drop(&mut self) {
        if let Some(h) = &self.hints {
            h.stop.store(true, Ordering::Relaxed);
        }
        if let Some(a) = &self.anti_entropy {
            a.0.store(true, Ordering::Relaxed);
        }
    }
}

/// The anti-entropy agent: replica `i`'s rounds at `phase_i + k·interval`.
fn sync_rounds(
    state: &(std::sync::atomic::AtomicBool, AtomicU64, AtomicU64),
    writers: &[Mutex<BufWriter<TcpStream>>],
    pending: &Pending,
    interval: Duration,
    timeout: Duration,
    seed: u64,
) {
    let n = writers.len();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let start = Instant::now();
    let mut next: Vec<Instant> = (0..n)
        .map(|_| start + interval.mul_f64(rng.random::<f64>()))
        .collect();
    let mut op = SYNC_OPS;
    while !state.0.load(Ordering::Relaxed) {
        let Some((i, at)) = crate::inject::earliest_due(&next) else {
            continue;
        };
        next[i] = at + interval;
        // Every replica's digest (the replica's own first of all).
        op += 1;
        let (tx, rx) = channel();
        pending.lock().expect("pending").insert(op, (tx, 0));
        let ask = Frame {
            op,
            kind: DIGEST,
            key: 0,
            version: 0,
            value: Vec::new(),
        }
        .encode();
        for w in writers {
            send(w, &ask);
        }
        // A round waits at most half an interval (or the timeout).
        let deadline = Instant::now() + timeout.min(interval / 2);
        let mut digests: Vec<Option<Vec<Entry>>> = vec![None; n];
        while digests.iter().any(Option::is_none) {
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok((j, f)) => digests[j] = Some(decode_digest(&f.value)),
                Err(_) => break,
            }
        }
        pending.lock().expect("pending").remove(&op);
        let Some(own) = &digests[i] else {
            continue; // down: its next round
        };
        let have: HashMap<u64, u64> = own.iter().map(|(k, v, _)| (*k, *v)).collect();
        let mut newest: HashMap<u64, (u64, &Vec<u8>)> = HashMap::new();
        for d in digests.iter().flatten() {
            for (k, v, value) in d {
                let e = newest.entry(*k).or_insert((0, value));
                if *v > e.0 {
                    *e = (*v, value);
                }
            }
        }
        for (k, (v, value)) in newest {
            if have.get(&k).copied().unwrap_or(0) < v {
                op += 1;
                let push = Frame {
                    op,
                    kind: WRITE,
                    key: k,
                    version: v,
                    value: value.clone(),
                };
                send(&writers[i], &push.encode());
                state.2.fetch_add(1, Ordering::Relaxed);
            }
        }
        state.1.fetch_add(1, Ordering::Relaxed);
    }
}

/// The replayer: every `every`, forget acked and expired hints, resend the
/// others.
fn replay_hints(
    h: &Hints,
    writers: &[Mutex<BufWriter<TcpStream>>],
    pending: &Pending,
    rx: &std::sync::mpsc::Receiver<(usize, Frame)>,
) {
    while !h.stop.load(Ordering::Relaxed) {
        std::thread::sleep(h.every);
        let acked: Vec<u64> = rx.try_iter().map(|(_, f)| f.op).collect();
        let now = Instant::now();
        let mut list = h.list.lock().expect("hints");
        let mut pending = pending.lock().expect("pending");
        list.retain(|hint| {
            let done = acked.contains(&hint.op);
            let expired = now.duration_since(hint.created) > h.window;
            if done || expired {
                pending.remove(&hint.op);
                let counter = if done { &h.delivered } else { &h.dropped };
                counter.fetch_add(1, Ordering::Relaxed);
            }
            !(done || expired)
        });
        drop(pending);
        for hint in list.iter() {
            send(&writers[hint.replica], &hint.bytes);
        }
    }
}

/// Writes `bytes` to one replica; a broken connection is a replica that
/// never answers.
fn send(w: &Mutex<BufWriter<TcpStream>>, bytes: &[u8]) {
    let mut w = w.lock().expect("writer");
    let _ = w.write_all(bytes).and_then(|_| w.flush());
}

/// Routes each answer on replica `i`'s connection to the operation waiting
/// for it, after the extra delay back to the operation's place.
fn route(stream: TcpStream, i: usize, pending: Pending, placed: Option<Arc<Placed>>) {
    let mut reader = BufReader::new(stream);
    while let Ok(Some(frame)) = Frame::read_from(&mut reader) {
        let found = pending.lock().expect("pending").get(&frame.op).cloned();
        if let Some((tx, place)) = found {
            let extra = placed.as_ref().map_or(0.0, |p| p.draw(place, i));
            match &placed {
                Some(p) if extra > 0.0 => p.sched.after_ms(extra, move || {
                    let _ = tx.send((i, frame));
                }),
                _ => {
                    let _ = tx.send((i, frame));
                }
            }
        }
    }
}
