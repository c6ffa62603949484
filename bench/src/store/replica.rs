//! A replica server: a versioned key-value map behind a TCP listener on
//! 127.0.0.1 (ephemeral port), with every WARS leg delayed by a draw from
//! the model's distributions.
//!
//! A write request is applied `W` ms after it arrives and acknowledged `A`
//! ms after that; a read request reads the map `R` ms after it arrives and
//! answers `S` ms after that. Writes are last-writer-wins on the
//! coordinator's version. Faults: a crashed replica is a black hole (it
//! drops requests and never answers; actions scheduled before the crash are
//! void), a restart brings it back empty or, with a durable log, with every
//! write it acknowledged; a partition drops traffic both ways for a while.

use super::protocol::{encode_digest, Frame, DIGEST, READ, WRITE};
use crate::inject::Scheduler;
use quorum_model::dist::Dist;
use quorum_model::fit::hdr::Recorder;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The four WARS legs as seen from one replica.
#[derive(Debug, Clone)]
pub struct Legs {
    pub w: Dist,
    pub a: Dist,
    pub r: Dist,
    pub s: Dist,
}

impl Legs {
    /// No injected delay at all.
    pub fn none() -> Self {
        let zero: Dist = "const(0)".parse().expect("valid spec");
        Legs {
            w: zero.clone(),
            a: zero.clone(),
            r: zero.clone(),
            s: zero,
        }
    }
}

/// The delays drawn for each leg, pooled over the replicas that share
/// it: what the store injected, for `validate --hdr-dir`.
#[derive(Debug, Default)]
pub struct Drawn {
    pub w: Mutex<Recorder>,
    pub a: Mutex<Recorder>,
    pub r: Mutex<Recorder>,
    pub s: Mutex<Recorder>,
}

/// How a replica is started.
#[derive(Debug, Clone)]
pub struct ReplicaConfig {
    pub legs: Legs,
    /// Where to record each delay drawn (none: not recorded).
    pub drawn: Option<Arc<Drawn>>,
    pub seed: u64,
    /// Append each write to this log and fsync before acknowledging it.
    pub durable: Option<PathBuf>,
    /// Without a log, keep the data across a crash anyway: a durable store
    /// without the disk's cost (validate's failures in time, whose model
    /// assumes durable replicas).
    pub keeps_data: bool,
}

type Map = HashMap<u64, (u64, Vec<u8>)>;

struct Shared {
    sched: Arc<Scheduler>,
    legs: Legs,
    data: Mutex<Map>,
    up: AtomicBool,
    /// Bumped at each crash: actions scheduled earlier see a stale value
    /// and do nothing.
    incarnation: AtomicU64,
    partitioned_until: Mutex<Option<Instant>>,
    rng: Mutex<Xoshiro256PlusPlus>,
    log: Mutex<Option<BufWriter<File>>>,
    log_path: Option<PathBuf>,
    keeps_data: bool,
    stop: AtomicBool,
    drawn: Option<Arc<Drawn>>,
    /// The slowest write to the log (waiting for it, writing, fsync), µs:
    /// how much later than its injected delay a durable write can land.
    slowest_log_us: AtomicU64,
}

/// A running replica.
pub struct Replica {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Replica {
    /// Binds 127.0.0.1:0 and serves until dropped.
    pub fn spawn(config: ReplicaConfig, sched: Arc<Scheduler>) -> io::Result<Replica> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let (data, log) = match &config.durable {
            Some(path) => (recover(path)?, Some(open_log(path)?)),
            None => (Map::new(), None),
        };
        let shared = Arc::new(Shared {
            sched,
            legs: config.legs,
            data: Mutex::new(data),
            up: AtomicBool::new(true),
            incarnation: AtomicU64::new(0),
            partitioned_until: Mutex::new(None),
            rng: Mutex::new(Xoshiro256PlusPlus::seed_from_u64(config.seed)),
            log: Mutex::new(log),
            log_path: config.durable,
            keeps_data: config.keeps_data,
            stop: AtomicBool::new(false),
            drawn: config.drawn,
            slowest_log_us: AtomicU64::new(0),
        });
        let s = shared.clone();
        std::thread::Builder::new()
            .name(format!("replica-{}", addr.port()))
            .spawn(move || accept_loop(listener, s))?;
        Ok(Replica { addr, shared })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops answering and forgets what was in flight.
    pub fn crash(&self) {
        self.shared.up.store(false, Ordering::SeqCst);
        self.shared.incarnation.fetch_add(1, Ordering::SeqCst);
    }

