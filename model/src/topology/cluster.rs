//! A cluster: datacenters with a replica count each, the extra one-way
//! delay between every two of them, where the write and the read
//! coordinators run, whether the coordinator is itself a replica, and
//! per-datacenter and per-replica overrides of the four WARS legs.
//!
//! Its canonical one-line form (what [`Cluster::spec`] prints and
//! [`str::parse`] reads) is items separated by `;`:
//!
//! ```text
//! east:3,west:3;east-west=const(40);write_dc=east;read_dc=west;coordinator_replica;west.w=exp(mean=3);east[2].a=exp(mean=10)
//! ```
//!
//! the datacenters first (`NAME:COUNT`, in order), then any of: an extra
//! one-way delay between two datacenters (`A-B=SPEC`, symmetric, drawn
//! independently for each message; pairs not given add nothing), the
//! coordinators' datacenters (`NAME` or `random`: uniformly over the
//! datacenters, separately for every operation; default the first),
//! `coordinator_replica` (the coordinator is the first replica of its
//! datacenter, its own legs `const(0)` unless overridden), and leg
//! overrides, for a datacenter (`NAME.LEG=SPEC`) or one replica
//! (`NAME[i].LEG=SPEC`, `i` from 1), `LEG` one of `w`, `a`, `r`, `s`.
//!
//! ```
//! use quorum_model::topology::Cluster;
//! let c: Cluster = "east:3,west:2;east-west=const(40);read_dc=west".parse().unwrap();
//! assert_eq!(c.counts(), vec![3, 2]);
//! assert_eq!(c.spec(), "east:3,west:2;east-west=const(40);write_dc=east;read_dc=west");
//! assert_eq!(c.spec().parse::<Cluster>().unwrap(), c);
//! ```

use crate::dist::presets::Wars;
use crate::dist::spec::SpecError;
use crate::dist::{Constant, Dist};
use crate::named::{display_named, Named, Namer};
use std::fmt;
use std::str::FromStr;

/// A datacenter (or zone): a name and its replicas of the item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datacenter {
    /// Its name: letters, digits, `_` and `-`.
    pub name: String,
    /// Replicas of the item in it (at least 1).
    pub replicas: usize,
}

/// Where a coordinator runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coordinator {
    /// In this datacenter (an index into [`Cluster::dcs`]).
    In(usize),
    /// In a datacenter drawn uniformly, separately for every operation
    /// (PBS's WAN scenario).
    Random,
}

/// Overrides of the four WARS legs; `None` keeps the scenario's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Legs {
    /// Write delivery.
    pub w: Option<Dist>,
    /// Write ack.
    pub a: Option<Dist>,
    /// Read request.
    pub r: Option<Dist>,
    /// Read response.
    pub s: Option<Dist>,
}

impl Legs {
    fn slot(&mut self, leg: &str) -> Option<&mut Option<Dist>> {
        match leg {
            "w" => Some(&mut self.w),
            "a" => Some(&mut self.a),
            "r" => Some(&mut self.r),
            "s" => Some(&mut self.s),
            _ => None,
        }
    }

    fn each(&self) -> [(&'static str, &Option<Dist>); 4] {
        [
            ("w", &self.w),
            ("a", &self.a),
            ("r", &self.r),
            ("s", &self.s),
        ]
    }
}

/// The extra one-way delay between two datacenters.
#[derive(Debug, Clone, PartialEq)]
pub struct DcDelay {
    /// One datacenter (the lower index).
    pub a: usize,
    /// The other (the higher index).
    pub b: usize,
    /// The extra delay of each one-way message between them.
    pub delay: Dist,
}

/// Datacenters, the delays between them and where coordinators run.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// The datacenters, in order.
    pub dcs: Vec<Datacenter>,
    /// Extra one-way delays between pairs of datacenters (others: none).
    pub delays: Vec<DcDelay>,
    /// Where writes are coordinated.
    pub write_dc: Coordinator,
    /// Where reads are coordinated.
    pub read_dc: Coordinator,
    /// Whether the coordinator is the first replica of its datacenter.
    pub coordinator_replica: bool,
    /// Leg overrides for every replica of a datacenter.
    pub dc_legs: Vec<(usize, Legs)>,
    /// Leg overrides for one replica: `(datacenter, index from 0, legs)`.
    pub replica_legs: Vec<(usize, usize, Legs)>,
}

