//! A userspace TCP proxy that delays each direction of every connection
//! by draws from a delay law: each Garage node's advertised RPC address
//! points here, so every message between two nodes crosses one proxy
//! (traffic shaping with netem needs kernel support this machine lacks).
//!
//! A TCP connection is FIFO, unlike WARS's independent messages: a chunk
//! is delivered at `max(arrival + d, previous delivery)`. Chunks that
//! arrive within [`BURST`] of the previous one on the same direction are
//! taken as the rest of one message (a message written in several system
//! calls) and keep its delay, so that a message's delay is one draw, not
//! the largest of several. Deliveries run on the precise timer of
//! [`crate::inject`], whose lateness is measured.

use crate::inject::{Lateness, Scheduler};
use quorum_model::dist::Dist;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Chunks closer than this to the previous one belong to its message.
pub const BURST: Duration = Duration::from_micros(100);

/// What every proxy shares: the law, whether to apply it, the timer.
pub struct Shaping {
    law: Mutex<Dist>,
    /// While false, chunks pass at once (the calibration of Garage's own
    /// cost).
    enabled: AtomicBool,
    scheduler: Scheduler,
    seed: u64,
    /// Acknowledge every chunk at once (see [`Shaping::new`]).
    quick_ack: bool,
    streams: AtomicU64,
    /// Messages delayed (first chunks) and chunks that were late behind an
    /// earlier one (FIFO).
    messages: AtomicU64,
    held_back: AtomicU64,
    /// Each delayed message's delivered one-way delay (ms): from its first
    /// chunk's arrival to its write, the draw plus any wait behind an
    /// earlier message plus the timer's lateness.
    delivered: Arc<Mutex<Vec<f64>>>,
}