    /// Comes back: with the log's contents if durable, else empty.
    pub fn restart(&self) -> io::Result<()> {
        match &self.shared.log_path {
            Some(path) => *self.shared.data.lock().expect("data") = recover(path)?,
            None if self.shared.keeps_data => {}
            None => *self.shared.data.lock().expect("data") = Map::new(),
        }
        self.shared.up.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Drops traffic both ways for `d`.
    pub fn partition(&self, d: Duration) {
        *self.shared.partitioned_until.lock().expect("partition") = Some(Instant::now() + d);
    }

    /// The slowest durable write so far (lock, write, fsync), ms: the
    /// disk's share of a write's delay, which no injected leg accounts for.
    pub fn slowest_log_ms(&self) -> f64 {
        self.shared.slowest_log_us.load(Ordering::Relaxed) as f64 / 1000.0
    }

    /// The version stored for `key` (0 if none), read directly.
    pub fn version_of(&self, key: u64) -> u64 {
        self.shared
            .data
            .lock()
            .expect("data")
            .get(&key)
            .map_or(0, |e| e.0)
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.crash();
        // Wake the accept loop so it sees `stop`.
        let _ = TcpStream::connect(self.addr);
    }
}

fn open_log(path: &Path) -> io::Result<BufWriter<File>> {
    Ok(BufWriter::new(
        OpenOptions::new().create(true).append(true).open(path)?,
    ))
}

/// Replays a log of `key:u64 version:u64 vlen:u32 value` records; a torn
/// last record (a crash mid-append) is ignored.
fn recover(path: &Path) -> io::Result<Map> {
    let mut map = Map::new();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(map),
        Err(e) => return Err(e),
    };
    let mut i = 0;
    while i + 20 <= bytes.len() {
        let key = u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8"));
        let version = u64::from_le_bytes(bytes[i + 8..i + 16].try_into().expect("8"));
        let vlen = u32::from_le_bytes(bytes[i + 16..i + 20].try_into().expect("4")) as usize;
        if i + 20 + vlen > bytes.len() {
            break;
        }
        let value = bytes[i + 20..i + 20 + vlen].to_vec();
        apply(&mut map, key, version, value);
        i += 20 + vlen;
    }
    Ok(map)
}

fn apply(map: &mut Map, key: u64, version: u64, value: Vec<u8>) {
    let e = map.entry(key).or_insert((0, Vec::new()));
    if version > e.0 {
        *e = (version, value);
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let _ = stream.set_nodelay(true);
        let s = shared.clone();
        let _ = std::thread::Builder::new()
            .name("replica-conn".into())
            .spawn(move || serve(stream, s));
    }
}

impl Shared {
    fn partitioned(&self) -> bool {
        self.partitioned_until
            .lock()
            .expect("partition")
            .is_some_and(|until| Instant::now() < until)
    }

    fn alive(&self, incarnation: u64) -> bool {
        self.up.load(Ordering::SeqCst) && self.incarnation.load(Ordering::SeqCst) == incarnation
    }

    /// A delay of each leg of a write (`write`) or of a read, recorded
    /// when asked to.
    fn draw(&self, write: bool) -> (f64, f64) {
        let (first, second) = if write {
            (&self.legs.w, &self.legs.a)
        } else {
            (&self.legs.r, &self.legs.s)
        };
        let pair = {
            let mut rng = self.rng.lock().expect("rng");
            (first.sample(&mut *rng), second.sample(&mut *rng))
        };
        if let Some(d) = &self.drawn {
            let (f, s) = if write { (&d.w, &d.a) } else { (&d.r, &d.s) };
            f.lock().expect("recorder").record_ms(pair.0);
            s.lock().expect("recorder").record_ms(pair.1);
        }
        pair
    }
}

fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let writer = Arc::new(Mutex::new(BufWriter::new(write_half)));
    let mut reader = BufReader::new(stream);
    while let Ok(Some(req)) = Frame::read_from(&mut reader) {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        if !shared.up.load(Ordering::SeqCst) || shared.partitioned() {
            continue;
        }
        handle(req, &shared, &writer);
    }
}

type Writer = Arc<Mutex<BufWriter<TcpStream>>>;

/// Runs `action` after `delay_ms`, inline when there is no delay: a zero
/// leg then costs no trip through the timer thread.
fn after(shared: &Shared, delay_ms: f64, action: impl FnOnce() + Send + 'static) {
    if delay_ms <= 0.0 {
        action();
    } else {
        shared.sched.after_ms(delay_ms, action);
    }
}