/// Why a cluster is refused: one line naming the field (`dc`, `dc_delay`,
/// `write_dc`, `read_dc`, `legs`, `topology`) and what it allows.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ClusterError {
    /// Not `NAME:COUNT`.
    Dc(String),
    /// A datacenter named twice.
    DuplicateDc(String),
    /// A datacenter name that is not among the cluster's.
    UnknownDc {
        /// The field that named it.
        field: &'static str,
        /// The name given.
        name: String,
        /// The cluster's names.
        known: Vec<String>,
    },
    /// Not `A-B=SPEC` with two different known datacenters.
    DcDelay {
        /// The text given.
        text: String,
        /// The cluster's names.
        known: Vec<String>,
    },
    /// The same pair given twice.
    DuplicateDelay(String),
    /// A delay spec refused.
    Spec {
        /// The field it was given in (`dc_delay`, `legs`).
        field: &'static str,
        /// What it was for (`east-west`, `east[2].a`).
        what: String,
        /// Why.
        source: SpecError,
    },
    /// A leg override that is not `NAME.LEG=SPEC` or `NAME[i].LEG=SPEC`.
    Legs(String),
    /// A replica index beyond the datacenter's count.
    ReplicaIndex {
        /// The datacenter.
        dc: String,
        /// The index given (from 1).
        index: usize,
        /// Its replicas.
        replicas: usize,
    },
    /// An item of the one-line form that is none of the above.
    Item(String),
    /// Options about datacenters without any datacenter.
    NoDatacenters(&'static str),
}

const NAME_RULE: &str = "a name of letters, digits, '_' or '-'";

fn known_list(known: &[String]) -> String {
    known.join(", ")
}

impl Named for ClusterError {
    fn named(&self, name: Namer) -> String {
        match self {
            ClusterError::Dc(text) => format!(
                "{}: must be NAME:COUNT ({NAME_RULE}, then a replica count >= 1), got '{text}'",
                name("dc")
            ),
            ClusterError::DuplicateDc(n) => {
                format!("{}: datacenter '{n}' is given twice; names must differ", name("dc"))
            }
            ClusterError::UnknownDc { field, name: n, known } => format!(
                "{}: unknown datacenter '{n}'; the datacenters are {}{}",
                name(field),
                known_list(known),
                if *field == "write_dc" || *field == "read_dc" {
                    " (or random)"
                } else {
                    ""
                }
            ),
            ClusterError::DcDelay { text, known } => format!(
                "{}: must be A-B=SPEC with A and B two different datacenters among {} and SPEC a delay spec, got '{text}'",
                name("dc_delay"),
                known_list(known)
            ),
            ClusterError::DuplicateDelay(pair) => {
                format!("{}: the delay {pair} is given twice", name("dc_delay"))
            }
            ClusterError::Spec { field, what, source } => {
                format!("{} {what}: {source}", name(field))
            }
            ClusterError::Legs(text) => format!(
                "{}: must be NAME.LEG=SPEC or NAME[i].LEG=SPEC (LEG one of w, a, r, s; i from 1), got '{text}'",
                name("legs")
            ),
            ClusterError::ReplicaIndex { dc, index, replicas } => format!(
                "{}: {dc}[{index}]: datacenter {dc} has replicas 1 to {replicas}",
                name("legs")
            ),
            ClusterError::Item(text) => format!(
                "{}: '{text}' is none of A-B=SPEC, write_dc=NAME, read_dc=NAME, coordinator_replica, NAME.LEG=SPEC, NAME[i].LEG=SPEC",
                name("topology")
            ),
            ClusterError::NoDatacenters(field) => format!(
                "{}: needs datacenters; give them first ({} NAME:COUNT)",
                name(field),
                name("dc")
            ),
        }
    }
}

