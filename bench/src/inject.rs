//! Delay injection: a timer thread that runs actions at precise instants.
//!
//! The 1 ms timer wheels of common async runtimes would add up to a
//! millisecond to every injected delay, which is the size of the delays
//! being modelled. This scheduler sleeps until shortly before a deadline and
//! spins the rest of the way, so an action runs within microseconds of its
//! instant; [`Lateness`] records how late each one actually ran, so that the
//! residual is measured rather than assumed.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Sleep until this long before a deadline, then spin.
const SPIN: Duration = Duration::from_micros(150);

type Action = Box<dyn FnOnce() + Send>;

/// For loops that act on each replica at its own next instant (crashes,
/// anti-entropy rounds): the replica whose instant has come, with the
/// instant; or, sleeping at most 20 ms toward the earliest (so that the
/// caller sees its stop flag), `None`.
pub fn earliest_due(next: &[Instant]) -> Option<(usize, Instant)> {
    let (i, at) = next.iter().copied().enumerate().min_by_key(|(_, t)| *t)?;
    let now = Instant::now();
    if at > now {
        std::thread::sleep((at - now).min(Duration::from_millis(20)));
        return None;
    }
    Some((i, at))
}

struct Job {
    at: Instant,
    seq: u64,
    action: Action,
}

impl PartialEq for Job {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Job {}
impl PartialOrd for Job {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Job {
    // Earliest first from a max-heap.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// The longest delay the timer schedules: a draw beyond it (the runs refuse
/// laws that make them more often than once in a million) waits this long.
pub const MAX_TIMER_MS: f64 = 60_000.0;

/// How late actions ran, in microseconds.
#[derive(Debug, Default, Clone)]
pub struct Lateness {
    samples: Vec<u32>,
}

impl Lateness {
    fn record(&mut self, late: Duration) {
        if self.samples.len() < 1_000_000 {
            self.samples
                .push(late.as_micros().min(u32::MAX as u128) as u32);
        }
    }

    /// Every recorded lateness, in ms (the law of what the timer added to
    /// each injected delay).
    pub fn samples_ms(&self) -> Vec<f64> {
        self.samples.iter().map(|&us| us as f64 / 1000.0).collect()
    }

    /// `(count, mean µs, p99 µs, max µs)`.
    pub fn summary(&self) -> (usize, f64, u32, u32) {
        if self.samples.is_empty() {
            return (0, 0.0, 0, 0);
        }
        let mut s = self.samples.clone();
        s.sort_unstable();
        let mean = s.iter().map(|&x| x as f64).sum::<f64>() / s.len() as f64;
        let p99 = s[((s.len() as f64 * 0.99) as usize).min(s.len() - 1)];
        (s.len(), mean, p99, s[s.len() - 1])
    }
}

enum Msg {
    Job(Job),
    Stop,
}

/// A timer thread. Dropping it stops the thread (pending actions are
/// discarded).
pub struct Scheduler {
    tx: Mutex<Sender<Msg>>,
    seq: std::sync::atomic::AtomicU64,
    lateness: Arc<Mutex<Lateness>>,
    thread: Option<JoinHandle<()>>,
}

impl Default for Scheduler {
    fn default() -> Self {
        Self::new()
    }
}

impl Scheduler {
    pub fn new() -> Self {
        let (tx, rx) = channel();
        let lateness = Arc::new(Mutex::new(Lateness::default()));
        let l = lateness.clone();
        let thread = std::thread::Builder::new()
            .name("inject-timer".into())
            .spawn(move || run(rx, l))
            .expect("spawn the timer thread");
        Scheduler {
            tx: Mutex::new(tx),
            seq: std::sync::atomic::AtomicU64::new(0),
            lateness,
            thread: Some(thread),
        }
    }