fn handle(req: Frame, shared: &Arc<Shared>, writer: &Writer) {
    let inc = shared.incarnation.load(Ordering::SeqCst);
    let (first, second) = match req.kind {
        WRITE => shared.draw(true),
        READ | DIGEST => shared.draw(false),
        _ => return,
    };
    let (s, w) = (shared.clone(), writer.clone());
    after(shared, first, move || {
        if !s.alive(inc) {
            return;
        }
        let Some(resp) = execute(&s, req) else { return };
        let s2 = s.clone();
        after(&s, second, move || {
            if !s2.alive(inc) || s2.partitioned() {
                return;
            }
            let mut out = w.lock().expect("writer");
            let _ = resp.write_to(&mut *out).and_then(|_| out.flush());
        });
    });
}

/// Applies a write (logging it first when durable) or reads the map; the
/// response to send, or `None` if the log could not be written.
fn execute(s: &Shared, req: Frame) -> Option<Frame> {
    let mut resp = Frame {
        op: req.op,
        kind: req.kind,
        key: req.key,
        version: 0,
        value: Vec::new(),
    };
    if req.kind == WRITE {
        let began = Instant::now();
        if let Some(log) = s.log.lock().expect("log").as_mut() {
            // Durable: on disk before the ack can be sent.
            let mut rec = Vec::with_capacity(20 + req.value.len());
            rec.extend_from_slice(&req.key.to_le_bytes());
            rec.extend_from_slice(&req.version.to_le_bytes());
            rec.extend_from_slice(&(req.value.len() as u32).to_le_bytes());
            rec.extend_from_slice(&req.value);
            log.write_all(&rec)
                .and_then(|_| log.flush())
                .and_then(|_| log.get_ref().sync_data())
                .ok()?;
            let us = began.elapsed().as_micros().min(u64::MAX as u128) as u64;
            s.slowest_log_us.fetch_max(us, Ordering::Relaxed);
        }
        resp.version = req.version;
        apply(
            &mut s.data.lock().expect("data"),
            req.key,
            req.version,
            req.value,
        );
    } else if req.kind == DIGEST {
        let data = s.data.lock().expect("data");
        let entries: Vec<(u64, u64, Vec<u8>)> = data
            .iter()
            .map(|(k, (v, value))| (*k, *v, value.clone()))
            .collect();
        resp.value = encode_digest(&entries);
    } else if let Some((v, value)) = s.data.lock().expect("data").get(&req.key) {
        resp.version = *v;
        resp.value = value.clone();
    }
    Some(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(stream: &mut TcpStream, n: usize) -> Vec<Frame> {
        (0..n)
            .filter_map(|_| Frame::read_from(stream).ok().flatten())
            .collect()
    }

    fn replica(durable: Option<PathBuf>) -> (Replica, TcpStream) {
        let sched = Arc::new(Scheduler::new());
        let r = Replica::spawn(
            ReplicaConfig {
                legs: Legs::none(),
                drawn: None,
                seed: 1,
                durable,
                keeps_data: false,
            },
            sched,
        )
        .unwrap();
        let c = TcpStream::connect(r.addr()).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        (r, c)
    }

    fn send(c: &mut TcpStream, op: u64, kind: u8, key: u64, version: u64) {
        Frame {
            op,
            kind,
            key,
            version,
            value: vec![1, 2, 3],
        }
        .write_to(c)
        .unwrap();
    }

    #[test]
    fn last_writer_wins_and_reads_see_it() {
        let (_r, mut c) = replica(None);
        send(&mut c, 1, WRITE, 5, 10);
        send(&mut c, 2, WRITE, 5, 7);
        let acks = read_all(&mut c, 2);
        assert_eq!(acks.len(), 2);
        send(&mut c, 3, READ, 5, 0);
        let got = read_all(&mut c, 1);
        assert_eq!(got[0].version, 10);
        send(&mut c, 4, READ, 6, 0);
        assert_eq!(read_all(&mut c, 1)[0].version, 0);
    }

    #[test]
    fn crash_forgets_unless_durable() {
        let (r, mut c) = replica(None);
        send(&mut c, 1, WRITE, 1, 3);
        read_all(&mut c, 1);
        r.crash();
        r.restart().unwrap();
        assert_eq!(r.version_of(1), 0);

        let path = std::env::temp_dir().join(format!("qm-replica-{}.log", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let (r, mut c) = replica(Some(path.clone()));
        send(&mut c, 1, WRITE, 1, 3);
        read_all(&mut c, 1);
        r.crash();
        r.restart().unwrap();
        assert_eq!(r.version_of(1), 3);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn a_crashed_replica_is_silent() {
        let (r, mut c) = replica(None);
        r.crash();
        send(&mut c, 1, WRITE, 1, 3);
        c.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        assert!(Frame::read_from(&mut c).is_err());
    }
}
