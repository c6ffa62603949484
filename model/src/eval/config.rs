//! A quorum configuration `(n, r, w)`, why one is refused, and the limits
//! on what is computed in bounded time.

use crate::failure::FailureError;
use crate::named::{display_named, Named, Namer};
use crate::topology::LevelError;

/// A quorum configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Replicas.
    pub n: usize,
    /// Read quorum: answers a read waits for.
    pub r: usize,
    /// Write quorum: acks a write waits for.
    pub w: usize,
}

/// Why a configuration or option is refused. One line, naming the field
/// (neutrally: `r`, `timeout_ms`; see [`crate::named`]) and what it allows.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ConfigError {
    /// `n` is 0.
    N(usize),
    /// `r` is not in `1..=n`.
    R {
        /// Replicas.
        n: usize,
        /// The read quorum given.
        r: usize,
    },
    /// `w` is not in `1..=n`.
    W {
        /// Replicas.
        n: usize,
        /// The write quorum given.
        w: usize,
    },
    /// `k` (versions for k-staleness) is 0.
    K(u32),
    /// The timeout is not a finite number of ms > 0.
    Timeout(f64),
    /// The failure model is refused.
    Failure(FailureError),
    /// More replicas than the failure model is computed for in bounded time.
    TooManyReplicas {
        /// Replicas asked for.
        n: usize,
        /// The most allowed for this model.
        max: usize,
        /// The model, in words.
        model: &'static str,
    },
    /// `k` beyond [`MAX_K`].
    KTooLarge(u32),
    /// A simulation beyond [`MAX_DRAWS`] replica draws.
    TooMuchSimulation {
        /// Trials asked for.
        trials: u64,
        /// Replicas.
        n: usize,
        /// Versions.
        k: u32,
        /// `trials * n * k`.
        draws: f64,
        /// The most trials that fit.
        fit: u64,
    },
    /// Quorum read fan-out with the WAN topology (not modelled).
    FanoutWan,
    /// A consistency level the cluster cannot satisfy (`write_cl`,
    /// `read_cl`).
    Level {
        /// The field.
        field: &'static str,
        /// Why.
        error: LevelError,
    },
    /// Failure domains whose count is not the datacenters'.
    DomainsNotDatacenters {
        /// The model's domains.
        domains: usize,
        /// The cluster's datacenters.
        datacenters: usize,
    },
    /// A speculative retry with reads that already ask every replica.
    RetryAll,
    /// A speculative retry with `k > 1` versions (not simulated).
    RetryVersions,
    /// A speculative retry with datacenters (not modelled yet).
    RetryDatacenters,
    /// Hints, anti-entropy or read repair with datacenters (not modelled
    /// yet).
    HealingDatacenters,
    /// Failure domains placed `packed` with datacenters (which place the
    /// replicas themselves).
    PackedDatacenters,
    /// More failure patterns than the exact evaluation enumerates.
    TooManyArrangements(f64),
    /// The k-staleness recursion would need too many states.
    Staleness,
    /// Datacenters with the `wan` topology (which is itself a topology).
    ClusterWan,
}

