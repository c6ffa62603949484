//! Read repair: what a read does when the replies it got disagree.

use std::fmt;
use std::str::FromStr;

/// Read repair (Cassandra's `read_repair`, blocking by default since 4.0;
/// the older `read_repair_chance` is [`ReadRepair::Async`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum ReadRepair {
    /// Replies that disagree are left as they are.
    #[default]
    None,
    /// A read whose `r` replies disagree writes the newest value to the
    /// stale replicas among them and waits for their acks before it
    /// returns: that read pays one more round trip, and later reads find
    /// the value.
    Blocking,
    /// With this probability per read, the replies are compared after the
    /// read returned and stale replicas repaired in the background: no
    /// latency, and only the probability of a repair per read.
    Async(f64),
}

/// Why a read-repair setting is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRepairError(pub String);

impl fmt::Display for ReadRepairError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "must be none, blocking or async:P with a probability 0 <= P <= 1 (async:0.1); got '{}'",
            self.0
        )
    }
}

impl std::error::Error for ReadRepairError {}

impl FromStr for ReadRepair {
    type Err = ReadRepairError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let t = text.trim();
        let bad = || ReadRepairError(text.to_string());
        if t.eq_ignore_ascii_case("none") {
            return Ok(ReadRepair::None);
        }
        if t.eq_ignore_ascii_case("blocking") {
            return Ok(ReadRepair::Blocking);
        }
        let p = t
            .strip_prefix("async:")
            .ok_or_else(bad)?
            .trim()
            .parse::<f64>()
            .map_err(|_| bad())?;
        if !(0.0..=1.0).contains(&p) {
            return Err(bad());
        }
        Ok(ReadRepair::Async(p))
    }
}

impl fmt::Display for ReadRepair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadRepair::None => f.write_str("none"),
            ReadRepair::Blocking => f.write_str("blocking"),
            ReadRepair::Async(p) => write!(f, "async:{p}"),
        }
    }
}

impl ReadRepair {
    /// The probability that a read whose replies disagree repairs them.
    pub fn chance(self) -> f64 {
        match self {
            ReadRepair::None => 0.0,
            ReadRepair::Blocking => 1.0,
            ReadRepair::Async(p) => p,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_back() {
        for text in ["none", "blocking", "async:0.1", "async:0", "async:1"] {
            let r: ReadRepair = text.parse().unwrap();
            assert_eq!(r.to_string(), text);
        }
        for bad in [
            "async:1.5",
            "async:-0.1",
            "async:",
            "async",
            "sometimes",
            "async:nan",
        ] {
            let e = bad.parse::<ReadRepair>().unwrap_err().to_string();
            assert!(e.contains("async:P"), "{bad}: {e}");
        }
    }
}
