//! The WARS delay model and the published PBS delay fits.
//!
//! WARS (Bailis et al., "Probabilistically Bounded Staleness for Practical
//! Partial Quorums", VLDB 2012): per replica, four one-way delays. `W`:
//! coordinator → replica write delivery, `A`: the write's ack back, `R`: read
//! request delivery, `S`: read response back. The presets are the paper's
//! Table 3 fits: Pareto bodies with exponential tails, in milliseconds.

use super::{Delay, Dist, Exponential, Mixture, Pareto};
use std::fmt;

/// How replicas sit relative to the coordinator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Topology {
    /// Every replica sees the same leg distributions.
    Uniform,
    /// Each replica in its own datacenter; one replica, drawn uniformly at
    /// random (separately for the write and for the read), is local to the
    /// coordinator, and every one-way message to any other replica takes
    /// `remote_one_way_ms` more (PBS's WAN scenario: 75 ms).
    Wan {
        /// Extra one-way delay to a remote replica, ms.
        remote_one_way_ms: f64,
    },
}

impl Topology {
    /// Where a coordinator is, as the outputs' `write_dc` and `read_dc`
    /// say it: nowhere in particular (uniform) or a random datacenter
    /// (wan).
    pub fn coordinator_dc(&self) -> &'static str {
        match self {
            Topology::Uniform => "",
            Topology::Wan { .. } => "random",
        }
    }
}

impl fmt::Display for Topology {
    /// `uniform`, or `wan(remote_one_way_ms=75)`: the `topology` column.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Topology::Uniform => f.write_str("uniform"),
            Topology::Wan { remote_one_way_ms } => {
                write!(f, "wan(remote_one_way_ms={remote_one_way_ms})")
            }
        }
    }
}

/// The four leg distributions of WARS plus the topology.
#[derive(Debug, Clone, PartialEq)]
pub struct Wars {
    /// Write delivery, coordinator to replica.
    pub w: Dist,
    /// Write ack, replica to coordinator.
    pub a: Dist,
    /// Read request, coordinator to replica.
    pub r: Dist,
    /// Read response, replica to coordinator.
    pub s: Dist,
    /// Where replicas are.
    pub topology: Topology,
}

impl Wars {
    /// The same distribution on all four legs.
    pub fn uniform(d: Dist) -> Self {
        Wars {
            w: d.clone(),
            a: d.clone(),
            r: d.clone(),
            s: d,
            topology: Topology::Uniform,
        }
    }

    /// Round-trip time of a write at a local replica, `W + A`.
    pub fn write_round_trip(&self) -> Dist {
        self.w.plus(&self.a)
    }

    /// Round-trip time of a read at a local replica, `R + S`.
    pub fn read_round_trip(&self) -> Dist {
        self.r.plus(&self.s)
    }

    /// Extra one-way delay to a non-local replica (0 for `Uniform`).
    pub fn remote_one_way_ms(&self) -> f64 {
        match self.topology {
            Topology::Uniform => 0.0,
            Topology::Wan { remote_one_way_ms } => remote_one_way_ms,
        }
    }
}

/// A named, published delay scenario.
#[derive(Debug, Clone)]
pub struct Preset {
    /// Its name (`lnkd-disk`).
    pub name: &'static str,
    /// One line for people.
    pub description: &'static str,
    /// Where the fit was published.
    pub source: &'static str,
    /// Its legs and topology.
    pub wars: Wars,
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {}", self.name, self.description)?;
        writeln!(f, "  source: {}", self.source)?;
        for (leg, d) in [
            ("W", &self.wars.w),
            ("A", &self.wars.a),
            ("R", &self.wars.r),
            ("S", &self.wars.s),
        ] {
            let mean = d.mean();
            let mean = if mean.is_finite() {
                format!("{mean:.3} ms")
            } else {
                "infinite".to_string()
            };
            writeln!(
                f,
                "  {leg} = {d}   (mean {mean}, median {:.3} ms)",
                d.quantile(0.5)
            )?;
        }
        if let Topology::Wan { remote_one_way_ms } = self.wars.topology {
            writeln!(
                f,
                "  topology: wan, +{remote_one_way_ms} ms on every one-way message to a non-local replica; one local replica chosen uniformly at random per operation"
            )?;
        }
        Ok(())
    }
}