display_named!(ClusterError);

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s != "random"
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl FromStr for Datacenter {
    type Err = ClusterError;
    /// `NAME:COUNT`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || ClusterError::Dc(text.to_string());
        let (name, count) = text.trim().rsplit_once(':').ok_or_else(bad)?;
        let replicas: usize = count.trim().parse().map_err(|_| bad())?;
        let name = name.trim();
        if replicas == 0 || !valid_name(name) {
            return Err(bad());
        }
        Ok(Datacenter {
            name: name.to_string(),
            replicas,
        })
    }
}

/// The most datacenters: the exact evaluation enumerates which are up
/// (`2^D` outage patterns) and the random coordinator's `D` places.
pub const MAX_DATACENTERS: usize = 16;

impl Cluster {
    /// Datacenters in order, nothing else set (coordinators in the first).
    pub fn new(dcs: Vec<Datacenter>) -> Result<Self, ClusterError> {
        if dcs.is_empty() {
            return Err(ClusterError::Dc(String::new()));
        }
        if dcs.len() > MAX_DATACENTERS {
            return Err(ClusterError::Dc(format!(
                "{} datacenters (at most {MAX_DATACENTERS})",
                dcs.len()
            )));
        }
        for (i, d) in dcs.iter().enumerate() {
            if dcs[..i].iter().any(|e| e.name == d.name) {
                return Err(ClusterError::DuplicateDc(d.name.clone()));
            }
        }
        Ok(Cluster {
            dcs,
            delays: Vec::new(),
            write_dc: Coordinator::In(0),
            read_dc: Coordinator::In(0),
            coordinator_replica: false,
            dc_legs: Vec::new(),
            replica_legs: Vec::new(),
        })
    }

    /// `count` datacenters of one replica each, named `dc1`, `dc2`, ...,
    /// `remote_one_way_ms` apart, both coordinators in a random one: PBS's
    /// WAN scenario (the `wan` preset) as a cluster.
    pub fn wan(count: usize, remote_one_way_ms: f64) -> Result<Self, ClusterError> {
        let dcs = (1..=count)
            .map(|i| Datacenter {
                name: format!("dc{i}"),
                replicas: 1,
            })
            .collect();
        let mut c = Cluster::new(dcs)?;
        let hop: Dist = format!("const({remote_one_way_ms})")
            .parse()
            .map_err(|source| ClusterError::Spec {
                field: "dc_delay",
                what: "wan".into(),
                source,
            })?;
        for a in 0..count {
            for b in a + 1..count {
                c.delays.push(DcDelay {
                    a,
                    b,
                    delay: hop.clone(),
                });
            }
        }
        c.write_dc = Coordinator::Random;
        c.read_dc = Coordinator::Random;
        Ok(c)
    }

    /// Replicas per datacenter.
    pub fn counts(&self) -> Vec<usize> {
        self.dcs.iter().map(|d| d.replicas).collect()
    }

    /// All replicas.
    pub fn n(&self) -> usize {
        self.dcs.iter().map(|d| d.replicas).sum()
    }

    /// The names, for messages.
    pub fn names(&self) -> Vec<String> {
        self.dcs.iter().map(|d| d.name.clone()).collect()
    }

    /// The index of the datacenter called `name`, or an error naming
    /// `field`.
    pub fn index(&self, field: &'static str, name: &str) -> Result<usize, ClusterError> {
        self.dcs
            .iter()
            .position(|d| d.name == name.trim())
            .ok_or_else(|| ClusterError::UnknownDc {
                field,
                name: name.trim().to_string(),
                known: self.names(),
            })
    }

    /// A coordinator's place: a datacenter's name or `random`.
    pub fn coordinator(
        &self,
        field: &'static str,
        text: &str,
    ) -> Result<Coordinator, ClusterError> {
        if text.trim().eq_ignore_ascii_case("random") {
            return Ok(Coordinator::Random);
        }
        self.index(field, text).map(Coordinator::In)
    }