impl Shaping {
    /// Every message delayed by a draw of `law`. With `quick_ack` the
    /// proxy acknowledges what it receives at once (`TCP_QUICKACK`): Garage
    /// sets no `TCP_NODELAY`, so under Nagle's algorithm the rest of a
    /// message written in several calls waits for the first part's ACK,
    /// which the kernel otherwise delays (up to its 40 ms timer or the next
    /// data going back); measured, that adds about one round trip to every
    /// RPC. Quick ACKs make each message cost one delay, the link WARS
    /// describes; without them the run shows what the ACK timing costs.
    pub fn new(law: Dist, seed: u64, quick_ack: bool) -> Arc<Self> {
        Arc::new(Shaping {
            law: Mutex::new(law),
            enabled: AtomicBool::new(false),
            scheduler: Scheduler::new(),
            seed,
            quick_ack,
            streams: AtomicU64::new(0),
            messages: AtomicU64::new(0),
            held_back: AtomicU64::new(0),
            delivered: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// Delays on (`true`) or off.
    pub fn set_enabled(&self, on: bool) {
        self.enabled.store(on, Ordering::SeqCst);
    }

    /// How late the timer delivered.
    pub fn lateness(&self) -> Lateness {
        self.scheduler.lateness()
    }

    /// The delivered one-way delays so far (ms), at most a million.
    pub fn delivered_ms(&self) -> Vec<f64> {
        self.delivered.lock().expect("delivered").clone()
    }

    /// Messages delayed, and how many of them waited behind an earlier one
    /// on their connection beyond their own draw (the FIFO effect).
    pub fn counts(&self) -> (u64, u64) {
        (
            self.messages.load(Ordering::Relaxed),
            self.held_back.load(Ordering::Relaxed),
        )
    }
}

/// One proxy: listens on `listen`, forwards to `target`.
pub struct Proxy {
    pub port: u16,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
    conns: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    /// A proxy on a free loopback port in front of `target`.
    pub fn start(target: u16, shaping: Arc<Shaping>) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        listener.set_nonblocking(true)?;
        let stop = Arc::new(AtomicBool::new(false));
        let conns = Arc::new(Mutex::new(Vec::new()));
        let (s, c) = (stop.clone(), conns.clone());
        let accept = std::thread::Builder::new()
            .name(format!("proxy-{port}"))
            .spawn(move || accept_loop(listener, target, shaping, s, c))?;
        Ok(Proxy {
            port,
            stop,
            accept: Some(accept),
            conns,
        })
    }

    /// Closes every connection it carries (a node that stops is cut off at
    /// once, as a crash would cut it).
    pub fn cut(&self) {
        for c in self.conns.lock().expect("proxy conns").drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.cut();
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

fn accept_loop(
    listener: TcpListener,
    target: u16,
    shaping: Arc<Shaping>,
    stop: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<TcpStream>>>,
) {
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((inbound, _)) => {
                let Ok(outbound) = TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                let _ = inbound.set_nonblocking(false);
                let _ = inbound.set_nodelay(true);
                let _ = outbound.set_nodelay(true);
                let pairs = [
                    (inbound.try_clone(), outbound.try_clone()),
                    (outbound.try_clone(), inbound.try_clone()),
                ];
                {
                    let mut list = conns.lock().expect("proxy conns");
                    for s in [&inbound, &outbound] {
                        if let Ok(c) = s.try_clone() {
                            list.push(c);
                        }
                    }
                }
                for (from, to) in pairs {
                    if let (Ok(from), Ok(to)) = (from, to) {
                        let shaping = shaping.clone();
                        let _ = std::thread::Builder::new()
                            .name("proxy-pump".into())
                            .spawn(move || pump(from, to, shaping));
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// Reads chunks from `from` and has the timer write each to `to` at its
/// delivery instant.
fn pump(mut from: TcpStream, to: TcpStream, shaping: Arc<Shaping>) {
    let stream = shaping.streams.fetch_add(1, Ordering::Relaxed);
    let mut rng =
        Xoshiro256PlusPlus::seed_from_u64(shaping.seed ^ stream.wrapping_mul(0x9E37_79B9));
    let to = Arc::new(Mutex::new(to));
    let mut buf = vec![0u8; 64 * 1024];
    let mut last_arrival: Option<Instant> = None;
    let mut last_delivery = Instant::now();
    let mut delay = Duration::ZERO;
    loop {
        let got = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(k) => k,
        };
        if shaping.quick_ack {
            quick_ack(&from);
        }
        let now = Instant::now();
        let chunk = buf[..got].to_vec();
        if !shaping.enabled.load(Ordering::Relaxed) {
            // In order behind anything still scheduled.
            let at = last_delivery.max(now);
            last_delivery = at;
            let to = to.clone();
            shaping.scheduler.at(at, move || {
                let _ = to.lock().expect("proxy out").write_all(&chunk);
            });
            // An undelayed chunk starts no message: the next delayed one
            // draws its own delay (it used to inherit the zero delay when
            // it came within BURST of the switch).
            last_arrival = None;
            continue;
        }
        let same_message = last_arrival.is_some_and(|a| now.duration_since(a) < BURST);
        if !same_message {
            let ms = shaping.law.lock().expect("law").sample(&mut rng);
            delay = Duration::from_secs_f64(ms.clamp(0.0, crate::inject::MAX_TIMER_MS) / 1000.0);
            shaping.messages.fetch_add(1, Ordering::Relaxed);
        }
        let own = now + delay;
        if !same_message && own < last_delivery {
            shaping.held_back.fetch_add(1, Ordering::Relaxed);
        }
        let at = own.max(last_delivery);
        last_delivery = at;
        last_arrival = Some(now);
        let to = to.clone();
        let delivered = (!same_message).then(|| shaping.delivered.clone());
        shaping.scheduler.at(at, move || {
            let _ = to.lock().expect("proxy out").write_all(&chunk);
            if let Some(d) = delivered {
                let mut d = d.lock().expect("delivered");
                if d.len() < 1_000_000 {
                    d.push(now.elapsed().as_secs_f64() * 1000.0);
                }
            }
        });
    }
    // Close the other side once everything scheduled has been written.
    let to2 = to.clone();
    shaping.scheduler.at(last_delivery, move || {
        let _ = to2.lock().expect("proxy out").shutdown(Shutdown::Write);
    });
}

/// Acknowledges what `s` has received at once rather than after the
/// kernel's delayed-ACK timer (Linux resets the flag after each receive).
fn quick_ack(s: &TcpStream) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let one: libc::c_int = 1;
        // SAFETY: a valid socket and a c_int option of the right size.
        unsafe {
            libc::setsockopt(
                s.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_QUICKACK,
                &one as *const libc::c_int as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = s;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An echo server on a free port.
    fn echo() -> u16 {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(mut s) = s else { return };
                std::thread::spawn(move || {
                    let mut buf = [0u8; 4096];
                    while let Ok(k) = s.read(&mut buf) {
                        if k == 0 || s.write_all(&buf[..k]).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        port
    }

    #[test]
    fn each_direction_is_delayed_and_order_is_kept() {
        let shaping = Shaping::new("const(30)".parse().unwrap(), 1, true);
        let proxy = Proxy::start(echo(), shaping.clone()).unwrap();
        let mut c = TcpStream::connect(("127.0.0.1", proxy.port)).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        // Off: through at once (nothing waits 30 ms).
        let t = Instant::now();
        c.write_all(b"x").unwrap();
        let mut one = [0u8; 1];
        c.read_exact(&mut one).unwrap();
        assert!(t.elapsed() < Duration::from_secs(5));
        assert_eq!(shaping.counts().0, 0);
        // On: 30 ms there and 30 ms back, never less.
        shaping.set_enabled(true);
        let t = Instant::now();
        c.write_all(b"y").unwrap();
        c.read_exact(&mut one).unwrap();
        assert!(
            t.elapsed() >= Duration::from_millis(60),
            "{:?}",
            t.elapsed()
        );
        assert_eq!(&one, b"y");
        // Random delays, messages 1 ms apart: some would overtake each other
        // if the links were not FIFO; the bytes come back in order.
        *shaping.law.lock().unwrap() = "exp(mean=20)".parse().unwrap();
        let sent: Vec<u8> = (0..30).collect();
        for b in &sent {
            c.write_all(&[*b]).unwrap();
            std::thread::sleep(Duration::from_millis(1));
        }
        let mut back = vec![0u8; sent.len()];
        c.read_exact(&mut back).unwrap();
        assert_eq!(back, sent);
        let (messages, held) = shaping.counts();
        assert!(
            messages >= 2 && held >= 1,
            "{messages} messages, {held} held back"
        );
        // Each delivery is recorded just after its write: the last may
        // still be on its way when the bytes have arrived.
        let until = Instant::now() + Duration::from_secs(5);
        while (shaping.delivered_ms().len() as u64) < shaping.counts().0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
        let (messages, _) = shaping.counts();
        let delivered = shaping.delivered_ms();
        assert!(
            delivered.len() as u64 == messages,
            "{} of {messages}",
            delivered.len()
        );
        assert!(delivered.iter().all(|&d| d >= 0.0));
    }
}