/// Names accepted by [`preset`].
pub const PRESET_NAMES: [&str; 4] = ["lnkd-ssd", "lnkd-disk", "ymmr", "wan"];

/// `w_p`: Pareto(xm, alpha), `w_e`: Exp(rate), weights as printed in the table.
fn pareto_exp(w_p: f64, xm: f64, alpha: f64, w_e: f64, rate: f64) -> Dist {
    Dist::Mixture(
        Mixture::new(vec![
            (
                w_p,
                Dist::Pareto(Pareto::new(xm, alpha).expect("published fit")),
            ),
            (
                w_e,
                Dist::Exp(Exponential::new(rate).expect("published fit")),
            ),
        ])
        .expect("published fit"),
    )
}

fn lnkd_ssd_leg() -> Dist {
    pareto_exp(0.9122, 0.235, 10.0, 0.0878, 1.66)
}

fn lnkd_disk_write() -> Dist {
    pareto_exp(0.38, 1.05, 1.51, 0.62, 0.183)
}

const TABLE3: &str = "Bailis et al., Probabilistically Bounded Staleness for Practical Partial Quorums, VLDB 2012, Table 3";

/// A preset by name.
///
/// ```
/// use quorum_model::dist::presets::preset;
/// let p = preset("lnkd-disk").unwrap();
/// assert_eq!(p.wars.a, p.wars.r);
/// assert!(preset("nope").is_none());
/// ```
pub fn preset(name: &str) -> Option<Preset> {
    let p = match name {
        "lnkd-ssd" => Preset {
            name: "lnkd-ssd",
            description: "LinkedIn Voldemort on SSDs: all four legs share one fit",
            source: TABLE3,
            wars: Wars::uniform(lnkd_ssd_leg()),
        },
        "lnkd-disk" => Preset {
            name: "lnkd-disk",
            description: "LinkedIn Voldemort on spinning disks: slow, heavy-tailed writes (W); other legs as lnkd-ssd",
            source: TABLE3,
            wars: Wars {
                w: lnkd_disk_write(),
                ..Wars::uniform(lnkd_ssd_leg())
            },
        },
        "ymmr" => Preset {
            name: "ymmr",
            description: "Yammer Riak: W and A/R/S fitted separately",
            source: "Bailis et al., VLDB 2012, Table 3 (W's Pareto alpha: the table prints 3.35; the authors' simulator used 3.5, kept here)",
            wars: Wars {
                w: pareto_exp(0.939, 3.0, 3.5, 0.061, 0.0028),
                ..Wars::uniform(pareto_exp(0.982, 1.5, 3.8, 0.018, 0.0217))
            },
        },
        "wan" => Preset {
            name: "wan",
            description: "lnkd-disk legs across datacenters: each replica in its own datacenter, 75 ms one way to every non-local replica",
            source: "Bailis et al., VLDB 2012, Section 6 (WAN scenario)",
            wars: Wars {
                w: lnkd_disk_write(),
                topology: Topology::Wan { remote_one_way_ms: 75.0 },
                ..Wars::uniform(lnkd_ssd_leg())
            },
        },
        _ => return None,
    };
    Some(p)
}

/// All presets, in [`PRESET_NAMES`] order.
pub fn all() -> Vec<Preset> {
    PRESET_NAMES
        .iter()
        .map(|n| preset(n).expect("listed preset"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_preset_exists_and_prints() {
        for p in all() {
            let text = p.to_string();
            assert!(text.contains(p.name) && text.contains("W = "), "{text}");
        }
    }

    #[test]
    fn published_parameters() {
        let disk = preset("lnkd-disk").unwrap();
        assert_eq!(
            disk.wars.w.to_string(),
            "mix(0.38: pareto(xm=1.05,alpha=1.51), 0.62: exp(rate=0.183))"
        );
        let ssd = preset("lnkd-ssd").unwrap();
        assert!(ssd
            .wars
            .s
            .to_string()
            .starts_with("mix(0.9122: pareto(xm=0.235,alpha=10)"));
        let wan = preset("wan").unwrap();
        assert_eq!(wan.wars.remote_one_way_ms(), 75.0);
        assert_eq!(wan.wars.w, disk.wars.w);
    }
}