    /// Adds `A-B=SPEC`: the extra one-way delay between `A` and `B`.
    pub fn add_delay(&mut self, text: &str) -> Result<(), ClusterError> {
        let bad = || ClusterError::DcDelay {
            text: text.to_string(),
            known: self.names(),
        };
        let (pair, spec) = text.split_once('=').ok_or_else(bad)?;
        let pair = pair.trim();
        // Names may hold '-': try every split into two known names.
        let split = pair
            .match_indices('-')
            .map(|(i, _)| (&pair[..i], &pair[i + 1..]))
            .find_map(|(a, b)| {
                Some((
                    self.index("dc_delay", a).ok()?,
                    self.index("dc_delay", b).ok()?,
                ))
            });
        let (a, b) = match split {
            Some((a, b)) if a != b => (a.min(b), a.max(b)),
            Some(_) => return Err(bad()),
            None => {
                // One hyphen: say which name is unknown.
                if let [x, y] = pair.split('-').collect::<Vec<_>>()[..] {
                    for name in [x, y] {
                        if !name.is_empty() {
                            self.index("dc_delay", name)?;
                        }
                    }
                }
                return Err(bad());
            }
        };
        let label = format!("{}-{}", self.dcs[a].name, self.dcs[b].name);
        if self.delays.iter().any(|d| d.a == a && d.b == b) {
            return Err(ClusterError::DuplicateDelay(label));
        }
        let delay: Dist = spec.trim().parse().map_err(|source| ClusterError::Spec {
            field: "dc_delay",
            what: label,
            source,
        })?;
        self.delays.push(DcDelay { a, b, delay });
        self.delays.sort_by_key(|d| (d.a, d.b));
        Ok(())
    }

    /// Adds a leg override, `NAME.LEG=SPEC` or `NAME[i].LEG=SPEC`.
    pub fn add_legs(&mut self, text: &str) -> Result<(), ClusterError> {
        let bad = || ClusterError::Legs(text.to_string());
        let (target, spec) = text.split_once('=').ok_or_else(bad)?;
        let (who, leg) = target.trim().rsplit_once('.').ok_or_else(bad)?;
        let (dc_name, replica) = match who.split_once('[') {
            Some((name, rest)) => {
                let i: usize = rest
                    .strip_suffix(']')
                    .and_then(|i| i.trim().parse().ok())
                    .ok_or_else(bad)?;
                (name, Some(i))
            }
            None => (who, None),
        };
        let dc = self.index("legs", dc_name)?;
        let what = target.trim().to_string();
        let delay: Dist = spec.trim().parse().map_err(|source| ClusterError::Spec {
            field: "legs",
            what: what.clone(),
            source,
        })?;
        let legs = match replica {
            None => {
                if !self.dc_legs.iter().any(|(d, _)| *d == dc) {
                    self.dc_legs.push((dc, Legs::default()));
                    self.dc_legs.sort_by_key(|(d, _)| *d);
                }
                &mut self
                    .dc_legs
                    .iter_mut()
                    .find(|(d, _)| *d == dc)
                    .expect("added")
                    .1
            }
            Some(i) => {
                let replicas = self.dcs[dc].replicas;
                if i == 0 || i > replicas {
                    return Err(ClusterError::ReplicaIndex {
                        dc: self.dcs[dc].name.clone(),
                        index: i,
                        replicas,
                    });
                }
                let i = i - 1;
                if !self
                    .replica_legs
                    .iter()
                    .any(|(d, j, _)| (*d, *j) == (dc, i))
                {
                    self.replica_legs.push((dc, i, Legs::default()));
                    self.replica_legs.sort_by_key(|(d, j, _)| (*d, *j));
                }
                &mut self
                    .replica_legs
                    .iter_mut()
                    .find(|(d, j, _)| (*d, *j) == (dc, i))
                    .expect("added")
                    .2
            }
        };
        *legs.slot(leg.trim()).ok_or_else(bad)? = Some(delay);
        Ok(())
    }

    /// The extra one-way delay between datacenters `a` and `b`, if any
    /// (never within one datacenter).
    pub fn extra(&self, a: usize, b: usize) -> Option<&Dist> {
        let (a, b) = (a.min(b), a.max(b));
        self.delays
            .iter()
            .find(|d| d.a == a && d.b == b)
            .map(|d| &d.delay)
    }