impl Named for ConfigError {
    fn named(&self, name: Namer) -> String {
        match self {
            ConfigError::N(n) => format!("{}: must be an integer >= 1, got {n}", name("n")),
            ConfigError::R { n, r } => {
                format!("{}: must be between 1 and n = {n}, got {r}", name("r"))
            }
            ConfigError::W { n, w } => {
                format!("{}: must be between 1 and n = {n}, got {w}", name("w"))
            }
            ConfigError::K(k) => format!("{}: must be an integer >= 1, got {k}", name("k")),
            ConfigError::Timeout(t) => format!(
                "{}: must be a finite number > 0 (ms), got {t}",
                name("timeout_ms")
            ),
            ConfigError::Failure(e) => e.named(name),
            ConfigError::TooManyReplicas { n, max, model } => format!(
                "{}: {n} replicas is beyond what {model} is computed for in bounded time (at most {max}; see the README's limits)",
                name("n")
            ),
            ConfigError::KTooLarge(k) => {
                format!("{}: must be between 1 and {MAX_K}, got {k}", name("k"))
            }
            ConfigError::TooMuchSimulation {
                trials,
                n,
                k,
                draws,
                fit,
            } => format!(
                "{}: {trials} trials x n = {n} replicas x k = {k} versions is {draws:.3e} replica draws; at most {MAX_DRAWS:e} are simulated (about 10 s on 2 cores), so at most {fit} trials here",
                name("trials")
            ),
            ConfigError::Level { field, error } => format!("{}: {error}", name(field)),
            ConfigError::DomainsNotDatacenters { domains, datacenters } => format!(
                "{}: with datacenters, the datacenters are the failure domains; got {domains} domain(s) for {datacenters} datacenter(s) (give {} alone for each datacenter's outage probability)",
                name("domains"),
                name("p_domain")
            ),
            ConfigError::RetryAll => format!(
                "{}: reads that ask every replica ({} all) have no replica left to ask; use {} quorum or closest",
                name("speculative_retry"),
                name("read_fanout"),
                name("read_fanout")
            ),
            ConfigError::RetryVersions => format!(
                "{}: not simulated with {} > 1 versions yet; give one or the other",
                name("speculative_retry"),
                name("k")
            ),
            ConfigError::RetryDatacenters => format!(
                "{}: not modelled with datacenters yet (only for replicas in one place)",
                name("speculative_retry")
            ),
            ConfigError::HealingDatacenters => format!(
                "{}, {}, {}: not modelled with datacenters yet (only for replicas in one place)",
                name("hint_window"),
                name("anti_entropy_interval"),
                name("read_repair")
            ),
            ConfigError::PackedDatacenters => format!(
                "{}: with datacenters the replicas are where the datacenters put them; placement must be spread (the default), not packed",
                name("placement")
            ),
            ConfigError::TooManyArrangements(states) => format!(
                "{}: about {states:.3e} failure patterns to enumerate exactly, beyond {} (fewer classes of distinct replicas, or independent failures)",
                name("failure"),
                crate::closed::cluster::MAX_ARRANGEMENTS
            ),
            ConfigError::Staleness => format!(
                "{}: the k-staleness of these levels needs more than {} states to compute exactly",
                name("read_cl"),
                crate::topology::MAX_STATES
            ),
            ConfigError::ClusterWan => format!(
                "{}: the wan topology and datacenters cannot be combined (wan is itself a topology: one replica per datacenter); give the datacenters and their delays instead",
                name("dc")
            ),
            ConfigError::FanoutWan => format!(
                "{fanout} quorum: modelled for the uniform topology only (which r replicas a WAN coordinator would pick is not); use {fanout} all with the wan topology",
                fanout = name("read_fanout")
            ),
        }
    }
}

display_named!(ConfigError);

/// The most replicas evaluated exactly with independent failures: about a
/// second (the binomial tails are summed over O(√n) terms).
pub const MAX_N: usize = 1_000_000;
/// With shared repair crews or failure domains (latency mixes over up
/// counts, O(n) per point; domains convolve per-domain counts).
pub const MAX_N_CORRELATED: usize = 20_000;
/// With one failure probability per replica (a Poisson-binomial count,
/// O(n²) per point).
pub const MAX_N_PER_NODE: usize = 1_000;
/// Versions for k-staleness.
pub const MAX_K: u32 = 1_000;
/// Replica draws (trials x n x k) one simulation may take.
pub const MAX_DRAWS: f64 = 1e9;

/// Checks that a simulation of `trials` at `n` replicas and `k` versions
/// stays within [`MAX_DRAWS`].
pub fn check_simulation(trials: u64, n: usize, k: u32) -> Result<(), ConfigError> {
    if k > MAX_K {
        return Err(ConfigError::KTooLarge(k));
    }
    let draws = trials as f64 * n as f64 * k as f64;
    if draws > MAX_DRAWS {
        return Err(ConfigError::TooMuchSimulation {
            trials,
            n,
            k,
            draws,
            fit: (MAX_DRAWS / (n as f64 * k as f64)).floor() as u64,
        });
    }
    Ok(())
}

impl Config {
    /// Checks `1 <= r, w <= n`.
    pub fn new(n: usize, r: usize, w: usize) -> Result<Self, ConfigError> {
        if n == 0 {
            return Err(ConfigError::N(n));
        }
        if r == 0 || r > n {
            return Err(ConfigError::R { n, r });
        }
        if w == 0 || w > n {
            return Err(ConfigError::W { n, w });
        }
        Ok(Config { n, r, w })
    }

    /// `r + w > n`: every read quorum meets every write quorum.
    pub fn strict(&self) -> bool {
        self.r + self.w > self.n
    }
}
