#![warn(missing_docs)]
//! quorum-model: what a quorum configuration buys a replicated store.
//!
//! Given `n` replicas, read quorum `r`, write quorum `w`, how replicas fail
//! and how long messages take, it computes availability, the probability
//! and duration of stale reads, and latency (mean and tail): exactly where
//! a closed form exists, by Monte Carlo with confidence intervals where
//! not.
//!
//! # Module map
//!
//! Layers from the ground up; each uses only those above it in this list.
//!
//! | module | what |
//! |---|---|
//! | [`dist`] | delay laws ([`Dist`]), their spec language, the published presets |
//! | [`fit`] | delay laws fitted to measurements (samples, HdrHistogram logs, Prometheus buckets, nodetool tables): maximum likelihood (interval-censored for buckets), ten families ranked by BIC, standard errors, goodness of fit |
//! | [`failure`] | failure models ([`FailureModel`]): availability, which replicas are up, samplers |
//! | [`topology`] | clusters ([`topology::Cluster`]: datacenters, their delays, coordinators), consistency levels, strictness and staleness of level pairs |
//! | [`closed`] | exact latency of a quorum and k-staleness |
//! | [`mc`] | the Monte Carlo: t-visibility, staleness, latency, with intervals |
//! | [`scenario`] | delays + topology + failures ([`Scenario`]), from presets or TOML files |
//! | [`eval`] | one configuration ([`Config`], or levels in a cluster) evaluated: a `summary.csv` row |
//! | [`curve`] | t-visibility curves as rows |
//! | [`levels`] | every pair of consistency levels compared in clusters (a sweep's `levels.csv`) |
//! | [`sweep`] | a grid of scenarios × failure levels × (n, r, w), in parallel, reproducibly |
//! | [`plan`](mod@plan) | the cheapest configuration meeting SLOs |
//! | `output` | the files, the report and its charts (feature `charts`) |
//! | `cli` | the command line (feature `cli`) |
//!
//! Errors about inputs name the field at fault and what it allows
//! ([`named`]).
//!
//! # Availability and latency percentiles
//!
//! Two of three replicas, each down 1% of the time, every message
//! exponential with mean 1 ms on writes and free acks, so a write waits
//! for the 2nd fastest of three exponentials: mean `1/3 + 1/2` ms (Rényi).
//!
//! ```
//! use quorum_model::dist::presets::{Topology, Wars};
//! use quorum_model::{evaluate, Config, Dist, EvalOptions, FailureModel, Scenario};
//!
//! let exp: Dist = "exp(mean=1)".parse().unwrap();
//! let zero: Dist = "const(0)".parse().unwrap();
//! let mut s = Scenario::default_exponential();
//! s.wars = Wars { w: exp.clone(), a: zero.clone(), r: exp, s: zero, topology: Topology::Uniform };
//! s.failure = FailureModel::iid(0.01);
//!
//! let e = evaluate(&s, Config::new(3, 2, 2).unwrap(), EvalOptions::default()).unwrap();
//! // At least 2 of 3 up: 0.99^3 + 3 * 0.99^2 * 0.01.
//! assert!((e.write_availability.available - 0.999702).abs() < 1e-12);
//! println!("p99 read {:.3} ms", e.read.p99_ms.clone().unwrap());
//!
//! // Without failures the write mean is the order statistic's.
//! s.failure = FailureModel::NONE;
//! let e = evaluate(&s, Config::new(3, 2, 2).unwrap(), EvalOptions::default()).unwrap();
//! assert!((e.write.mean_ms.unwrap() - (1.0 / 3.0 + 1.0 / 2.0)).abs() < 1e-8);
//! // The median of the fastest of three: ln 2 / 3.
//! let first = evaluate(&s, Config::new(3, 1, 1).unwrap(), EvalOptions::default()).unwrap();
//! assert!((first.write.p50_ms.unwrap() - 2f64.ln() / 3.0).abs() < 1e-8);
//! ```
//!
//! # A t-visibility curve with its interval
//!
//! How soon after a write commits does a read see it? With `r = w = 1` of
//! three, a read at the commit already sees it at least whenever it asks
//! the replica that acked (probability 1/3), and more often as the write
//! spreads.
//!
//! ```
//! use quorum_model::closed::staleness::p_stale;
//! use quorum_model::mc::{run, Setup};
//! use quorum_model::Scenario;
//!
//! let s = Scenario::from_preset("lnkd-ssd").unwrap();
//! let res = run(&Setup::new(&s.wars, &s.failure, 3), 100_000, 1, None);
//! let at_commit = res.p_consistent_at(1, 1, 0.0);
//! assert!(at_commit.ci_low <= at_commit.estimate && at_commit.estimate <= at_commit.ci_high);
//! assert!(at_commit.ci_high > 1.0 - p_stale(3, 1, 1));
//! let mut last = 0.0;
//! for point in res.curve(1, 1, 5.0, 6) {
//!     println!("t = {} ms: {:.4} [{:.4}, {:.4}]", point.t_ms, point.p.estimate, point.p.ci_low, point.p.ci_high);
//!     assert!(point.p.estimate >= last);
//!     last = point.p.estimate;
//! }
//! ```
//!
//! # A delay law built in code
//!
//! The constructors check their parameters (a `Result` naming the one at
//! fault); the same law has a one-line spec.
//!
//! ```
//! use quorum_model::dist::{Delay, Dist, Exponential, Mixture, Pareto};
//!
//! // LinkedIn SSD's leg (PBS, Table 3): 91.22% Pareto, 8.78% exponential.
//! let leg = Dist::Mixture(Mixture::new(vec![
//!     (0.9122, Dist::Pareto(Pareto::new(0.235, 10.0).unwrap())),
//!     (0.0878, Dist::Exp(Exponential::new(1.66).unwrap())),
//! ]).unwrap());
//! let spec: Dist = "mix(0.9122: pareto(xm=0.235,alpha=10), 0.0878: exp(rate=1.66))".parse().unwrap();
//! assert_eq!(leg.quantile(0.99), spec.quantile(0.99));
//! let want = 0.9122 * 10.0 * 0.235 / 9.0 + 0.0878 / 1.66;
//! assert!((leg.mean() - want).abs() < 1e-12);
//! assert!(Pareto::new(0.235, -1.0).unwrap_err().to_string().contains("alpha"));
//! ```
#[cfg(feature = "cli")]
pub mod cli;
pub mod closed;
pub mod curve;
pub mod dist;
pub mod duration;
pub mod eval;
pub mod failure;
mod fanout;
pub mod fit;
pub mod heal;
pub mod levels;
pub mod mc;
pub mod mechanisms;
pub mod named;
pub(crate) mod numeric;
#[cfg(feature = "charts")]
pub mod output;
pub mod plan;
pub mod qs;
pub mod retry;
pub mod scenario;
pub mod sweep;
pub(crate) mod text;
pub mod topology;

pub use fanout::Fanout;

pub use dist::{Delay, Dist};
pub use eval::{evaluate, Config, ConfigError, EvalOptions, Exact, SummaryRow};
pub use failure::{Availability, FailureModel};
pub use mc::{run as simulate, McResult, Setup};
pub use plan::{plan, PlanInput};
pub use scenario::Scenario;
pub use sweep::{Shard, SweepOutput, SweepSpec};