    /// The datacenters a coordinator can be in, each with its probability.
    pub fn places(&self, c: Coordinator) -> Vec<(f64, usize)> {
        match c {
            Coordinator::In(d) => vec![(1.0, d)],
            Coordinator::Random => {
                let p = 1.0 / self.dcs.len() as f64;
                (0..self.dcs.len()).map(|d| (p, d)).collect()
            }
        }
    }

    /// Replica `i` (from 0) of datacenter `dc`'s four legs `[W, A, R, S]`,
    /// with the coordinator in datacenter `coordinator`: the scenario's,
    /// then the datacenter's overrides, then the replica's; the coordinator
    /// itself, when it is a replica, has `const(0)` legs unless the
    /// replica's own override says otherwise.
    pub fn legs(&self, base: &Wars, dc: usize, i: usize, coordinator: usize) -> [Dist; 4] {
        let zero = || Dist::Const(Constant::new(0.0).expect("0 is a constant"));
        let is_coordinator = self.coordinator_replica && dc == coordinator && i == 0;
        let mut out = if is_coordinator {
            [zero(), zero(), zero(), zero()]
        } else {
            [
                base.w.clone(),
                base.a.clone(),
                base.r.clone(),
                base.s.clone(),
            ]
        };
        let mut apply = |legs: &Legs| {
            for (slot, value) in out.iter_mut().zip([&legs.w, &legs.a, &legs.r, &legs.s]) {
                if let Some(d) = value {
                    *slot = d.clone();
                }
            }
        };
        if !is_coordinator {
            if let Some((_, l)) = self.dc_legs.iter().find(|(d, _)| *d == dc) {
                apply(l);
            }
        }
        if let Some((_, _, l)) = self
            .replica_legs
            .iter()
            .find(|(d, j, _)| (*d, *j) == (dc, i))
        {
            apply(l);
        }
        out
    }

    /// Which datacenter each replica is in, replicas in order.
    pub fn dc_of(&self) -> Vec<usize> {
        self.dcs
            .iter()
            .enumerate()
            .flat_map(|(d, dc)| std::iter::repeat_n(d, dc.replicas))
            .collect()
    }

    /// Each replica's datacenter and its index there, replicas in order.
    pub fn replicas(&self) -> Vec<(usize, usize)> {
        self.dcs
            .iter()
            .enumerate()
            .flat_map(|(d, dc)| (0..dc.replicas).map(move |i| (d, i)))
            .collect()
    }

    /// A coordinator's place as the outputs name it.
    pub fn coordinator_name(&self, c: Coordinator) -> String {
        match c {
            Coordinator::In(d) => self.dcs[d].name.clone(),
            Coordinator::Random => "random".into(),
        }
    }

    /// The canonical one-line form (see the module docs); it parses back.
    pub fn spec(&self) -> String {
        let mut items = vec![self
            .dcs
            .iter()
            .map(|d| format!("{}:{}", d.name, d.replicas))
            .collect::<Vec<_>>()
            .join(",")];
        for d in &self.delays {
            items.push(format!(
                "{}-{}={}",
                self.dcs[d.a].name, self.dcs[d.b].name, d.delay
            ));
        }
        items.push(format!("write_dc={}", self.coordinator_name(self.write_dc)));
        items.push(format!("read_dc={}", self.coordinator_name(self.read_dc)));
        if self.coordinator_replica {
            items.push("coordinator_replica".into());
        }
        for (d, legs) in &self.dc_legs {
            for (leg, v) in legs.each() {
                if let Some(v) = v {
                    items.push(format!("{}.{leg}={v}", self.dcs[*d].name));
                }
            }
        }
        for (d, i, legs) in &self.replica_legs {
            for (leg, v) in legs.each() {
                if let Some(v) = v {
                    items.push(format!("{}[{}].{leg}={v}", self.dcs[*d].name, i + 1));
                }
            }
        }
        items.join(";")
    }
}

/// Whether a `topology` column holds a cluster's one-line form (not
/// `uniform` or `wan(...)`).
pub fn is_cluster(topology: &str) -> bool {
    topology != "uniform" && !topology.starts_with("wan(")
}

/// The datacenters item of a cluster's one-line form (`east:3,west:3`).
pub fn datacenters_part(topology: &str) -> &str {
    topology.split(';').next().unwrap_or(topology)
}