    /// Runs `action` at `at` (at once if `at` has passed).
    pub fn at(&self, at: Instant, action: impl FnOnce() + Send + 'static) {
        let seq = self.seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let job = Job {
            at,
            seq,
            action: Box::new(action),
        };
        // A send fails only after shutdown, when actions no longer matter.
        let _ = self
            .tx
            .lock()
            .expect("scheduler sender")
            .send(Msg::Job(job));
    }

    /// Runs `action` after `delay_ms` milliseconds (capped at
    /// [`MAX_TIMER_MS`]; a NaN or negative delay is none).
    pub fn after_ms(&self, delay_ms: f64, action: impl FnOnce() + Send + 'static) {
        let ms = if delay_ms > 0.0 {
            delay_ms.min(MAX_TIMER_MS)
        } else {
            0.0
        };
        self.at(
            Instant::now() + Duration::from_secs_f64(ms / 1000.0),
            action,
        );
    }

    /// How late actions have run so far.
    pub fn lateness(&self) -> Lateness {
        self.lateness.lock().expect("lateness").clone()
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        let _ = self.tx.lock().map(|tx| tx.send(Msg::Stop));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(rx: Receiver<Msg>, lateness: Arc<Mutex<Lateness>>) {
    let mut heap: BinaryHeap<Job> = BinaryHeap::new();
    loop {
        // Take what has arrived.
        let next = heap.peek().map(|j| j.at);
        let msg = match next {
            None => match rx.recv() {
                Ok(m) => Some(m),
                Err(_) => return,
            },
            Some(at) => {
                let now = Instant::now();
                if at <= now {
                    None
                } else if at - now > SPIN {
                    match rx.recv_timeout(at - now - SPIN) {
                        Ok(m) => Some(m),
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                } else {
                    match rx.try_recv() {
                        Ok(m) => Some(m),
                        Err(TryRecvError::Empty) => {
                            std::hint::spin_loop();
                            None
                        }
                        Err(TryRecvError::Disconnected) => return,
                    }
                }
            }
        };
        match msg {
            Some(Msg::Stop) => return,
            Some(Msg::Job(j)) => heap.push(j),
            None => {}
        }
        // Run everything due.
        let now = Instant::now();
        while heap.peek().is_some_and(|j| j.at <= now) {
            let job = heap.pop().expect("peeked");
            let late = Instant::now().saturating_duration_since(job.at);
            (job.action)();
            lateness.lock().expect("lateness").record(late);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

    #[test]
    fn actions_run_in_order_and_on_time() {
        let s = Scheduler::new();
        let order = Arc::new(Mutex::new(Vec::new()));
        // Absolute times from one start, 5 ms apart, the first 10 ms out: a
        // loaded machine that is slow to submit cannot reorder them.
        let start = Instant::now();
        for (i, ms) in [(0, 20.0), (1, 10.0), (2, 15.0)] {
            let o = order.clone();
            let at = start + Duration::from_secs_f64(ms / 1000.0);
            s.at(at, move || o.lock().unwrap().push((i, start.elapsed())));
        }
        std::thread::sleep(Duration::from_millis(60));
        let got = order.lock().unwrap().clone();
        assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), vec![1, 2, 0]);
        for (i, at) in got {
            let want = [20.0, 10.0, 15.0][i];
            assert!(at.as_secs_f64() * 1000.0 >= want, "{i} ran early: {at:?}");
        }
    }

    #[test]
    fn lateness_is_recorded_for_every_action() {
        let s = Scheduler::new();
        let done = Arc::new(AtomicUsize::new(0));
        for i in 0..200 {
            let d = done.clone();
            s.after_ms(0.05 * i as f64, move || {
                d.fetch_add(1, AtomicOrdering::Relaxed);
            });
        }
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(done.load(AtomicOrdering::Relaxed), 200);
        // Every action's lateness is recorded (its size is measured by
        // `quorum-bench validate`, not asserted in a timed test).
        let (count, mean, p99, max) = s.lateness().summary();
        assert_eq!(count, 200);
        assert!(mean >= 0.0 && p99 <= max);
    }
}