impl fmt::Display for Cluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.spec())
    }
}

impl FromStr for Cluster {
    type Err = ClusterError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut items = text.split(';').map(str::trim).filter(|s| !s.is_empty());
        let dcs = items
            .next()
            .ok_or_else(|| ClusterError::Dc(text.to_string()))?
            .split(',')
            .map(str::parse)
            .collect::<Result<Vec<Datacenter>, _>>()?;
        let mut c = Cluster::new(dcs)?;
        for item in items {
            if item == "coordinator_replica" {
                c.coordinator_replica = true;
            } else if let Some(v) = item.strip_prefix("write_dc=") {
                c.write_dc = c.coordinator("write_dc", v)?;
            } else if let Some(v) = item.strip_prefix("read_dc=") {
                c.read_dc = c.coordinator("read_dc", v)?;
            } else if let Some((lhs, _)) = item.split_once('=') {
                if lhs.contains('.') {
                    c.add_legs(item)?;
                } else if lhs.contains('-') {
                    c.add_delay(item)?;
                } else {
                    return Err(ClusterError::Item(item.to_string()));
                }
            } else {
                return Err(ClusterError::Item(item.to_string()));
            }
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_back() {
        for text in [
            "east:3,west:3;east-west=const(40);write_dc=east;read_dc=east",
            "a:1,b:2,c:3;a-b=const(1);a-c=exp(rate=0.5);write_dc=random;read_dc=c;coordinator_replica;b.w=const(3);a[1].s=const(5)",
            "us-east:2,us-west:2;us-east-us-west=const(30);write_dc=us-west;read_dc=us-east",
        ] {
            let c: Cluster = text.parse().unwrap();
            assert_eq!(c.spec(), text);
            assert_eq!(c.spec().parse::<Cluster>().unwrap(), c);
        }
    }

    #[test]
    fn refuses_with_one_line_naming_the_field() {
        let cases = [
            ("east", "dc: must be NAME:COUNT"),
            ("east:0", "dc: must be NAME:COUNT"),
            ("east:x", "dc: must be NAME:COUNT"),
            ("east:2,east:1", "given twice"),
            (
                "east:2,west:1;east-north=const(1)",
                "dc_delay: unknown datacenter 'north'",
            ),
            (
                "east:2,west:1;eastwest=const(1)",
                "topology: 'eastwest=const(1)'",
            ),
            (
                "east:2,west:1;east-east=const(1)",
                "dc_delay: must be A-B=SPEC",
            ),
            ("east:2,west:1;east-west=bogus(1)", "dc_delay east-west:"),
            (
                "east:2,west:1;write_dc=north",
                "write_dc: unknown datacenter 'north'",
            ),
            (
                "east:2,west:1;read_dc=north",
                "read_dc: unknown datacenter 'north'",
            ),
            (
                "east:2;east[3].w=const(1)",
                "east[3]: datacenter east has replicas 1 to 2",
            ),
            ("east:2;east.q=const(1)", "legs: must be NAME.LEG=SPEC"),
            ("east:2;hello", "topology: 'hello'"),
        ];
        for (text, want) in cases {
            let e = text.parse::<Cluster>().unwrap_err().to_string();
            assert!(e.contains(want), "{text}: {e}");
            assert!(!e.contains('\n'));
        }
    }

    #[test]
    fn legs_take_overrides_in_order() {
        let c: Cluster = "a:2,b:1;a.w=const(2);a[2].w=const(3);coordinator_replica"
            .parse()
            .unwrap();
        let base = Wars::uniform("const(1)".parse().unwrap());
        let w = |dc, i, coord| c.legs(&base, dc, i, coord)[0].mean();
        use crate::dist::Delay;
        assert_eq!(w(0, 0, 0), 0.0); // the coordinator itself
        assert_eq!(w(0, 0, 1), 2.0); // the datacenter's override
        assert_eq!(w(0, 1, 0), 3.0); // the replica's
        assert_eq!(w(1, 0, 0), 1.0); // the scenario's
        assert_eq!(w(1, 0, 1), 0.0);
        assert_eq!(c.dc_of(), vec![0, 0, 1]);
    }
}
